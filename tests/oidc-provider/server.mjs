// A second, independent OpenID Provider for the SDK tests: the `oidc-provider` package with its
// development interactions (any login and password sign in). Configured by environment:
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, BACKCHANNEL_LOGOUT_URI,
//   RESOURCE (the API audience, whose access tokens are JWTs).
// Optionally UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET add a client for Portcullis signing
// in through this provider (federation): a loopback native client, so its redirect URI
// http://localhost/u/upstream/callback matches whatever port Portcullis listens on (RFC 8252 §7.3).
// The login typed on the development sign-in page decides the account: `ada` is
// ada@example.org, `ada@example.com` is that address, verified; prefixes `unverified:` (the
// address is not verified) and `mfa:` (the sign-in reports acr `aal2` and amr `pwd otp mfa`)
// may be combined, e.g. `mfa:unverified:ada@example.com`.
// Prints `oidc-provider ready at <issuer>` once listening.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const env = (k) => {
  if (!process.env[k]) throw new Error(`set ${k}`);
  return process.env[k];
};

// A free port first: the issuer must name it before the provider exists.
const server = createServer();
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const issuer = `http://localhost:${server.address().port}`;

const key = (type, options, alg) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  kid: randomUUID(),
  alg,
  use: 'sig',
});
const resource = env('RESOURCE');

// What a login name typed on the development page says about the account.
const account = (id) => {
  let rest = id;
  let verified = true;
  let mfa = false;
  for (;;) {
    if (rest.startsWith('unverified:')) { verified = false; rest = rest.slice(11); continue; }
    if (rest.startsWith('mfa:')) { mfa = true; rest = rest.slice(4); continue; }
    break;
  }
  const email = rest.includes('@') ? rest : `${rest}@example.org`;
  return { email, verified, mfa, name: rest.split('@')[0] };
};

const clients = [{
  client_id: env('CLIENT_ID'),
  client_secret: env('CLIENT_SECRET'),
  redirect_uris: [env('REDIRECT_URI')],
  post_logout_redirect_uris: [env('POST_LOGOUT_REDIRECT_URI')],
  backchannel_logout_uri: env('BACKCHANNEL_LOGOUT_URI'),
  backchannel_logout_session_required: true,
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  id_token_signed_response_alg: 'ES256',
}];
const upstreamClient = process.env.UPSTREAM_CLIENT_ID;
if (upstreamClient) {
  // The same client twice: credentials by Basic auth (OIDC's default), and `-post` taking them
  // in the form, as GitHub and many plain OAuth 2 providers do.
  for (const [suffix, method] of [['', 'client_secret_basic'], ['-post', 'client_secret_post']]) {
    clients.push({
      client_id: `${upstreamClient}${suffix}`,
      client_secret: env('UPSTREAM_CLIENT_SECRET'),
      token_endpoint_auth_method: method,
      application_type: 'native',
      redirect_uris: ['http://localhost/u/upstream/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    });
  }
}

const provider = new Provider(issuer, {
  clients,
  jwks: {
    keys: [
      key('ec', { namedCurve: 'P-256' }, 'ES256'),
      key('ed25519', {}, 'EdDSA'),
    ],
  },
  enabledJWA: { idTokenSigningAlgValues: ['ES256', 'EdDSA'] },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    backchannelLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Portcullis's client asks for no API: its access token is for userinfo.
      defaultResource: (ctx, client) => (
        upstreamClient && client.clientId.startsWith(upstreamClient) ? undefined : resource),
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new Error('unknown resource');
        return {
          scope: 'payouts:write',
          audience: resource,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  acrValues: ['aal1', 'aal2'],
  findAccount: (ctx, id) => {
    const a = account(id);
    return {
      accountId: id,
      claims: () => ({ sub: id, email: a.email, email_verified: a.verified, name: a.name }),
    };
  },
  // First-party client: consent is implied, so the only page is the sign-in.
  loadExistingGrant: async (ctx) => {
    const { Grant } = ctx.oidc.provider;
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return Grant.find(existing);
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile offline_access');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    grant.addResourceScope(resource, 'payouts:write');
    await grant.save();
    return grant;
  },
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token'),
  pkce: { required: () => true },
  // Everything here is on loopback, which the provider's SSRF guard refuses to call; the
  // back-channel logout must reach the app under test.
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  cookies: { keys: [randomUUID()] },
});
provider.proxy = false;
// The development sign-in records no acr/amr; `mfa:` logins report a multi-factor sign-in.
const finished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  if (result && result.login && account(result.login.accountId).mfa) {
    result.login.acr = 'aal2';
    result.login.amr = ['pwd', 'otp', 'mfa'];
  }
  return finished(req, res, result, options);
};
provider.on('backchannel.error', (ctx, err, client) => {
  process.stderr.write(`back-channel logout to ${client.clientId} failed: ${err.message}\n`);
});
provider.on('server_error', (ctx, err) => process.stderr.write(`server error: ${err.stack}\n`));
server.on('request', provider.callback());
process.stderr.write(`oidc-provider ready at ${issuer}\n`);
