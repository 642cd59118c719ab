// Portcullis as a cluster: three `portcullis serve` nodes on one PostgreSQL database behind
// HAProxy (round robin, /readyz health checks). Flows started on one node finish on another;
// changes made on one node (a removed factor, a rotated key, a deleted client) hold on the
// others at once; a node killed with SIGKILL under load loses no answered refresh or sign-in;
// the nodes ride out a PostgreSQL restart by themselves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Browser, GRANT, PASSWORD, authorizeUrl, bearer, claims, createUser, enrolTotp, exchange, formValue,
  idOf, locationParam, management, managementToken, passwordClient, passwordGrant, passwordStep,
  request, signIn, silent, token,
} from '../adversarial/harness.mjs';
import {
  Authenticator, PER_IP_LIMITS_OFF, ensurePostgres, jwtHeader, localPostgres, logoutReceiver, pgctl,
  postgresStartedAt, probe, sleep, startCluster, until,
} from './cluster.mjs';

const REDIRECT = 'http://localhost:3000/cb';
const THIRD_REDIRECT = 'http://localhost:4000/callback';
const API = 'https://cluster.example/api';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

// Per-IP limits off: every request reaches the nodes from 127.0.0.1 (HAProxy's address).
// A refresh reuse interval, as docs/deploy.md recommends for clusters: a client whose answer a
// dying node never sent retries with the token it holds and keeps its sign-in.
const NODE_ENV = {
  ...PER_IP_LIMITS_OFF,
  PORTCULLIS_TOKENS__REFRESH_REUSE_INTERVAL: '30',
};

const pg = localPostgres();

let cluster;
let receiver;
let A;
let B;
let C;
const clients = {};
const users = {};

/** A client made by the CLI: `{id, secret, redirect}`. */
function client(name, extra = [], redirect = REDIRECT) {
  const c = cluster.must(['client', 'create', '--name', name, '--redirect-uri', redirect, ...extra]);
  return { id: c.client_id, secret: c.client_secret, redirect };
}

/** A `client_credentials` client for API: `{id, secret}`. */
function machine(name) {
  const c = cluster.must(['client', 'create', '--name', name, '--grant', 'client_credentials', '--api', API, '--scope', 'read:x']);
  return { id: c.client_id, secret: c.client_secret };
}

/** A user made by the CLI, with a TOTP authenticator enrolled through the MFA API if asked. */
async function user(email, { withTotp = false } = {}) {
  const u = { email, id: idOf(createUser(cluster, email)) };
  if (withTotp) {
    const { secret } = await enrolTotp(cluster, email, PASSWORD, clients.mfa);
    u.authenticator = new Authenticator(secret);
  }
  return u;
}

/** Points browser `b` at `node` (keeping its cookies): its next requests go there. */
function on(b, node) {
  b.issuer = node.issuer;
  return b;
}

/** A client_credentials token for API from `where` (a node or the cluster). */
const machineToken = (where, c) => token(where, c, { grant_type: 'client_credentials', audience: API });

/** Why a request failed or what it answered, shortly. */
const brief = (r) => `${r.status} ${JSON.stringify(r.body ?? r.location ?? '').slice(0, 200)}`;

before(async () => {
  receiver = await logoutReceiver();
  const started = Date.now();
  cluster = await startCluster({ env: NODE_ENV });
  [A, B, C] = cluster.nodes;
  cluster.must(['api', 'create', '--identifier', API, '--name', 'Cluster API', '--scope', 'read:x']);
  clients.web = client('web');
  clients.stepUp = client('step-up', ['--policy', 'mfa=never']);
  clients.third = client('Budget Helper', ['--third-party'], THIRD_REDIRECT);
  clients.logout = client('logout app', ['--backchannel-logout-uri', receiver.url]);
  clients.mfa = passwordClient(cluster, 'mfa=always');
  clients.worker = machine('worker');
  clients.doomed = machine('doomed');
  users.ada = await user('ada@example.com');
  users.step = await user('step@example.com', { withTotp: true });
  users.api = await user('api@example.com', { withTotp: true });
  users.logout = await user('logout@example.com', { withTotp: true });
  console.log(`cluster up and seeded in ${Date.now() - started} ms: LB ${cluster.issuer}, nodes ${cluster.nodes.map((n) => `${n.name} ${n.issuer}`).join(', ')}`);
}, { timeout: 240_000 });

