// The cluster under test: a fresh PostgreSQL database, three `portcullis serve` nodes on it (not
// --dev: the issuer is the load balancer's URL) and HAProxy in front of them. Also the few
// things the cluster scenarios need beyond tests/adversarial/harness.mjs: a back-channel logout
// receiver, a probe with a timeout, polling with a deadline, a TOTP authenticator that never
// reuses a time step, and control of the local PostgreSQL server. Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, totp, totpStep, withJson } from '../adversarial/harness.mjs';

export { BIN };

/**
 * Every node sees each request from 127.0.0.1 (HAProxy's address, or the test's), so the
 * per-IP page limits are off in cluster tests; the shared limits have their own test.
 */
export const PER_IP_LIMITS_OFF = {
  PORTCULLIS_LIMITS__LOGIN_PER_MINUTE: '0',
  PORTCULLIS_LIMITS__FACTOR_PER_MINUTE: '0',
  PORTCULLIS_LIMITS__ENROLL_PER_MINUTE: '0',
};

/** The server the cluster's database is created on (its `test` database is only for `psql`). */
export const ADMIN_DATABASE_URL = process.env.PORTCULLIS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const isRoot = process.getuid?.() === 0;

/** Whether `cmd` is on the PATH. */
export const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** The protected header of a JWT. */
export const jwtHeader = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));

/**
 * Calls `probe()` until `done(value)` holds or `ms` pass since `since` (default now):
 * `{value, elapsed}`; on the deadline it throws with the last value.
 */
export async function until(ms, probe, done, { every = 20, since = Date.now(), what = 'condition' } = {}) {
  let last;
  for (;;) {
    last = await probe();
    const elapsed = Date.now() - since;
    if (done(last)) return { value: last, elapsed };
    if (elapsed > ms) throw new Error(`${what} not met within ${ms} ms; last: ${JSON.stringify(last)?.slice(0, 400)}`);
    await sleep(every);
  }
}

/** `GET url` with a deadline: `{status}`, or `{status: 'timeout' | <socket error code>}`; never throws. */
export function probe(url, timeoutMs = 1000) {
  return new Promise((ok) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode }));
      res.on('error', (e) => ok({ status: e.code ?? 'error' }));
    });
    req.on('timeout', () => {
      req.destroy();
      ok({ status: 'timeout' });
    });
    req.on('error', (e) => ok({ status: e.code ?? 'error' }));
  });
}

/**
 * A TOTP authenticator app that, like a person, never offers a code for a time step the server
 * has already accepted (a code is good once): the next code is for the current step or, when
 * that was spent, the next one (within the server's one-step drift), waiting if need be.
 */
export class Authenticator {
  constructor(secret, spentStep = totpStep()) {
    this.secret = secret;
    this.spent = spentStep;
  }

  async code() {
    let step = Math.max(totpStep(), this.spent + 1);
    while (step > totpStep() + 1) await sleep(200);
    step = Math.max(step, totpStep());
    this.spent = step;
    return totp(this.secret, step);
  }
}

/**
 * A relying party's back-channel logout endpoint: records every POST (its form fields) and
 * answers 200.
 */
