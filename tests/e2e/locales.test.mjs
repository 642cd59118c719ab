// The hosted pages in German and in Arabic in a real Chromium against `portcullis serve --dev`
// (sign-up on, MFA always): an app's ui_locales picks the language over the browser's English;
// sign up (the code email in that language), enrol TOTP, create a passkey, sign out, reset the
// password by the emailed link with a TOTP code, sign in with the passkey (autofill). Arabic is laid out
// right to left. axe-core checks every page on the way (no serious or critical violation),
// in light and dark mode; a keyboard alone signs in, proves a factor, enrols and uses a recovery
// code. Screenshots go to the screenshot folder's locales/ (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../node/dev-server.mjs';
import {
  accessible,
  freePort,
  launch,
  managementToken,
  password,
  platformAuthenticator,
  screenshotter,
  step,
  stepAfter,
  totp,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const LOCALES = resolve(here, '../../crates/portcullis-server/locales');

let dev;
let issuer;
let browser;
// Another Portcullis as the upstream provider ("Continue with Example Corp"), on 127.0.0.1
// while the server under test is on localhost, so their cookies stay apart.
let upstream;

/** A management API call to `server` with `token`; the JSON answer. */
async function api(server, token, method, path, body) {
  const res = await fetch(`${server.issuer}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

before(async () => {
  const upstreamPort = await freePort();
  upstream = await startDevServer(
    BIN,
    { PORTCULLIS_ISSUER: `http://127.0.0.1:${upstreamPort}`, PORTCULLIS_POLICY__MFA: 'never' },
    { listen: `127.0.0.1:${upstreamPort}` },
  );
  const port = await freePort();
  const client = await api(upstream, await managementToken(upstream), 'POST', '/api/v2/clients', {
    name: 'Portcullis downstream',
    app_type: 'regular_web',
    callbacks: [`http://localhost:${port}/u/upstream/callback`],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  dev = await startDevServer(
    BIN,
    {
      RUST_LOG: 'info',
      PORTCULLIS_POLICY__SIGNUP: 'true',
      PORTCULLIS_POLICY__MFA: 'always',
      PORTCULLIS_UPSTREAM__CORP__KIND: 'oidc',
      PORTCULLIS_UPSTREAM__CORP__ISSUER: upstream.issuer,
      PORTCULLIS_UPSTREAM__CORP__CLIENT_ID: client.client_id,
      PORTCULLIS_UPSTREAM__CORP__CLIENT_SECRET: client.client_secret,
      PORTCULLIS_UPSTREAM__CORP__DISPLAY_NAME: 'Example Corp',
    },
    { listen: `127.0.0.1:${port}` },
  );
  issuer = dev.issuer;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  dev?.stop();
  upstream?.stop();
});

const shot = screenshotter('locales');

/** The single-line messages of a shipped language, by id (what the pages must show). */
function messages(tag) {
  const out = {};
  for (const file of readdirSync(join(LOCALES, tag))) {
    for (const line of readFileSync(join(LOCALES, tag, file), 'utf8').split('\n')) {
      const m = line.match(/^([a-z][a-z0-9-]*) = ([^{]+)$/);
      if (m) out[m[1]] = m[2].trim();
    }
  }
  return out;
}

/** The newest message of the dev outbox to `to`. */
async function newestMail(page, to) {
  for (let i = 0; i < 100; i += 1) {
    const all = await (await page.request.get(`${issuer}/dev/outbox.json`)).json();
    const m = all.find((x) => x.to === to);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message to ${to}`);
}

/** Waits for the newest message to `to` with `subject`. */
async function mailWith(page, to, subject) {
  for (let i = 0; i < 100; i += 1) {
    const m = await newestMail(page, to);
    if (m.subject === subject) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  const all = await (await page.request.get(`${issuer}/dev/outbox.json`)).json();
  const got = all.filter((x) => x.to === to).map((x) => x.subject);
  throw new Error(`no message "${subject}" to ${to} (it has: ${got.join(' | ')})`);
}

/** The page is in `tag`, laid out in `dir`. */
async function inLanguage(page, tag, dir) {
  assert.equal(await page.getAttribute('html', 'lang'), tag);
  assert.equal(await page.getAttribute('html', 'dir'), dir);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), dir);
}

for (const [tag, dir] of [['de', 'ltr'], ['ar', 'rtl']]) {
  test(`${tag}: sign up, TOTP, passkey, reset email, passkey sign-in — every page in ${tag} and accessible`, async () => {
    const t = messages(tag);
    const email = `user-${tag}@example.com`;
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const authenticatorId = await platformAuthenticator(cdp);

    // The app's ui_locales outvotes the browser's English, and the pages after it keep it.
    await page.goto(`${issuer}/u/account/security?ui_locales=${tag}`);
    await page.waitForURL(/\/u\/login/);
    await inLanguage(page, tag, dir);
    await page.getByRole('heading', { name: t['login-title'] }).waitFor();
    await accessible(page, 'sign-in');
    await shot(page, `${tag}-login`);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(22, 24, 29)');
    await shot(page, `${tag}-login-dark`);
    await page.emulateMedia({ colorScheme: 'light' });

    // Sign-up; the code arrives in the language of the pages.
    await page.locator('#signup-link').click();
    await page.waitForURL(/\/u\/signup/);
    await inLanguage(page, tag, dir);
    await accessible(page, 'sign-up');
    await shot(page, `${tag}-signup`);
    await page.locator('#email').fill(email);
    await page.locator('#name').fill(tag === 'ar' ? 'ليلى' : 'Lena');
    await page.locator('#password').fill('violet rivers under quiet hills');
    await page.locator('form[action="/u/signup"] button[type=submit]').click();
    await page.locator('#code').waitFor();
    await inLanguage(page, tag, dir);
    await accessible(page, 'sign-up code');
    const verify = await mailWith(page, email, t['email-verify-subject']);
    assert.match(verify.html, new RegExp(`<html lang="${tag}" dir="${dir}">`));
    await page.locator('#code').fill(verify.text.match(/\b(\d{6})\b/)[1]);
    await page.locator('#code').press('Enter');

    // MFA is always asked: enrol TOTP.
    await page.waitForURL(/\/u\/enroll$/);
    await inLanguage(page, tag, dir);
    await accessible(page, 'enrolment choice');
    await shot(page, `${tag}-enroll`);
    await page.locator('a[href="/u/enroll/totp"]').click();
    await page.locator('#totp-secret').waitFor();
    await accessible(page, 'TOTP enrolment');
    await shot(page, `${tag}-totp`);
    const secret = (await page.locator('#totp-secret').textContent()).trim();
    const enrolled = step();
    await page.locator('#code').fill(totp(secret, enrolled));
    await page.locator('#code').press('Enter');
    await page.locator('#recovery-codes').waitFor();
    await inLanguage(page, tag, dir);
    await accessible(page, 'recovery codes');
    await page.locator('form[action="/u/enroll/continue"] button[type=submit]').click();
    await page.waitForURL(/\/u\/account\/security$/);
    await inLanguage(page, tag, dir);
    await accessible(page, 'security page');

    // A passkey from the security page.
    await page.locator('a[href="/u/enroll"]').click();
    await page.locator('a[href="/u/enroll/webauthn?style=passkey"]').click();
    await page.locator('#name').fill(tag === 'ar' ? 'هذا الحاسوب' : 'Dieser Laptop');
    await inLanguage(page, tag, dir);
    await accessible(page, 'passkey enrolment');
    await shot(page, `${tag}-passkey`);
    await page.locator('#webauthn-create').click();
    await page.waitForURL(/\/u\/account\/security$/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    await shot(page, `${tag}-security`);
    // The other pages a signed-in user reaches: codes by email, the profile, an error page.
    await page.goto(`${issuer}/u/enroll/oob?channel=email`);
    await inLanguage(page, tag, dir);
    await accessible(page, 'email codes enrolment');
    await page.goto(`${issuer}/u/account/profile`);
    await inLanguage(page, tag, dir);
    await accessible(page, 'profile');
    await shot(page, `${tag}-profile`);
    await page.goto(`${issuer}/u/login`);
    await inLanguage(page, tag, dir);
    await accessible(page, 'error page');
    await page.goto(`${issuer}/u/account/security`);

    // Sign out, then a forgotten password: the email, the link, a TOTP code, a new password.
    await page.locator('a[href="/oidc/logout"]').click();
    await inLanguage(page, tag, dir);
    await accessible(page, 'sign-out');
    await page.locator('form[action="/oidc/logout"] button[type=submit]').click();
    await page.locator('form[action="/oidc/logout"]').waitFor({ state: 'detached' });
    await inLanguage(page, tag, dir);
    await accessible(page, 'signed out');
    await page.goto(`${issuer}/u/reset`);
    await inLanguage(page, tag, dir);
    await accessible(page, 'reset request');
    await page.locator('#email').fill(email);
    await page.locator('#email').press('Enter');
    const reset = await mailWith(page, email, t['email-reset-subject']);
    await page.goto(reset.text.match(/https?:\/\/\S+\/u\/reset\/password\?t=\S+/)[0]);
    await inLanguage(page, tag, dir);
    await accessible(page, 'emailed link');
    await page.locator('form button[type=submit]').first().click();
    await page.waitForURL(/\/u\/mfa/);
    await inLanguage(page, tag, dir);
    await accessible(page, 'second step');
    await shot(page, `${tag}-mfa`);
    // The passkey is offered first; the authenticator app is one of the other ways.
    if (!(await page.locator('#code').isVisible())) {
      await page.locator('details.others summary').click();
      await page.locator('details.others a[href*="method=fac_"]').click();
    }
    const later = await stepAfter(enrolled);
    await page.locator('#code').fill(totp(secret, later));
    await page.locator('#code').press('Enter');
    await page.waitForURL(/\/u\/reset\/new/);
    await accessible(page, 'new password');
    await page.locator('#password').fill('copper lanterns beside slow water');
    await page.locator('#password').press('Enter');
    // The answer is the page saying it is done, without the form.
    await page.locator('#password').waitFor({ state: 'detached' });
    await inLanguage(page, tag, dir);
    await accessible(page, 'password changed');

    // Signing in again: the sign-in page's passkey request (autofill) signs in at once.
    await page.goto(`${issuer}/u/account/security`);
    await page.waitForURL(/\/u\/login/);
    await page.waitForURL(/\/u\/account\/security$/);
    await page.locator('a[href="/oidc/logout"]').waitFor();
    await inLanguage(page, tag, dir);
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.ok(after.credentials[0].signCount >= 1, 'the passkey signed in');
    await context.close();
  });
}

for (const [tag, dir] of [['de', 'ltr'], ['ar', 'rtl']]) {
  test(`${tag}: upstream account link, SMS enrolment, consent, tickets, magic link — in ${tag} and accessible`, async () => {
    const t = messages(tag);
    const email = `linked-${tag}@example.com`;
    const pass = 'amber meadows after the rain';
    const token = await managementToken(dev);
    const user = await api(dev, token, 'POST', '/api/v2/users', {
      email,
      password: pass,
      email_verified: true,
      connection: 'Username-Password-Authentication',
    });
    // The same person at the upstream provider, with a verified address.
    await api(upstream, await managementToken(upstream), 'POST', '/api/v2/users', {
      email,
      password: 'a different password upstream',
      email_verified: true,
    });
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();

    // "Continue with Example Corp": the provider's address has an account here, so the person
    // proves it is theirs before the two are linked.
    await page.goto(`${issuer}/u/account/security?ui_locales=${tag}`);
    await page.waitForURL(/\/u\/login/);
    await page.locator('form[action="/u/login/upstream/corp"] button').click();
    await page.waitForURL((u) => u.href.startsWith(upstream.issuer));
    await password(page, email, 'a different password upstream');
    await page.waitForURL(/\/u\/upstream\/link/);
    await inLanguage(page, tag, dir);
    await page.getByRole('heading', { name: t['upstream-link-heading'] }).waitFor();
    await accessible(page, 'upstream account link');
    await shot(page, `${tag}-upstream-link`);
    await page.locator('#password').fill(pass);
    await page.locator('#password').press('Enter');

    // MFA is always asked and there is no factor yet: the text-message page, then TOTP.
    await page.waitForURL(/\/u\/enroll$/);
    await page.goto(`${issuer}/u/enroll/oob?channel=sms`);
    await inLanguage(page, tag, dir);
    await accessible(page, 'text message enrolment');
    await page.goto(`${issuer}/u/enroll/totp`);
    const secret = (await page.locator('#totp-secret').textContent()).trim();
    await page.locator('#code').fill(totp(secret, step()));
    await page.locator('#code').press('Enter');
    await page.locator('#recovery-codes').waitFor();
    await page.locator('form[action="/u/enroll/continue"] button[type=submit]').click();
    await page.waitForURL(/\/u\/account\/security$/);
    await page.getByRole('cell', { name: t['event-upstream-linked'] }).first().waitFor();

    // A third-party app asks for consent.
    const app = await api(dev, token, 'POST', '/api/v2/clients', {
      name: tag === 'ar' ? 'تطبيق المواعيد' : 'Terminplaner',
      app_type: 'regular_web',
      is_first_party: false,
      callbacks: ['https://app.example.com/callback'],
    });
    const authorize = new URL(`${issuer}/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: 'https://app.example.com/callback',
      scope: 'openid profile email offline_access',
      state: 'st',
      nonce: 'nn',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      prompt: 'consent',
    })) authorize.searchParams.set(k, v);
    await page.goto(authorize.href);
    await page.waitForURL(/\/u\/consent/);
    await inLanguage(page, tag, dir);
    await accessible(page, 'consent');
    await shot(page, `${tag}-consent`);

    // The links an administrator hands over: a password ticket and an enrolment ticket.
    const { ticket } = await api(dev, token, 'POST', '/api/v2/tickets/password-change', {
      user_id: user.user_id,
    });
    await page.goto(ticket);
    await inLanguage(page, tag, dir);
    await accessible(page, 'password ticket');
    const enrolment = await api(dev, token, 'POST', '/api/v2/guardian/enrollments/ticket', {
      user_id: user.user_id,
    });
    await page.goto(enrolment.ticket_url);
    await inLanguage(page, tag, dir);
    await accessible(page, 'enrolment ticket');

    // Signed out, then an emailed sign-in link: the page saying it was sent, and the link's page.
    await page.goto(`${issuer}/u/account/security`);
    await page.locator('a[href="/oidc/logout"]').click();
    await page.locator('form[action="/oidc/logout"] button[type=submit]').click();
    await page.goto(`${issuer}/u/account/security`);
    await page.waitForURL(/\/u\/login/);
    await page.locator('#email').fill(email);
    await page.locator('#magic-link').click();
    await page.getByRole('heading', { name: t['magic-sent-heading'] }).waitFor();
    await inLanguage(page, tag, dir);
    await accessible(page, 'sign-in link sent');
    const magic = await mailWith(page, email, t['email-magic-link-subject']);
    await page.goto(magic.text.match(/https?:\/\/\S+\/u\/magic\?t=\S+/)[0]);
    await page.getByRole('heading', { name: t['magic-link-heading'] }).waitFor();
    await inLanguage(page, tag, dir);
    await accessible(page, 'sign-in link');
    await context.close();
  });
}

