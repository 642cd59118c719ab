// The admin console in a real Chromium against `portcullis serve --dev`: the printed admin opens
// /admin, signs in with the password, and, having no factor yet, is sent to enrol one: a passkey
// (CDP virtual authenticator). In the console they find a user by the start of the email, open
// the user's page and remove the TOTP factor that user enrolled in another browser, whose
// session ends at once; the audit trail shows the change with the admin's id. Screenshots go to
// the `admin` folder of the screenshot folder (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../node/dev-server.mjs';
import { launch, password, platformAuthenticator, step, totp, screenshotter } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const BOB = 'bob@example.com';
const BOB_PASSWORD = 'violet anchor 3981 meadow lantern';

let dev;
let issuer;
let browser;

before(async () => {
  dev = await startDevServer(BIN);
  issuer = dev.issuer;
  browser = await launch();
  const made = spawnSync(BIN, ['--dev', 'user', 'create', '--email', BOB, '--password-stdin'], {
    cwd: dev.dir,
    // Only PATH: every PORTCULLIS_* variable is read as a setting.
    env: { PATH: process.env.PATH },
    input: `${BOB_PASSWORD}\n`,
    encoding: 'utf8',
  });
  assert.equal(made.status, 0, made.stderr);
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

const shot = screenshotter('admin');

/** Bob, in a browser of his own, signs in and turns on an authenticator app. */
async function bobWithTotp() {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${issuer}/u/account/security`);
  await password(page, BOB, BOB_PASSWORD);
  await page.waitForURL(/\/u\/account\/security$/);
  await page.getByRole('link', { name: 'Add a sign-in method' }).click();
  await page.getByRole('link', { name: 'Authenticator app' }).click();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByRole('textbox', { name: 'Code from the app' }).fill(totp(secret, step()));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.getByRole('button', { name: /I have saved them/ }).click();
  await page.waitForURL(/\/u\/account\/security$/);
  return { context, page };
}

test('the printed admin enrols a passkey for the console, finds a user and removes their factor', async () => {
  const bob = await bobWithTotp();

  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const authenticatorId = await platformAuthenticator(cdp);
  // Presence only when the admin is meant to touch the authenticator (the login page's
  // autofill request would take it otherwise).
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });

  await page.goto(`${issuer}/admin`);
  await page.waitForURL(/\/u\/login/);
  await password(page, dev.printed('email'), dev.printed('password'));
  // No factor yet: the console's aal2 sends the admin to enrol one.
  await page.waitForURL(/\/u\/enroll/);
  await shot(page, 'enrol');
  await page.getByRole('link', { name: 'Passkey' }).click();
  await page.getByLabel('Name').fill('Admin laptop');
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
  await page.getByRole('button', { name: 'Create passkey' }).click();
  // Recovery codes may come first; then the console.
  const saved = page.getByRole('button', { name: /I have saved them/ });
  await Promise.race([page.waitForURL(/\/admin$/), saved.waitFor()]);
  if (await saved.isVisible()) await saved.click();
  await page.waitForURL(/\/admin$/);
  await page.getByRole('heading', { name: 'Console' }).waitFor();
  assert.match(await page.textContent('body'), /admin/);
  await shot(page, 'overview');

  // Find bob by the start of his address.
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('textbox', { name: /Email/ }).fill('bo');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: BOB }).click();
  await page.getByRole('heading', { name: BOB }).waitFor();
  const factors = page.getByRole('table', { name: 'Factors' });
  assert.match(await factors.textContent(), /Authenticator app/);
  await shot(page, 'user');

  // Remove his factor: the passkey proved just now is the fresh factor the change needs.
  await factors.getByRole('button', { name: /^Remove / }).click();
  await page.getByRole('status').waitFor();
  assert.match(await page.getByRole('status').textContent(), /factor is removed/);
  assert.match(await page.textContent('body'), /No second factor/);
  await shot(page, 'factor-removed');

  // Bob's session ended with it.
  await bob.page.goto(`${issuer}/u/account/security`);
  await bob.page.waitForURL(/\/u\/login/);

  // The audit trail has it, with the admin's id.
  await page.getByRole('link', { name: 'Audit trail' }).click();
  await page.getByLabel('Type').selectOption('console.');
  await page.getByRole('button', { name: 'Filter' }).click();
  const events = page.getByRole('table', { name: 'Events, newest first' });
  assert.match(await events.textContent(), /console\.factor_removed/);
  assert.match(await events.textContent(), /admin_id/);
  await page.getByRole('button', { name: 'Verify the chain now' }).click();
  assert.match(await page.getByRole('status').textContent(), /^Intact/);
  await shot(page, 'audit-trail');

  await bob.context.close();
  await context.close();
});
