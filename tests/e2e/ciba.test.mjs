// Client-Initiated Backchannel Authentication (OpenID CIBA Core 1.0, poll mode) against
// `portcullis serve --dev`: openid-client v6 is the client (a box office till that knows the
// customer's email but never sees a browser: it asks /bc-authorize, then polls the token
// endpoint), a real Chromium is the person approving it from the emailed link. The link's page
// repeats the binding message; the person continues, signs in with the password and a TOTP code,
// sees the same message on the consent page and allows it; the poll ends with tokens carrying
// acr aal2 and amr otp, and the auth_req_id is spent. A second request, from the browser that is
// still signed in, asks for a fresh TOTP code before its consent page, where the person denies
// it; a third is denied on the link's page. Both clients hear access_denied, and a spent link
// shows the page's own "gone" words. axe-core checks the pages. Screenshots go to the
// screenshot folder's ciba/ (helpers.mjs).
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
const GRANT = 'urn:openid:params:grant-type:ciba';
const EMAIL = 'customer@example.com';
const PASSWORD = 'amber lanterns along the canal';
const CLIENT_NAME = 'Box Office';
const GONE = 'This request has expired, was already answered or is not known.';

let dev;
let issuer;
let browser;
let till;
let user;
let config;
// The person's authenticator app and the last time step a code of it was used.
let secret;
let used;
// The person's browser: signed in by the first test, still signed in for the second.
let context;
let page;
// Approval links already taken from the outbox, so each request finds its own.
const seen = new Set();

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

/** A token request as the till would send it without a library (client_secret_basic). */
async function redeem(authReqId) {
  const id = encodeURIComponent(till.client_id);
  const pass = encodeURIComponent(till.client_secret);
  const res = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${pass}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: GRANT, auth_req_id: authReqId }),
  });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  dev = await startDevServer(BIN, { RUST_LOG: 'info' });
  issuer = dev.issuer;
  const token = await managementToken(dev);
  user = await api(token, 'POST', '/api/v2/users', {
    email: EMAIL,
    password: PASSWORD,
    email_verified: true,
    connection: 'Username-Password-Authentication',
  });
  // A confidential client (the till keeps its secret on the shop's server) for the CIBA grant.
  till = await api(token, 'POST', '/api/v2/clients', {
    name: CLIENT_NAME,
    grant_types: [GRANT],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  assert.ok(till.client_secret, 'a confidential client has a secret');
  assert.equal(till.backchannel_token_delivery_mode, 'poll');
  config = await client.discovery(
    new URL(issuer),
    till.client_id,
    undefined,
    client.ClientSecretBasic(till.client_secret),
    { execute: [client.allowInsecureRequests] },
  );
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

const shot = screenshotter('ciba');

/** Proves the authenticator app on the MFA page with a code of a step not used before. */
async function proveTotp() {
  await page.waitForURL(/\/u\/mfa/);
  used = await stepAfter(used);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, used));
  await page.getByRole('button', { name: 'Verify' }).click();
}

/**
 * The newest approval email to the person with a link not seen before (the server sends it in
 * the background, after answering the client): its subject, text and link.
 */
async function approvalMail() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${issuer}/dev/outbox.json`);
    assert.equal(res.status, 200);
    for (const mail of await res.json()) {
      const link = mail.to === EMAIL && mail.text.match(/https?:\/\/\S+?\/u\/ciba\?t=[\w-]+/)?.[0];
      if (link && !seen.has(link)) {
        seen.add(link);
        return { ...mail, link };
      }
    }
    assert.ok(Date.now() < deadline, `no new approval email to ${EMAIL}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The till asks for the person; the answer is checked and the emailed link found. */
