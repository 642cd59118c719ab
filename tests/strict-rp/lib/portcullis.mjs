// The Portcullis side: the dev server (tests/node/dev-server.mjs), the administration CLI run in
// its folder, and a TOTP factor enrolled through the Auth0-compatible MFA API.
import { spawnSync } from 'node:child_process';
import { totp, totpStep } from '../../totp.mjs';

export { startDevServer } from '../../node/dev-server.mjs';

/** Runs `portcullis --dev ARGS` in the dev server's folder; returns its JSON answer. */
export function cli(bin, dev, args, input) {
  const r = spawnSync(bin, ['--dev', ...args], {
    cwd: dev.dir,
    env: { PATH: process.env.PATH },
    input,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  const line = r.stdout.split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`portcullis ${args.join(' ')} printed no JSON:\n${r.stdout}`);
  return JSON.parse(line);
}

/** The payload of a JWT, and its header as `header`. */
export function jwt(token) {
  const [h, p] = token.split('.');
  const decode = (s) => JSON.parse(Buffer.from(s, 'base64url').toString());
  return { ...decode(p), header: decode(h) };
}

async function post(url, { basic, bearer, form, json }) {
  const headers = { accept: 'application/json' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic[0])}:${encodeURIComponent(basic[1])}`).toString('base64')}`;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  } else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const r = await fetch(url, { method: 'POST', headers, body });
  const text = await r.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = { raw: text };
  }
  return { status: r.status, data, describe: () => `POST ${url} -> ${r.status} ${text}` };
}

/** A token endpoint request as the client `[id, secret]`. */
export function tokenRequest(issuer, client, form) {
  return post(`${issuer}/oauth/token`, { basic: client, form });
}

/**
 * Enrols a TOTP factor for the user through the password grant of `client` (created with
 * `--grant password --policy mfa=always`): `mfa_required` → `/mfa/associate` → the `mfa-otp`
 * grant that confirms it. Returns the base32 secret. The confirming code is the previous time
 * step's, so the current step's is still unspent for the browser's step-up.
 */
export async function enrolTotp(issuer, client, email, password) {
  const first = await tokenRequest(issuer, client, { grant_type: 'password', username: email, password, scope: 'openid' });
  if (first.status !== 403 || first.data.error !== 'mfa_required') throw new Error(`expected mfa_required: ${first.describe()}`);
  const assoc = await post(`${issuer}/mfa/associate`, { bearer: first.data.mfa_token, json: { authenticator_types: ['otp'] } });
  if (assoc.status !== 200 || !assoc.data.secret) throw new Error(`associate failed: ${assoc.describe()}`);
  const confirmed = await tokenRequest(issuer, client, {
    grant_type: 'http://auth0.com/oauth/grant-type/mfa-otp',
    mfa_token: first.data.mfa_token,
    otp: totp(assoc.data.secret, totpStep() - 1),
  });
  if (confirmed.status !== 200) throw new Error(`mfa-otp grant failed: ${confirmed.describe()}`);
  return { secret: assoc.data.secret, confirmed: jwt(confirmed.data.id_token) };
}
