// Auth0's own Next.js SDK (@auth0/nextjs-auth0 v4) against Portcullis as if Portcullis were an
// Auth0 tenant: only AUTH0_DOMAIN changes. Portcullis serves https with a self-signed certificate
// (the SDK speaks nothing else) that the app's Node trusts through NODE_EXTRA_CA_CERTS; Chromium
// ignores certificate errors. The journey: sign in with a password (aal1); a route asks the SDK
// for a token for an API whose policy wants aal2 and gets MfaRequiredError; the SDK's MFA helpers
// answer it with a TOTP code and give a token for that API at aal2; the next forced refresh for
// that API needs no factor; step-up by redirect (acr_values=aal2, max_age=0: the password again,
// then the code on Portcullis's /u/mfa); logout through the SDK ends the Portcullis session.
// `npm run build-app` builds the app (the test builds it once itself when .next/ is missing).
// Screenshots go to target/screenshots/nextjs-auth0/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createPublicKey, randomBytes, verify as verifySignature } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDevServer } from '../node/dev-server.mjs';
import { totp, totpStep } from '../totp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const SHOTS = resolve(here, '../../target/screenshots/nextjs-auth0');
const PAYOUTS = 'https://payouts.example';
const EMAIL = 'payouts@example.com';
const PASSWORD = 'correct horse battery staple';

let certs;
let dev;
let next;
let nextOutput = '';
let app;
let client;
let user;
let browser;
let context;
let page;
let secret;
let usedStep;
let broken = false;
const seen = { authorize: [], logout: [] };

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const cli = (args) =>
  JSON.parse(execFileSync(BIN, [...args, '--dev'], { cwd: dev.dir, env: { PATH: process.env.PATH } }).toString());

