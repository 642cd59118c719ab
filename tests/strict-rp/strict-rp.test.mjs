// Portcullis behind a strict, widely deployed relying party: Apache httpd with mod_auth_openidc
// (Debian's package), driven by a browser-like client through sign-in, step-up to aal2 with TOTP,
// a refresh, RP-initiated logout and back-channel logout. See README.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { totp, totpStep } from '../totp.mjs';
import { Browser, formWith } from './lib/browser.mjs';
import { ensureApache, freePort, startApache } from './lib/apache.mjs';
import { cli, enrolTotp, jwt, startDevServer, tokenRequest } from './lib/portcullis.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// Absolute: the server and the CLI run in the dev server's folder.
const BIN = process.env.PORTCULLIS_BIN ? resolve(process.env.PORTCULLIS_BIN) : resolve(here, '../../target/debug/portcullis');

const EMAIL = 'ada.strict-rp@example.com';
const PASSWORD = `Gatehouse-${randomBytes(9).toString("hex")}-Yz`;

let apacheInfo;
let dev;
let apache;
let rp; // { client_id, client_secret } of the mod_auth_openidc client
let secret; // the user's TOTP secret
const browser = new Browser();
const seen = {}; // what one step hands the next

const log = (msg) => process.stderr.write(`# strict-rp: ${msg}\n`);

/** What to read when a step fails: the browser's last requests and both servers' complaints. */
function context() {
  const apacheLines = apache ? apache.oidcLines({ warn: true }).slice(-15) : [];
  const portcullis = dev ? dev.output.split('\n').filter((l) => /WARN|ERROR/.test(l)).slice(-15) : [];
  return [
    'browser, last requests:',
    ...browser.history.slice(-15).map((l) => `  ${l}`),
    'mod_auth_openidc errors and warnings:',
    ...apacheLines.map((l) => `  ${l}`),
    'Portcullis warnings and errors:',
    ...portcullis.map((l) => `  ${l}`),
  ].join('\n');
}

/** A test whose failure message carries `context()`. */
function step(name, fn) {
  test(name, { timeout: 60_000 }, async () => {
    try {
      await fn();
    } catch (e) {
      e.message = `${e.message}\n${context()}`;
      throw e;
    }
  });
}

/** The claims mod_auth_openidc passed to the protected page, as its `Header echo` reflected them. */
function passed(page) {
  const out = {};
  for (const [k, v] of page.headers) {
    if (k.startsWith('oidc_claim_')) out[k.slice('oidc_claim_'.length)] = v;
  }
  return out;
}

/** mod_auth_openidc's info hook: the session's tokens and claims, as JSON. */
async function info() {
  const r = await browser.request(`${apache.base}/protected/redirect_uri?info=json`, { headers: { accept: 'application/json' } });
  assert.equal(r.status, 200, `info hook: ${r.status} ${r.body.slice(0, 500)}`);
  return JSON.parse(r.body);
}

/** Checks an RS256 JWT's signature against Portcullis's JWKS, as a relying party would. */
async function verifySignature(token) {
  const [h, p, sig] = token.split('.');
  const { kid, alg } = jwt(token).header;
  assert.equal(alg, 'RS256');
  const { keys } = await (await fetch(`${dev.issuer}/.well-known/jwks.json`)).json();
  const key = keys.find((k) => k.kid === kid);
  assert.ok(key, `kid ${kid} is in the JWKS`);
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key, format: 'jwk' }), Buffer.from(sig, 'base64url'));
  assert.ok(ok, 'the signature verifies');
}

/** Signs in through Apache at Portcullis's hosted login page; returns the protected page. */
async function signIn() {
  const login = await browser.navigate(`${apache.base}/protected/`);
  assert.equal(new URL(login.url).origin, dev.issuer, `expected Portcullis's login page, got ${login.url} (${login.status})`);
  assert.equal(new URL(login.url).pathname, '/u/login');
  const authorize = new URL(login.hops.find((u) => u.startsWith(`${dev.issuer}/authorize`)));
  const form = formWith(login, '/u/login', 'password');
  const done = await browser.submit(login, form, { email: EMAIL, password: PASSWORD });
  return { authorize, done };
}