async function ask(parameters) {
  const response = await client.initiateBackchannelAuthentication(config, {
    login_hint: EMAIL,
    ...parameters,
  });
  assert.equal(typeof response.auth_req_id, 'string');
  assert.ok(response.auth_req_id.length >= 20, 'an auth_req_id is not guessable');
  assert.equal(response.interval, 5);
  const mail = await approvalMail();
  assert.equal(mail.subject, `${CLIENT_NAME} asks for your approval`);
  assert.ok(mail.link.startsWith(`${issuer}/u/ciba?t=`), mail.link);
  return { response, mail };
}

/**
 * The till starts polling (it waits an interval before each poll); the promise settles with its
 * tokens or its error. `stop` ends the polling when a test gives up early.
 */
function poll(response) {
  const controller = new AbortController();
  const polling = client.pollBackchannelAuthenticationGrant(config, response, undefined, {
    signal: controller.signal,
  });
  // Awaited by the test; this keeps an abandoned poll from failing the run unhandled.
  polling.catch(() => {});
  return { polling, stop: () => controller.abort() };
}

/** Opens the emailed link: the page names the client and repeats `binding`. */
async function openLink(link, binding) {
  const res = await page.goto(link);
  assert.equal(res.status(), 200);
  await page.getByRole('heading', { name: 'Approve a request' }).waitFor();
  assert.match(await page.textContent('main'), new RegExp(`${CLIENT_NAME} asks for your approval`));
  const shown = page.locator('#binding-message');
  assert.ok(await shown.isVisible(), 'the link page shows the binding message');
  assert.equal((await shown.textContent()).trim(), binding);
}

/** Waits for the consent page of a backchannel request and checks it repeats `binding`. */
async function onConsent(binding) {
  await page.waitForURL(/\/u\/consent/);
  await page.getByRole('heading', { name: `Allow ${CLIENT_NAME} to use your account?` }).waitFor();
  const shown = page.locator('#binding-message');
  await shown.waitFor({ state: 'visible' });
  assert.equal((await shown.textContent()).trim(), binding);
  const lead = await page.locator('p.lead').textContent();
  assert.match(lead, /Allow it only if you expect it and the application shows the same message/);
  assert.ok(lead.includes(EMAIL), 'the consent page names the account');
}

/** A spent or unknown link: the page's own words, a 400, no server error. */
async function gone(link) {
  const res = await page.goto(link);
  assert.equal(res.status(), 400);
  await page.getByRole('heading', { name: 'Something went wrong' }).waitFor();
  assert.ok((await page.textContent('main')).includes(GONE));
  assert.equal(await page.locator('#binding-message').count(), 0, 'nothing of the request is shown');
  assert.equal(await page.getByRole('button', { name: 'Continue' }).count(), 0);
}

