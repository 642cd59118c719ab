// A second, independent OpenID Provider for the SDK tests: the `oidc-provider` package with its
// development interactions (any login and password sign in). Configured by environment:
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, BACKCHANNEL_LOGOUT_URI,
//   RESOURCE (the API audience, whose access tokens are JWTs).
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

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    post_logout_redirect_uris: [env('POST_LOGOUT_REDIRECT_URI')],
    backchannel_logout_uri: env('BACKCHANNEL_LOGOUT_URI'),
    backchannel_logout_session_required: true,
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
  }],
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
      defaultResource: () => resource,
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
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, email: `${id}@example.org`, email_verified: true, name: id }),
  }),
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
provider.on('backchannel.error', (ctx, err, client) => {
  process.stderr.write(`back-channel logout to ${client.clientId} failed: ${err.message}\n`);
});
provider.on('server_error', (ctx, err) => process.stderr.write(`server error: ${err.stack}\n`));
server.on('request', provider.callback());
process.stderr.write(`oidc-provider ready at ${issuer}\n`);
