// Finding 3 — a lockout that holds under concurrency. Threat: guesses sent all at once all
// read the failure counter before any of them writes it, so an attacker gets far more than the
// schedule's tries (five free, then waits) at a password or a second factor, and a right
// one-time code sent many times at once is spent more than once. Per-IP limits are off here so
// only the per-account lockout acts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  Browser, GRANT, PASSWORD, atOnce, auditEvents, authorizeUrl, burstThenProbe, challenge, codeIn,
  createUser, enrolEmailCodes, enrolTotp, formValue, idOf, mailCount, mfaToken, passwordClient,
  passwordGrant, startServer, tally, token, totp, waitMail, wrongTotp,
} from './harness.mjs';

/** Guesses the schedule evaluates: five free failures and the one that reaches the limit. */
const EVALUATED = 6;
const WRONG_PASSWORD = 'wrong guess wrong guess 2026';

let srv;

before(async () => {
  srv = await startServer({
    PORTCULLIS_LIMITS__LOGIN_PER_MINUTE: '0',
    PORTCULLIS_LIMITS__FACTOR_PER_MINUTE: '0',
  });
});
after(() => srv?.stop());

/**
 * 80 token requests at once: exactly EVALUATED are checked (400/401 invalid_grant), the rest
 * are 429 too_many_attempts with Retry-After; the audit trail holds as many `failureType`
 * events for the user as guesses were evaluated.
 */
async function assertSixOfEighty(answers, userId, failureType) {
  const evaluated = answers.filter((a) => (a.status === 400 || a.status === 401) && a.body.error === 'invalid_grant');
  const throttled = answers.filter((a) => a.status === 429 && a.body.error === 'too_many_attempts');
  assert.deepEqual(
    { evaluated: evaluated.length, throttled: throttled.length },
    { evaluated: EVALUATED, throttled: 80 - EVALUATED },
    JSON.stringify(tally(answers)),
  );
  assert.ok(throttled.every((a) => a.headers['retry-after']), 'every 429 says Retry-After');
  const failures = await auditEvents(srv, userId, failureType);
  assert.equal(failures.length, evaluated.length, `${failureType} events: only evaluated guesses are failures`);
}

/** A recovery code shaped like `like` (same groups) that is none of `codes`. */
function wrongRecoveryCode(like, codes) {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  for (;;) {
    const guess = like.replace(/[A-Za-z0-9]/g, () => alphabet[randomBytes(1)[0] % alphabet.length]);
    if (!codes.includes(guess)) return guess;
  }
}

