// The README's run command, `portcullis serve --dev`, gives a server that openid-client can
// discover and get tokens from with the demo client and admin user it prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import { signIn } from './hosted-login.mjs';
import { startDevServer } from './dev-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');

let dev;
let issuer;

before(async () => {
  dev = await startDevServer(BIN);
  issuer = dev.issuer;
});

after(() => dev?.stop());

const printedField = (label) => dev.printed(label);

test('serve --dev: discovery and the code flow with the printed demo credentials', async () => {
  const clientId = printedField('client_id');
  const config = await client.discovery(new URL(issuer), clientId, printedField('client_secret'), undefined, {
    execute: [client.allowInsecureRequests],
  });
  assert.equal(config.serverMetadata().issuer, issuer);
  const redirectUri = printedField('redirect_uri');
  assert.equal(redirectUri, 'http://localhost:3000/api/auth/callback/portcullis');
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await signIn(issuer, url, printedField('email'), printedField('password'));
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    idTokenExpected: true,
  });
  assert.equal(tokens.claims().email, printedField('email'));
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token);
});
