// The hosted pages in a real Chromium against `portcullis serve --dev`: sign in with the printed
// admin password, enrol TOTP and a passkey (CDP virtual authenticator: ctap2, internal transport,
// resident key, user verification), sign out, sign in with the passkey as a second factor, with
// a recovery code, passwordless with the passkey and with a TOTP code, then manage the methods on
// the security page. Screenshots of each page go to the screenshot folder (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../node/dev-server.mjs';
import {
  anotherDevice, launch, onSecurityPage, password, platformAuthenticator, signOut as signOutOf, step, totp, screenshotter,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');

let dev;
let issuer;
let browser;

before(async () => {
  dev = await startDevServer(BIN, { RUST_LOG: 'debug' });
  issuer = dev.issuer;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

const shot = screenshotter('');

// The virtual authenticator answers at once while presence is simulated; that would also
// complete the login page's autofill (conditional) request, so password journeys turn it off
// until the user is meant to touch the authenticator.
let presence = async () => {};

async function signOut(page) {
  await presence(false);
  await signOutOf(page, issuer);
}

test('password, TOTP, passkey, recovery code and the security page in Chromium', async () => {
  const email = dev.printed('email');
  const pass = dev.printed('password');
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const authenticatorId = await platformAuthenticator(cdp);

  presence = (enabled) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });

  // Sign in with the password alone: no factor yet.
  await page.goto(`${issuer}/u/account/security`);
  await page.waitForURL(/\/u\/login/);
  await shot(page, 'login');
  await password(page, email, pass);
  await onSecurityPage(page);

  // Enrol TOTP: the secret is on the page; the code is computed here.
  await page.getByRole('link', { name: 'Add a sign-in method' }).click();
  await page.getByRole('link', { name: 'Authenticator app' }).click();
  await page.locator('#totp-secret').waitFor();
  await shot(page, 'totp-enrolment');
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  assert.ok(await page.locator('svg').count() > 0, 'QR code');
  const enrolledStep = step();
  await page.getByRole('textbox', { name: 'Code from the app' }).fill(totp(secret, enrolledStep));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.locator('#recovery-codes').waitFor();
  await shot(page, 'recovery-codes');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await page.getByRole('button', { name: /I have saved them/ }).click();
  await onSecurityPage(page);

  // Create a passkey right away (enrolling TOTP was a fresh proof).
  await page.getByRole('link', { name: 'Add a sign-in method' }).click();
  await page.getByRole('link', { name: 'Passkey' }).click();
  await page.getByLabel('Name').fill('This laptop');
  await shot(page, 'passkey');
  await page.getByRole('button', { name: 'Create passkey' }).click();
  await onSecurityPage(page);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].isResidentCredential, true);
  assert.equal(credentials[0].rpId, new URL(issuer).hostname);
  const table = page.getByRole('table', { name: 'Sign-in methods' });
  await table.getByRole('cell', { name: 'This laptop', exact: true }).waitFor();
  assert.match(await table.textContent(), /Passkey/);
  assert.match(await table.textContent(), /Authenticator app/);
  await shot(page, 'security');

  // Password, then the passkey as the second step.
  await signOut(page);
  await password(page, email, pass);
  await page.waitForURL(/\/u\/mfa/);
  // The method used last comes first; both were last used in the same second here.
  const passkeyButton = page.getByRole('button', { name: 'Use security key or passkey' });
  if (!(await passkeyButton.isVisible())) {
    await page.getByText('Try another way').click();
    await page.getByRole('link', { name: 'A security key or passkey' }).click();
  }
  await passkeyButton.waitFor();
  await shot(page, 'challenge');
  await presence(true);
  await page.getByRole('button', { name: 'Use security key or passkey' }).click();
  await onSecurityPage(page);

  // The same browser again: adaptive MFA knows it now, so the password is enough.
  await signOut(page);
  await password(page, email, pass);
  await onSecurityPage(page);

  // Password, then a recovery code ("try another way"), on a browser new to the user.
  await signOut(page);
  await anotherDevice(cdp);
  await password(page, email, pass);
  await page.waitForURL(/\/u\/mfa/);
  await page.getByText('Try another way').click();
  await page.getByRole('link', { name: 'A recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await onSecurityPage(page);
  assert.match(await page.textContent('body'), /9 unused recovery codes/);

  // Passwordless from autofill: the login page's conditional request picks the passkey.
  await signOut(page);
  await presence(true);
  await page.goto(`${issuer}/u/account/security`, { waitUntil: 'commit' });
  await onSecurityPage(page);

  // Password, then a TOTP code from a step after the one that enrolled it.
  await signOut(page);
  while (step() <= enrolledStep) await new Promise((r) => setTimeout(r, 500));
  await anotherDevice(cdp);
  await password(page, email, pass);
  await page.waitForURL(/\/u\/mfa/);
  await page.getByText('Try another way').click();
  await page.getByRole('link', { name: /Authenticator app/ }).click();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, step()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await onSecurityPage(page);

  // Manage: rename the passkey, remove the authenticator app.
  await page.getByLabel('New name for This laptop').fill('Work laptop');
  await page.getByRole('row', { name: /This laptop/ }).getByRole('button', { name: 'Rename' }).click();
  await onSecurityPage(page);
  assert.match(await page.getByRole('table', { name: 'Sign-in methods' }).textContent(), /Work laptop/);
  const app = page.getByRole('row', { name: /Authenticator app/ });
  await app.getByRole('button', { name: /^Remove/ }).click();
  await onSecurityPage(page);
  assert.doesNotMatch(await page.getByRole('table', { name: 'Sign-in methods' }).textContent(), /Authenticator app/);
  await shot(page, 'security-managed');

  // An email magic link, read from the dev outbox, then the passkey as the second step.
  await signOut(page);
  await anotherDevice(cdp);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link instead' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await page.goto(`${issuer}/dev/outbox`);
  const link = await page.locator('a[href*="/u/magic?t="]').first().getAttribute('href');
  const token = new URL(link).searchParams.get('t');
  await page.goto(link);
  await shot(page, 'magic-link');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/u\/mfa/);
  await presence(true);
  await page.getByRole('button', { name: 'Use security key or passkey' }).click();
  await onSecurityPage(page);

  // Passwordless from the button, in a browser without autofill for passkeys (the same
  // passkey, copied into that browser's authenticator; last, since the copy's counter moves on
  // and the original would now be refused as a clone).
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.ok(after.credentials[0].signCount >= 3, 'the passkey signed at each use');
  const other = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page2 = await other.newPage();
  await page2.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const cdp2 = await other.newCDPSession(page2);
  await cdp2.send('WebAuthn.addCredential', {
    authenticatorId: await platformAuthenticator(cdp2),
    credential: after.credentials[0],
  });
  await page2.goto(`${issuer}/u/account/security`);
  await page2.waitForURL(/\/u\/login/);
  await page2.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await onSecurityPage(page2);
  await other.close();

  // Nothing secret reached the logs.
  for (const value of [secret, token, ...codes]) {
    assert.ok(!dev.output.includes(value), 'a secret or recovery code was logged');
  }
  assert.equal(dev.output.split(pass).length, 2, 'the password is printed once, at first start, and never logged');
  await context.close();
});