after(async () => {
  if (!pg.skip) await ensurePostgres(pg);
  await cluster?.stop();
  await receiver?.close();
});

describe('1: a flow started on one node finishes on another', () => {
  it('sign-in: authorize and the login page on A, the password on B, the code exchanged on C', () => cluster.logsOnFailure(async () => {
    const b = new Browser(A.issuer);
    const first = await b.get(authorizeUrl(A.issuer, clients.web, { scope: 'openid email offline_access' }));
    assert.equal(first.status, 303, first.body.slice(0, 300));
    assert.ok(first.location?.startsWith('/u/login'), `authorize on A: ${first.location}`);
    const page = await b.get(first.location);
    assert.equal(page.status, 200, 'login page on A');
    const posted = await on(b, B).post('/u/login', {
      state: formValue(page.body, 'state'), csrf: formValue(page.body, 'csrf'), email: users.ada.email, password: PASSWORD,
    });
    const code = locationParam(posted, 'code');
    assert.ok(code, `password on B gives a code: ${posted.status} ${posted.location} ${posted.body.slice(0, 300)}`);
    assert.ok(posted.location.startsWith(REDIRECT), posted.location);
    const tokens = await exchange(C, clients.web, code);
    const id = claims(tokens.id_token);
    assert.equal(id.iss, cluster.issuer, 'every node names the load balancer as issuer');
    assert.equal(id.sub, users.ada.id);
    assert.equal(id.acr, 'aal1');
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    // The session and the refresh token are the cluster's, not one node's.
    assert.ok((await silent(on(b, C), clients.web)).code, 'prompt=none on C finds the session made on B');
    const refreshed = await token(A, clients.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200, `refresh on A: ${brief(refreshed)}`);
  }));

  it('step-up to aal2 by TOTP: /u/mfa fetched on A, answered on B, the code exchanged on C', () => cluster.logsOnFailure(async () => {
    const { email, authenticator } = users.step;
    const b = new Browser(cluster.issuer);
    const first = await exchange(cluster, clients.stepUp, await signIn(b, clients.stepUp, email));
    const before = claims(first.id_token);
    assert.equal(before.acr, 'aal1', 'a password alone (the client says mfa=never)');

    const up = await on(b, A).get(authorizeUrl(A.issuer, clients.stepUp, { acr_values: 'aal2' }));
    assert.equal(up.status, 303);
    assert.equal(new URL(up.location, A.issuer).pathname, '/u/mfa', `acr_values=aal2 on A asks for a factor: ${up.location}`);
    const page = await b.get(up.location);
    assert.equal(page.status, 200, 'the factor page on A');
    const csrf = formValue(page.body, 'csrf');
    const method = formValue(page.body, 'method');
    assert.ok(csrf && method, 'the factor form has csrf and method');
    const answered = await on(b, B).post('/u/mfa', { csrf, method, code: await authenticator.code() });
    const code = locationParam(answered, 'code');
    assert.ok(code, `TOTP on B gives a code: ${answered.status} ${answered.location} ${answered.body.slice(0, 300)}`);
    const after = claims((await exchange(C, clients.stepUp, code)).id_token);
    assert.equal(after.acr, 'aal2', `acr after the step-up: ${JSON.stringify(after)}`);
    assert.ok(after.amr.includes('otp'), `amr: ${after.amr}`);
    assert.equal(after.sid, before.sid, 'the step-up keeps the session');
  }));

  it("Auth0's MFA API: mfa_required on A, /mfa/authenticators on B, the otp grant on C gives aal2", () => cluster.logsOnFailure(async () => {
    const { email, authenticator } = users.api;
    const required = await passwordGrant(A, clients.mfa, email);
    assert.equal(required.status, 403, brief(required));
    assert.equal(required.body.error, 'mfa_required');
    const mfaToken = required.body.mfa_token;
    assert.ok(mfaToken, 'an mfa_token');

    const listed = await bearer(`${B.issuer}/mfa/authenticators`, mfaToken);
    assert.equal(listed.status, 200, `authenticators on B: ${listed.status} ${listed.body}`);
    const otp = listed.json().find((x) => x.authenticator_type === 'otp');
    assert.ok(otp?.active, `an active otp authenticator on B: ${listed.body}`);

    const done = await token(C, clients.mfa, { grant_type: GRANT.otp, mfa_token: mfaToken, otp: await authenticator.code() });
    assert.equal(done.status, 200, `otp grant on C: ${brief(done)}`);
    assert.equal(claims(done.body.id_token).acr, 'aal2');
    assert.equal(claims(done.body.access_token).acr, 'aal2');
  }));

  it('consent for a third-party client: shown on A, answered on B, the code exchanged on C', () => cluster.logsOnFailure(async () => {
    const b = new Browser(cluster.issuer);
    await signIn(b, clients.web, users.ada.email);
    const ask = await on(b, A).get(authorizeUrl(A.issuer, clients.third));
    const to = ask.location ? new URL(ask.location, A.issuer) : null;
    assert.equal(to?.pathname, '/u/consent', `the third-party client gets the consent page on A: ${ask.status} ${ask.location}`);
    const page = await b.get(`${to.pathname}${to.search}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Budget Helper/);
    const allowed = await on(b, B).post('/u/consent', {
      csrf: formValue(page.body, 'csrf'), state: formValue(page.body, 'state'), decision: 'allow',
    });
    assert.ok(allowed.location?.startsWith(THIRD_REDIRECT), `allow on B: ${allowed.status} ${allowed.location}`);
    const code = locationParam(allowed, 'code');
    assert.ok(code, allowed.location);
    const tokens = await exchange(C, clients.third, code);
    assert.equal(claims(tokens.id_token).sub, users.ada.id);
    // The consent is remembered for the cluster: prompt=none on C gives a code.
    const quiet = await silent(on(b, C), clients.third);
    assert.ok(quiet.code, `prompt=none on C after consenting on B: ${quiet.location}`);
  }));
});

it('2: a factor removed on A ends the sessions B serves at once; one back-channel logout is delivered', () => cluster.logsOnFailure(async () => {
  const { email, id: userId, authenticator } = users.logout;
  const b = new Browser(B.issuer);
  const { res } = await passwordStep(b, clients.logout, email, PASSWORD, { scope: 'openid offline_access' });
  assert.equal(res.location, '/u/mfa', 'the user has a factor and the browser is new: the factor is asked');
  const page = await b.get('/u/mfa');
  const done = await b.post('/u/mfa', { csrf: formValue(page.body, 'csrf'), method: formValue(page.body, 'method'), code: await authenticator.code() });
  const code = locationParam(done, 'code');
  assert.ok(code, `${done.status} ${done.location}`);
  const tokens = await exchange(B, clients.logout, code);
  const { sid } = claims(tokens.id_token);
  assert.ok(sid, 'the ID token names the session');
  assert.ok((await silent(b, clients.logout)).code, 'B serves the session');

  const tok = await managementToken(cluster, ['read:authenticators', 'delete:guardian_enrollments']);
  const factors = await management(A, tok, 'GET', `/api/v2/users/${userId}/enrollments`);
  assert.equal(factors.status, 200, JSON.stringify(factors.body));
  assert.equal(factors.body.length, 1, JSON.stringify(factors.body));
  const removedAt = Date.now();
  const removed = await management(A, tok, 'DELETE', `/api/v2/guardian/enrollments/${factors.body[0].id}`);
  assert.equal(removed.status, 204, JSON.stringify(removed.body));

  const after = await silent(b, clients.logout);
  assert.equal(after.code, null, `B still serves the session after the factor was removed on A: ${after.location}`);
  assert.equal(after.error, 'login_required', after.location);
  const refresh = await token(B, clients.logout, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assert.equal(refresh.status, 400, `the session's refresh token on B: ${brief(refresh)}`);

  await sleep(Math.max(0, removedAt + 3000 - Date.now()));
  const posts = receiver.posts.filter((p) => p.at >= removedAt);
  console.log(`back-channel logout POSTs within 3 s of the removal: ${posts.length}`);
  assert.equal(posts.length, 1, `exactly one back-channel logout: ${JSON.stringify(posts.map((p) => ({ at: p.at - removedAt, path: p.path, sid: p.form.logout_token && claims(p.form.logout_token).sid })))}`);
  const [post] = posts;
  assert.equal(post.method, 'POST');
  assert.ok(post.form.logout_token, 'a logout_token field');
  assert.equal(jwtHeader(post.form.logout_token).typ, 'logout+jwt');
  const lt = claims(post.form.logout_token);
  assert.equal(lt.iss, cluster.issuer);
  assert.equal(lt.aud, clients.logout.id);
  assert.equal(lt.sub, userId);
  assert.equal(lt.sid, sid);
  assert.ok(lt.events && LOGOUT_EVENT in lt.events, JSON.stringify(lt));
}));

describe('3: changes made through one node hold on the others within a second', () => {
  it('a rotated signing key signs on every node within 1 s', () => cluster.logsOnFailure(async () => {
    const first = await Promise.all(cluster.nodes.map((n) => machineToken(n, clients.worker)));
    for (const r of first) assert.equal(r.status, 200, brief(r));
    const oldKids = new Set(first.map((r) => jwtHeader(r.body.access_token).kid));
    assert.equal(oldKids.size, 1, 'the nodes sign with one key');
    // The management API has no key rotation endpoint: the CLI rotates, on the same database.
    const out = await cluster.run(['keys', 'rotate', '--alg', 'RS256']);
    assert.equal(out.status, 0, out.stderr);
    const since = Date.now();
    const kid = out.json.rotated.find((k) => k.alg === 'RS256').kid;
    assert.ok(!oldKids.has(kid), 'a new key');
    const seen = await Promise.all(cluster.nodes.map((n) => until(
      1000,
      () => machineToken(n, clients.worker),
      (r) => r.status === 200 && jwtHeader(r.body.access_token).kid === kid,
      { since, what: `node ${n.name} signing with the new key` },
    )));
    console.log(`new key signing after: ${cluster.nodes.map((n, i) => `${n.name} ${seen[i].elapsed} ms`).join(', ')}`);
    const jwks = (await request(`${B.issuer}/.well-known/jwks.json`)).json().keys.map((k) => k.kid);
    assert.ok(jwks.includes(kid) && jwks.includes([...oldKids][0]), `B publishes the new and the old key: ${jwks}`);
  }));

  it('a client deleted on A is refused on B within 1 s', () => cluster.logsOnFailure(async () => {
    for (const n of [A, B]) {
      const r = await machineToken(n, clients.doomed);
      assert.equal(r.status, 200, `${n.name} before the deletion: ${brief(r)}`);
    }
    const tok = await managementToken(cluster, ['delete:clients']);
    const del = await management(A, tok, 'DELETE', `/api/v2/clients/${clients.doomed.id}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    const { elapsed } = await until(
      1000,
      () => machineToken(B, clients.doomed),
      (r) => r.status === 401 && r.body.error === 'invalid_client',
      { what: 'B refusing the deleted client' },
    );
    console.log(`deleted client refused on B after ${elapsed} ms`);
  }));
});

it('4: kill -9 of one node during refresh and sign-in load through the load balancer', { timeout: 120_000 }, () => cluster.logsOnFailure(async () => {
  const WORKERS = 8;
  const DURATION = 5000;
  const KILL_AFTER = 2000;
  const victim = C;
  const web = clients.web;

  // A user per worker pair: one account's password is checked at most a few times at once
  // (the lockout counts attempts before checking them), so each sign-in worker has its own.
  const tok = await managementToken(cluster, ['create:users']);
  const emails = await Promise.all(Array.from({ length: WORKERS }, async (_, i) => {
    const email = `load${i}@example.com`;
    const r = await management(cluster, tok, 'POST', '/api/v2/users', { email, password: PASSWORD });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return email;
  }));

  // A refresh-token family per refresh worker, each from a sign-in of its own.
  const families = await Promise.all(emails.map(async (email, worker) => {
    const b = new Browser(cluster.issuer);
    const t = await exchange(cluster, web, await signIn(b, web, email, PASSWORD, { scope: 'openid offline_access' }));
    assert.ok(t.refresh_token);
    return { worker, token: t.refresh_token, last: 200, refreshed: 0, lost: 0, end: null };
  }));

  const attempts = [];
  const signIns = [];
  const isLost = (status) => typeof status !== 'number' || status === 502 || status === 503 || status === 504;
  /** Runs one request, timed; `ok(res)` says whether it did what it should. */
  async function timed(kind, f, ok) {
    const a = { kind, start: Date.now() };
    try {
      a.res = await f();
      a.status = a.res.status;
      a.ok = Boolean(ok(a.res));
    } catch (e) {
      a.status = e.code ?? String(e.message);
      a.ok = false;
    }
    a.end = Date.now();
    attempts.push(a);
    return a;
  }

  const stopAt = Date.now() + DURATION;
  let killAt = Infinity;
  let killedAt = Infinity;

  async function refresher(f) {
    let retrying = false;
    while (Date.now() < stopAt) {
      const a = await timed('refresh', () => token(cluster, web, { grant_type: 'refresh_token', refresh_token: f.token }), (r) => r.status === 200 && Boolean(r.body.refresh_token));
      a.afterLoss = retrying;
      f.last = a.status;
      if (a.ok) {
        f.token = a.res.body.refresh_token;
        f.refreshed++;
        retrying = false;
      } else if (isLost(a.status)) {
        // The answer was lost: a real client sends the same token again.
        f.lost++;
        retrying = true;
      } else {
        f.end = `${a.status} ${a.res?.body?.error_description ?? ''}`;
        return;
      }
    }
  }

  async function signer(email) {
    while (Date.now() < stopAt) {
      const b = new Browser(cluster.issuer);
      const authz = await timed('authorize', () => b.get(authorizeUrl(cluster.issuer, web)), (r) => r.status === 303 && r.location?.startsWith('/u/login'));
      if (!authz.ok) continue;
      const page = await timed('login page', () => b.get(authz.res.location), (r) => r.status === 200 && formValue(r.body, 'state'));
      if (!page.ok) continue;
      const form = { state: formValue(page.res.body, 'state'), csrf: formValue(page.res.body, 'csrf'), email, password: PASSWORD };
      const post = await timed('password', () => b.post('/u/login', form), (r) => Boolean(locationParam(r, 'code')));
      if (!post.ok) continue;
      const s = { b, code: locationParam(post.res, 'code') };
      signIns.push(s);
      const ex = await timed('exchange', () => token(cluster, web, { grant_type: 'authorization_code', code: s.code, redirect_uri: web.redirect }), (r) => r.status === 200);
      s.exchanged = ex.ok;
    }
  }

  const started = Date.now();
  const marks = cluster.marks();
  try {
    await Promise.all([
      ...families.map(refresher),
      ...emails.map(signer),
      (async () => {
        await sleep(KILL_AFTER);
        killAt = Date.now();
        await cluster.kill9(victim.index);
        killedAt = Date.now();
      })(),
    ]);
    const elapsed = (Date.now() - started) / 1000;

    const inFlight = (a) => a.start <= killedAt && a.end >= killAt;
    const failed = attempts.filter((a) => !a.ok);
    const lost = failed.filter((a) => inFlight(a) || a.afterLoss);
    const unexpected = failed.filter((a) => !inFlight(a) && !a.afterLoss);
    const after = attempts.filter((a) => a.start > killedAt);
    const count = (list) => list.reduce((m, a) => ({ ...m, [`${a.kind} ${a.status}`]: (m[`${a.kind} ${a.status}`] ?? 0) + 1 }), {});
    console.log(`load: ${attempts.length} requests in ${elapsed.toFixed(1)} s = ${(attempts.length / elapsed).toFixed(0)} requests/s; `
      + `${families.reduce((n, f) => n + f.refreshed, 0)} refreshes, ${signIns.length} sign-ins with a code; node ${victim.name} killed at +${killAt - started} ms`);
    const ms = attempts.map((a) => a.end - a.start).sort((x, y) => x - y);
    const pct = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
    console.log(`latency through the load balancer: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${ms[ms.length - 1]} ms`);
    console.log(`after the kill: ${after.length} requests, ${after.filter((a) => a.ok).length} answered as they should`);
    console.log(`answers lost in the kill (in flight, or the retry of a lost refresh): ${lost.length} ${JSON.stringify(count(lost))}`);
    console.log(`HAProxy's view: ${JSON.stringify(cluster.haproxySince(marks))}`);
    console.log(`families: ${families.map((f) => `#${f.worker} ${f.refreshed} ok, last ${f.last}${f.end ? ` (${f.end})` : ''}`).join('; ')}`);

    assert.ok(signIns.length > 0 && families.some((f) => f.refreshed > 0), 'the load ran: sign-ins and refreshes were answered');
    assert.ok(after.filter((a) => a.ok).length > 0, 'the survivors serve after the kill');
    assert.deepEqual(
      unexpected.map((a) => `${a.kind} ${a.status} at +${a.start - started} ms: ${JSON.stringify(a.res?.body ?? a.res?.location ?? '').slice(0, 200)}`),
      [],
      'requests not in flight during the kill are all answered as they should',
    );

    // Nothing answered is lost and no family is wrongly revoked: every family ended the load on
    // a 200 (a lost answer was retried within the reuse interval), and the newest token of each
    // still refreshes. Every sign-in that got a code has its session.
    assert.deepEqual(
      families.filter((f) => f.last !== 200).map((f) => `#${f.worker}: ${f.last} ${f.end ?? ''}`),
      [],
      'every family ended the load alive',
    );
    const refreshes = await Promise.all(families.map((f) => token(cluster, web, { grant_type: 'refresh_token', refresh_token: f.token })));
    assert.deepEqual(
      refreshes.map((r, i) => ({ family: families[i].worker, status: r.status, error: r.body.error })).filter((x) => x.status !== 200),
      [],
      'every family is alive',
    );
    const sessions = await Promise.all(signIns.map((s) => silent(s.b, web)));
    assert.deepEqual(
      sessions.map((s, i) => ({ signIn: i, error: s.error, location: s.location })).filter((s, i) => !sessions[i].code),
      [],
      `every sign-in that got a code has a session (${signIns.length} checked)`,
    );

    const audit = await cluster.run(['audit', 'verify']);
    console.log(`audit verify: exit ${audit.status} ${audit.stdout.trim()}`);
    assert.equal(audit.status, 0, `audit verify: ${audit.stdout} ${audit.stderr}`);
  } finally {
    if (victim.child.signalCode !== null || victim.child.exitCode !== null) await cluster.restart(victim.index);
  }
}));

it('5: a PostgreSQL restart under light load: the nodes recover by themselves, nothing committed is lost',
  { skip: pg.skip ?? false, timeout: 120_000 }, () => cluster.logsOnFailure(async () => {
    try {
      // Committed before the restart: a user (through the management API) and a refresh token.
      const email = 'restart@example.com';
      const created = await management(cluster, await managementToken(cluster, ['create:users']), 'POST', '/api/v2/users', { email, password: PASSWORD });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const b = new Browser(cluster.issuer);
      const first = await exchange(cluster, clients.web, await signIn(b, clients.web, email, PASSWORD, { scope: 'openid offline_access' }));
      let refresh = first.refresh_token;

      // Light load while PostgreSQL restarts: on each node two /readyz pollers (every 20 ms,
      // 1 s timeout, as HAProxy's checks), a client_credentials token through the load
      // balancer every 50 ms, and HAProxy's view of the servers every 100 ms.
      const seen = [];
      const haproxyDown = [];
      let watching = true;
      const watch = (who, every, f) => (async () => {
        while (watching) {
          const start = Date.now();
          let status;
          try {
            status = (await f()).status;
          } catch (e) {
            status = e.code ?? 'error';
          }
          seen.push({ who, start, end: Date.now(), status });
          await sleep(every);
        }
      })();
      const watchers = [
        ...cluster.nodes.flatMap((n) => [1, 2].map(() => watch(n.name, 20, () => probe(`${n.issuer}/readyz`, 1000)))),
        watch('LB token', 50, () => machineToken(cluster, clients.worker)),
        (async () => {
          while (watching) {
            const s = await cluster.status();
            for (const [name, st] of Object.entries(s)) if (st !== 'UP') haproxyDown.push({ at: Date.now(), name, st });
            await sleep(100);
          }
        })(),
      ];
      const pgStarted = postgresStartedAt();
      await sleep(500);
      const restartAt = Date.now();
      const out = await pgctl(pg, 'restart');
      const restartedAt = Date.now();
      assert.equal(out.status, 0, `pg_ctlcluster restart: ${out.stderr}`);
      const ready = await Promise.all(cluster.nodes.map((n) => until(
        20_000,
        () => probe(`${n.issuer}/readyz`, 1000),
        (r) => r.status === 200,
        { since: restartedAt, every: 100, what: `node ${n.name} ready again` },
      )));
      await sleep(1000);
      watching = false;
      await Promise.all(watchers);
      assert.notEqual(postgresStartedAt(), pgStarted, 'PostgreSQL restarted');

      // What the restart looked like from outside: answers other than 200 (a timeout is what
      // a health check counts as not ready), answers held back 150 ms or more (normally a few
      // ms), servers HAProxy took out.
      const window = (s) => s.end >= restartAt && s.start <= restartedAt + 1000;
      const failed = seen.filter((s) => window(s) && s.status !== 200);
      const held = seen.filter((s) => window(s) && s.status === 200 && s.end - s.start >= 150);
      const tally = (list) => list.reduce((m, s) => ({ ...m, [`${s.who} ${s.status}`]: (m[`${s.who} ${s.status}`] ?? 0) + 1 }), {});
      console.log(`PostgreSQL ${pg.version}/${pg.name} restarted in ${restartedAt - restartAt} ms; nodes ready again after: `
        + `${cluster.nodes.map((n, i) => `${n.name} ${ready[i].elapsed} ms`).join(', ')}`);
      console.log(`during the restart: not ready or failed ${JSON.stringify(tally(failed))}; held back ≥150 ms ${JSON.stringify(tally(held))} `
        + `(longest ${Math.max(0, ...held.map((s) => s.end - s.start))} ms); HAProxy took out ${JSON.stringify([...new Set(haproxyDown.map((d) => d.name))])}`);
      assert.ok(failed.length + held.length + haproxyDown.length > 0,
        'the restart was seen from outside: some /readyz or request failed or waited, or HAProxy took a node out');
      const lateFailures = seen.filter((s) => s.start > restartedAt + Math.max(...ready.map((r) => r.elapsed)) && s.status !== 200);
      assert.deepEqual(lateFailures, [], 'once every node is ready again, every answer is 200');

      // Everything committed before the restart still works, on every node.
      for (const n of cluster.nodes) {
        const r = await token(n, clients.web, { grant_type: 'refresh_token', refresh_token: refresh });
        assert.equal(r.status, 200, `the refresh token from before the restart, on ${n.name}: ${brief(r)}`);
        refresh = r.body.refresh_token;
        assert.ok((await silent(on(b, n), clients.web)).code, `the session from before the restart, on ${n.name}`);
      }
      const again = new Browser(cluster.issuer);
      await exchange(cluster, clients.web, await signIn(again, clients.web, email));

      // Configuration changes reach every node again (their change listeners survived).
      const rotated = await cluster.run(['keys', 'rotate', '--alg', 'RS256']);
      assert.equal(rotated.status, 0, rotated.stderr);
      const since = Date.now();
      const kid = rotated.json.rotated[0].kid;
      await Promise.all(cluster.nodes.map((n) => until(
        1000,
        () => machineToken(n, clients.worker),
        (r) => r.status === 200 && jwtHeader(r.body.access_token).kid === kid,
        { since, what: `node ${n.name} signing with a key rotated after the restart` },
      )));
    } finally {
      assert.ok(await ensurePostgres(pg), 'PostgreSQL answers again');
    }
  }));
