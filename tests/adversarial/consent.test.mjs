// Finding 2 — consent for third-party applications. Threat: an application not run by the
// operator (registered with --third-party) gets codes for a signed-in user without asking,
// silently widens what it was allowed, gets a token for the MFA or management API (which manage
// the account itself), or takes the user's password through the password grant.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, PASSWORD, authorizeUrl, createUser, exchange, formValue, idOf, locationParam,
  management, managementToken, passwordGrant, signIn, silent, startServer,
} from './harness.mjs';

const THIRD_REDIRECT = 'http://localhost:4000/callback';
const API = 'https://api.x';

let srv;
let third;

before(async () => {
  srv = await startServer();
  srv.must(['api', 'create', '--identifier', API, '--name', 'X API', '--scope', 'read:x', '--scope', 'write:x']);
  const c = srv.must(['client', 'create', '--name', 'Budget Helper', '--redirect-uri', THIRD_REDIRECT,
    '--grant', 'authorization_code', '--grant', 'refresh_token', '--grant', 'password', '--third-party']);
  third = { id: c.client_id, secret: c.client_secret, redirect: THIRD_REDIRECT };
});
after(() => srv?.stop());

let users = 0;
/** A new user signed in (through the first-party demo client) in a new browser. */
async function signedIn() {
  const email = `user${++users}@example.com`;
  const user = createUser(srv, email);
  const b = new Browser(srv.issuer);
  await signIn(b, srv.demo, email);
  return { b, email, id: idOf(user) };
}

/** Asks `/authorize` for the third-party client; the answer. */
const ask = (b, extra) => b.get(authorizeUrl(srv.issuer, third, extra));

/** The answer is a redirect to the consent page; its path. */
function consentPage(res, what) {
  const to = res.location ? new URL(res.location, srv.issuer) : null;
  assert.equal(locationParam(res, 'code'), null, `${what}: a code without consent (${res.location})`);
  assert.equal(to?.pathname, '/u/consent', `${what}: expected the consent page, got ${res.status} ${res.location}`);
  return `${to.pathname}${to.search}`;
}

/** Opens the consent page at `path` and answers it with `decision`. */
async function answer(b, path, decision) {
  const page = await b.get(path);
  assert.equal(page.status, 200, page.body.slice(0, 300));
  return b.post('/u/consent', { csrf: formValue(page.body, 'csrf'), state: formValue(page.body, 'state'), decision });
}

/** The answer is a redirect to the third-party's redirect_uri with `error`. */
function errorAtClient(res, error, what) {
  assert.ok(res.location?.startsWith(THIRD_REDIRECT), `${what}: ${res.status} ${res.location}`);
  assert.equal(locationParam(res, 'code'), null, `${what}: a code`);
  assert.equal(locationParam(res, 'error'), error, `${what}: ${res.location}`);
}

