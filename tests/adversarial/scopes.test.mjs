// Finding 5 — scopes of user tokens. Threat: a client asks for a scope no API defines
// (`admin:everything`), or for API scopes without naming the API, or for more than its client
// grant on the API allows, and the access token carries it, so a resource server that trusts
// `scope` grants it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, authorizeUrl, claims, createUser, exchange, locationParam, signIn, startServer,
} from './harness.mjs';

const API = 'https://api.x';
const OIDC = new Set(['openid', 'profile', 'email', 'offline_access']);

let srv;
let b;

before(async () => {
  srv = await startServer();
  srv.must(['api', 'create', '--identifier', API, '--scope', 'read:x', '--scope', 'write:x']);
  createUser(srv, 'ada@example.com');
  b = new Browser(srv.issuer);
  await signIn(b, srv.demo, 'ada@example.com');
});
after(() => srv?.stop());

/** The access token's `scope` claim for a silent authorization of `client` in the signed-in browser. */
async function accessScope(client, params) {
  const res = await b.get(authorizeUrl(srv.issuer, client, { prompt: 'none', ...params }));
  const code = locationParam(res, 'code');
  assert.ok(code, `a code: ${res.status} ${res.location}`);
  const tokens = await exchange(srv, client, code);
  return claims(tokens.access_token).scope;
}

describe('finding 5: user tokens carry only scopes the API defines and the client may have', () => {
  it('audience=https://api.x, scope "openid read:x admin:everything" → exactly "openid read:x"', async () => {
    assert.equal(await accessScope(srv.demo, { audience: API, scope: 'openid read:x admin:everything' }), 'openid read:x');
  });

  it('no audience: the access token carries no scope beyond the OIDC ones', async () => {
    const scope = await accessScope(srv.demo, { scope: 'openid email read:x write:x admin:everything' });
    const extra = (scope ?? '').split(' ').filter((s) => s && !OIDC.has(s));
    assert.deepEqual(extra, [], `scope claim: ${scope}`);
  });

  it('with a client grant on the API (read:x only), the API scopes are the intersection', async () => {
    const c = srv.must(['client', 'create', '--name', 'granted', '--redirect-uri', 'http://localhost:3000/cb',
      '--grant', 'authorization_code', '--api', API, '--scope', 'read:x']);
    const client = { id: c.client_id, secret: c.client_secret, redirect: 'http://localhost:3000/cb' };
    const scope = await accessScope(client, { audience: API, scope: 'openid read:x write:x admin:everything' });
    assert.equal(scope, 'openid read:x');
  });
});