test('a till asks for the person by email: openid-client polls while Chromium approves with password and TOTP', async () => {
  const m = config.serverMetadata();
  assert.equal(m.backchannel_authentication_endpoint, `${issuer}/bc-authorize`);
  assert.ok(m.backchannel_token_delivery_modes_supported.includes('poll'));
  assert.equal(m.backchannel_user_code_parameter_supported, false);
  assert.ok(m.grant_types_supported.includes(GRANT));

  // Requests the server cannot honour are refused before anyone gets an email.
  for (const [parameters, error] of [
    [{ scope: 'openid', login_hint: 'nobody@example.com' }, 'unknown_user_id'],
    [{ scope: 'openid', login_hint: EMAIL, binding_message: 'x'.repeat(65) }, 'invalid_binding_message'],
    [{ scope: 'email', login_hint: EMAIL }, 'invalid_request'],
  ]) {
    await assert.rejects(client.initiateBackchannelAuthentication(config, parameters), (err) => {
      assert.equal(err.error, error, JSON.stringify(parameters).slice(0, 80));
      return true;
    });
  }

  ({ secret, enrolled: used } = await enrolTotpApart(browser, issuer, EMAIL, PASSWORD));

  const { response, mail } = await ask({ scope: 'openid email', binding_message: 'TV 42' });
  assert.equal(response.expires_in, 300);
  assert.ok(mail.text.includes('TV 42'), 'the email repeats the binding message');
  const { polling, stop } = poll(response);
  try {
    // A mail scanner fetching the link spends nothing.
    const scanned = await fetch(mail.link);
    assert.equal(scanned.status, 200);

    // The person opens the link in a browser without a session.
    await openLink(mail.link, 'TV 42');
    await accessible(page, 'ciba request');
    await shot(page, 'request');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/u\/login/);
    // The request named the person: the sign-in form is theirs already.
    assert.equal(await page.getByLabel('Email').inputValue(), EMAIL);
    await password(page, EMAIL, PASSWORD);
    // Approving takes aal2: the authenticator app, with a code of a later step than enrolment.
    await proveTotp();

    // The consent page repeats the till's message, so the person can compare both screens.
    await onConsent('TV 42');
    await accessible(page, 'ciba consent');
    await shot(page, 'consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Request approved' }).waitFor();
    assert.match(await page.textContent('main'), new RegExp(`${CLIENT_NAME} has your approval`));
    await accessible(page, 'ciba approved');
    await shot(page, 'approved');

    // The till's next poll takes the tokens.
    const tokens = await polling;
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.deepEqual([claims.aud].flat(), [till.client_id]);
    assert.equal(claims.sub, user.user_id);
    assert.equal(claims.acr, 'aal2');
    assert.ok(claims.amr.includes('otp'), `amr ${JSON.stringify(claims.amr)}`);
    assert.equal(claims.email, EMAIL);
    assert.ok(tokens.access_token);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, EMAIL);

    // The auth_req_id gives tokens once; the link is spent.
    const again = await redeem(response.auth_req_id);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    await gone(mail.link);
  } finally {
    stop();
  }
});

test('the signed-in person proves TOTP again and denies at consent; a third request is denied on the link page', async () => {
  // Signed in already, yet an approval wants a factor proved for it: straight to the MFA page.
  const second = await ask({ scope: 'openid', binding_message: 'TV 43' });
  // Polled before the person answers: pending, and a client polling too fast is slowed down
  // (of three polls at once the first waits and a later one is too soon; one may fall in the
  // next window).
  const polls = [];
  for (let i = 0; i < 3; i += 1) polls.push((await redeem(second.response.auth_req_id)).body.error);
  assert.equal(polls[0], 'authorization_pending');
  assert.ok(polls.slice(1).includes('slow_down'), `polls: ${polls.join(', ')}`);
  const denied = poll(second.response);
  try {
    await openLink(second.mail.link, 'TV 43');
    await page.getByRole('button', { name: 'Continue' }).click();
    await proveTotp();
    await onConsent('TV 43');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Request denied' }).waitFor();
    assert.match(await page.textContent('main'), /The application was told no/);
    await accessible(page, 'ciba denied');
    await shot(page, 'denied');
    await assert.rejects(denied.polling, (err) => {
      assert.ok(err instanceof client.ResponseBodyError, `${err}`);
      assert.equal(err.error, 'access_denied');
      return true;
    });
  } finally {
    denied.stop();
  }
  await gone(second.mail.link);

  // Without a binding message, and sooner: the page asks, the person says no there and then.
  const third = await ask({ scope: 'openid', requested_expiry: '120' });
  assert.equal(third.response.expires_in, 120);
  const refused = poll(third.response);
  try {
    const res = await page.goto(third.mail.link);
    assert.equal(res.status(), 200);
    await page.getByRole('heading', { name: 'Approve a request' }).waitFor();
    assert.equal(await page.locator('#binding-message').count(), 0);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Request denied' }).waitFor();
    await assert.rejects(refused.polling, (err) => {
      assert.ok(err instanceof client.ResponseBodyError, `${err}`);
      assert.equal(err.error, 'access_denied');
      return true;
    });
  } finally {
    refused.stop();
  }

  // The answered link, opened again: gone, in the page's own words.
  await gone(third.mail.link);
  await accessible(page, 'ciba gone');
  await shot(page, 'gone');
});
