// Finding 9 — look-alike identities and hidden characters. Threat: an attacker registers (or
// has an admin create) `аlice@example.com` with a Cyrillic "а", or a fullwidth "ａ", which reads
// as Alice's address in every list, email and audit line; or an address differing only in
// case, which is the same mailbox; or a display name with NUL, control characters or a bidi
// override (U+202E) that shows something other than it is.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, PASSWORD, authorizeUrl, claims, codeIn, createUser, formValue, idOf, mailCount,
  management, managementToken, passwordClient, passwordGrant, startServer, waitMail,
} from './harness.mjs';

/** Look-alikes of `a${rest}@example.com`: its first letter swapped for another script's. */
const lookAlikes = (rest) => ({
  'Cyrillic а (U+0430)': `\u0430${rest}@example.com`,
  'fullwidth ａ (U+FF41)': `\uff41${rest}@example.com`,
});
const CONFLICT = /look|alike|already|exist|taken|conflict|in use/i;

let srv;
let tok;

before(async () => {
  srv = await startServer({ PORTCULLIS_POLICY__SIGNUP: 'true' });
  tok = await managementToken(srv, ['read:users', 'create:users', 'update:users']);
});
after(() => srv?.stop());

/** How many accounts exist. */
async function userCount() {
  const r = await management(srv, tok, 'GET', '/api/v2/users?per_page=100&include_totals=true');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Array.isArray(r.body) ? r.body.length : r.body.total ?? r.body.users.length;
}

describe('finding 9: look-alike addresses and hidden characters', () => {
  it('CLI `user create` refuses a look-alike of an existing address', async () => {
    createUser(srv, 'alice@example.com');
    const before = await userCount();
    const wrong = [];
    for (const [what, email] of Object.entries(lookAlikes('lice'))) {
      const out = srv.cli(['user', 'create', '--email', email, '--password-stdin'], `${PASSWORD}\n`);
      if (out.status === 0) wrong.push(`${what}: created ${out.stdout.trim()}`);
      else if (!CONFLICT.test(out.stderr)) wrong.push(`${what}: refused without naming the conflict: ${out.stderr.trim()}`);
    }
    assert.deepEqual(wrong, [], 'look-alikes the CLI did not refuse as a conflict');
    assert.equal(await userCount(), before, 'no account was added');
  });

  it('POST /api/v2/users refuses a look-alike of an existing address with a 4xx naming the conflict', async () => {
    createUser(srv, 'anna@example.com');
    const before = await userCount();
    const wrong = [];
    for (const [what, email] of Object.entries(lookAlikes('nna'))) {
      const r = await management(srv, tok, 'POST', '/api/v2/users', {
        email, password: PASSWORD, connection: 'Username-Password-Authentication',
      });
      const named = r.status >= 400 && r.status < 500 && CONFLICT.test(r.body.message ?? '');
      if (!named) wrong.push(`${what}: ${r.status} ${r.body.message ?? `created ${r.body.email}`}`);
    }
    assert.deepEqual(wrong, [], 'look-alikes the API did not refuse as a conflict');
    assert.equal(await userCount(), before, 'no account was added');
  });

  it('sign-up with a look-alike answers as for a taken address and creates no second account', async () => {
    const victim = 'aaron@example.com';
    createUser(srv, victim);
    const signUp = async (email) => {
      const b = new Browser(srv.issuer);
      const first = await b.get(authorizeUrl(srv.issuer, srv.demo, { screen_hint: 'signup' }));
      assert.match(first.location ?? '', /^\/u\/signup\?/, `sign-up is open: ${first.location}`);
      const page = await b.get(first.location);
      const res = await b.post('/u/signup', {
        state: formValue(page.body, 'state'), csrf: formValue(page.body, 'csrf'), email, name: 'Aaron', password: PASSWORD,
      });
      return { b, res };
    };
    const taken = (await signUp(victim)).res;
    await waitMail(srv, victim); // its owner hears of the attempt
    const before = await userCount();
    for (const [what, email] of Object.entries(lookAlikes('aron'))) {
      const seen = await mailCount(srv, [victim, email]);
      const { b, res } = await signUp(email);
      assert.deepEqual({ status: res.status, location: res.location }, { status: taken.status, location: taken.location },
        `${what}: the same answer as for the taken address`);
      // The sign-up sends its email in the background: to the victim (the address is taken) or,
      // if the look-alike passed for a new address, a code to the attacker's mailbox.
      const mail = await waitMail(srv, [victim, email], { after: seen });
      if (mail.to === email) {
        // The attacker owns the look-alike mailbox: use the code.
        const form = await b.get(res.location ?? '/u/signup/verify');
        await b.post('/u/signup/verify', { csrf: formValue(form.body, 'csrf'), code: codeIn(mail.text) });
      }
      assert.equal(await userCount(), before, `${what}: a second account was created`);
      assert.equal(mail.to, victim, `${what}: a sign-up code went to the look-alike address`);
    }
  });

  it('Ada@EXAMPLE.com is the same account as ada@example.com', async () => {
    const ada = idOf(createUser(srv, 'ada@example.com'));
    const r = await management(srv, tok, 'POST', '/api/v2/users', {
      email: 'Ada@EXAMPLE.com', password: PASSWORD, connection: 'Username-Password-Authentication',
    });
    assert.ok(r.status >= 400 && r.status < 500, `a second account: ${r.status} ${JSON.stringify(r.body)}`);
    const out = srv.cli(['user', 'create', '--email', 'Ada@EXAMPLE.com', '--password-stdin'], `${PASSWORD}\n`);
    assert.notEqual(out.status, 0, `the CLI created a second account: ${out.stdout}`);
    const cli = passwordClient(srv, 'mfa=never');
    const signed = await passwordGrant(srv, cli, 'Ada@EXAMPLE.com', PASSWORD);
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal(claims(signed.body.id_token).sub, ada, 'the sign-in is the same account');
  });

  it('POST /api/v2/users and PATCH /api/v2/users/{id} refuse names with NUL, control or bidi characters (400)', async () => {
    const target = idOf(createUser(srv, 'named@example.com'));
    const names = {
      NUL: 'Ada\u0000',
      BEL: 'Ada\u0007Lovelace',
      'line feed': 'two\nlines',
      ESC: 'Ada\u001b[31m',
      'RIGHT-TO-LEFT OVERRIDE (U+202E)': 'evil\u202Egnp.exe',
      'RIGHT-TO-LEFT ISOLATE (U+2067)': 'Ada\u2067x\u2069',
    };
    const accepted = [];
    for (const [what, name] of Object.entries(names)) {
      const created = await management(srv, tok, 'POST', '/api/v2/users', {
        email: `n${Object.keys(names).indexOf(what)}@example.com`, name, password: PASSWORD,
        connection: 'Username-Password-Authentication',
      });
      if (created.status !== 400) accepted.push(`POST ${what}: ${created.status}`);
      const patched = await management(srv, tok, 'PATCH', `/api/v2/users/${target}`, { name });
      if (patched.status !== 400) accepted.push(`PATCH ${what}: ${patched.status}`);
    }
    assert.deepEqual(accepted, [], 'names not refused with 400');
  });
});
