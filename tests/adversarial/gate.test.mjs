// Finding 1 — one gate for finishing a sign-in. Threat: a browser that has proved only the
// password (the account has TOTP, the policy asks for it) finishes the sign-in through another
// hosted endpoint ("continue" after recovery codes, enrolment, …), called out of order, twice,
// or 80 times at once, and gets a code or a session without the second factor.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Browser, PASSWORD, atOnce, codeIn, createUser, enrolTotp, formValue, idOf, locationParam,
  mailCount, management, managementToken, passwordStep, request, setsSession, silent, startServer,
  waitMail,
} from './harness.mjs';

const EMAIL = 'ada@example.com';
const OTHER_PASSWORD = 'another long passphrase 8841 river';

// Every POST route under /u/ of the hosted pages' router
// (crates/portcullis-server/src/ui/mod.rs), each with plausible junk for its form. `c` holds
// what a browser in the middle of a sign-in knows: its CSRF token, the login `state`, the
// factor `method` offered on /u/mfa.
const HOSTED_POSTS = [
  ['/u/login', (c) => ({ state: c.state, email: 'nobody@example.net', password: OTHER_PASSWORD })],
  ['/u/login/magic', (c) => ({ state: c.state, email: EMAIL })],
  ['/u/login/passkey/options', (c) => ({ state: c.state, conditional: '1' })],
  ['/u/login/passkey', (c) => ({ state: c.state, ceremony: 'cer_junk', credential: '{"id":"AAAA","type":"public-key","response":{}}' })],
  ['/u/mfa', (c) => ({ method: c.method, code: '000000', remember: 'on' })],
  ['/u/mfa/send', (c) => ({ method: c.method })],
  ['/u/consent', (c) => ({ state: c.state, decision: 'allow' })],
  ['/u/device', () => ({ user_code: 'BCDF-GHJK' })],
  ['/u/ciba', () => ({ t: 'junk-link-token', decision: 'continue' })],
  ['/u/enroll/totp', () => ({ enrollment: 'enr_junk', code: '000000', name: 'Attacker phone' })],
  ['/u/enroll/oob', () => ({ channel: 'email', step: 'send', target: 'attacker@example.net' })],
  ['/u/enroll/webauthn', () => ({ enrollment: 'enr_junk', credential: '{}', name: 'Attacker key' })],
  ['/u/enroll/continue', () => ({})],
  ['/u/magic', () => ({ t: 'junk-link-token' })],
  ['/u/reset', () => ({ email: 'nobody@example.net' })],
  ['/u/reset/continue', () => ({ t: 'junk-link-token' })],
  ['/u/reset/new', () => ({ t: 'junk-link-token', password: OTHER_PASSWORD, confirm: OTHER_PASSWORD })],
  ['/u/ticket', () => ({ t: 'junk-ticket', password: OTHER_PASSWORD, confirm: OTHER_PASSWORD })],
  ['/u/password/strength', () => ({ password: 'hunter2', email: EMAIL })],
  ['/u/signup', (c) => ({ state: c.state, email: 'newcomer@example.net', name: 'New', password: OTHER_PASSWORD })],
  ['/u/signup/verify', () => ({ code: '000000' })],
  ['/u/signup/resend', () => ({})],
  ['/u/signup/confirm', () => ({ t: 'junk-link-token' })],
  ['/u/verify', () => ({ code: '000000' })],
  // The attacker knows the password: offering it again must not stand in for the factor.
  ['/u/upstream/link', () => ({ password: PASSWORD })],
  ['/u/account/security', () => ({ action: 'revoke_consent', id: 'cns_junk' })],
  ['/u/account/profile', () => ({ action: 'name', name: 'Mallory' })],
  ['/u/account/email', () => ({ email: 'attacker@example.net' })],
];

