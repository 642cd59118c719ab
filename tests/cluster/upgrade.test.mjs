// A rolling upgrade, as docs/deploy.md describes it: two nodes of the previous release on one
// PostgreSQL database behind HAProxy; the new release's `migrate` expands the schema while they
// serve; one node at a time is stopped with SIGTERM and started from the new binary. Between
// the steps the old binary runs against the migrated schema, side by side with the new one, and
// every flow crosses the versions: a sign-in begun on one finishes on the other, a code or an
// mfa_token made by one is redeemed at the other, a refresh chain alternates between them, and
// sessions, tokens and keys made before the upgrade still hold after it.
//
// The previous release's binary comes from PORTCULLIS_PREVIOUS_BIN (scripts/upgrade-check.sh
// builds it from a git ref); without it the test says so and is skipped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  Browser, GRANT, PASSWORD, authorizeUrl, bearer, claims, createUser, enrolTotp, exchange, formValue,
  idOf, locationParam, passwordClient, passwordGrant, signIn, silent, token,
} from '../adversarial/harness.mjs';
import { Authenticator, BIN, PER_IP_LIMITS_OFF, jwtHeader, startCluster } from './cluster.mjs';

const PREVIOUS = process.env.PORTCULLIS_PREVIOUS_BIN;
const skip = PREVIOUS ? (existsSync(PREVIOUS) ? false : `PORTCULLIS_PREVIOUS_BIN=${PREVIOUS} does not exist`)
  : 'PORTCULLIS_PREVIOUS_BIN is not set (scripts/upgrade-check.sh REF sets it)';

const REDIRECT = 'http://localhost:3000/cb';
const API = 'https://upgrade.example/api';

let cluster;
let A;
let B;
const clients = {};
const users = {};
/** What the previous release made before the upgrade began, checked at every step. */
const earlier = {};

/** Points browser `b` at `node` (keeping its cookies). */
function on(b, node) {
  b.issuer = node.issuer;
  return b;
}

const brief = (r) => `${r.status} ${JSON.stringify(r.body ?? r.location ?? '').slice(0, 300)}`;

/** A web client made by the CLI of the cluster's current binary. */
function webClient(name) {
  const c = cluster.must(['client', 'create', '--name', name, '--redirect-uri', REDIRECT]);
  return { id: c.client_id, secret: c.client_secret, redirect: REDIRECT };
}

/** Refreshes `rt` at `node`: the new refresh token (asserting a 200 with an access token). */
async function refreshAt(node, client, rt, what) {
  const r = await token(node, client, { grant_type: 'refresh_token', refresh_token: rt });
  assert.equal(r.status, 200, `${what}: ${brief(r)}`);
  assert.ok(r.body.access_token && r.body.refresh_token, `${what}: tokens`);
  return r.body.refresh_token;
}

/** Authorize and the login page on `from`, the password posted on `to`, the code exchanged on `at`. */
async function crossSignIn(from, to, at, client, email) {
  const b = new Browser(from.issuer);
  const first = await b.get(authorizeUrl(from.issuer, client, { scope: 'openid email offline_access' }));
  assert.equal(first.status, 303, `authorize on ${from.name}: ${first.status} ${first.body.slice(0, 200)}`);
  const page = await b.get(first.location);
  assert.equal(page.status, 200, `login page on ${from.name}`);
  const posted = await on(b, to).post('/u/login', {
    state: formValue(page.body, 'state'), csrf: formValue(page.body, 'csrf'), email, password: PASSWORD,
  });
  const code = locationParam(posted, 'code');
  assert.ok(code, `password on ${to.name}: ${posted.status} ${posted.location} ${posted.body.slice(0, 300)}`);
  const tokens = await exchange(at, client, code);
  assert.equal(claims(tokens.id_token).iss, cluster.issuer);
  return { b, tokens };
}

/**
 * The MFA API across nodes: mfa_required on `from`, the otp grant on `to`; aal2 tokens. Each
 * call takes the next user with TOTP, so no code waits for a time step another call spent.
 */
async function crossMfa(from, to) {
  const u = users.totp.shift();
  assert.ok(u, 'a user with TOTP left for this flow');
  const required = await passwordGrant(from, clients.mfa, u.email);
  assert.equal(required.status, 403, `password grant on ${from.name}: ${brief(required)}`);
  assert.equal(required.body.error, 'mfa_required');
  const listed = await bearer(`${to.issuer}/mfa/authenticators`, required.body.mfa_token);
  assert.equal(listed.status, 200, `authenticators on ${to.name}: ${listed.status} ${listed.body}`);
  const done = await token(to, clients.mfa, {
    grant_type: GRANT.otp, mfa_token: required.body.mfa_token, otp: await u.authenticator.code(),
  });
  assert.equal(done.status, 200, `otp grant on ${to.name}: ${brief(done)}`);
  assert.equal(claims(done.body.access_token).acr, 'aal2');
}

