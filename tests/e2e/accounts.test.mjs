// Accounts in a real Chromium against `portcullis serve --dev` with sign-up on and MFA always
// asked: create an account on the hosted pages (the strength meter judging as the typing goes),
// verify the address with the emailed code, enrol TOTP, forget the password and reset it by the
// emailed link with a TOTP code, then sign in with the new password and TOTP. Screenshots go to
// the screenshot folder's accounts/ (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../node/dev-server.mjs';
import { launch, onSecurityPage, password, signOut, step, stepAfter, totp, screenshotter } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');

let dev;
let issuer;
let browser;

before(async () => {
  dev = await startDevServer(BIN, {
    RUST_LOG: 'debug',
    PORTCULLIS_POLICY__SIGNUP: 'true',
    PORTCULLIS_POLICY__MFA: 'always',
  });
  issuer = dev.issuer;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

const shot = screenshotter('accounts');

/** The newest message in the dev outbox to `to` with `subject`: its text. */
async function newestMail(page, to, subject) {
  await page.goto(`${issuer}/dev/outbox`);
  const article = page
    .locator('article')
    .filter({ hasText: to })
    .filter({ hasText: subject })
    .first();
  return (await article.locator('pre').first().textContent()).trim();
}

test('sign up, verify the address, enrol TOTP, reset the password with TOTP, sign in', async () => {
  const email = 'grace@example.com';
  const first = 'violet rivers under quiet hills';
  const second = 'copper lanterns beside slow water';
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();

  // Sign-up from the sign-in page.
  await page.goto(`${issuer}/u/account/security`);
  await page.waitForURL(/\/u\/login/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.waitForURL(/\/u\/signup/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill('Grace');
  // The meter asks the server, which applies the form's own rules.
  await page.getByLabel('Password', { exact: true }).fill('password');
  await page.locator('p.strength[aria-live]').filter({ hasText: /common/i }).waitFor();
  assert.ok(Number(await page.locator('meter.strength').getAttribute('value')) <= 1 || (await page.locator('meter.strength').evaluate((m) => m.value)) <= 1);
  await page.getByLabel('Password', { exact: true }).fill(first);
  await page.locator('p.strength[aria-live]').filter({ hasText: /Strong password/ }).waitFor();
  assert.ok((await page.locator('meter.strength').evaluate((m) => m.value)) >= 3);
  await shot(page, 'signup');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await shot(page, 'signup-code');
  const verifyUrl = page.url();

  // The code from the email proves the address; MFA is always asked, so enrolment follows.
  const mail = await newestMail(page, email, 'Verify your email address');
  const code = mail.match(/\b(\d{6})\b/)[1];
  await page.goto(verifyUrl);
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/u\/enroll$/);
  await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
  await page.getByRole('link', { name: 'Authenticator app' }).click();
  await page.locator('#totp-secret').waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  const enrolled = step();
  await page.getByRole('textbox', { name: 'Code from the app' }).fill(totp(secret, enrolled));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.locator('#recovery-codes').waitFor();
  await page.getByRole('button', { name: /I have saved them/ }).click();
  await onSecurityPage(page);
  assert.match(await page.getByRole('table', { name: 'Sign-in methods' }).textContent(), /Authenticator app/);

  // Forgotten password: the link from the email, then the TOTP code, then the new password.
  await signOut(page, issuer);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  const resetMail = await newestMail(page, email, 'Reset your password');
  const link = resetMail.match(/https?:\/\/\S+\/u\/reset\/password\?t=\S+/)[0];
  await page.goto(link);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/u\/mfa/);
  const resetStep = await stepAfter(enrolled);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, resetStep));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/u\/reset\/new/);
  await page.getByLabel('New password').fill(second);
  await page.locator('p.strength[aria-live]').filter({ hasText: /password/ }).waitFor();
  await shot(page, 'reset-new-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
  assert.match(
    await newestMail(page, email, 'Your password was changed'),
    /password/i,
  );

  // The old password is refused; the new one and a TOTP code sign in.
  await page.goto(`${issuer}/u/account/security`);
  await page.waitForURL(/\/u\/login/);
  await password(page, email, first);
  await page.getByText('Wrong email or password.').waitFor();
  await password(page, email, second);
  await page.waitForURL(/\/u\/mfa/);
  const signInStep = await stepAfter(resetStep);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, signInStep));
  await page.getByRole('button', { name: 'Verify' }).click();
  await onSecurityPage(page);
  await shot(page, 'signed-in');
  assert.doesNotMatch(dev.output, new RegExp(`${first}|${second}|${code}`), 'no secret in the logs');
  await context.close();
});