// Per-IP limits off, so every burst reaches the handlers instead of stopping at 429.
const NO_IP_LIMITS = {
  PORTCULLIS_LIMITS__LOGIN_PER_MINUTE: '0',
  PORTCULLIS_LIMITS__FACTOR_PER_MINUTE: '0',
  PORTCULLIS_LIMITS__ENROLL_PER_MINUTE: '0',
};

/** The answer neither redirects with a code nor starts a session. */
function assertNotFinished(res, what) {
  assert.equal(locationParam(res, 'code'), null, `${what} answered a code: ${res.status} ${res.location}`);
  assert.ok(!setsSession(res), `${what} set a session cookie: ${res.setCookies.join(' | ')}`);
}

/** `/authorize?prompt=none` in `b` still answers login_required. */
async function assertSignedOut(srv, b, what) {
  const s = await silent(b, srv.demo);
  assert.equal(s.code, null, `${what}: the browser got a session (prompt=none gave a code)`);
  assert.equal(s.error, 'login_required', `${what}: ${s.location}`);
}

/**
 * A new browser (fresh cookies, a user agent the user never used) that has proved the
 * password and is waiting on /u/mfa: the browser and what its pages told it.
 */
async function passwordProved(srv) {
  const b = new Browser(srv.issuer);
  const { res, state } = await passwordStep(b, srv.demo, EMAIL, PASSWORD);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  assert.equal(res.location, '/u/mfa', 'the password alone leads to the second factor');
  const page = await b.get('/u/mfa');
  assert.equal(page.status, 200);
  return { b, state, csrf: formValue(page.body, 'csrf'), method: formValue(page.body, 'method') ?? 'totp' };
}