describe('finding 3: the per-account lockout holds under concurrency', () => {
  it('password grant: 80 concurrent wrong guesses from one address, 6 evaluated, 74 × 429; then the right password waits too', async () => {
    const email = 'pw-grant@example.com';
    const userId = idOf(createUser(srv, email));
    const cli = passwordClient(srv, 'mfa=never');
    const { answers, probe: right } = await burstThenProbe(
      80,
      () => passwordGrant(srv, cli, email, WRONG_PASSWORD),
      () => passwordGrant(srv, cli, email, PASSWORD),
    );
    await assertSixOfEighty(answers, userId, 'login.failure');
    assert.deepEqual({ status: right.status, error: right.body.error }, { status: 429, error: 'too_many_attempts' });
    assert.ok(right.headers['retry-after']);
  });

  it('hosted /u/login: 80 concurrent wrong passwords from 80 addresses, each with its own login page, 6 × 401, 74 × 429', async () => {
    const email = 'hosted@example.com';
    const userId = idOf(createUser(srv, email));
    const forms = await atOnce(80, async (i) => {
      const b = new Browser(srv.issuer, { localAddress: `127.0.0.${10 + i}` });
      const first = await b.get(authorizeUrl(srv.issuer, srv.demo));
      const page = await b.get(first.location);
      return { b, state: formValue(page.body, 'state'), csrf: formValue(page.body, 'csrf') };
    });
    const answers = await Promise.all(
      forms.map(({ b, state, csrf }) => b.post('/u/login', { state, csrf, email, password: WRONG_PASSWORD })),
    );
    const wrong = answers.filter((r) => r.status === 401);
    const throttled = answers.filter((r) => r.status === 429);
    assert.deepEqual(
      { wrong: wrong.length, throttled: throttled.length },
      { wrong: EVALUATED, throttled: 80 - EVALUATED },
      `statuses: ${answers.map((r) => r.status).join(' ')}`,
    );
    assert.ok(wrong.every((r) => r.body.includes('Wrong email or password')));
    const failures = await auditEvents(srv, userId, 'login.failure');
    assert.equal(failures.length, EVALUATED, 'login.failure events');
  });

  it('mfa-otp grant: 80 concurrent wrong TOTP codes with one mfa_token, 6 evaluated, 74 × 429; then the right code waits too', async () => {
    const email = 'totp@example.com';
    const userId = idOf(createUser(srv, email));
    const { secret, client } = await enrolTotp(srv, email);
    const mfa = await mfaToken(srv, client, email);
    const guess = wrongTotp(secret);
    const { answers, probe: right } = await burstThenProbe(
      80,
      () => token(srv, client, { grant_type: GRANT.otp, mfa_token: mfa, otp: guess }),
      () => token(srv, client, { grant_type: GRANT.otp, mfa_token: mfa, otp: totp(secret) }),
    );
    await assertSixOfEighty(answers, userId, 'factor.failure');
    assert.equal(right.status, 429, JSON.stringify(right.body));
  });

  it('mfa-recovery-code grant: 80 concurrent wrong recovery codes, 6 evaluated, 74 × 429', async () => {
    const email = 'recovery@example.com';
    const userId = idOf(createUser(srv, email));
    const { recoveryCodes, client } = await enrolTotp(srv, email);
    assert.ok(recoveryCodes?.length, 'the first factor comes with recovery codes');
    const mfa = await mfaToken(srv, client, email);
    const guess = wrongRecoveryCode(recoveryCodes[0], recoveryCodes);
    const answers = await atOnce(80, () => token(srv, client, { grant_type: GRANT.recovery, mfa_token: mfa, recovery_code: guess }));
    await assertSixOfEighty(answers, userId, 'factor.failure');
  });

  it('mfa-oob grant: 80 concurrent wrong email binding codes after /mfa/challenge, 6 evaluated, 74 × 429', async () => {
    const email = 'oob-wrong@example.com';
    const userId = idOf(createUser(srv, email));
    const { client } = await enrolEmailCodes(srv, email);
    const mfa = await mfaToken(srv, client, email);
    const sent = await mailCount(srv, email);
    const ch = await challenge(srv, client, mfa);
    assert.equal(ch.status, 200, JSON.stringify(ch.body));
    const right = codeIn((await waitMail(srv, email, { after: sent })).text);
    const guess = right === '000000' ? '111111' : '000000';
    const answers = await atOnce(80, () => token(srv, client, {
      grant_type: GRANT.oob, mfa_token: mfa, oob_code: ch.body.oob_code, binding_code: guess,
    }));
    await assertSixOfEighty(answers, userId, 'factor.failure');
  });

  it('mfa-oob grant: the right binding code sent 80 times at once is accepted at most once', async () => {
    const email = 'oob-right@example.com';
    createUser(srv, email);
    const { client } = await enrolEmailCodes(srv, email);
    const mfa = await mfaToken(srv, client, email);
    const sent = await mailCount(srv, email);
    const ch = await challenge(srv, client, mfa);
    assert.equal(ch.status, 200, JSON.stringify(ch.body));
    const code = codeIn((await waitMail(srv, email, { after: sent })).text);
    const answers = await atOnce(80, () => token(srv, client, {
      grant_type: GRANT.oob, mfa_token: mfa, oob_code: ch.body.oob_code, binding_code: code,
    }));
    const accepted = answers.filter((a) => a.status === 200 && a.body.access_token);
    assert.ok(accepted.length <= 1, `accepted ${accepted.length} times: ${JSON.stringify(tally(answers))}`);
  });
});
