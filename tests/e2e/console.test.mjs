// The admin console in a real Chromium against `portcullis serve --dev`: the printed admin opens
// /admin, signs in with the password, and, having no factor yet, is sent to enrol one: a passkey
// (CDP virtual authenticator). In the console they find a user by the start of the email, open
// the user's page and remove the TOTP factor that user enrolled in another browser, whose
// session ends at once and whose app hears it by back-channel logout; the audit trail shows the
// change with the admin's id. Then the admin changes the tenant policy and watches the preview
// change. Screenshots go to the `admin` folder of the screenshot folder (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
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

/** Follows a link of the console's navigation. */
const nav = (page, name) =>
  page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();

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
  return { context, page, secret };
}

/**
 * An application on loopback with a back-channel logout endpoint: registered with the CLI, it
 * records every logout token it is sent.
 */
async function appWithBackchannel() {
  const logouts = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/backchannel') {
        logouts.push(new URLSearchParams(body).get('logout_token'));
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://localhost:${server.address().port}`;
  const made = spawnSync(
    BIN,
    ['--dev', 'client', 'create', '--name', 'Bob app', '--redirect-uri', `${base}/cb`,
      '--backchannel-logout-uri', `${base}/backchannel`],
    { cwd: dev.dir, env: { PATH: process.env.PATH }, encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  const client = JSON.parse(made.stdout);
  return { base, clientId: client.client_id, logouts, close: () => server.close() };
}

/** Bob signs in to the app from his browser (his session gets a client to tell on logout). */
async function bobSignsInTo(bob, app) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${issuer}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: app.clientId, redirect_uri: `${app.base}/cb`,
    scope: 'openid email', state: 'st', nonce: 'nn', code_challenge: challenge,
    code_challenge_method: 'S256',
  })) url.searchParams.set(k, v);
  await bob.page.goto(url.toString());
  if (/\/u\/mfa/.test(bob.page.url())) {
    await bob.page.getByRole('textbox', { name: /code/i }).fill(totp(bob.secret, step()));
    await bob.page.getByRole('button', { name: /Verify|Continue/ }).click();
  }
  await bob.page.waitForURL(new RegExp(`^${app.base}/cb\\?code=`));
}

test('the printed admin enrols a passkey for the console, finds a user and removes their factor', async () => {
  const bob = await bobWithTotp();
  const app = await appWithBackchannel();
  await bobSignsInTo(bob, app);

  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  // Every console page keeps to the CSP: a violation is reported on the console.
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
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

  // Find bob by the start of his address.
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('textbox', { name: /Start of an email/ }).fill('bo');
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

  // Bob's session ended with it, and his app was told by back-channel logout.
  await bob.page.goto(`${issuer}/u/account/security`);
  await bob.page.waitForURL(/\/u\/login/);
  for (let i = 0; i < 100 && app.logouts.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(app.logouts.length, 1, 'one logout token');
  const claims = JSON.parse(Buffer.from(app.logouts[0].split('.')[1], 'base64url').toString());
  assert.equal(claims.aud, app.clientId);
  assert.ok(claims.sid, 'the session id');
  assert.ok(claims.events['http://schemas.openid.net/event/backchannel-logout']);
  app.close();

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

  // The tenant policy: a TOTP user from a new browser is asked for the factor; with mfa=never,
  // not any more. The preview says so before anyone signs in.
  await nav(page, 'Policy');
  await page.getByLabel('Authenticator app').check();
  await page.getByRole('button', { name: 'Preview' }).click();
  const answer = page.locator('#preview-answer');
  assert.match(await answer.textContent(), /a second factor \(aal2\): authenticator app/);
  await page.getByLabel('mfa', { exact: true }).selectOption('never');
  await page.getByRole('button', { name: 'Save the tenant policy' }).click();
  assert.match(await page.getByRole('status').first().textContent(), /saved/);
  await page.getByLabel('Authenticator app').check();
  await page.getByRole('button', { name: 'Preview' }).click();
  assert.match(await answer.textContent(), /nothing more than their password/);
  await shot(page, 'policy');

  // An application created here shows its secret once; the secret works, and is never shown again.
  await nav(page, 'Applications');
  await page.getByLabel('Name').fill('Payout robot');
  await page.getByLabel('Kind').selectOption('m2m');
  await page.getByRole('button', { name: 'Create the application' }).click();
  const clientId = (await page.locator('#client-id').textContent()).trim();
  const secret = (await page.locator('#client-secret').textContent()).trim();
  assert.ok(secret.length >= 32);
  await page.getByRole('button', { name: 'Copy' }).waitFor();
  await shot(page, 'app-created');
  await page.getByRole('link', { name: /^Settings, policy and grants/ }).click();
  assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
  await page.getByLabel('API', { exact: true }).selectOption(`${issuer}/api/v2/`);
  await page.getByLabel('Scopes (space-separated)').fill('read:users');
  await page.getByRole('button', { name: 'Add the grant' }).click();
  await page.getByRole('status').waitFor();
  const token = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: clientId, client_secret: secret,
      audience: `${issuer}/api/v2/`,
    }),
  });
  assert.equal(token.status, 200, await token.text());
  await nav(page, 'Applications');
  await shot(page, 'apps');

  // The overview and the settings in force.
  await nav(page, 'Overview');
  assert.match(await page.locator('#chain-status').textContent(), /Intact/);
  await page.getByRole('table', { name: 'Activity by period' }).waitFor();
  await shot(page, 'overview');
  await nav(page, 'Settings');
  assert.match(await page.textContent('body'), /set \(hidden\)/);
  await shot(page, 'settings');
  assert.deepEqual(violations, [], 'no CSP violation on any console page');

  await bob.context.close();
  await context.close();
});