describe('the suite lists every hosted POST route', () => {
  // Suite maintenance, not a server check: if the router grows a POST route under /u/, this
  // test names it until it is added to HOSTED_POSTS above.
  const router = resolve(dirname(fileURLToPath(import.meta.url)), '../../crates/portcullis-server/src/ui/mod.rs');
  it('HOSTED_POSTS covers the router', { skip: !existsSync(router) && 'router source not present' }, () => {
    const src = readFileSync(router, 'utf8');
    const posted = src
      .split('.route(')
      .slice(1)
      .filter((chunk) => /\bpost\(/.test(chunk))
      .map((chunk) => chunk.match(/"([^"]+)"/)[1])
      .filter((path) => path.startsWith('/u/'));
    const listed = new Set(HOSTED_POSTS.map(([p]) => p));
    assert.deepEqual(posted.filter((p) => !listed.has(p)), []);
  });
});

for (const mode of ['adaptive', 'always']) {
  describe(`finding 1, policy mfa=${mode}: nothing finishes a sign-in short of its factor`, () => {
    let srv;
    let userId;

    before(async () => {
      srv = await startServer({ ...NO_IP_LIMITS, PORTCULLIS_POLICY__MFA: mode });
      userId = idOf(createUser(srv, EMAIL));
      await enrolTotp(srv, EMAIL);
    });
    after(() => srv?.stop());

    it('POST /u/enroll/continue after the password alone gives no code and no session', async () => {
      const { b, csrf } = await passwordProved(srv);
      const res = await b.post('/u/enroll/continue', { csrf });
      assertNotFinished(res, '/u/enroll/continue');
      const again = await b.post('/u/enroll/continue', { csrf });
      assertNotFinished(again, '/u/enroll/continue (twice)');
      await assertSignedOut(srv, b, 'after continue');
    });

    it("(c) enrolling the attacker's own email factor with the password alone: no factor, no code", async () => {
      // A password never adds a factor to an account that has one; if it did, the attacker's
      // mailbox would stand in for the second factor.
      const { b, csrf } = await passwordProved(srv);
      const attacker = `attacker-${mode}@example.net`;
      const before = await mailCount(srv, attacker);
      const sent = await b.post('/u/enroll/oob', { csrf, channel: 'email', step: 'send', target: attacker });
      assertNotFinished(sent, 'enrolment send');
      const enrollment = formValue(sent.body, 'enrollment');
      if (sent.status === 200 && enrollment) {
        // The form went ahead: answer it with the code from the attacker's mailbox.
        const code = codeIn((await waitMail(srv, attacker, { after: before })).text);
        const verified = await b.post('/u/enroll/oob', { csrf, channel: 'email', step: 'verify', enrollment, code });
        assertNotFinished(verified, 'enrolment verify');
        const cont = await b.post('/u/enroll/continue', { csrf });
        assertNotFinished(cont, 'continue after the enrolment');
      }
      await assertSignedOut(srv, b, 'after the enrolment attempt');
      const tok = await managementToken(srv, ['read:users']);
      const factors = await management(srv, tok, 'GET', `/api/v2/users/${userId}/enrollments`);
      assert.equal(factors.status, 200);
      assert.equal(factors.body.length, 1, `only the TOTP factor: ${JSON.stringify(factors.body)}`);
    });

    if (mode === 'adaptive') {
      describe('(a) each hosted POST, twice, without cookies', () => {
        for (const [path, fields] of HOSTED_POSTS) {
          it(path, async () => {
            // Collects what the server sets, to ask prompt=none with it afterwards.
            const jar = new Browser(srv.issuer);
            const form = { csrf: 'junk-csrf', ...fields({ state: 'junk-state', method: 'totp' }) };
            for (const n of [1, 2]) {
              const res = jar.keep(await request(jar.url(path), { method: 'POST', form }));
              assertNotFinished(res, `${path} #${n}`);
            }
            await assertSignedOut(srv, jar, path);
          });
        }
      });

      describe('(b) each hosted POST, twice, with a valid CSRF cookie and field but no sign-in', () => {
        for (const [path, fields] of HOSTED_POSTS) {
          it(path, async () => {
            const b = new Browser(srv.issuer);
            const page = await b.get('/u/reset');
            const csrf = formValue(page.body, 'csrf');
            assert.ok(csrf, 'the reset page carries a CSRF token');
            const form = { csrf, ...fields({ state: 'junk-state', method: 'totp' }) };
            for (const n of [1, 2]) assertNotFinished(await b.post(path, form), `${path} #${n}`);
            await assertSignedOut(srv, b, path);
          });
        }
      });
    }

    describe('(c) each hosted POST, twice, with the password proved and the factor pending', () => {
      for (const [path, fields] of HOSTED_POSTS) {
        it(path, async () => {
          const c = await passwordProved(srv);
          const form = { csrf: c.csrf, ...fields(c) };
          for (const n of [1, 2]) assertNotFinished(await c.b.post(path, form), `${path} #${n}`);
          await assertSignedOut(srv, c.b, path);
        });
      }
    });

    it('(c) 80 concurrent POST /u/enroll/continue: no code, no session', async () => {
      const { b, csrf } = await passwordProved(srv);
      const answers = await atOnce(80, () => b.post('/u/enroll/continue', { csrf }));
      const finished = answers.filter((r) => locationParam(r, 'code') || setsSession(r));
      assert.equal(finished.length, 0, `finished: ${finished.map((r) => r.location).join(', ')}`);
      await assertSignedOut(srv, b, 'after the burst');
    });

    it('(c) 80 concurrent posts spread over every hosted POST endpoint: no code, no session', async () => {
      const c = await passwordProved(srv);
      const answers = await atOnce(80, async (i) => {
        const [path, fields] = HOSTED_POSTS[i % HOSTED_POSTS.length];
        return { path, res: await c.b.post(path, { csrf: c.csrf, ...fields(c) }) };
      });
      const finished = answers.filter(({ res }) => locationParam(res, 'code') || setsSession(res));
      assert.deepEqual(finished.map(({ path }) => path), [], 'endpoints that finished the sign-in');
      await assertSignedOut(srv, c.b, 'after the burst');
    });
  });
}
