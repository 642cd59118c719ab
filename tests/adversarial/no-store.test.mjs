// Finding 8 — `Cache-Control: no-store` on every answer that carries a secret. Threat: a
// shared or browser cache (a proxy, the back button on a shared computer) keeps a TOTP secret,
// recovery codes, an enrolment or password ticket, or tokens, and hands them to the next person.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, bearer, createUser, formValue, idOf, management, managementToken, mfaToken,
  passwordClient, passwordGrant, signIn, startServer, token, totp,
} from './harness.mjs';

let srv;

before(async () => {
  srv = await startServer();
});
after(() => srv?.stop());

function assertNoStore(res, what) {
  const cc = res.headers['cache-control'] ?? '(none)';
  assert.match(cc, /\bno-store\b/, `${what}: Cache-Control is ${cc}`);
}

describe('finding 8: no-store on answers carrying secrets', () => {
  it('POST /mfa/associate (TOTP secret and recovery codes)', async () => {
    createUser(srv, 'assoc@example.com');
    const mfa = await mfaToken(srv, passwordClient(srv, 'mfa=always'), 'assoc@example.com');
    const res = await bearer(`${srv.issuer}/mfa/associate`, mfa, { method: 'POST', json: { authenticator_types: ['otp'] } });
    assert.equal(res.status, 200, res.body);
    assert.ok(res.json().secret);
    assertNoStore(res, '/mfa/associate');
  });

  it('management tickets: POST /api/v2/guardian/enrollments/ticket and /api/v2/tickets/password-change', async () => {
    const userId = idOf(createUser(srv, 'tickets@example.com'));
    const tok = await managementToken(srv, ['create:guardian_enrollment_tickets', 'create:user_tickets']);
    const cacheable = [];
    for (const path of ['/api/v2/guardian/enrollments/ticket', '/api/v2/tickets/password-change']) {
      const res = await management(srv, tok, 'POST', path, { user_id: userId, send_mail: false });
      assert.ok(res.status >= 200 && res.status < 300, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
      if (!/\bno-store\b/.test(res.headers['cache-control'] ?? '')) cacheable.push(`${path} (${res.headers['cache-control'] ?? 'no Cache-Control'})`);
    }
    assert.deepEqual(cacheable, [], 'ticket answers without no-store');
  });

  it('/oauth/token: tokens from every grant, and the mfa_token of mfa_required', async () => {
    createUser(srv, 'tokens@example.com');
    const pw = await passwordGrant(srv, passwordClient(srv, 'mfa=never'), 'tokens@example.com');
    assert.equal(pw.status, 200);
    assertNoStore(pw, 'password grant');
    const mfa = await passwordGrant(srv, passwordClient(srv, 'mfa=always'), 'tokens@example.com');
    assert.equal(mfa.status, 403);
    assertNoStore(mfa, 'mfa_required with an mfa_token');
    const cc = await token(srv, srv.management, { grant_type: 'client_credentials', audience: `${srv.issuer}/api/v2/` });
    assert.equal(cc.status, 200);
    assertNoStore(cc, 'client_credentials');
    const b = new Browser(srv.issuer);
    const code = await signIn(b, srv.demo, 'tokens@example.com', undefined, { scope: 'openid offline_access' });
    const res = await token(srv, srv.demo, { grant_type: 'authorization_code', code, redirect_uri: srv.demo.redirect });
    assert.equal(res.status, 200);
    assertNoStore(res, 'authorization_code');
    const refreshed = await token(srv, srv.demo, { grant_type: 'refresh_token', refresh_token: res.body.refresh_token });
    assert.equal(refreshed.status, 200);
    assertNoStore(refreshed, 'refresh_token');
  });

  it('hosted TOTP enrolment: the page with the secret and the recovery-codes page', async () => {
    createUser(srv, 'hosted@example.com');
    const b = new Browser(srv.issuer);
    await signIn(b, srv.demo, 'hosted@example.com');
    const page = await b.get('/u/enroll/totp');
    assert.equal(page.status, 200, page.body.slice(0, 300));
    assertNoStore(page, 'GET /u/enroll/totp');
    const secret = page.body.match(/id="totp-secret">([^<]+)</)?.[1];
    assert.ok(secret, 'the page shows the key');
    const done = await b.post('/u/enroll/totp', {
      csrf: formValue(page.body, 'csrf'),
      enrollment: formValue(page.body, 'enrollment'),
      code: totp(secret),
      name: 'Phone',
    });
    assert.equal(done.status, 200, done.body.slice(0, 300));
    assert.match(done.body, /<code>/, 'the recovery codes are shown');
    assertNoStore(done, 'recovery codes page');
  });
});
