// Shared helpers of the adversarial suite: a dev server per test file, raw HTTP (with a chosen
// source address), a browser with a cookie jar, the hosted login form, tokens and the
// management API, TOTP, the dev outbox. Only Node's built-ins.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { totp, totpStep } from '../totp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = resolve(process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis'));

/** A password every policy accepts (long, not common, not built on the address). */
export const PASSWORD = 'quiet amber lantern 7419 drifting';

export const GRANT = {
  otp: 'http://auth0.com/oauth/grant-type/mfa-otp',
  oob: 'http://auth0.com/oauth/grant-type/mfa-oob',
  recovery: 'http://auth0.com/oauth/grant-type/mfa-recovery-code',
};

// ---------------------------------------------------------------------------------------------
// The server

/**
 * Starts `portcullis serve --dev` on a free port in a fresh directory with `env` added, and
 * resolves once it is ready. The result knows the printed demo and management credentials and
 * runs the CLI against the same dev database.
 */
export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-adversarial-'));
  const fullEnv = { PATH: process.env.PATH, PORTCULLIS_LOG__LEVEL: 'warn', ...env };
  const child = spawn(BIN, ['serve', '--dev', '--listen', '127.0.0.1:0'], {
    cwd: dir,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test process, whatever happens to it.
  const kill = () => child.kill();
  process.once('exit', kill);
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  const issuer = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`dev server not ready in 30 s: ${output}`)), 30_000);
    child.stderr.on('data', (c) => {
      output += c;
      const m = output.match(/Portcullis is ready at (\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`dev server exited with ${code}: ${output}`));
    });
  }).catch((e) => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  // Keep draining the pipes, but do not keep the logs of 80-request bursts in memory.
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();

  const section = (title) => output.slice(output.indexOf(title));
  const field = (text, label) => text.match(new RegExp(`${label}:\\s+(\\S+)`))[1];
  const demoText = section('Demo client created');
  const mgmtText = section('Management API client created');
  const adminText = section('Dev admin user created');
  const srv = {
    issuer,
    dir,
    admin: { email: field(adminText, 'email'), password: field(adminText, 'password'), id: field(adminText, 'user_id') },
    demo: {
      id: field(demoText, 'client_id'),
      secret: field(demoText, 'client_secret'),
      redirect: field(demoText, 'redirect_uri'),
    },
    management: { id: field(mgmtText, 'client_id'), secret: field(mgmtText, 'client_secret') },
    /** Runs `portcullis --dev ARGS` in the server's directory: `{status, stdout, stderr, json}`. */
    cli(args, input) {
      return withJson(spawnSync(BIN, ['--dev', ...args], { cwd: dir, env: fullEnv, input, encoding: 'utf8' }));
    },
    /** As `cli`, failing unless the command succeeds; its JSON. */
    must(args, input) {
      const out = srv.cli(args, input);
      if (out.status !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${out.status}: ${out.stderr}`);
      return out.json;
    },
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill();
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return srv;
}

/** A finished CLI run as `{status, stdout, stderr, json}`: its stdout parsed when it is JSON. */
export function withJson(out) {
  let json;
  try {
    json = JSON.parse(out.stdout.trim());
  } catch {
    json = undefined;
  }
  return { status: out.status, stdout: out.stdout, stderr: out.stderr, json };
}

/** A new user with `PASSWORD` (or `password`); its CLI JSON (`user_id`, `email`, …). */
export function createUser(srv, email, password = PASSWORD) {
  return srv.must(['user', 'create', '--email', email, '--password-stdin'], `${password}\n`);
}

/** A user id from the CLI's answer, whatever its key is called. */
export const idOf = (user) => user.user_id ?? user.id;

/** A first-party client that may use the password grant: `{id, secret}`. */
export function passwordClient(srv, ...policy) {
  const args = ['client', 'create', '--name', `pw ${randomUUID().slice(0, 8)}`,
    '--redirect-uri', 'http://localhost:3000/cb', '--grant', 'authorization_code', '--grant', 'password'];
  for (const p of policy) args.push('--policy', p);
  const c = srv.must(args);
  return { id: c.client_id, secret: c.client_secret };
}

// ---------------------------------------------------------------------------------------------
// HTTP

/**
 * One HTTP request over a fresh connection, from `localAddress` when given (any 127.0.0.0/8
 * address works on Linux), never following redirects. `form` is sent url-encoded, `json` as
 * JSON. The answer: `{status, headers, body, location, setCookies, json()}`.
 */
export function request(url, { method = 'GET', headers = {}, form, json, localAddress } = {}) {
  const u = new URL(url);
  let body;
  const h = { host: u.host, connection: 'close', ...headers };
  if (form !== undefined) {
    body = new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  } else if (json !== undefined) {
    body = JSON.stringify(json);
    h['content-type'] = 'application/json';
  }
  if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
  return new Promise((ok, fail) => {
    const req = http.request(
      {
        host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: body !== undefined && method === 'GET' ? 'POST' : method,
        headers: h,
        localAddress,
        agent: false,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          ok({
            status: res.statusCode,
            headers: res.headers,
            body: text,
            location: res.headers.location ?? null,
            setCookies: res.headers['set-cookie'] ?? [],
            json() {
              return JSON.parse(text);
            },
          });
        });
      },
    );
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A query parameter of a response's `Location`, or null. */
export function locationParam(res, name) {
  if (!res.location) return null;
  return new URL(res.location, 'http://base.invalid').searchParams.get(name);
}

/** Whether a response sets a non-empty session cookie. */
export const setsSession = (res) =>
  res.setCookies.some((c) => /^(__Host-)?portcullis_session=[^;]+/.test(c));

/**
 * A browser: a cookie jar, a user agent of its own (so the adaptive policy sees a browser the
 * user never used) and optionally a source address.
 */
export class Browser {
  constructor(issuer, { localAddress, userAgent } = {}) {
    this.issuer = issuer;
    this.localAddress = localAddress;
    this.userAgent = userAgent ?? `Mozilla/5.0 (X11; Linux x86_64) Adversary/${randomUUID()}`;
    this.jar = new Map();
  }

  url(target) {
    return new URL(target, this.issuer).toString();
  }

  cookieHeader() {
    return [...this.jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keep(res) {
    for (const c of res.setCookies) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  async send(target, init = {}) {
    const headers = { 'user-agent': this.userAgent, ...init.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const res = await request(this.url(target), { localAddress: this.localAddress, ...init, headers });
    return this.keep(res);
  }

  get(target) {
    return this.send(target);
  }

  post(target, form) {
    return this.send(target, { method: 'POST', form });
  }
}

/** `name="NAME" value="…"` in a hosted page (HTML escapes undone), or null. */
export function formValue(html, name) {
  const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  if (!m) return null;
  return m[1]
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** An authorization request URL (code flow) with `scope` and extra parameters. */
export function authorizeUrl(issuer, client, { scope = 'openid email', redirect, ...extra } = {}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: redirect ?? client.redirect,
    scope,
    state: 'st',
    ...extra,
  });
  return `${issuer}/authorize?${q}`;
}

/**
 * Starts a sign-in for `client` in `b` and answers the password form: the answer to the post
 * (a redirect to the client with a code, to `/u/mfa`, …) and the login form's `state`.
 */
export async function passwordStep(b, client, email, password, extra = {}) {
  const first = await b.get(authorizeUrl(b.issuer, client, extra));
  if (first.status !== 303 || !first.location?.startsWith('/u/login')) {
    throw new Error(`authorize answered ${first.status} ${first.location}`);
  }
  const page = await b.get(first.location);
  const state = formValue(page.body, 'state');
  const res = await b.post('/u/login', { state, csrf: formValue(page.body, 'csrf'), email, password });
  return { res, state };
}

/** Signs `b` in to `client` with a password alone and returns the code. */
export async function signIn(b, client, email, password = PASSWORD, extra = {}) {
  const { res } = await passwordStep(b, client, email, password, extra);
  const code = locationParam(res, 'code');
  if (!code) throw new Error(`no code after the password: ${res.status} ${res.location} ${res.body.slice(0, 300)}`);
  return code;
}

/**
 * What `/authorize?prompt=none` for `client` answers this browser: `{code, error, location}`.
 * A session shows as a code; none as `login_required`.
 */
export async function silent(b, client, extra = {}) {
  const res = await b.get(authorizeUrl(b.issuer, client, { prompt: 'none', ...extra }));
  return { code: locationParam(res, 'code'), error: locationParam(res, 'error'), location: res.location, status: res.status };
}

// ---------------------------------------------------------------------------------------------
// Tokens

const basic = (c) => `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;

/** A form POST to `path` as `client` (HTTP Basic): `{status, body, headers}`, JSON if it parses. */
async function postAs(srv, path, client, form, localAddress) {
  const res = await request(`${srv.issuer}${path}`, {
    method: 'POST',
    headers: { authorization: basic(client) },
    form,
    localAddress,
  });
  let body;
  try {
    body = res.json();
  } catch {
    body = { raw: res.body };
  }
  return { status: res.status, body, headers: res.headers };
}

/** `POST /oauth/token` as `client` (HTTP Basic): `{status, body, headers}`. */
export function token(srv, client, form, { localAddress } = {}) {
  return postAs(srv, '/oauth/token', client, form, localAddress);
}

/** Exchanges a code of `client` for tokens (expects 200). */
export async function exchange(srv, client, code, redirect = client.redirect) {
  const r = await token(srv, client, { grant_type: 'authorization_code', code, redirect_uri: redirect });
  if (r.status !== 200) throw new Error(`code exchange answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The payload of a JWT. */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/** A `GET` (or other method) with a Bearer token. */
export function bearer(url, tok, { method = 'GET', json, form, localAddress } = {}) {
  return request(url, { method, headers: { authorization: `Bearer ${tok}` }, json, form, localAddress });
}

/** A management API token from the printed management client (every scope unless named). */
export async function managementToken(srv, scopes) {
  const form = { grant_type: 'client_credentials', audience: `${srv.issuer}/api/v2/` };
  if (scopes) form.scope = scopes.join(' ');
  const r = await token(srv, srv.management, form);
  if (r.status !== 200) throw new Error(`management token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

/** A management API call: `{status, body, headers}` (body parsed when JSON). */
export async function management(srv, tok, method, path, json) {
  const res = await bearer(`${srv.issuer}${path}`, tok, { method, json });
  let body = res.body;
  try {
    body = res.json();
  } catch {
    // not JSON (204, …)
  }
  return { status: res.status, body, headers: res.headers };
}

/** Audit events of `type` about `userId`, via `GET /api/v2/logs`. */
export async function auditEvents(srv, userId, type) {
  const tok = await managementToken(srv, ['read:logs']);
  const q = new URLSearchParams({ user_id: userId, type, per_page: '100' });
  const r = await management(srv, tok, 'GET', `/api/v2/logs?${q}`);
  if (r.status !== 200) throw new Error(`logs: ${r.status} ${JSON.stringify(r.body)}`);
  const list = Array.isArray(r.body) ? r.body : r.body.logs;
  return list.filter((e) => e.type === type && e.user_id === userId);
}

// ---------------------------------------------------------------------------------------------
// Second factors

export { totp, totpStep };

/** A six-digit code that no nearby TOTP step of `secret` produces. */
export function wrongTotp(secret) {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totp(secret, totpStep() + d)));
  for (;;) {
    const guess = String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0');
    if (!near.has(guess)) return guess;
  }
}

/** Password grant for `email`: `{status, body}` (a 403 `mfa_required` carries the mfa_token). */
export function passwordGrant(srv, client, email, password = PASSWORD, extra = {}, opts = {}) {
  return token(srv, client, { grant_type: 'password', username: email, password, scope: 'openid', ...extra }, opts);
}

/** An `mfa_token` for `email` from a client whose policy is `mfa=always`. */
export async function mfaToken(srv, client, email, password = PASSWORD) {
  const r = await passwordGrant(srv, client, email, password);
  if (r.status !== 403 || !r.body.mfa_token) throw new Error(`expected mfa_required: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.mfa_token;
}

/**
 * Enrols TOTP for `email` through the MFA API (`/mfa/associate` with an mfa_token, confirmed
 * by an mfa-otp grant): `{secret, recoveryCodes, client}` where `client` is the `mfa=always`
 * password client used.
 */
export async function enrolTotp(srv, email, password = PASSWORD, client = passwordClient(srv, 'mfa=always')) {
  const mfa = await mfaToken(srv, client, email, password);
  const assoc = await bearer(`${srv.issuer}/mfa/associate`, mfa, { method: 'POST', json: { authenticator_types: ['otp'] } });
  if (assoc.status !== 200) throw new Error(`associate: ${assoc.status} ${assoc.body}`);
  const { secret, recovery_codes: recoveryCodes } = assoc.json();
  const done = await token(srv, client, { grant_type: GRANT.otp, mfa_token: mfa, otp: totp(secret) });
  if (done.status !== 200) throw new Error(`confirming TOTP: ${done.status} ${JSON.stringify(done.body)}`);
  return { secret, recoveryCodes, client };
}

/**
 * Enrols codes by email for `email` through the MFA API: `{client}` (the `mfa=always` client).
 */
export async function enrolEmailCodes(srv, email, password = PASSWORD, client = passwordClient(srv, 'mfa=always')) {
  const mfa = await mfaToken(srv, client, email, password);
  const after = await mailCount(srv, email);
  const assoc = await bearer(`${srv.issuer}/mfa/associate`, mfa, {
    method: 'POST',
    json: { authenticator_types: ['oob'], oob_channels: ['email'], email },
  });
  if (assoc.status !== 200) throw new Error(`associate: ${assoc.status} ${assoc.body}`);
  const { oob_code: oobCode } = assoc.json();
  const code = codeIn((await waitMail(srv, email, { after })).text);
  const done = await token(srv, client, { grant_type: GRANT.oob, mfa_token: mfa, oob_code: oobCode, binding_code: code });
  if (done.status !== 200) throw new Error(`confirming email codes: ${done.status} ${JSON.stringify(done.body)}`);
  return { client };
}

/** `POST /mfa/challenge` for an oob code: `{status, body}`. */
export function challenge(srv, client, mfa, extra = {}, { localAddress } = {}) {
  return postAs(srv, '/mfa/challenge', client, { mfa_token: mfa, challenge_type: 'oob', ...extra }, localAddress);
}

// ---------------------------------------------------------------------------------------------
// The dev outbox

/** Messages in the dev outbox, newest first. */
export async function outbox(srv) {
  return (await request(`${srv.issuer}/dev/outbox.json`)).json();
}

/** Whether message `m` is to `to` (an address, or a list of them). */
const isTo = (m, to) => (Array.isArray(to) ? to.includes(m.to) : m.to === to);

/**
 * The newest message to `to` (an address or a list; matching `match`, a predicate) beyond the
 * first `after` messages to it, waiting for the background sender (up to 10 s).
 */
export async function waitMail(srv, to, { match = () => true, after = 0 } = {}) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mine = (await outbox(srv)).filter((m) => isTo(m, to)); // newest first
    const hit = mine.slice(0, Math.max(0, mine.length - after)).find(match);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no new matching message to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many messages the outbox holds for `to` (an address or a list). */
export async function mailCount(srv, to) {
  return (await outbox(srv)).filter((m) => isTo(m, to)).length;
}

/** The first six-digit number in a text. */
export function codeIn(text) {
  const m = text.match(/\b(\d{6})\b/);
  if (!m) throw new Error(`no code in ${text}`);
  return m[1];
}

// ---------------------------------------------------------------------------------------------
// Concurrency and the per-minute windows

/** Runs `n` calls of `f(i)` at once. */
export function atOnce(n, f) {
  return Promise.all(Array.from({ length: n }, (_, i) => f(i)));
}

/**
 * Runs `n` calls of `attempt(i)` at once and, as soon as one of them answers 429 (the account
 * is now waiting), `probe()` once, while the wait certainly runs: `{answers, probe}`. Without
 * a 429, the probe runs after the burst.
 */
export async function burstThenProbe(n, attempt, probe) {
  let probed;
  const answers = await atOnce(n, async (i) => {
    const a = await attempt(i);
    if (a.status === 429 && !probed) probed = probe();
    return a;
  });
  return { answers, probe: await (probed ?? probe()) };
}

/** Counts of each `${status} ${error}` in answers of `token()`. */
export function tally(answers) {
  const out = {};
  for (const a of answers) {
    const k = `${a.status} ${a.body?.error ?? ''}`.trim();
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

let nextAddress = 2;
/** A source address no other test in this process used (127.0.1.x and up). */
export function freshAddress() {
  const n = nextAddress++;
  return `127.0.${1 + Math.floor(n / 250)}.${(n % 250) + 2}`;
}

/**
 * Runs `f(address)` from a fresh source address, again from another one if a minute boundary
 * passed meanwhile (the per-IP limits count in fixed one-minute windows of the server's clock,
 * which is this machine's): the second run starts just after a boundary, so it fits in one.
 */
export async function inOneWindow(f) {
  const minute = () => Math.floor(Date.now() / 60_000);
  const start = minute();
  const out = await f(freshAddress());
  if (minute() === start) return out;
  return f(freshAddress());
}