/** A request to Portcullis from this process, trusting its self-signed certificate. */
function portcullis(path, { form, json, bearer, basic } = {}) {
  const url = new URL(path, dev.issuer);
  const headers = {};
  let body;
  if (form) {
    body = new URLSearchParams(form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (json) {
    body = JSON.stringify(json);
    headers['content-type'] = 'application/json';
  }
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (basic) headers.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
  return new Promise((ok, fail) => {
    const req = httpsRequest(url, { method: body ? 'POST' : 'GET', headers, ca: readFileSync(join(certs, 'cert.pem')) }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => ok({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** A TOTP code of a time step after the last one used (Portcullis accepts each step once). */
async function freshCode() {
  const next = Math.max(usedStep + 1, totpStep());
  // Portcullis accepts the current step and the one after; wait until `next` is one of them.
  while (totpStep() < next - 1) await new Promise((r) => setTimeout(r, 250));
  usedStep = next;
  return totp(secret, next);
}

/** The claims of a JWT that Portcullis signed (checked against its JWKS), else an assertion fails. */
async function verified(jwt) {
  const [h, p, sig] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const { body: jwks } = await portcullis('/.well-known/jwks.json');
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `kid ${header.kid} in the JWKS`);
  const digest = { RS256: 'sha256', ES256: 'sha256', EdDSA: null }[header.alg];
  assert.notEqual(digest, undefined, `alg ${header.alg}`);
  const key = { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' };
  assert.ok(verifySignature(digest, Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url')), 'signature');
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}
const audiences = (aud) => (Array.isArray(aud) ? aud : [aud]);

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** What went on, for a failed assertion: the page, the app's log, Portcullis's log. */
async function story() {
  let content = '';
  try {
    content = (await page.content()).slice(0, 2000);
  } catch {}
  return `\npage ${page?.url()}\n${content}\n--- app ---\n${nextOutput.slice(-4000)}\n--- Portcullis ---\n${dev?.output.slice(-4000)}`;
}

/** Runs a step of the journey; after a failed one the rest are skipped. */
function step(name, fn) {
  test(name, async (t) => {
    if (broken) return t.skip('an earlier step failed');
    try {
      await fn();
    } catch (e) {
      broken = true;
      e.message += await story();
      throw e;
    }
  });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(join(here, '.next/BUILD_ID'))) {
    // `npm run build-app` is the usual way; a bare `npm test` builds the app once itself.
    execFileSync(process.execPath, [join(here, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: here,
      env: { PATH: process.env.PATH, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: 'ignore',
    });
  }

  certs = mkdtempSync(join(tmpdir(), 'portcullis-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'), '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  dev = await startDevServer(BIN, {
    PORTCULLIS_TLS__CERT: join(certs, 'cert.pem'),
    PORTCULLIS_TLS__KEY: join(certs, 'key.pem'),
    // A password alone signs in (aal1); the payouts API's own policy asks for more.
    PORTCULLIS_POLICY__MFA: 'never',
  });
  assert.match(dev.issuer, /^https:\/\/localhost:\d+$/);

  const port = await freePort();
  app = `http://localhost:${port}`;
  cli(['api', 'create', '--identifier', PAYOUTS, '--name', 'Payouts', '--scope', 'read:payouts', '--policy', 'required_acr=aal2']);
  client = cli([
    'client', 'create', '--name', 'Payouts (nextjs-auth0)',
    '--redirect-uri', `${app}/auth/callback`,
    '--post-logout-redirect-uri', app,
    '--grant', 'authorization_code', '--grant', 'refresh_token',
    '--api', PAYOUTS, '--scope', 'read:payouts',
  ]);
  user = cli(['user', 'create', '--email', EMAIL, '--password', PASSWORD]);

  // The user's authenticator app, enrolled through the MFA API by a password-grant client whose
  // policy asks for a factor: mfa_required (enroll) → associate otp → mfa-otp confirms it.
  const enroller = cli(['client', 'create', '--name', 'enrolment', '--grant', 'password', '--policy', 'mfa=always']);
  const basic = [enroller.client_id, enroller.client_secret];
  const first = await portcullis('/oauth/token', {
    basic,
    form: { grant_type: 'password', username: EMAIL, password: PASSWORD, scope: 'openid' },
  });
  assert.equal(first.status, 403, JSON.stringify(first.body));
  assert.deepEqual(first.body.mfa_requirements, { enroll: [{ type: 'otp' }, { type: 'oob' }] });
  const associated = await portcullis('/mfa/associate', {
    bearer: first.body.mfa_token,
    json: { authenticator_types: ['otp'] },
  });
  assert.equal(associated.status, 200, JSON.stringify(associated.body));
  secret = associated.body.secret;
  usedStep = totpStep();
  const confirmed = await portcullis('/oauth/token', {
    basic,
    form: { grant_type: 'http://auth0.com/oauth/grant-type/mfa-otp', mfa_token: first.body.mfa_token, otp: totp(secret, usedStep) },
  });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

  next = spawn(process.execPath, [join(here, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port)], {
    cwd: here,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_EXTRA_CA_CERTS: join(certs, 'cert.pem'),
      // What an Auth0 tenant's quickstart sets; only the domain is Portcullis's (a URL, as the
      // SDK takes a port only in that form: see lib/auth0.js).
      AUTH0_DOMAIN: dev.issuer,
      AUTH0_CLIENT_ID: client.client_id,
      AUTH0_CLIENT_SECRET: client.client_secret,
      AUTH0_SECRET: randomBytes(32).toString('hex'),
      APP_BASE_URL: app,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  next.stdout.on('data', (c) => { nextOutput += c; });
  next.stderr.on('data', (c) => { nextOutput += c; });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(app)).ok) break;
    } catch {}
    if (i > 150) throw new Error(`the Next.js app did not start: ${nextOutput}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 900 } });
  page = await context.newPage();
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== dev.issuer || !r.isNavigationRequest()) return;
    if (url.pathname === '/authorize') seen.authorize.push(url.searchParams);
    if (url.pathname === '/oidc/logout') seen.logout.push(url.searchParams);
  });
});

after(async () => {
  await browser?.close();
  next?.kill();
  dev?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
});

async function onHome() {
  await page.waitForURL((u) => u.origin === app && u.pathname === '/');
  await page.locator('#acr').waitFor();
}

/** Clicks `button` on /payouts and returns the app's answer from `path`, once the page shows it. */
async function payoutsAnswer(button, path) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === path);
  await button.click();
  const res = await answered;
  const answer = { status: res.status(), ...(await res.json()) };
  await page.locator(`#status[data-status="${answer.status}"]`).waitFor();
  return answer;
}

/** Where Portcullis sends `/authorize?prompt=none` for the app, in this browser. */
async function silentAuthorize() {
  const callback = `${app}/auth/callback`;
  await page.route(`${callback}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'probe' }));
  const arrived = page.waitForRequest((r) => r.url().startsWith(callback));
  const q = new URLSearchParams({
    response_type: 'code', client_id: client.client_id, redirect_uri: callback, scope: 'openid', state: 'probe', prompt: 'none',
  });
  await page.goto(`${dev.issuer}/authorize?${q}`);
  const params = new URL((await arrived).url()).searchParams;
  await page.unroute(`${callback}**`);
  return params;
}

step('1. /auth/login: the hosted page, a password, back to the app at aal1', async () => {
  await page.goto(app);
  await page.locator('#sign-in').click();
  await page.waitForURL((u) => u.origin === dev.issuer && u.pathname === '/u/login');
  const asked = seen.authorize.at(-1);
  assert.equal(asked.get('client_id'), client.client_id);
  assert.equal(asked.get('redirect_uri'), `${app}/auth/callback`);
  assert.deepEqual(asked.get('scope').split(' ').sort(), ['email', 'offline_access', 'openid', 'profile']);
  assert.equal(asked.get('code_challenge_method'), 'S256');
  await shot('1-login');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await onHome();
  assert.equal(await page.locator('#email').textContent(), EMAIL);
  assert.equal(await page.locator('#sub').textContent(), user.user_id);
  assert.equal(await page.locator('#acr').textContent(), 'aal1');
  assert.equal(await page.locator('#amr').textContent(), 'pwd');
  await shot('1-signed-in');
});

let sid;
let authTime;
step('2. getAccessToken({ audience, scope, refresh: true }) throws MfaRequiredError with an mfa_token', async () => {
  sid = await page.locator('#sid').textContent();
  authTime = Number(await page.locator('#auth-time').textContent());
  await page.locator('#payouts').click();
  await page.waitForURL(`${app}/payouts`);
  const answer = await payoutsAnswer(page.locator('#load'), '/api/payouts');
  assert.equal(answer.status, 403, JSON.stringify(answer));
  assert.equal(answer.error, 'mfa_required', JSON.stringify(answer));
  // The SDK hands the application Portcullis's mfa_token encrypted with its own secret.
  assert.equal(typeof answer.mfa_token, 'string');
  assert.ok(answer.mfa_token.length > 20);
  assert.ok(answer.mfa_requirements.challenge.some((c) => c.type === 'otp'), JSON.stringify(answer.mfa_requirements));
  await page.locator('#mfa').waitFor();
  await shot('2-mfa-required');
});

let stepped;
step('3. auth0.mfa getAuthenticators → challenge → verify with a TOTP code: a payouts token at aal2', async () => {
  // A wrong code first: the SDK's MfaVerifyError carries Portcullis's invalid_grant, and the
  // mfa_token stays good for the right one.
  const now = totpStep();
  const valid = [-1, 0, 1, 2].map((d) => totp(secret, now + d));
  const wrong = ['000000', '111111', '222222'].find((c) => !valid.includes(c));
  await page.getByLabel('Code from your authenticator app').fill(wrong);
  const refused = await payoutsAnswer(page.getByRole('button', { name: 'Verify' }), '/api/payouts/verify');
  assert.equal(refused.name, 'MfaVerifyError', JSON.stringify(refused));
  assert.equal(refused.error, 'invalid_grant', JSON.stringify(refused));
  assert.equal(refused.error_description, 'Invalid otp_code.');
  await shot('3-wrong-code');
  await page.getByLabel('Code from your authenticator app').fill(await freshCode());
  const answer = await payoutsAnswer(page.getByRole('button', { name: 'Verify' }), '/api/payouts/verify');
  assert.equal(answer.status, 200, JSON.stringify(answer));
  assert.ok(answer.steps.authenticators.some((a) => a.authenticatorType === 'otp' && a.type === 'otp' && a.active), JSON.stringify(answer.steps));
  assert.equal(answer.steps.challenge.challengeType, 'otp');
  assert.equal(answer.steps.verified.success, true);
  stepped = await verified(answer.token);
  assert.deepEqual(stepped, answer.claims);
  assert.ok(audiences(stepped.aud).includes(PAYOUTS), `aud ${JSON.stringify(stepped.aud)}`);
  assert.equal(stepped.acr, 'aal2');
  assert.ok(stepped.amr.includes('otp'), `amr ${stepped.amr}`);
  assert.equal(stepped.sub, user.user_id);
  assert.equal(stepped.iss, dev.issuer);
  assert.ok(stepped.scope.split(' ').includes('read:payouts'), `scope ${stepped.scope}`);
  await shot('3-payouts-token');
});

step('4. the next getAccessToken({ audience, scope, refresh: true }) needs no factor', async () => {
  await page.reload();
  const answer = await payoutsAnswer(page.locator('#load'), '/api/payouts');
  assert.equal(answer.status, 200, JSON.stringify(answer));
  const refreshed = await verified(answer.token);
  assert.notEqual(refreshed.jti, stepped.jti, 'a new token, from the refresh token');
  assert.ok(audiences(refreshed.aud).includes(PAYOUTS), `aud ${JSON.stringify(refreshed.aud)}`);
  assert.equal(refreshed.acr, 'aal2');
  assert.equal(refreshed.sub, user.user_id);
  assert.equal(refreshed.sid, stepped.sid);
  assert.ok(refreshed.scope.split(' ').includes('read:payouts'), `scope ${refreshed.scope}`);
  assert.equal(await page.locator('#mfa').count(), 0);
});

step('5. /auth/login?acr_values=aal2&max_age=0: password again, the code on /u/mfa, the session says aal2', async () => {
  await page.goto(`${app}/auth/login?acr_values=aal2&max_age=0`);
  await page.waitForURL((u) => u.origin === dev.issuer && u.pathname.startsWith('/u/'));
  const asked = seen.authorize.at(-1);
  assert.equal(asked.get('acr_values'), 'aal2');
  assert.equal(asked.get('max_age'), '0');
  // max_age=0 is prompt=login (OIDC Core §3.1.2.1): Portcullis asks for the whole sign-in again,
  // the password first, then the factor that aal2 needs; the session stays the same.
  assert.equal(new URL(page.url()).pathname, '/u/login', `Portcullis asked for ${page.url()}`);
  await shot('5-login-again');
  const email = page.getByLabel('Email');
  if (await email.isEditable()) await email.fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.origin === dev.issuer && u.pathname === '/u/mfa');
  await shot('5-step-up');
  await page.getByLabel('Code from your authenticator app').fill(await freshCode());
  await page.getByRole('button', { name: 'Verify' }).click();
  await onHome();
  assert.equal(await page.locator('#acr').textContent(), 'aal2');
  assert.deepEqual((await page.locator('#amr').textContent()).split(' ').sort(), ['mfa', 'otp', 'pwd']);
  assert.equal(await page.locator('#sid').textContent(), sid, 'the Portcullis session stepped up, not replaced');
  assert.ok(Number(await page.locator('#auth-time').textContent()) > authTime, 'auth_time moved forward');
  await shot('5-stepped-up');
});

step('6. /auth/logout ends the Portcullis session: prompt=none then answers login_required', async () => {
  const before = await silentAuthorize();
  assert.ok(before.get('code'), `signed in before logout: ${before}`);
  await page.goto(app);
  await onHome();
  await page.locator('#sign-out').click();
  await page.waitForURL((u) => u.origin === app && u.pathname === '/');
  await page.locator('#signed-out').waitFor();
  const logout = seen.logout.at(-1);
  assert.ok(logout, 'the SDK sent the browser to Portcullis\'s end_session_endpoint');
  assert.equal(logout.get('client_id'), client.client_id);
  assert.equal(logout.get('post_logout_redirect_uri'), app);
  assert.ok(logout.get('id_token_hint'));
  assert.equal(logout.get('logout_hint'), sid);
  // The SDK revokes the refresh token on the way out and only warns when that fails.
  assert.doesNotMatch(nextOutput, /Failed to revoke/);
  await shot('6-signed-out');
  const afterLogout = await silentAuthorize();
  assert.equal(afterLogout.get('error'), 'login_required', `${afterLogout}`);
  assert.equal(afterLogout.get('state'), 'probe');
});
