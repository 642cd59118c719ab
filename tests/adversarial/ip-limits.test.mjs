// Finding 4 — per-IP limits on every guessing surface, at the default settings (30 tries per
// address and minute for passwords, 30 for second factors). Threat: one address sprays a
// common password over many accounts (which no per-account lockout sees), or hammers the MFA
// API, or floods the hosted forms that send email (magic links, password resets, sign-up).
// Each case runs from its own source address; the limits count in one-minute windows, so a
// case that straddled a minute boundary is run once more (see `inOneWindow`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, GRANT, PASSWORD, authorizeUrl, challenge, createUser, formValue, inOneWindow, passwordClient,
  passwordGrant, startServer, token,
} from './harness.mjs';

const LIMIT = 30;
const TRIES = 40;

let srv;
let cli;

before(async () => {
  // Default limits; sign-up on so its form can be tried.
  srv = await startServer({ PORTCULLIS_POLICY__SIGNUP: 'true' });
  cli = passwordClient(srv, 'mfa=never');
});
after(() => srv?.stop());

/** Of `answers` (in sending order), the first LIMIT are not 429 and the rest are, with Retry-After. */
function assertLimited(answers, error) {
  const statuses = answers.map((a) => a.status);
  assert.deepEqual(
    { first429At: statuses.indexOf(429), limited: statuses.filter((s) => s === 429).length },
    { first429At: LIMIT, limited: TRIES - LIMIT },
    `the first ${LIMIT} pass, the rest are 429: ${statuses.join(' ')}`,
  );
  for (const a of answers.slice(LIMIT)) {
    const seen = { retryAfter: Boolean(a.headers['retry-after']), ...(error ? { error: a.body.error } : {}) };
    assert.deepEqual(seen, { retryAfter: true, ...(error ? { error } : {}) }, 'a 429 says Retry-After (and the error)');
  }
}

describe('finding 4: per-IP limits on guessing surfaces (defaults)', () => {
  it('password grant: 40 usernames from one address, the last 10 are 429 too_many_requests', async () => {
    // Spraying one common password over many accounts: each account sees one failure at most.
    const existing = [srv.admin.email, ...['ann', 'bea', 'cy'].map((n) => createUser(srv, `${n}@example.com`).email)];
    const usernames = Array.from({ length: TRIES }, (_, i) => existing[i] ?? `nobody${i}@example.com`);
    const answers = await inOneWindow(async (localAddress) => {
      const out = [];
      for (const username of usernames) out.push(await passwordGrant(srv, cli, username, 'Winter2026!', {}, { localAddress }));
      return out;
    });
    assertLimited(answers, 'too_many_requests');
  });

  it('mfa-otp, mfa-oob and mfa-recovery-code grants: 40 from one address, the last 10 are 429 too_many_requests', async () => {
    const kinds = [
      { grant_type: GRANT.otp, mfa_token: 'junk-mfa-token', otp: '123456' },
      { grant_type: GRANT.oob, mfa_token: 'junk-mfa-token', oob_code: 'junk', binding_code: '123456' },
      { grant_type: GRANT.recovery, mfa_token: 'junk-mfa-token', recovery_code: 'AAAA-BBBB-CCCC' },
    ];
    const answers = await inOneWindow(async (localAddress) => {
      const out = [];
      for (let i = 0; i < TRIES; i++) out.push(await token(srv, cli, kinds[i % 3], { localAddress }));
      return out;
    });
    assertLimited(answers, 'too_many_requests');
  });

  it('POST /mfa/challenge: 40 from one address, the last 10 are 429 too_many_requests', async () => {
    const answers = await inOneWindow(async (localAddress) => {
      const out = [];
      for (let i = 0; i < TRIES; i++) out.push(await challenge(srv, cli, 'junk-mfa-token', {}, { localAddress }));
      return out;
    });
    assertLimited(answers, 'too_many_requests');
  });

  /** 40 posts of a hosted form from one address, each from a freshly opened page. */
  const hostedForm = (open, post) => inOneWindow(async (localAddress) => {
    const out = [];
    for (let i = 0; i < TRIES; i++) {
      const b = new Browser(srv.issuer, { localAddress });
      const page = await open(b);
      const res = await b.post(page.action, post(page, i));
      out.push({ status: res.status, headers: res.headers, body: {} });
    }
    return out;
  });

  /** The hosted login (or sign-up) page of a new authorization request. */
  async function loginPage(b, extra = {}) {
    const first = await b.get(authorizeUrl(srv.issuer, srv.demo, extra));
    const page = await b.get(first.location);
    assert.equal(page.status, 200, `${first.location}: ${page.status}`);
    return { state: formValue(page.body, 'state'), csrf: formValue(page.body, 'csrf') };
  }

  it('hosted magic-link request (POST /u/login/magic): the last 10 of 40 are 429 with Retry-After', async () => {
    const answers = await hostedForm(
      async (b) => ({ ...(await loginPage(b)), action: '/u/login/magic' }),
      (p, i) => ({ state: p.state, csrf: p.csrf, email: `someone${i}@example.com` }),
    );
    assertLimited(answers);
  });

  it('hosted password-reset request (POST /u/reset): the last 10 of 40 are 429 with Retry-After', async () => {
    const answers = await hostedForm(
      async (b) => ({ csrf: formValue((await b.get('/u/reset')).body, 'csrf'), action: '/u/reset' }),
      (p, i) => ({ csrf: p.csrf, email: `someone${i}@example.com` }),
    );
    assertLimited(answers);
  });

  it('hosted sign-up (POST /u/signup): the last 10 of 40 are 429 with Retry-After', async () => {
    const answers = await hostedForm(
      async (b) => ({ ...(await loginPage(b, { screen_hint: 'signup' })), action: '/u/signup' }),
      (p, i) => ({ state: p.state, csrf: p.csrf, email: `newcomer${i}@example.com`, name: 'New', password: PASSWORD }),
    );
    assertLimited(answers);
  });
});
