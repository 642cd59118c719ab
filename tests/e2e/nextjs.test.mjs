// The Next.js example (Auth.js v5 + @portcullis/js) in a real Chromium against
// `portcullis serve --dev`: sign in; turn on two-factor through an enrolment ticket (TOTP, the
// secret read from the page); sign out and in with the code; add a passkey and sign in with it;
// change the bank account after its window passed (step-up in a popup, the form retries); a
// recovery code on a new device; remove a factor and watch the other session end by back-channel
// logout. Screenshots go to the screenshot folder's nextjs/ (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../node/dev-server.mjs';
import {
  anotherDevice, freePort, launch, managementSecret, managementToken, password, platformAuthenticator, step, stepAfter,
  totp, screenshotter,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const APP_DIR = resolve(here, '../../examples/nextjs');
const BANK_MAX_AGE = 8;

let dev;
let next;
let app;
let browser;
let nextOutput = '';
let nextEnv;
let clientId;

/** Starts the built app on `port` with `env`; resolves once it answers. */
async function startNext(port, env) {
  const server = spawn(process.execPath, [join(APP_DIR, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port)], {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (c) => { nextOutput += c; });
  server.stderr.on('data', (c) => { nextOutput += c; });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://localhost:${port}`)).ok) return server;
    } catch {}
    if (i > 150) throw new Error(`the Next.js app did not start: ${nextOutput}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const cli = (args) =>
  JSON.parse(execFileSync(BIN, [...args, '--dev'], { cwd: dev.dir, env: { PATH: process.env.PATH } }).toString());

before(async () => {
  dev = await startDevServer(BIN, { RUST_LOG: 'info,portcullis_server=debug' });
  const port = await freePort();
  app = `http://localhost:${port}`;
  cli(['api', 'create', '--identifier', `${app}/api`]);
  const client = cli([
    'client', 'create', '--name', 'Payouts (Next.js)',
    '--redirect-uri', `${app}/api/auth/callback/portcullis`,
    '--post-logout-redirect-uri', app,
    '--backchannel-logout-uri', `${app}/api/backchannel-logout`,
  ]);
  const admin = managementSecret(dev);
  nextEnv = {
    PORTCULLIS_ISSUER: dev.issuer,
    PORTCULLIS_CLIENT_ID: client.client_id,
    PORTCULLIS_CLIENT_SECRET: client.client_secret,
    PORTCULLIS_AUDIENCE: `${app}/api`,
    PORTCULLIS_MGMT_CLIENT_ID: 'portcullis-admin',
    PORTCULLIS_MGMT_CLIENT_SECRET: admin,
    BANK_MAX_AGE_SECONDS: String(BANK_MAX_AGE),
  };
  clientId = client.client_id;
  next = await startNext(port, nextEnv);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  next?.kill();
  dev?.stop();
});

const shot = screenshotter('nextjs');

async function onDashboard(page) {
  try {
    await page.waitForURL((u) => u.origin === app && u.pathname === '/');
    await page.locator('#email').waitFor();
  } catch (e) {
    throw new Error(`not on the dashboard: ${page.url()}\n${(await page.content()).slice(0, 2000)}\n${nextOutput.slice(-3000)}\nPortcullis:\n${dev.output.slice(-6000)}`, { cause: e });
  }
}

async function signedOut(page) {
  await page.waitForURL((u) => u.origin === app);
  await page.locator('#sign-in').waitFor();
}

/** Answers `/u/mfa` with the method named, switching to it if another is offered first. */
async function recentLogs() {
  const token = await managementToken(dev);
  const logs = await (await fetch(`${dev.issuer}/api/v2/logs?per_page=12`, { headers: { authorization: `Bearer ${token}` } })).json();
  return logs.map((l) => `${l.type} ${JSON.stringify(l.details)} ${l.user_agent}`).join('\n');
}

async function chooseMethod(page, button, link) {
  try {
    await page.waitForURL(/\/u\/mfa/);
  } catch (e) {
    throw new Error(`no /u/mfa: ${page.url()}\n${await recentLogs()}`, { cause: e });
  }
  const target = page.getByRole('button', { name: button });
  if (!(await target.isVisible())) {
    await page.getByText('Try another way').click();
    await page.getByRole('link', { name: link }).click();
  }
}

test('Next.js + Auth.js: dashboard, enrolment ticket, step-up popup, recovery, back-channel logout', async () => {
  const email = dev.printed('email');
  const pass = dev.printed('password');
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const authenticatorId = await platformAuthenticator(cdp);
  const presence = (enabled) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
  await presence(false);

  // Sign in with the password alone: no factor yet, two-factor is off.
  await page.goto(app);
  await shot(page, 'signed-out');
  await page.locator('#sign-in').click();
  await page.waitForURL(/\/u\/login/);
  await password(page, email, pass);
  await onDashboard(page);
  assert.equal(await page.locator('#acr').textContent(), 'aal1', await page.locator('main').innerText());
  assert.match(await page.locator('#mfa-status').textContent(), /off/);
  await shot(page, 'dashboard');

  // "Enable two-factor": an enrolment ticket, then the hosted TOTP page.
  await page.locator('#enable-mfa').click();
  await page.waitForURL(/\/u\/ticket\?t=/);
  await shot(page, 'ticket');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('link', { name: 'Authenticator app' }).click();
  await page.locator('#totp-secret').waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  let used = step();
  await page.getByRole('textbox', { name: 'Code from the app' }).fill(totp(secret, used));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.locator('#recovery-codes').waitFor();
  const codes = await page.locator('#recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await page.getByRole('button', { name: /I have saved them/ }).click();
  await page.getByRole('heading', { name: "You're all set" }).waitFor();
  await page.goto(app);
  await onDashboard(page);
  assert.match(await page.locator('#mfa-status').textContent(), /on/);
  assert.equal(await page.locator('#factors li').count(), 1, await page.locator('main').innerText());
  assert.equal(await page.locator('#factors li').first().getAttribute('data-type'), 'authenticator');
  await shot(page, 'enrolled');

  // Sign out everywhere, then in with the password and a code: aal2.
  await page.locator('#sign-out').click();
  await signedOut(page);
  await page.locator('#sign-in').click();
  await password(page, email, pass);
  await page.waitForURL(/\/u\/mfa/);
  used = await stepAfter(used);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, used));
  await shot(page, 'mfa');
  await page.getByRole('button', { name: 'Verify' }).click();
  await onDashboard(page);
  assert.equal(await page.locator('#acr').textContent(), 'aal2', await page.locator('main').innerText());
  assert.match(await page.locator('#amr').textContent(), /pwd otp mfa/);

  // A passkey from the security page at Portcullis, then passwordless sign-in with it.
  await page.goto(`${dev.issuer}/u/account/security`);
  await page.getByRole('link', { name: 'Add a sign-in method' }).click();
  await page.getByRole('link', { name: 'Passkey' }).click();
  await page.getByLabel('Name').fill('This laptop');
  await presence(true);
  await page.getByRole('button', { name: 'Create passkey' }).click();
  await page.waitForURL(/\/u\/account\/security$/);
  await presence(false);
  await page.goto(app);
  await onDashboard(page);
  await page.locator('#sign-out').click();
  await signedOut(page);
  // The login page's autofill request finds the passkey as soon as the authenticator answers.
  await presence(true);
  // Wait for the passkey's answer at Portcullis: while the sign-in action is in flight, Next.js
  // may show the cached signed-in dashboard for a moment, which is not the new session.
  const passkeyAnswered = page.waitForResponse((r) => r.url() === `${dev.issuer}/u/login/passkey`);
  await page.locator('#sign-in').click();
  await passkeyAnswered;
  await onDashboard(page);
  await presence(false);
  assert.equal(await page.locator('#acr').textContent(), 'aal3', await page.locator('main').innerText());
  assert.match(await page.locator('#amr').textContent(), /hwk/);
  await shot(page, 'passkey');

  // Change the bank account after its window passed: the API asks for a fresh aal2, the popup
  // proves it once, and the form retries without losing its input.
  await new Promise((r) => setTimeout(r, (BANK_MAX_AGE + 1) * 1000));
  await page.locator('input[name=iban]').fill('DE89 3704 0044 0532 0130 00');
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Change bank account' }).click();
  const popup = await popupOpened;
  const visited = [];
  popup.on('framenavigated', (f) => f === popup.mainFrame() && visited.push(f.url()));
  popup.on('close', () => visited.push('closed'));
  // A virtual authenticator belongs to one page: the popup gets one holding the same passkey.
  const popupCdp = await context.newCDPSession(popup);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  await popupCdp.send('WebAuthn.addCredential', {
    authenticatorId: await platformAuthenticator(popupCdp),
    credential: credentials[0],
  });
  await chooseMethod(popup, 'Use security key or passkey', 'A security key or passkey');
  await shot(popup, 'step-up');
  await popup.getByRole('button', { name: 'Use security key or passkey' }).click();
  try {
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  } catch (e) {
    throw new Error(`no Saved: popup went ${visited.join(' → ')}; page ${(await page.locator('#bank-account').innerHTML())}; popup ${popup.isClosed() ? '' : (await popup.content()).slice(0, 1500)}\n${nextOutput.slice(-2000)}`, { cause: e });
  }
  // The dashboard re-renders after the save: the new account shows once it has.
  await page.locator('#current-iban').filter({ hasText: 'DE89…3000' }).waitFor();
  await shot(page, 'bank-account-saved');

  // Delete account needs a sign-in within the minute: the step-up just now counts.
  await page.locator('#delete-account').click();
  await page.getByRole('status').filter({ hasText: 'Deletion requested' }).waitFor();

  // A recovery code, on a device the user never used.
  await presence(false);
  await page.locator('#sign-out').click();
  await signedOut(page);
  await anotherDevice(cdp);
  await page.locator('#sign-in').click();
  await password(page, email, pass);
  await chooseMethod(page, 'Verify', 'A recovery code');
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await onDashboard(page);

  // Another browser signs in too (a recovery code again); removing a factor here ends it there.
  const other = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page2 = await other.newPage();
  await anotherDevice(await other.newCDPSession(page2));
  await page2.goto(app);
  await page2.locator('#sign-in').click();
  await password(page2, email, pass);
  await chooseMethod(page2, 'Verify', 'A recovery code');
  await page2.getByLabel('Recovery code').fill(codes[1]);
  await page2.getByRole('button', { name: 'Verify' }).click();
  await onDashboard(page2);

  await page.getByRole('button', { name: /^Remove Authenticator app/ }).click();
  await page.waitForFunction(() => !document.querySelector('#factors li[data-type="authenticator"]'));
  await shot(page, 'factor-removed');
  let ended = false;
  for (let i = 0; i < 50 && !ended; i++) {
    await page2.reload();
    ended = await page2.locator('#sign-in').isVisible();
    if (!ended) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(ended, 'the other session ended by back-channel logout');
  await shot(page2, 'other-session-ended');
  await page.reload();
  await onDashboard(page);
  await other.close();

  // Nothing secret reached the app's logs.
  for (const value of [secret, ...codes, pass]) {
    assert.ok(!nextOutput.includes(value), 'a secret reached the app log');
  }
  await context.close();
});

test('Auth.js refreshes the access token before it expires, and shows when it cannot', async () => {
  // The same app on the same address, refreshing when less than 3595 of 3600 seconds are left.
  next.kill();
  await new Promise((r) => next.once('exit', r));
  next = await startNext(new URL(app).port, { ...nextEnv, REFRESH_MARGIN_SECONDS: '3595' });
  const email = 'refresh@example.com';
  const pass = 'a long enough passphrase';
  cli(['user', 'create', '--email', email, '--password', pass]);
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  await page.goto(app);
  await page.locator('#sign-in').click();
  await password(page, email, pass);
  await onDashboard(page);
  const first = await page.locator('#token-expiry').textContent();
  await new Promise((r) => setTimeout(r, 6000));
  await page.reload();
  await onDashboard(page);
  const second = await page.locator('#token-expiry').textContent();
  assert.ok(Date.parse(second) > Date.parse(first), `refreshed: ${first} → ${second}`);
  assert.equal(await page.locator('#session-error').count(), 0);

  // The app's secret rotated behind its back: the next refresh fails and the page says so.
  const admin = dev.output.match(/Management API client created[\s\S]*?client_secret:\s+(\S+)/)[1];
  const t = await (await fetch(`${dev.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'portcullis-admin', client_secret: admin, audience: `${dev.issuer}/api/v2/` }),
  })).json();
  const rotated = await fetch(`${dev.issuer}/api/v2/clients/${clientId}/rotate-secret`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.access_token}` },
  });
  assert.equal(rotated.status, 200);
  await new Promise((r) => setTimeout(r, 6000));
  await page.reload();
  await page.locator('#session-error').waitFor();
  await shot(page, 'refresh-failed');
  await context.close();
});
