// Finding 7 — token-type confusion. Threat: a token of one kind, validly signed by this
// issuer, is accepted where another kind is expected: an access token (which any API it was
// sent to holds) as the `id_token_hint` that signs the user out without asking, an ID token
// (which every relying party holds) as a Bearer token, an mfa_token (which proves only a
// password) as an access token, an access or ID token as an mfa_token or a refresh token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, GRANT, bearer, createUser, exchange, mfaToken, passwordClient, signIn, silent,
  startServer, token,
} from './harness.mjs';

const EMAIL = 'ada@example.com';

let srv;
let tokens;
let mfa;
let mfaClient;

before(async () => {
  srv = await startServer();
  createUser(srv, EMAIL);
  const b = new Browser(srv.issuer);
  tokens = await exchange(srv, srv.demo, await signIn(b, srv.demo, EMAIL, undefined, { scope: 'openid email offline_access' }));
  for (const kind of ['id_token', 'access_token', 'refresh_token']) assert.ok(tokens[kind], `the sign-in gave an ${kind}`);
  mfaClient = passwordClient(srv, 'mfa=always');
  mfa = await mfaToken(srv, mfaClient, EMAIL);
});
after(() => srv?.stop());

/** The ID token with `alg: none` and no signature. */
function unsigned(idToken) {
  const [, payload] = idToken.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${payload}.`;
}

/** The ID token with one claim changed and its signature kept. */
function tampered(idToken) {
  const [header, payload, sig] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.sub = 'usr_someone_else';
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
}

describe('finding 7: each endpoint takes only its own kind of token', () => {
  it('/oidc/logout: anything but an ID token of this issuer as id_token_hint is a 400 and the session stays', async () => {
    // A session of its own, so the hints below could end it.
    const b = new Browser(srv.issuer);
    const own = await exchange(srv, srv.demo, await signIn(b, srv.demo, EMAIL, undefined, { scope: 'openid offline_access' }));
    const hints = {
      'access token': own.access_token,
      'refresh token': own.refresh_token,
      mfa_token: mfa,
      'ID token with alg none': unsigned(own.id_token),
      'tampered ID token': tampered(own.id_token),
      garbage: 'not.a.token',
    };
    for (const [what, hint] of Object.entries(hints)) {
      const res = await b.get(`/oidc/logout?${new URLSearchParams({ id_token_hint: hint })}`);
      assert.equal(res.status, 400, `${what}: ${res.status} ${res.location ?? ''}`);
      assert.match(res.body, /not valid/i, `${what}: the page says the hint is not valid`);
      const s = await silent(b, srv.demo);
      assert.ok(s.code, `${what}: the session ended (${s.location})`);
    }
    // Control: the real ID token is a hint.
    const res = await b.get(`/oidc/logout?${new URLSearchParams({ id_token_hint: own.id_token })}`);
    assert.ok(res.status < 400, `the ID token is a valid hint: ${res.status}`);
    assert.equal((await silent(b, srv.demo)).error, 'login_required', 'and it signed out');
  });

  it('/userinfo: the access token works; an ID token, a refresh token or an mfa_token as Bearer is 401', async () => {
    assert.equal((await bearer(`${srv.issuer}/userinfo`, tokens.access_token)).status, 200, 'control');
    for (const [what, t] of [['ID token', tokens.id_token], ['refresh token', tokens.refresh_token], ['mfa_token', mfa]]) {
      assert.equal((await bearer(`${srv.issuer}/userinfo`, t)).status, 401, what);
    }
  });

  it('/mfa/authenticators: an ID token or a refresh token as Bearer is 401', async () => {
    for (const [what, t] of [['ID token', tokens.id_token], ['refresh token', tokens.refresh_token]]) {
      const res = await bearer(`${srv.issuer}/mfa/authenticators`, t);
      assert.equal(res.status, 401, `${what}: ${res.status} ${res.body.slice(0, 200)}`);
    }
  });

  it('/api/v2/users: a user access token (userinfo audience), an ID token or an mfa_token is 401/403', async () => {
    for (const [what, t] of [['access token', tokens.access_token], ['ID token', tokens.id_token], ['mfa_token', mfa]]) {
      const res = await bearer(`${srv.issuer}/api/v2/users`, t);
      assert.ok(res.status === 401 || res.status === 403, `${what}: ${res.status}`);
    }
  });

  it('mfa-* grants: an access token as mfa_token is invalid_grant', async () => {
    const forms = [
      { grant_type: GRANT.otp, otp: '123456' },
      { grant_type: GRANT.oob, oob_code: 'x', binding_code: '123456' },
      { grant_type: GRANT.recovery, recovery_code: 'AAAA-BBBB-CCCC' },
    ];
    for (const form of forms) {
      const r = await token(srv, mfaClient, { ...form, mfa_token: tokens.access_token });
      assert.equal(r.body.error, 'invalid_grant', `${form.grant_type}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  });

  it('refresh_token grant: an ID token or an access token as refresh_token is invalid_grant; the refresh token works', async () => {
    for (const [what, t] of [['ID token', tokens.id_token], ['access token', tokens.access_token]]) {
      const r = await token(srv, srv.demo, { grant_type: 'refresh_token', refresh_token: t });
      assert.deepEqual({ status: r.status, error: r.body.error }, { status: 400, error: 'invalid_grant' }, what);
    }
    const r = await token(srv, srv.demo, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(r.status, 200, 'control');
  });
});
