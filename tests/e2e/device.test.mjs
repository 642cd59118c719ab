// The device authorization grant (RFC 8628) against `portcullis serve --dev`: openid-client v6
// is the device (a TV without a browser: it asks for a code, shows it and polls the token
// endpoint), a real Chromium is the person approving it on the hosted pages. The TV asks for
// aal2: the person opens the link, confirms the prefilled code, signs in with the password and a
// TOTP code, sees the same code on the consent page and allows it; the poll ends with tokens
// carrying acr aal2 and amr otp, the refresh token works and the device code is spent. A second
// device, denied from the signed-in browser, hears access_denied; a wrong or spent code is
// refused on the page. axe-core checks the pages. Screenshots go to the screenshot folder's
// device/ (helpers.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import { startDevServer } from '../node/dev-server.mjs';
import {
  accessible, enrolTotpApart, launch, managementToken, password, screenshotter, stepAfter, totp,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const EMAIL = 'tv@example.com';
const PASSWORD = 'seven herons over the old mill';
// Eight consonants with a dash: no vowels, none of the letters people confuse.
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

let dev;
let issuer;
let browser;
let tv;
let config;
// The person's browser: signed in by the first test, still signed in for the second.
let context;
let page;

/** A management API call with `token`; the JSON answer. */
async function api(token, method, path, body) {
  const res = await fetch(`${issuer}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** A form POST to the server, as a device without a library would send it; status and JSON. */
async function post(path, form) {
  const res = await fetch(`${issuer}${path}`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  dev = await startDevServer(BIN, { RUST_LOG: 'info' });
  issuer = dev.issuer;
  const token = await managementToken(dev);
  await api(token, 'POST', '/api/v2/users', {
    email: EMAIL,
    password: PASSWORD,
    email_verified: true,
    connection: 'Username-Password-Authentication',
  });
  // A public client (a TV keeps no secret) that may use the device grant and refresh.
  tv = await api(token, 'POST', '/api/v2/clients', {
    name: 'Living Room TV',
    grant_types: [GRANT, 'refresh_token'],
    token_endpoint_auth_method: 'none',
  });
  assert.equal(tv.client_secret, undefined, 'a public client has no secret');
  config = await client.discovery(new URL(issuer), tv.client_id, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

const shot = screenshotter('device');

/**
 * The device starts polling (it waits an interval before each poll); the promise settles with
 * its tokens or its error. `stop` ends the polling when a test gives up early.
 */
function poll(authorization) {
  const controller = new AbortController();
  const polling = client.pollDeviceAuthorizationGrant(config, authorization, undefined, {
    signal: controller.signal,
  });
  // Awaited by the test; this keeps an abandoned poll from failing the run unhandled.
  polling.catch(() => {});
  return { polling, stop: () => controller.abort() };
}

/** Opens the link the device shows and confirms the prefilled code: the request goes on. */
async function confirmCode(authorization) {
  await page.goto(authorization.verification_uri_complete);
  await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
  // The link only fills the code in; a sign-in starts when the person confirms it.
  assert.equal(await page.getByLabel('Code').inputValue(), authorization.user_code);
  return page;
}

/** Types `code` into the device page; the page answers 400 with an alert. */
async function refusedCode(code) {
  await page.goto(`${issuer}/u/device`);
  await page.getByLabel('Code').fill(code);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${issuer}/u/device` && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Continue' }).click(),
  ]);
  assert.equal(res.status(), 400);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /This code is not valid, was already used or has expired/);
  assert.equal(await page.getByLabel('Code').getAttribute('aria-invalid'), 'true');
  assert.ok(page.url().endsWith('/u/device'));
}