/** Presses Tab until `selector` has the focus (at most 60 times): the keyboard reaches it. */
async function tabTo(page, selector) {
  for (let i = 0; i < 60; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`the keyboard never reached ${selector}`);
}

/** Signs out from the security page with the keyboard: the link, then the confirmation. */
async function keyboardSignOut(page) {
  await tabTo(page, 'a[href="/oidc/logout"]');
  await page.keyboard.press('Enter');
  await page.locator('form[action="/oidc/logout"]').waitFor();
  await tabTo(page, 'form[action="/oidc/logout"] button');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Signed out' }).waitFor();
}

test('the keyboard alone signs in, enrols, proves a factor and uses a recovery code', async () => {
  const email = dev.printed('email');
  const pass = dev.printed('password');
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${issuer}/u/account/security`);
  await page.waitForURL(/\/u\/login/);
  // A wrong password: the error is announced and the focus lands on the first field at fault.
  await tabTo(page, '#email');
  await page.keyboard.type(email);
  await tabTo(page, '#password');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await page.locator('#login-error[role=alert]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true');
  await tabTo(page, '#password');
  await page.keyboard.type(pass);
  await page.keyboard.press('Enter');
  // MFA always: enrol TOTP with the keyboard.
  await page.waitForURL(/\/u\/enroll/);
  await tabTo(page, 'a[href="/u/enroll/totp"]');
  await page.keyboard.press('Enter');
  await page.locator('#totp-secret').waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  const enrolled = step();
  await tabTo(page, '#code');
  await page.keyboard.type(totp(secret, enrolled));
  await page.keyboard.press('Enter');
  await page.locator('#recovery-codes').waitFor();
  const codes = await page.locator('#recovery-codes code').allTextContents();
  await tabTo(page, 'form[action="/u/enroll/continue"] button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/u\/account\/security$/);
  // Sign out and back in with a TOTP code, then with a recovery code.
  await keyboardSignOut(page);
  for (const use of ['totp', 'recovery']) {
    await page.goto(`${issuer}/u/account/security`);
    await page.waitForURL(/\/u\/login/);
    await tabTo(page, '#email');
    await page.keyboard.type(email);
    await tabTo(page, '#password');
    await page.keyboard.type(pass);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/u\/mfa/);
    if (use === 'totp') {
      await tabTo(page, '#code');
      await page.keyboard.type(totp(secret, await stepAfter(enrolled)));
    } else {
      // The other ways are folded away: the summary opens them.
      await tabTo(page, 'details.others summary');
      await page.keyboard.press('Enter');
      await tabTo(page, 'details.others a[href*="recovery"]');
      await page.keyboard.press('Enter');
      await page.waitForURL(/recovery/);
      await page.locator('#code').waitFor();
      await tabTo(page, '#code');
      await page.keyboard.type(codes[0]);
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/u\/account\/security$/);
    await keyboardSignOut(page);
  }
  await context.close();
});