/** A client_credentials token from `node`, and its key in every node's JWKS. */
async function machineTokenEverywhere(node) {
  const r = await token(node, clients.machine, { grant_type: 'client_credentials', audience: API });
  assert.equal(r.status, 200, `client_credentials on ${node.name}: ${brief(r)}`);
  const { kid } = jwtHeader(r.body.access_token);
  for (const n of cluster.nodes) {
    const jwks = await fetch(`${n.issuer}/.well-known/jwks.json`).then((x) => x.json());
    assert.ok(jwks.keys.some((k) => k.kid === kid), `node ${n.name} publishes the key ${kid} that ${node.name} signed with`);
  }
}

/** Everything made before the upgrade still holds, asked of `node`. */
async function madeBeforeHolds(node, what) {
  earlier.rt = await refreshAt(node, clients.web, earlier.rt, `${what}: the refresh chain begun before the upgrade, on ${node.name}`);
  const s = await silent(on(earlier.browser, node), clients.web);
  assert.ok(s.code, `${what}: the session made before the upgrade, prompt=none on ${node.name}: ${s.location}`);
  await exchange(node, clients.web, s.code);
}

describe('a rolling upgrade from the previous release', { skip }, () => {
  before(async () => {
    cluster = await startCluster({ size: 2, env: PER_IP_LIMITS_OFF, bin: PREVIOUS });
    [A, B] = cluster.nodes;
    cluster.must(['api', 'create', '--identifier', API, '--name', 'Upgrade API', '--scope', 'read:x']);
    clients.web = webClient('web');
    const m = cluster.must(['client', 'create', '--name', 'worker', '--grant', 'client_credentials', '--api', API, '--scope', 'read:x']);
    clients.machine = { id: m.client_id, secret: m.client_secret };
    users.ada = { email: 'ada@example.com', id: idOf(createUser(cluster, 'ada@example.com')) };
    clients.mfa = passwordClient(cluster, 'mfa=always');
    users.totp = [];
    for (let i = 0; i < 6; i++) {
      const email = `totp${i}@example.com`;
      createUser(cluster, email);
      const { secret } = await enrolTotp(cluster, email, PASSWORD, clients.mfa);
      users.totp.push({ email, authenticator: new Authenticator(secret) });
    }
    // A browser session and a refresh chain from the previous release alone.
    const b = new Browser(cluster.issuer);
    const tokens = await exchange(cluster, clients.web, await signIn(b, clients.web, users.ada.email, PASSWORD, { scope: 'openid email offline_access' }));
    earlier.browser = b;
    earlier.rt = tokens.refresh_token;
  }, { timeout: 120_000 });

  after(async () => {
    await cluster?.stop();
  });

  it('the new release migrates (expands) the schema while the previous release serves', () => cluster.logsOnFailure(async () => {
    cluster.bin = BIN;
    const migrated = await cluster.run(['migrate']);
    assert.equal(migrated.status, 0, `new migrate: ${migrated.stderr}`);
    const again = await cluster.run(['migrate']);
    assert.equal(again.status, 0, `migrate is idempotent: ${again.stderr}`);
    // Both old nodes keep serving the migrated schema, and an old node (re)started now, as a
    // crashed one would be, starts on it.
    await cluster.upgrade(0, PREVIOUS);
    for (const n of [A, B]) await madeBeforeHolds(n, 'old node after the new migrate');
    await crossSignIn(A, B, A, clients.web, users.ada.email);
    await crossMfa(A, B);
  }));

  it('node B runs the new release beside A on the previous one: every flow crosses the versions', () => cluster.logsOnFailure(async () => {
    await cluster.upgrade(1, BIN);
    assert.equal(B.bin, BIN);
    assert.equal(A.bin, PREVIOUS);
    await madeBeforeHolds(A, 'mixed, old node');
    await madeBeforeHolds(B, 'mixed, new node');
    // Sign-ins begun on one version and finished on the other, codes redeemed across.
    await crossSignIn(A, B, A, clients.web, users.ada.email);
    await crossSignIn(B, A, B, clients.web, users.ada.email);
    // A refresh chain alternating between the versions.
    const { tokens } = await crossSignIn(A, A, B, clients.web, users.ada.email);
    let rt = tokens.refresh_token;
    for (const n of [B, A, B, A]) rt = await refreshAt(n, clients.web, rt, `alternating refresh on ${n.name}`);
    // An mfa_token made by one version is answered at the other.
    await crossMfa(A, B);
    await crossMfa(B, A);
    await machineTokenEverywhere(A);
    await machineTokenEverywhere(B);
    // A client the new CLI makes is served by the old node.
    const fresh = webClient('made during the upgrade');
    await crossSignIn(A, A, A, fresh, users.ada.email);
  }));

  it('node A runs the new release too: what the previous release made still holds', () => cluster.logsOnFailure(async () => {
    await cluster.upgrade(0, BIN);
    for (const n of [A, B]) await madeBeforeHolds(n, 'after the upgrade');
    await crossSignIn(A, B, A, clients.web, users.ada.email);
    await crossMfa(B, A);
    const audit = await cluster.run(['audit', 'verify']);
    assert.equal(audit.status, 0, `the audit chain written by both versions verifies: ${audit.stdout} ${audit.stderr}`);
  }));
});
