// The Rust payout example (portcullis-rp web app + portcullis-guard API) in Chromium against
// `portcullis serve --dev`: sign in; enrol TOTP on the security page; "Change bank account"
// steps up (one code, on Portcullis's page) and comes back to confirm; for the next minutes no
// prompt; "Delete account" within the minute; a recovery code on a new device; sign out.
// Screenshots go to the screenshot folder's payout/ (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../node/dev-server.mjs';
import { anotherDevice, freePort, launch, password, step, stepAfter, totp, screenshotter } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const PAYOUT = process.env.PAYOUT_BIN ?? resolve(here, '../../target/debug/payout');

let dev;
let payout;
let web;
let browser;
let output = '';

const cli = (args) =>
  JSON.parse(execFileSync(BIN, [...args, '--dev'], { cwd: dev.dir, env: { PATH: process.env.PATH } }).toString());

before(async () => {
  dev = await startDevServer(BIN);
  const [webPort, apiPort] = [await freePort(), await freePort()];
  web = `http://127.0.0.1:${webPort}`;
  cli(['api', 'create', '--identifier', 'https://payouts.example.com', '--scope', 'payouts:write']);
  const client = cli([
    'client', 'create', '--name', 'Payouts (Rust)',
    '--redirect-uri', `${web}/auth/callback`,
    '--post-logout-redirect-uri', `${web}/`,
  ]);
  payout = spawn(PAYOUT, [], {
    env: {
      PATH: process.env.PATH,
      ISSUER: dev.issuer,
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret,
      APP_SECRET: randomBytes(32).toString('base64'),
      WEB_LISTEN: `127.0.0.1:${webPort}`,
      API_LISTEN: `127.0.0.1:${apiPort}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  payout.stdout.on('data', (c) => { output += c; });
  payout.stderr.on('data', (c) => { output += c; });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(web)).ok) break;
    } catch {}
    if (i > 150) throw new Error(`the payout example did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  payout?.kill();
  dev?.stop();
});

const shot = screenshotter('payout');

async function home(page) {
  await page.waitForURL(`${web}/`);
  await page.locator('#acr').waitFor();
}

test('payout example (portcullis-rp + portcullis-guard): step-up once, then no prompt', async () => {
  const email = 'payout@example.com';
  const pass = 'correct horse battery staple';
  cli(['user', 'create', '--email', email, '--password', pass]);
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);

  await page.goto(web);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await password(page, email, pass);
  await home(page);
  assert.equal(await page.locator('#acr').textContent(), 'aal1');
  await shot(page, 'signed-in');

  // An authenticator app from Portcullis's security page.
  await page.goto(`${dev.issuer}/u/account/security`);
  await page.getByRole('link', { name: 'Add a sign-in method' }).click();
  await page.getByRole('link', { name: 'Authenticator app' }).click();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  let used = step();
  await page.getByRole('textbox', { name: 'Code from the app' }).fill(totp(secret, used));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  const codes = await page.locator('#recovery-codes code').allTextContents();
  await page.getByRole('button', { name: /I have saved them/ }).click();

  // Sign out, and in again on this browser with a recovery code: a multi-factor sign-in, after
  // which the adaptive policy knows the browser and asks for the password only.
  const signOut = async () => {
    await page.goto(`${web}/auth/logout`);
    await page.waitForURL(`${web}/`);
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
  };
  await page.goto(web);
  await signOut();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await password(page, email, pass);
  await page.waitForURL(/\/u\/mfa/);
  await page.getByText('Try another way').click();
  await page.getByRole('link', { name: 'A recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await home(page);
  await signOut();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await password(page, email, pass);
  await home(page);
  assert.equal(await page.locator('#acr').textContent(), 'aal1');

  // The API asks for aal2: the user proves the code on Portcullis's page only, and comes back
  // to confirm the same change.
  await page.getByLabel('New IBAN').fill('DE89370400440532013000');
  await page.getByRole('button', { name: 'Change bank account' }).click();
  await page.waitForURL(/\/u\/mfa/);
  used = await stepAfter(used);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, used));
  await shot(page, 'step-up');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/bank-account\/confirm/);
  await page.getByRole('button', { name: 'Change bank account' }).click();
  await page.locator('#result').waitFor();
  assert.match(await page.locator('#result').textContent(), /DE89/);
  await shot(page, 'bank-account-changed');

  // Within the five minutes: no prompt.
  await page.goto(web);
  await home(page);
  assert.equal(await page.locator('#acr').textContent(), 'aal2');
  await page.getByLabel('New IBAN').fill('FR7630006000011234567890189');
  await page.getByRole('button', { name: 'Change bank account' }).click();
  await page.locator('#result').waitFor();
  assert.match(await page.locator('#result').textContent(), /FR76/);

  // Delete account: a sign-in within the minute, which the step-up just was.
  await page.goto(web);
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.locator('#result').filter({ hasText: 'deleted' }).waitFor();

  // Sign out, then a recovery code on a device the user never used.
  await signOut();
  await anotherDevice(cdp);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await password(page, email, pass);
  await page.waitForURL(/\/u\/mfa/);
  await page.getByText('Try another way').click();
  await page.getByRole('link', { name: 'A recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[1]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await home(page);
  assert.equal(await page.locator('#acr').textContent(), 'aal2');
  assert.equal(await page.locator('#mfa').textContent(), 'on');
  await shot(page, 'recovery-code');

  for (const value of [secret, ...codes, pass]) {
    assert.ok(!output.includes(value), 'a secret reached the example app log');
  }
  await context.close();
});