before(async () => {
  const started = Date.now();
  apacheInfo = ensureApache(log);
  log(apacheInfo.version);
  dev = await startDevServer(BIN);
  const port = await freePort();
  const base = `http://localhost:${port}`;
  rp = cli(BIN, dev, [
    'client', 'create', '--name', 'Strict RP (mod_auth_openidc)',
    '--redirect-uri', `${base}/protected/redirect_uri`,
    '--post-logout-redirect-uri', `${base}/loggedout.html`,
    '--backchannel-logout-uri', `${base}/protected/redirect_uri?logout=backchannel`,
    '--grant', 'authorization_code', '--grant', 'refresh_token',
    // The application asks for aal2 itself where it needs it (the step-up location); without
    // this the tenant's adaptive policy would already ask an unfamiliar browser for the factor.
    '--policy', 'mfa=never',
  ]);
  const enrolment = cli(BIN, dev, ['client', 'create', '--name', 'MFA enrolment', '--grant', 'password', '--policy', 'mfa=always']);
  cli(BIN, dev, ['user', 'create', '--email', EMAIL, '--password-stdin'], `${PASSWORD}\n`);
  ({ secret } = await enrolTotp(dev.issuer, [enrolment.client_id, enrolment.client_secret], EMAIL, PASSWORD));
  apache = await startApache(apacheInfo, {
    port,
    oidc: {
      issuer: dev.issuer,
      clientId: rp.client_id,
      clientSecret: rp.client_secret,
      passphrase: randomBytes(24).toString('base64url'),
    },
  });
  log(`Portcullis at ${dev.issuer}, Apache at ${apache.base}, ready in ${Date.now() - started} ms`);
}, { timeout: 600_000 });

after(async () => {
  await apache?.stop();
  dev?.stop();
});

step('sign-in: mod_auth_openidc validates the RS256 ID token and passes acr aal1, amr pwd', async () => {
  const { authorize, done } = await signIn();
  // What mod_auth_openidc asked for.
  assert.equal(authorize.searchParams.get('client_id'), rp.client_id);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('nonce'), 'a nonce');
  assert.deepEqual(authorize.searchParams.get('scope').split(' ').sort(), ['email', 'offline_access', 'openid', 'profile']);
  // The callback went through and the protected page was served.
  // (mod_auth_openidc shows its error page with status 200 at the redirect URI, so the URL first.)
  assert.equal(done.url, `${apache.base}/protected/`, `callback refused:\n${done.body.slice(0, 1000)}`);
  assert.equal(done.status, 200, `protected page: ${done.status}\n${done.body.slice(0, 1000)}`);
  const claims = passed(done);
  assert.equal(claims.acr, 'aal1');
  assert.equal(claims.amr, 'pwd');
  assert.equal(claims.email, EMAIL);
  assert.equal(claims.iss, dev.issuer);
  assert.equal(claims.aud, rp.client_id);
  assert.ok(claims.sid, 'a sid (back-channel logout finds the session by it)');
  // The serialized ID token mod_auth_openidc verified.
  const idToken = jwt(done.headers.get('oidc_id_token'));
  assert.equal(idToken.header.alg, 'RS256');
  assert.ok(idToken.header.kid, 'a kid');
  assert.equal(idToken.nonce, authorize.searchParams.get('nonce'));
  seen.sub = claims.sub;
  seen.sid = claims.sid;
  seen.authTime = Number(claims.auth_time);
});

