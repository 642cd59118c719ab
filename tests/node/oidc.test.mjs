// openid-client v6 (a certified relying party library) against the real `portcullis` binary:
// discovery, client_credentials, the code flow with PKCE through the hosted login, userinfo,
// refresh rotation and reuse detection; DPoP, PAR, private_key_jwt, signed request objects, the
// FAPI 2.0 profile and token exchange.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { signIn } from './hosted-login.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const REDIRECT = 'http://localhost:3000/cb';
const EMAIL = 'node@example.com';
const PASSWORD = 'a quiet test passphrase';

let dir;
let server;
let env;
let issuer;
let m2m;
let web;
let spa;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function cli(args, input) {
  const out = spawnSync(BIN, args, { env, input, encoding: 'utf8' });
  assert.equal(out.status, 0, `portcullis ${args.join(' ')}: ${out.stderr}`);
  return JSON.parse(out.stdout.trim());
}

const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const jwt = (token) => {
  const [h, p] = token.split('.');
  return { header: decode(h), payload: decode(p) };
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-node-'));
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  env = {
    PATH: process.env.PATH,
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_DATABASE_URL: `sqlite://${join(dir, 'node.db')}`,
    PORTCULLIS_MASTER_KEY: randomBytes(32).toString('base64'),
    PORTCULLIS_LOG__LEVEL: 'warn',
  };
  spawnSync(BIN, ['migrate'], { env });
  cli(['api', 'create', '--identifier', 'https://node.api', '--scope', 'read:things']);
  m2m = cli(['client', 'create', '--name', 'm2m', '--grant', 'client_credentials',
    '--api', 'https://node.api', '--scope', 'read:things']);
  web = cli(['client', 'create', '--name', 'web', '--redirect-uri', REDIRECT,
    '--post-logout-redirect-uri', 'http://localhost:3000/bye']);
  spa = cli(['client', 'create', '--name', 'spa', '--redirect-uri', REDIRECT, '--public']);
  const user = cli(['user', 'create', '--email', EMAIL, '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(user.email, EMAIL);

  server = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`], { env, stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${issuer}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(() => {
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function configFor(c) {
  return client.discovery(
    new URL(issuer),
    c.client_id,
    c.client_secret,
    c.client_secret ? undefined : client.None(),
    { execute: [client.allowInsecureRequests] },
  );
}

test('discovery exposes PKCE S256, RFC 9207 iss and the assurance levels', async () => {
  const config = await configFor(web);
  const m = config.serverMetadata();
  assert.equal(m.issuer, issuer);
  assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
  assert.equal(m.authorization_response_iss_parameter_supported, true);
  for (const acr of ['aal1', 'aal2', 'aal3']) assert.ok(m.acr_values_supported.includes(acr));
});

test('client_credentials issues an RFC 9068 token scoped to the client grant', async () => {
  const config = await configFor(m2m);
  const tokens = await client.clientCredentialsGrant(config, {
    audience: 'https://node.api',
    scope: 'read:things',
  });
  const { header, payload } = jwt(tokens.access_token);
  assert.equal(header.typ, 'at+jwt');
  assert.ok(header.kid);
  assert.equal(payload.aud, 'https://node.api');
  assert.equal(payload.scope, 'read:things');
  assert.equal(payload.client_id, m2m.client_id);
  assert.equal(payload.acr, undefined, 'machine tokens carry no acr');

  const wrong = await configFor({ ...m2m, client_secret: 'not-the-secret' });
  await assert.rejects(
    client.clientCredentialsGrant(wrong, { audience: 'https://node.api' }),
    (err) => err.error === 'invalid_client',
  );
});

test('code flow with PKCE, ID token, userinfo, refresh rotation and reuse detection', async () => {
  const config = await configFor({ ...web });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await signIn(issuer, url, EMAIL, PASSWORD);
  assert.equal(callback.searchParams.get('iss'), issuer);

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.acr, 'aal1');
  assert.deepEqual(claims.amr, ['pwd']);
  assert.equal(typeof claims.auth_time, 'number');
  assert.ok(claims.sid);
  assert.equal(claims.email, EMAIL);

  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, EMAIL);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');

  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (err) => err.error === 'invalid_grant');
  await assert.rejects(
    client.refreshTokenGrant(config, refreshed.refresh_token),
    (err) => err.error === 'invalid_grant',
    'reuse of a rotated token revokes the whole family',
  );
});

test('DPoP: a public client\'s tokens are bound to its key (RFC 9449), as openid-client makes proofs', async () => {
  const config = await configFor(spa);
  assert.deepEqual(config.serverMetadata().dpop_signing_alg_values_supported, ['EdDSA', 'ES256', 'RS256', 'PS256']);
  const keyPair = await client.randomDPoPKeyPair('ES256');
  const DPoP = client.getDPoPHandle(config, keyPair);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await signIn(issuer, url, EMAIL, PASSWORD);
  const tokens = await client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, idTokenExpected: true },
    undefined,
    { DPoP },
  );
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  const { payload } = jwt(tokens.access_token);
  // RFC 7638: the SHA-256 of the required members, in order, without spaces.
  const { crv, x, y } = await crypto.subtle.exportKey('jwk', keyPair.publicKey);
  const canonical = JSON.stringify({ crv, kty: 'EC', x, y });
  const jkt = Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(canonical))).toString('base64url');
  assert.equal(payload.cnf.jkt, jkt);

  const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub, { DPoP });
  assert.equal(info.email, EMAIL);
  // Without the key, the token is worth nothing at UserInfo.
  await assert.rejects(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck));

  // The refresh token is bound too: another key cannot use it, this one can.
  const thief = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  await assert.rejects(
    client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP: thief }),
    (err) => err.error === 'invalid_dpop_proof',
  );
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
  assert.equal(jwt(refreshed.access_token).payload.cnf.jkt, jkt);
});

test('PAR: openid-client pushes the authorization request (RFC 9126) and signs in with request_uri', async () => {
  const config = await configFor(web);
  assert.equal(config.serverMetadata().pushed_authorization_request_endpoint, `${issuer}/oauth/par`);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = await client.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: REDIRECT,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  const callback = await signIn(issuer, url, EMAIL, PASSWORD);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  assert.equal(tokens.claims().email, EMAIL);
  // The request_uri is good once.
  await assert.rejects(signIn(issuer, url, EMAIL, PASSWORD));
});

test('private_key_jwt: openid-client authenticates with an assertion signed by the registered key (RFC 7523)', async () => {
  assert.ok(
    (await configFor(web)).serverMetadata().token_endpoint_auth_methods_supported.includes('private_key_jwt'),
  );
  // A management client, then the signing client registered with its public key.
  const admin = cli(['client', 'create', '--name', 'admin', '--grant', 'client_credentials',
    '--api', `${issuer}/api/v2/`, '--scope', 'create:clients', '--scope', 'create:client_grants']);
  const { access_token: mgmt } = await client.clientCredentialsGrant(await configFor(admin), {
    audience: `${issuer}/api/v2/`,
  });
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const jwk = { ...(await crypto.subtle.exportKey('jwk', keys.publicKey)), kid: 'signer-1' };
  delete jwk.key_ops;
  delete jwk.ext;
  const res = await fetch(`${issuer}/api/v2/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mgmt}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'signer',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const signer = await res.json();
  assert.equal(signer.client_secret, undefined);
  const granted = await fetch(`${issuer}/api/v2/client-grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mgmt}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: signer.client_id, audience: 'https://node.api', scope: ['read:things'] }),
  });
  assert.equal(granted.status, 201, await granted.clone().text());

  const config = await client.discovery(
    new URL(issuer),
    signer.client_id,
    undefined,
    client.PrivateKeyJwt({ key: keys.privateKey, kid: 'signer-1' }),
    { execute: [client.allowInsecureRequests] },
  );
  const tokens = await client.clientCredentialsGrant(config, { audience: 'https://node.api', scope: 'read:things' });
  assert.equal(jwt(tokens.access_token).payload.client_id, signer.client_id);
  // Without the key, nothing: a made-up secret is refused.
  const guess = await configFor({ client_id: signer.client_id, client_secret: 'a guess' });
  await assert.rejects(client.clientCredentialsGrant(guess, { audience: 'https://node.api' }), (e) => e.error === 'invalid_client');
});

/** A management API token for `scopes`, from a client made for it. */
async function managementToken(name, scopes) {
  const admin = cli(['client', 'create', '--name', name, '--grant', 'client_credentials',
    '--api', `${issuer}/api/v2/`, ...scopes.flatMap((s) => ['--scope', s])]);
  const { access_token } = await client.clientCredentialsGrant(await configFor(admin), {
    audience: `${issuer}/api/v2/`,
  });
  return access_token;
}

/** Registers a web client with a fresh P-256 key (no secret) and `extra` fields; its id and key. */
async function keyedClient(name, extra = {}) {
  const mgmt = await managementToken(`${name} admin`, ['create:clients']);
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const jwk = { ...(await crypto.subtle.exportKey('jwk', keys.publicKey)), kid: `${name}-1` };
  delete jwk.key_ops;
  delete jwk.ext;
  const res = await fetch(`${issuer}/api/v2/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mgmt}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      callbacks: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
      ...extra,
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { client_id } = await res.json();
  const signingKey = { key: keys.privateKey, kid: `${name}-1` };
  const config = await client.discovery(
    new URL(issuer),
    client_id,
    undefined,
    client.PrivateKeyJwt(signingKey),
    { execute: [client.allowInsecureRequests] },
  );
  return { client_id, signingKey, config };
}

test('JAR: openid-client signs the authorization request (RFC 9101), by value and pushed', async () => {
  const { config, signingKey } = await keyedClient('jar');
  assert.equal(config.serverMetadata().request_parameter_supported, true);
  assert.ok(config.serverMetadata().request_object_signing_alg_values_supported.includes('ES256'));
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: REDIRECT,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  const url = await client.buildAuthorizationUrlWithJAR(config, params, signingKey);
  assert.ok(url.searchParams.get('request'), url.href);
  const callback = await signIn(issuer, url, EMAIL, PASSWORD);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  assert.equal(tokens.claims().email, EMAIL);

  // Signed and pushed: the browser carries only client_id and request_uri.
  const pushedVerifier = client.randomPKCECodeVerifier();
  const signed = await client.buildAuthorizationUrlWithJAR(config, {
    ...params,
    code_challenge: await client.calculatePKCECodeChallenge(pushedVerifier),
  }, signingKey);
  const pushed = await client.buildAuthorizationUrlWithPAR(config, signed.searchParams);
  assert.deepEqual([...pushed.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  const back = await signIn(issuer, pushed, EMAIL, PASSWORD);
  const again = await client.authorizationCodeGrant(config, back, {
    pkceCodeVerifier: pushedVerifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  assert.equal(again.claims().email, EMAIL);

  // An object signed by another key is refused on a page, never sent to the redirect URI.
  const stranger = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const forged = await client.buildAuthorizationUrlWithJAR(config, params, { key: stranger.privateKey, kid: 'jar-1' });
  const res = await fetch(forged, { redirect: 'manual' });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('location'), null);
});

test('FAPI 2.0: openid-client drives the whole profile (PAR, PKCE, DPoP, private_key_jwt, iss)', async () => {
  const { config } = await keyedClient('bank', { mfa_policy: { fapi2: true } });
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const params = {
    redirect_uri: REDIRECT,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  };
  // Not pushed: refused to the client.
  const front = await fetch(client.buildAuthorizationUrl(config, params), { redirect: 'manual' });
  assert.equal(new URL(front.headers.get('location')).searchParams.get('error'), 'invalid_request');

  const url = await client.buildAuthorizationUrlWithPAR(config, params, { DPoP });
  const callback = await signIn(issuer, url, EMAIL, PASSWORD);
  assert.equal(callback.searchParams.get('iss'), issuer);
  // Without a proof the code is refused (and kept): with it, bound tokens signed ES256.
  await assert.rejects(
    client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    (e) => e.error === 'invalid_dpop_proof',
  );
  const tokens = await client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state },
    undefined,
    { DPoP },
  );
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  assert.equal(jwt(tokens.id_token).header.alg, 'ES256');
  assert.equal(jwt(tokens.access_token).header.alg, 'ES256');
  assert.ok(jwt(tokens.access_token).payload.cnf.jkt);
  const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub, { DPoP });
  assert.equal(info.email, EMAIL);
});

test('token exchange: a backend calls another API as the user (RFC 8693), with itself as the actor', async () => {
  const ORDERS = 'https://orders.node';
  const PAYMENTS = 'https://payments.node';
  const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
  const AT = 'urn:ietf:params:oauth:token-type:access_token';
  cli(['api', 'create', '--identifier', ORDERS, '--scope', 'read:orders', '--policy', 'token_exchange=true']);
  cli(['api', 'create', '--identifier', PAYMENTS, '--scope', 'pay', '--scope', 'refund']);
  const shop = cli(['client', 'create', '--name', 'shop', '--redirect-uri', REDIRECT,
    '--api', ORDERS, '--scope', 'read:orders']);
  const backend = cli(['client', 'create', '--name', 'orders backend', '--grant', EXCHANGE,
    '--grant', 'client_credentials', '--api', PAYMENTS, '--scope', 'pay']);
  const shopConfig = await configFor(shop);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(shopConfig, {
    redirect_uri: REDIRECT,
    scope: 'openid read:orders',
    audience: ORDERS,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const user = await client.authorizationCodeGrant(
    shopConfig,
    await signIn(issuer, url, EMAIL, PASSWORD),
    { pkceCodeVerifier: verifier },
  );
  const backendConfig = await configFor(backend);
  assert.ok(backendConfig.serverMetadata().grant_types_supported.includes(EXCHANGE));
  const own = await client.clientCredentialsGrant(backendConfig, { audience: PAYMENTS });
  const exchanged = await client.genericGrantRequest(backendConfig, EXCHANGE, {
    subject_token: user.access_token,
    subject_token_type: AT,
    actor_token: own.access_token,
    actor_token_type: AT,
    audience: PAYMENTS,
    scope: 'pay',
  });
  assert.equal(exchanged.issued_token_type, AT);
  assert.equal(exchanged.refresh_token, undefined);
  const { payload } = jwt(exchanged.access_token);
  const subject = jwt(user.access_token).payload;
  assert.equal(payload.sub, subject.sub);
  assert.equal(payload.aud, PAYMENTS);
  assert.equal(payload.scope, 'pay');
  assert.equal(payload.acr, subject.acr);
  assert.deepEqual(payload.act, { sub: backend.client_id });
  // Only what the backend's grant allows.
  await assert.rejects(
    client.genericGrantRequest(backendConfig, EXCHANGE, {
      subject_token: user.access_token, subject_token_type: AT, audience: PAYMENTS, scope: 'refund',
    }),
    (e) => e.error === 'invalid_scope',
  );
});