test('a TV signs in with the device flow: openid-client polls while Chromium approves with password and TOTP', async () => {
  const m = config.serverMetadata();
  assert.equal(m.device_authorization_endpoint, `${issuer}/oauth/device/code`);
  assert.ok(m.grant_types_supported.includes(GRANT));

  // What only /authorize means is refused here.
  for (const [k, v] of [['redirect_uri', 'https://tv.example.com/cb'], ['prompt', 'login'], ['state', 'st']]) {
    const { status, body } = await post('/oauth/device/code', { client_id: tv.client_id, scope: 'openid', [k]: v });
    assert.equal(status, 400, k);
    assert.equal(body.error, 'invalid_request', k);
  }

  const { secret, enrolled } = await enrolTotpApart(browser, issuer, EMAIL, PASSWORD);

  // The TV asks for a second factor and a refresh token, then polls.
  const authorization = await client.initiateDeviceAuthorization(config, {
    scope: 'openid email offline_access',
    acr_values: 'aal2',
  });
  assert.match(authorization.user_code, USER_CODE);
  assert.equal(authorization.verification_uri, `${issuer}/u/device`);
  assert.equal(
    authorization.verification_uri_complete,
    `${issuer}/u/device?user_code=${authorization.user_code}`,
  );
  assert.equal(authorization.expires_in, 600);
  assert.equal(authorization.interval, 5);
  const { polling, stop } = poll(authorization);
  try {
    // The person opens the link on their phone (a browser without a session) and confirms.
    await confirmCode(authorization);
    await accessible(page, 'device code');
    await shot(page, 'code');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/u\/login/);
    await password(page, EMAIL, PASSWORD);
    // The TV asked for aal2: the authenticator app, with a code of a later step than enrolment.
    await page.waitForURL(/\/u\/mfa/);
    await page.getByLabel('Code from your authenticator app').fill(totp(secret, await stepAfter(enrolled)));
    await page.getByRole('button', { name: 'Verify' }).click();

    // Always a consent page, repeating the code the TV shows.
    await page.waitForURL(/\/u\/consent/);
    await page.getByRole('heading', { name: /Living Room TV/ }).waitFor();
    assert.equal((await page.locator('#user-code').textContent()).trim(), authorization.user_code);
    assert.ok((await page.textContent('body')).includes(EMAIL), 'the consent page names the account');
    await accessible(page, 'device consent');
    await shot(page, 'consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    assert.match(await page.textContent('body'), /Your device is now signed in to Living Room TV/);
    await accessible(page, 'device connected');
    await shot(page, 'connected');

    // The TV's next poll takes the tokens.
    const tokens = await polling;
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.deepEqual([claims.aud].flat(), [tv.client_id]);
    assert.equal(claims.acr, 'aal2');
    assert.ok(claims.amr.includes('otp'), `amr ${JSON.stringify(claims.amr)}`);
    assert.equal(claims.email, EMAIL);
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token, 'offline_access gives the TV a refresh token');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, EMAIL);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    if (refreshed.id_token) assert.equal(refreshed.claims().sub, claims.sub);

    // The device code gives tokens once; the user code is spent.
    const again = await post('/oauth/token', {
      grant_type: GRANT,
      device_code: authorization.device_code,
      client_id: tv.client_id,
    });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    await refusedCode(authorization.user_code);
  } finally {
    stop();
  }
});

test('a second device, denied from the signed-in browser, hears access_denied; a wrong code is refused', async () => {
  const authorization = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
  assert.match(authorization.user_code, USER_CODE);

  // A device polling faster than the interval is told to slow down: of three polls at once, the
  // first waits for the person and a later one is too soon (one may fall in the next window).
  const polls = [];
  for (let i = 0; i < 3; i += 1) {
    polls.push((await post('/oauth/token', {
      grant_type: GRANT,
      device_code: authorization.device_code,
      client_id: tv.client_id,
    })).body.error);
  }
  assert.equal(polls[0], 'authorization_pending');
  assert.ok(polls.slice(1).includes('slow_down'), `polls: ${polls.join(', ')}`);

  const { polling, stop } = poll(authorization);
  try {
    // Signed in already: straight from the code to the consent page.
    await confirmCode(authorization);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/u\/consent/);
    assert.equal((await page.locator('#user-code').textContent()).trim(), authorization.user_code);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Device not connected' }).waitFor();
    await shot(page, 'denied');
    await assert.rejects(polling, (err) => {
      assert.equal(err.error, 'access_denied');
      return true;
    });

    // A code no device was given: the form again, with the error announced.
    await refusedCode('WXZQ-RTVP');
    await accessible(page, 'wrong code');
    await shot(page, 'wrong-code');
  } finally {
    stop();
  }
});
