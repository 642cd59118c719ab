// A user moved from Auth0 in a real Chromium against `portcullis serve --dev`: an export file
// (one user a line) holds carol with a bcrypt hash of her old password and the secret of her old
// authenticator app, and a line cut short. `portcullis import auth0` creates carol, refuses the
// broken line by number without echoing it, and exits 1. Carol then signs in on the hosted pages
// with the old password and a code from the old app, lands on the security page, which lists the
// app; signs out and in again (the password now rehashed to Argon2id) with the next code. The
// management API shows one password.rehashed event for her and finds her by Auth0's user_id.
// Screenshots go to the screenshot folder's import/ (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { startDevServer } from '../node/dev-server.mjs';
import {
  anotherDevice, launch, managementToken, onSecurityPage, password, signOut, step, totp, screenshotter,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const CAROL = 'carol@example.com';
const CAROL_AUTH0_ID = 'auth0|5f7c8ec7c33c6c004bbafe82';
// The password carol chose on Auth0, and the secret of the authenticator app she set up there.
const OLD_PASSWORD = 'harbour pebble 7412 saffron kite';
// 32 base32 characters (160 bits), as Auth0 exports a TOTP secret.
const OLD_SECRET = Array.from(randomBytes(32), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b & 31]).join('');

let dev;
let issuer;
let browser;
let files;

before(async () => {
  dev = await startDevServer(BIN);
  issuer = dev.issuer;
  files = mkdtempSync(join(tmpdir(), 'portcullis-import-'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  dev?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

const shot = screenshotter('import');

// The hash in the export file, for the checks that it is never printed.
let oldHash;

test('portcullis import auth0: carol is created with her factor, the broken line refused unechoed', () => {
  oldHash = bcrypt.hashSync(OLD_PASSWORD, 10);
  assert.match(oldHash, /^\$2b\$10\$/);
  const user = {
    user_id: CAROL_AUTH0_ID,
    email: CAROL,
    email_verified: true,
    name: 'Carol Example',
    created_at: '2020-10-06T15:22:47.123Z',
    password_hash: oldHash,
    mfa_factors: [{ totp: { secret: OLD_SECRET } }],
  };
  // Another user's line, cut short in the middle of the hash.
  const other = bcrypt.hashSync('mallory never signs in', 10);
  const broken = `{"user_id":"auth0|60425dc43519d90068f82973","email":"mallory@example.com","password_hash":"${other.slice(0, 30)}`;
  const file = join(files, 'users.ndjson');
  writeFileSync(file, `${JSON.stringify(user)}\n${broken}\n`);

  const run = spawnSync(BIN, ['--dev', 'import', 'auth0', file], {
    cwd: dev.dir,
    // Only PATH: every PORTCULLIS_* variable is read as a setting.
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1, `one line refused: exit 1\n${run.stdout}\n${run.stderr}`);
  const totals = JSON.parse(run.stdout);
  assert.deepEqual(totals, { created: 1, updated: 0, failed: 1, factors: 1 });
  const refused = run.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.equal(refused.length, 1, run.stderr);
  assert.equal(refused[0].line, 2);
  assert.equal(typeof refused[0].error, 'string');
  for (const text of [broken, 'mallory', other.slice(0, 30), oldHash, OLD_SECRET]) {
    assert.ok(!run.stderr.includes(text), `stderr echoes ${text}: ${run.stderr}`);
    assert.ok(!run.stdout.includes(text), `stdout echoes ${text}: ${run.stdout}`);
  }
});

test('carol signs in with her old Auth0 password and her old authenticator app, twice', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);

  // The old password (bcrypt, as imported), then a code from the old app.
  await page.goto(`${issuer}/u/account/security`);
  await page.waitForURL(/\/u\/login/);
  await password(page, CAROL, OLD_PASSWORD);
  await page.waitForURL(/\/u\/mfa/);
  await shot(page, 'mfa');
  const used = step();
  await page.getByLabel('Code from your authenticator app').fill(totp(OLD_SECRET, used));
  await page.getByRole('button', { name: 'Verify' }).click();
  await onSecurityPage(page);
  const methods = page.getByRole('table', { name: 'Sign-in methods' });
  assert.match(await methods.textContent(), /Authenticator app \(from Auth0\)/);
  assert.match(await page.textContent('body'), /Signed in as carol@example\.com/);
  await shot(page, 'security');

  // Again, from a browser new to her (so the second factor is asked), with the same password
  // (now Argon2id) and the code of the next step: a code is accepted once.
  await signOut(page, issuer);
  await anotherDevice(cdp);
  await password(page, CAROL, OLD_PASSWORD);
  await page.waitForURL(/\/u\/mfa/);
  const next = Math.max(used + 1, step());
  await page.getByLabel('Code from your authenticator app').fill(totp(OLD_SECRET, next));
  await page.getByRole('button', { name: 'Verify' }).click();
  await onSecurityPage(page);
  assert.match(await page.getByRole('table', { name: 'Sign-in methods' }).textContent(), /Authenticator app/);
  await context.close();

  // Nothing secret reached the server's output.
  for (const value of [OLD_PASSWORD, OLD_SECRET, oldHash]) {
    assert.ok(!dev.output.includes(value), 'a password, hash or TOTP secret was logged');
  }
});

test('the management API finds carol by her Auth0 user_id and shows the rehash once', async () => {
  const headers = { authorization: `Bearer ${await managementToken(dev)}` };
  const found = await fetch(`${issuer}/api/v2/users/${encodeURIComponent(CAROL_AUTH0_ID)}`, { headers });
  assert.equal(found.status, 200, await found.clone().text());
  const user = await found.json();
  assert.equal(user.email, CAROL);
  assert.equal(user.email_verified, true);
  assert.equal(user.name, 'Carol Example');
  assert.ok(user.user_id.startsWith('usr'), `her id here: ${user.user_id}`);
  assert.ok(user.multifactor.includes('totp'), `multifactor: ${user.multifactor}`);

  const logs = await fetch(`${issuer}/api/v2/logs?type=password.rehashed`, { headers });
  assert.equal(logs.status, 200, await logs.clone().text());
  const events = await logs.json();
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].type, 'password.rehashed');
  assert.equal(events[0].user_id, user.user_id);
  assert.deepEqual(events[0].details, { from: '2b' });
});