export async function logoutReceiver() {
  const posts = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      posts.push({ at: Date.now(), method: req.method, path: req.url, form: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/backchannel-logout`,
    posts,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

// ---------------------------------------------------------------------------------------------
// Children: every process started here is killed when the test process exits or is interrupted,
// and the databases and directories of clusters not stopped are removed.

const children = new Set();
const leftovers = { databases: new Set(), dirs: new Set() };
function cleanUp() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const name of leftovers.databases) {
    spawnSync('psql', [ADMIN_DATABASE_URL, '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'ignore', timeout: 10_000 });
  }
  for (const dir of leftovers.dirs) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanUp);
// Interrupted (Ctrl-C, the runner's cancel): no 'exit' event comes by itself.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Resolves when `child` has exited (at once if it already has). */
const exited = (child) => (child.exitCode !== null || child.signalCode !== null
  ? Promise.resolve()
  : new Promise((r) => child.once('exit', r)));

/** Stops `child`: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child, graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Runs a command to completion without blocking the event loop: `{status, stdout, stderr}`. */
export function run(cmd, args, { env, input, cwd } = {}) {
  return new Promise((ok, fail) => {
    const child = track(spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('error', fail);
    child.on('close', (status) => ok({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** The tail of a process's output, kept in memory (up to `limit` characters). */
class Log {
  constructor(limit = 2_000_000) {
    this.limit = limit;
    this.text = '';
    this.dropped = 0; // characters dropped from the front
  }

  append(chunk) {
    this.text += chunk;
    if (this.text.length > this.limit) {
      const cut = this.text.length - this.limit;
      this.text = this.text.slice(cut);
      this.dropped += cut;
    }
  }

  /** A position to read from later. */
  mark() {
    return this.dropped + this.text.length;
  }

  /** What was written since `mark`, at most the last `max` characters. */
  since(mark = 0, max = 12_000) {
    const out = this.text.slice(Math.max(0, mark - this.dropped));
    return out.length > max ? `…${out.slice(-max)}` : out;
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL and HAProxy

/** `psql` against the admin database (the server's `test` database by default). */
function psql(sql) {
  const out = spawnSync('psql', [ADMIN_DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t', '-c', sql], { encoding: 'utf8' });
  if (out.error) throw new Error(`psql: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`psql -c "${sql}" exited ${out.status}: ${out.stderr}`);
  return out.stdout;
}

/** The URL of database `name` on the admin database's server. */
function databaseUrl(name) {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * The local PostgreSQL cluster serving ADMIN_DATABASE_URL, when this process may restart it
 * (root, Debian's `pg_ctlcluster`, a server on this machine): `{version, name, port}` or
 * `{skip: reason}`.
 */
export function localPostgres() {
  if (!isRoot) return { skip: 'not running as root' };
  if (!has('pg_ctlcluster')) return { skip: 'pg_ctlcluster is not installed' };
  const u = new URL(ADMIN_DATABASE_URL);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return { skip: `PostgreSQL is not local (${u.hostname})` };
  const port = u.port || '5432';
  const root = '/etc/postgresql';
  if (!existsSync(root)) return { skip: `${root} does not exist` };
  for (const version of readdirSync(root)) {
    for (const name of readdirSync(join(root, version))) {
      const conf = join(root, version, name, 'postgresql.conf');
      if (!existsSync(conf)) continue;
      const m = readFileSync(conf, 'utf8').match(/^\s*port\s*=\s*(\d+)/m);
      if ((m?.[1] ?? '5432') === port) return { version, name, port };
    }
  }
  return { skip: `no cluster in ${root} listens on port ${port}` };
}

/** When the PostgreSQL server (re)started, as it says. */
export const postgresStartedAt = () => psql('SELECT pg_postmaster_start_time()').trim();

export const postgresReady = () => spawnSync('pg_isready', ['-q', '-d', ADMIN_DATABASE_URL]).status === 0;

/** `pg_ctlcluster --skip-systemctl-redirect VERSION NAME ACTION`, without blocking the loop. */
export function pgctl(pg, action) {
  return run('pg_ctlcluster', ['--skip-systemctl-redirect', pg.version, pg.name, action]);
}

/** Makes sure the PostgreSQL server answers again (starting it if a restart left it down). */
export async function ensurePostgres(pg) {
  const deadline = Date.now() + 15_000;
  while (!postgresReady() && Date.now() < deadline) await sleep(250);
  if (postgresReady() || !pg?.version) return postgresReady();
  await pgctl(pg, 'start');
  for (let i = 0; i < 100 && !postgresReady(); i++) await sleep(200);
  return postgresReady();
}

/** Installs Debian's haproxy when it is missing (as root), or says how to get it. */
function ensureHaproxy() {
  if (has('haproxy')) return;
  if (!isRoot || !has('apt-get')) {
    throw new Error('haproxy is not installed and this process cannot install it (needs root and apt-get): '
      + 'install it, e.g. `apt-get install haproxy`, and run the tests again');
  }
  const out = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy'], { encoding: 'utf8' });
  if (out.status !== 0 || !has('haproxy')) throw new Error(`installing haproxy failed: ${out.stderr}`);
}

/** A TCP port that was free a moment ago. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** `show stat` on HAProxy's stats socket: `{svname: status}` of the `nodes` backend's servers. */
function haproxyStatus(socket) {
  return new Promise((ok) => {
    const c = net.createConnection(socket);
    let text = '';
    c.on('connect', () => c.write('show stat\n'));
    c.on('data', (d) => { text += d; });
    c.on('error', () => ok({}));
    c.on('close', () => {
      const lines = text.split('\n');
      const head = (lines[0] ?? '').replace(/^# /, '').split(',');
      const [px, sv, st] = ['pxname', 'svname', 'status'].map((k) => head.indexOf(k));
      const out = {};
      for (const l of lines.slice(1)) {
        const f = l.split(',');
        if (f[px] === 'nodes' && f[sv] && f[sv] !== 'BACKEND') out[f[sv]] = f[st];
      }
      ok(out);
    });
  });
}

function haproxyConfig({ lbPort, socket, nodes }) {
  return `global
    stats socket ${socket} mode 600 level admin
    log stderr format raw local0 info
    maxconn 2000

defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch
    # Only requests that never reached a node are retried: a POST the node took (a refresh
    # rotated, a code spent) must not run twice.
    retry-on conn-failure

frontend portcullis
    bind 127.0.0.1:${lbPort}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET /readyz
${nodes.map((n) => `    server ${n.name} 127.0.0.1:${n.port} check inter 200 fall 2 rise 2`).join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------
// The cluster

/** Names of the nodes, in order: A, B, C, … */
const NAMES = 'ABCDEFGH';

/**
 * Starts the cluster: a new database, `portcullis migrate`, a management client, `size` nodes
 * and HAProxy (round robin, health checks on /readyz every 200 ms). The result can be passed as
 * `srv` to the harness's helpers (they then go through the load balancer), and so can each of
 * its `nodes` (they then talk to that node alone). `env` is added to every node's and every
 * CLI command's environment. `bin` is the binary that migrates, runs the CLI and starts every
 * node (a previous release's, for the rolling-upgrade test); `upgrade` swaps a node's later.
 */
export async function startCluster({ size = 3, env = {}, bin = BIN } = {}) {
  ensureHaproxy();
  if (!existsSync(bin)) throw new Error(`no portcullis binary at ${bin} (build it, or set PORTCULLIS_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cluster-'));
  leftovers.dirs.add(dir);
  const dbName = `portcullis_cluster_${randomBytes(6).toString('hex')}`;
  const lbPort = await freePort();
  const issuer = `http://127.0.0.1:${lbPort}`;
  const fullEnv = {
    PATH: process.env.PATH,
    NO_COLOR: '1',
    PORTCULLIS_LOG__LEVEL: 'info',
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_DATABASE_URL: databaseUrl(dbName),
    PORTCULLIS_MASTER_KEY: randomBytes(32).toString('base64'),
    ...env,
  };
  const cliEnv = { ...fullEnv, PORTCULLIS_LOG__LEVEL: 'warn' };
  const haproxyLog = new Log();
  let haproxy;
  let dbCreated = false;

  const nodes = [];
  for (let i = 0; i < size; i++) {
    const port = await freePort();
    nodes.push({ name: NAMES[i], index: i, port, issuer: `http://127.0.0.1:${port}`, log: new Log(), child: null, bin });
  }
  const socket = join(dir, 'haproxy.sock');

  const cluster = {
    issuer,
    dir,
    dbName,
    env: fullEnv,
    nodes,
    management: null,

    /** The binary the CLI commands run (`bin` until changed). */
    bin,

    /** Runs `portcullis ARGS` with the cluster's configuration: `{status, stdout, stderr, json}`. */
    cli(args, input) {
      const out = spawnSync(cluster.bin, args, { cwd: dir, env: cliEnv, input, encoding: 'utf8' });
      return withJson(out);
    },
    /** As `cli`, failing unless the command succeeds; its JSON. */
    must(args, input) {
      const out = cluster.cli(args, input);
      if (out.status !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${out.status}: ${out.stderr}`);
      return out.json;
    },
    /** As `cli`, without blocking the event loop (so timers and other requests go on). */
    async run(args, input) {
      return withJson(await run(cluster.bin, args, { cwd: dir, env: cliEnv, input }));
    },

    /**
     * One step of a rolling upgrade: node `i` is stopped as a service manager stops it
     * (SIGTERM, in-flight requests drained) and started again from `newBin`.
     */
    async upgrade(i, newBin) {
      await stopChild(nodes[i].child, 10_000);
      nodes[i].bin = newBin;
      await startNode(nodes[i]);
      await cluster.balanced();
    },

    /** HAProxy's view of the servers: `{A: 'UP', B: 'DOWN', …}`. */
    status: () => haproxyStatus(socket),

    /** Waits until HAProxy sends to every live node (and the load balancer answers). */
    async balanced(ms = 20_000) {
      const want = nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);
      await until(ms, () => cluster.status(), (s) => want.every((n) => s[n.name] === 'UP'), { every: 100, what: 'HAProxy seeing every node UP' });
      await until(ms, () => probe(`${issuer}/readyz`), (r) => r.status === 200, { every: 100, what: 'the load balancer answering' });
    },

    /** Kills node `i` with SIGKILL; resolves once it is gone. */
    async kill9(i) {
      const { child } = nodes[i];
      const gone = exited(child);
      child.kill('SIGKILL');
      await gone;
    },

    /** Starts node `i` again (after kill9) and waits until HAProxy sends to it. */
    async restart(i) {
      await startNode(nodes[i]);
      await cluster.balanced();
    },

    /** Positions in every log, for `logsSince`. */
    marks() {
      return { haproxy: haproxyLog.mark(), nodes: nodes.map((n) => n.log.mark()) };
    },

    /**
     * HAProxy's request log since `marks` (its own view of a run): how many requests it
     * retried, redispatched to another node, or answered itself with a 5xx.
     */
    haproxySince(marks) {
      const lines = haproxyLog.since(marks.haproxy, Infinity).split('\n');
      const out = { requests: 0, retried: 0, redispatched: 0, errors: {}, byNode: {} };
      for (const l of lines) {
        // … nodes/A 0/0/0/9/9 303 176 - - ---- 8/8/7/2/0 0/0 "GET …"
        const m = l.match(/ nodes\/(\S+) \S+ (\d+) \d+ \S+ \S+ (\S{4}) \d+\/\d+\/\d+\/\d+\/(\+?)(\d+) /);
        if (!m) continue;
        const [, node, status, , plus, retries] = m;
        out.requests++;
        out.byNode[node] = (out.byNode[node] ?? 0) + 1;
        if (Number(retries) > 0) out.retried++;
        if (plus) out.redispatched++;
        if (status.startsWith('5')) out.errors[status] = (out.errors[status] ?? 0) + 1;
      }
      return out;
    },

    /** Every node's (and HAProxy's) output since `marks`, tail first trimmed. */
    logsSince(marks = { haproxy: 0, nodes: nodes.map(() => 0) }) {
      const parts = nodes.map((n, i) => `----- node ${n.name} (${n.issuer}) -----\n${n.log.since(marks.nodes[i])}`);
      parts.push(`----- haproxy -----\n${haproxyLog.since(marks.haproxy, 6_000)}`);
      return parts.join('\n');
    },

    /** Runs `fn`; if it throws, prints what the nodes and HAProxy logged meanwhile. */
    async logsOnFailure(fn) {
      const marks = cluster.marks();
      try {
        return await fn();
      } catch (e) {
        console.error(`\n===== cluster logs for the failure: ${e?.message?.split('\n')[0]}\n${cluster.logsSince(marks)}\n=====`);
        throw e;
      }
    },

    /** Stops HAProxy and every node, drops the database, removes the directory. */
    async stop() {
      await Promise.all([stopChild(haproxy), ...nodes.map((n) => stopChild(n.child))]);
      if (dbCreated) {
        try {
          psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
          leftovers.databases.delete(dbName);
        } catch (e) {
          console.error(`could not drop the test database ${dbName}: ${e.message}`);
        }
      }
      rmSync(dir, { recursive: true, force: true });
      leftovers.dirs.delete(dir);
    },
  };

  async function startNode(node) {
    const child = track(spawn(node.bin, ['serve', '--listen', `127.0.0.1:${node.port}`], {
      cwd: dir,
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    node.child = child;
    child.stdout.on('data', (c) => node.log.append(c));
    child.stderr.on('data', (c) => node.log.append(c));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`node ${node.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${node.log.since(0)}`);
      }
      if ((await probe(`${node.issuer}/readyz`, 1000)).status === 200) return;
      if (Date.now() > deadline) throw new Error(`node ${node.name} not ready in 30 s:\n${node.log.since(0)}`);
      await sleep(100);
    }
  }

  try {
    psql(`CREATE DATABASE ${dbName}`);
    dbCreated = true;
    leftovers.databases.add(dbName);
    cluster.must(['migrate']);
    const m = cluster.must(['client', 'create', '--name', 'cluster admin', '--grant', 'client_credentials',
      '--api', `${issuer}/api/v2/`,
      ...['read:users', 'create:users', 'read:authenticators', 'delete:authenticators', 'delete:guardian_enrollments',
        'read:sessions', 'delete:sessions', 'read:logs', 'read:clients', 'delete:clients'].flatMap((s) => ['--scope', s])]);
    cluster.management = { id: m.client_id, secret: m.client_secret };

    await Promise.all(nodes.map(startNode));

    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig({ lbPort, socket, nodes }));
    haproxy = track(spawn('haproxy', ['-db', '-f', cfg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
    haproxy.stdout.on('data', (c) => haproxyLog.append(c));
    haproxy.stderr.on('data', (c) => haproxyLog.append(c));
    haproxy.once('exit', (code) => haproxyLog.append(`\n[haproxy exited with ${code}]\n`));
    await until(10_000, async () => existsSync(socket) || haproxy.exitCode !== null, Boolean, { every: 50, what: 'the HAProxy stats socket' });
    if (haproxy.exitCode !== null) throw new Error(`haproxy exited ${haproxy.exitCode}:\n${haproxyLog.since(0)}`);
    await cluster.balanced();
  } catch (e) {
    const logs = cluster.logsSince();
    await cluster.stop();
    e.message += `\n${logs}`;
    throw e;
  }
  return cluster;
}