describe('finding 2: consent for third-party applications', () => {
  it('a first-party client (the demo client) never sees the consent page, even with prompt=consent', async () => {
    const { b } = await signedIn();
    for (const prompt of [{}, { prompt: 'consent' }, { prompt: 'none' }]) {
      const res = await b.get(authorizeUrl(srv.issuer, srv.demo, prompt));
      assert.ok(locationParam(res, 'code'), `${JSON.stringify(prompt)}: ${res.status} ${res.location}`);
    }
  });

  it('prompt=none without an earlier consent answers consent_required at the redirect_uri', async () => {
    const { b } = await signedIn();
    errorAtClient(await ask(b, { prompt: 'none' }), 'consent_required', 'prompt=none');
  });

  it('the consent page names the application and each scope, posts to /u/consent with csrf; Deny gives access_denied', async () => {
    const { b } = await signedIn();
    const path = consentPage(await ask(b, { scope: 'openid email read:x', audience: API }), 'first request');
    const page = await b.get(path);
    assert.equal(page.status, 200);
    assert.match(page.body, /Budget Helper/, 'the application is named');
    // Each requested scope, by name or in words.
    const shown = { openid: /openid|who you are|account id/i, email: /email/i, 'read:x': /read:x/ };
    for (const [scope, pattern] of Object.entries(shown)) assert.match(page.body, pattern, `scope ${scope} shown`);
    assert.match(page.body, /<form[^>]*method="post"[^>]*action="\/u\/consent"/);
    assert.ok(formValue(page.body, 'csrf'), 'a csrf field');
    assert.match(page.body, /name="decision" value="allow"/);
    assert.match(page.body, /name="decision" value="deny"/);
    const denied = await b.post('/u/consent', { csrf: formValue(page.body, 'csrf'), state: formValue(page.body, 'state'), decision: 'deny' });
    errorAtClient(denied, 'access_denied', 'deny');
  });

  it('Allow gives a code; the same scopes are silent afterwards; wider scopes and prompt=consent ask again', async () => {
    const { b } = await signedIn();
    const allowed = await answer(b, consentPage(await ask(b, {}), 'first request'), 'allow');
    assert.ok(allowed.location?.startsWith(THIRD_REDIRECT), `${allowed.status} ${allowed.location}`);
    const code = locationParam(allowed, 'code');
    assert.ok(code, `allow gives a code: ${allowed.location}`);
    const tokens = await exchange(srv, third, code);
    assert.ok(tokens.access_token);

    const again = await ask(b, { prompt: 'none' });
    assert.ok(locationParam(again, 'code'), `consented scopes are silent: ${again.location}`);

    errorAtClient(await ask(b, { prompt: 'none', scope: 'openid email profile' }), 'consent_required', 'wider, prompt=none');
    consentPage(await ask(b, { scope: 'openid email profile' }), 'wider');
    consentPage(await ask(b, { prompt: 'consent' }), 'prompt=consent');
    // …and still after answering it once more.
    assert.ok(locationParam(await answer(b, consentPage(await ask(b, { prompt: 'consent' }), 'prompt=consent'), 'allow'), 'code'));
    consentPage(await ask(b, { prompt: 'consent' }), 'prompt=consent, again');
  });

  it('grants are listed and deleted by the management API; then prompt=none needs consent again', async () => {
    const { b, id } = await signedIn();
    assert.ok(locationParam(await answer(b, consentPage(await ask(b, {}), 'first request'), 'allow'), 'code'));
    const tok = await managementToken(srv, ['read:grants', 'delete:grants']);
    const list = await management(srv, tok, 'GET', `/api/v2/grants?user_id=${encodeURIComponent(id)}`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.ok(Array.isArray(list.body), JSON.stringify(list.body));
    assert.equal(list.body.length, 1, JSON.stringify(list.body));
    const [grant] = list.body;
    for (const key of ['id', 'clientID', 'user_id', 'audience', 'scope']) assert.ok(key in grant, `grant has ${key}`);
    assert.equal(grant.clientID, third.id);
    assert.equal(grant.user_id, id);
    assert.ok(Array.isArray(grant.scope) && grant.scope.includes('openid') && grant.scope.includes('email'), JSON.stringify(grant.scope));

    const removed = await management(srv, tok, 'DELETE', `/api/v2/grants/${encodeURIComponent(grant.id)}`);
    assert.equal(removed.status, 204);
    errorAtClient(await ask(b, { prompt: 'none' }), 'consent_required', 'after the grant was deleted');
  });

  it('a third-party client never gets the MFA API or management API audience, signed in or not', async () => {
    const { b } = await signedIn();
    for (const audience of [`${srv.issuer}/mfa/`, `${srv.issuer}/api/v2/`]) {
      const scope = 'openid enroll read:authenticators remove:authenticators read:users';
      for (const [who, browser] of [['signed in', b], ['signed out', new Browser(srv.issuer)]]) {
        for (const prompt of [{}, { prompt: 'none' }, { prompt: 'consent' }]) {
          const what = `${audience}, ${who}, ${JSON.stringify(prompt)}`;
          const res = await browser.get(authorizeUrl(srv.issuer, third, { audience, scope, ...prompt }));
          errorAtClient(res, 'access_denied', what);
        }
      }
    }
  });

  it('a third-party client may not use the password grant, even created with --grant password', async () => {
    const email = `user${++users}@example.com`;
    createUser(srv, email);
    const r = await passwordGrant(srv, third, email, PASSWORD);
    const seen = `${r.status} ${r.body.error ?? (r.body.access_token ? 'tokens issued' : '')}`;
    assert.equal(seen, '400 unauthorized_client');
    assert.equal(r.body.access_token, undefined);
  });
});