step('step-up: Require claim acr:aal2 sends the user back with acr_values=aal2; /u/mfa takes the TOTP code', async () => {
  const mfa = await browser.navigate(`${apache.base}/protected/stepup/`);
  const authorize = new URL(mfa.hops.find((u) => u.startsWith(`${dev.issuer}/authorize`)) ?? 'about:blank');
  assert.equal(authorize.searchParams.get('acr_values'), 'aal2', `step-up request: ${mfa.hops.join(' -> ')}`);
  assert.equal(new URL(mfa.url).origin, dev.issuer);
  assert.equal(new URL(mfa.url).pathname, '/u/mfa', `expected the second-factor page, got ${mfa.url} (${mfa.status})`);
  const form = formWith(mfa, '/u/mfa', 'code');
  // A code of a time step the enrolment did not spend.
  const done = await browser.submit(mfa, form, { code: totp(secret, totpStep()) });
  assert.equal(done.url, `${apache.base}/protected/stepup/`, `callback refused:\n${done.body.slice(0, 1000)}`);
  assert.equal(done.status, 200, `step-up page: ${done.status}\n${done.body.slice(0, 1000)}`);
  const claims = passed(done);
  assert.equal(claims.acr, 'aal2');
  const amr = claims.amr.split(',');
  for (const m of ['pwd', 'otp', 'mfa']) assert.ok(amr.includes(m), `amr ${claims.amr} has ${m}`);
  assert.equal(claims.sub, seen.sub);
  assert.equal(claims.sid, seen.sid, 'the Portcullis session keeps its sid through step-up');
  const idToken = jwt(done.headers.get('oidc_id_token'));
  assert.equal(idToken.header.alg, 'RS256');
  assert.equal(idToken.nonce, authorize.searchParams.get('nonce'));
  seen.stepUpIdToken = done.headers.get('oidc_id_token');
});

step('refresh: mod_auth_openidc refreshes through the refresh_token grant and keeps aal2', async () => {
  const before = await info();
  assert.ok(before.refresh_token, 'offline_access gave mod_auth_openidc a refresh token');
  assert.equal(before.id_token.acr, 'aal2');
  const returnTo = `${apache.base}/protected/stepup/`;
  const page = await browser.navigate(
    `${apache.base}/protected/redirect_uri?refresh=${encodeURIComponent(returnTo)}&access_token=${encodeURIComponent(before.access_token)}`,
  );
  const back = page.hops[1] ? new URL(page.hops[1]) : null;
  assert.equal(back?.searchParams.get('error_code'), null, `refresh failed: ${page.hops.join(' -> ')}`);
  // Back on the aal2 page without another trip to Portcullis: the refreshed ID token still says aal2.
  assert.equal(page.status, 200, `after refresh: ${page.status} at ${page.url}`);
  assert.equal(page.url, returnTo, `after refresh: ${page.hops.join(' -> ')}`);
  const afterRefresh = await info();
  assert.notEqual(afterRefresh.access_token, before.access_token, 'a new access token');
  assert.ok(afterRefresh.refresh_token, 'still a refresh token');
  assert.equal(afterRefresh.id_token.sub, before.id_token.sub);
  assert.equal(afterRefresh.id_token.acr, 'aal2');
  assert.equal(passed(page).acr, 'aal2');

  // mod_auth_openidc 2.4.12 stores the refreshed ID token without checking it (later versions
  // verify it as they verify the first one), so the test holds it to OIDC Core §12.2 itself.
  const serialized = page.headers.get('oidc_id_token');
  assert.notEqual(serialized, seen.stepUpIdToken, 'the refresh response carried a new ID token');
  await verifySignature(serialized);
  const old = jwt(seen.stepUpIdToken);
  const fresh = jwt(serialized);
  assert.equal(fresh.header.alg, 'RS256');
  for (const claim of ['iss', 'sub', 'aud', 'sid', 'auth_time', 'acr']) {
    assert.deepEqual(fresh[claim], old[claim], `refreshed ID token keeps ${claim}`);
  }
  assert.deepEqual(fresh.amr, old.amr, 'refreshed ID token keeps amr');
  assert.ok(fresh.nonce === undefined || fresh.nonce === old.nonce, `refreshed ID token nonce ${fresh.nonce}`);
  assert.ok(fresh.exp > Date.now() / 1000, 'refreshed ID token not expired');
  seen.refreshRotated = afterRefresh.refresh_token !== before.refresh_token;
  seen.refreshToken = afterRefresh.refresh_token;
  seen.accessToken = afterRefresh.access_token;
  log(`refresh token ${seen.refreshRotated ? 'rotated' : 'kept'} by the refresh`);
});

step('RP-initiated logout: /redirect_uri?logout= ends the Portcullis session; prompt=none then answers login_required', async () => {
  const loggedOut = `${apache.base}/loggedout.html`;
  const page = await browser.navigate(`${apache.base}/protected/redirect_uri?logout=${encodeURIComponent(loggedOut)}`);
  const endSession = page.hops.map((u) => new URL(u)).find((u) => u.href.startsWith(`${dev.issuer}/oidc/logout`));
  assert.ok(endSession, `went through end_session_endpoint: ${page.hops.join(' -> ')}`);
  assert.ok(endSession.searchParams.get('id_token_hint'), 'with id_token_hint');
  assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), loggedOut);
  assert.equal(page.status, 200);
  assert.equal(page.url, loggedOut, `after logout: ${page.hops.join(' -> ')}`);

  // Portcullis: no session left for this browser.
  const verifier = randomBytes(32).toString('base64url');
  const silent = new URL(`${dev.issuer}/authorize`);
  silent.search = new URLSearchParams({
    response_type: 'code',
    client_id: rp.client_id,
    redirect_uri: `${apache.base}/protected/redirect_uri`,
    scope: 'openid',
    state: 'after-logout',
    prompt: 'none',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const answer = await browser.request(silent.href);
  assert.equal(answer.status, 302, `prompt=none: ${answer.status} ${answer.body.slice(0, 300)}`);
  const location = new URL(answer.location);
  assert.equal(location.searchParams.get('error'), 'login_required', `prompt=none answered ${answer.location}`);

  // Apache: no session either; the protected page starts a new sign-in.
  const again = await browser.request(`${apache.base}/protected/`);
  assert.equal(again.status, 302);
  assert.ok(again.location.startsWith(`${dev.issuer}/authorize`), `after logout /protected/ went to ${again.location}`);

  // The tokens mod_auth_openidc held are dead.
  const refreshed = await tokenRequest(dev.issuer, [rp.client_id, rp.client_secret], {
    grant_type: 'refresh_token',
    refresh_token: seen.refreshToken,
  });
  assert.equal(refreshed.status, 400, refreshed.describe());
  assert.equal(refreshed.data.error, 'invalid_grant');
});

step('back-channel logout: signing out at Portcullis ends the Apache session', async () => {
  const { done } = await signIn();
  assert.equal(done.url, `${apache.base}/protected/`, `second sign-in refused:\n${done.body.slice(0, 1000)}`);
  assert.equal(done.status, 200, `second sign-in: ${done.status}`);
  assert.equal(passed(done).acr, 'aal1');
  const sid = passed(done).sid;
  const mark = apache.errorLog().length;

  // The user signs out at Portcullis itself (not through Apache): a confirmation page, then POST.
  const confirm = await browser.navigate(`${dev.issuer}/oidc/logout`);
  assert.equal(confirm.status, 200, `logout page: ${confirm.status}`);
  const signedOut = await browser.submit(confirm, formWith(confirm, '/oidc/logout', 'csrf'));
  assert.equal(signedOut.status, 200, `signed out: ${signedOut.status} at ${signedOut.url}`);

  // Portcullis posts the logout token in the background; mod_auth_openidc drops the session.
  let last;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    last = await browser.request(`${apache.base}/protected/`);
    if (last.status === 302) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const apacheSaid = apache.since(mark).split('\n').filter((l) => /backchannel|logout|sid/i.test(l) && /auth_openidc:(error|warn|info)/.test(l));
  assert.equal(
    last.status,
    302,
    `the Apache session of sid ${sid} outlived the Portcullis session by 15 s; Apache logged:\n${apacheSaid.join('\n')}`,
  );
  assert.ok(last.location.startsWith(`${dev.issuer}/authorize`));
  const missed = apache.since(mark).split('\n').filter((l) => l.includes('could not (or no longer) find a session') && l.includes(sid));
  assert.deepEqual(missed, [], 'the logout token named the session mod_auth_openidc held');
  // The logout token Portcullis posted, and what mod_auth_openidc answered.
  const posts = apache.accessLog().split('\n').filter((l) => l.includes('POST /protected/redirect_uri?logout=backchannel'));
  assert.ok(posts.length > 0, 'Portcullis posted a logout token to the backchannel_logout_uri');
  assert.match(posts.at(-1), /" 200 /, `mod_auth_openidc answered the logout token: ${posts.join('\n')}`);
});

step('mod_auth_openidc logged no error for the whole journey', async () => {
  const errors = apache.oidcLines();
  assert.deepEqual(errors, [], `mod_auth_openidc errors:\n${errors.join('\n')}`);
});
