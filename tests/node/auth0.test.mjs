// Auth0's own Node SDKs against Portcullis: the `auth0` package's AuthenticationClient for the
// password grant, `@auth0/auth0-auth-js` for the MFA API, and the `auth0` ManagementClient for
// the management API. Both only speak https, so the dev
// server runs with native TLS and a self-signed certificate the client process trusts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from './dev-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');

let dev;
let certs;

before(async () => {
  certs = mkdtempSync(join(tmpdir(), 'portcullis-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'), '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  dev = await startDevServer(BIN, {
    PORTCULLIS_TLS__CERT: join(certs, 'cert.pem'),
    PORTCULLIS_TLS__KEY: join(certs, 'key.pem'),
  });
});

after(() => {
  dev?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
});

test('auth0 SDKs: password → mfa_required → associate / challenge → mfa-otp → tokens', () => {
  assert.match(dev.issuer, /^https:\/\/localhost:\d+$/);
  const created = JSON.parse(execFileSync(BIN, [
    'client', 'create', '--dev', '--name', 'payroll cli', '--grant', 'password', '--policy', 'mfa=always',
  ], { cwd: dev.dir, env: { PATH: process.env.PATH } }).toString());
  const run = JSON.parse(execFileSync(process.execPath, [join(here, 'auth0-flow.mjs')], {
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: join(certs, 'cert.pem'),
      DOMAIN: new URL(dev.issuer).host,
      CLIENT_ID: created.client_id,
      CLIENT_SECRET: created.client_secret,
      USERNAME: dev.printed('email'),
      PASSWORD: dev.printed('password'),
    },
  }).toString());

  assert.deepEqual(run.first, {
    status: 403,
    error: 'mfa_required',
    requirements: { enroll: [{ type: 'otp' }, { type: 'oob' }] },
  });
  assert.deepEqual(run.listedBefore, []);
  assert.equal(run.enrolled.type, 'otp');
  assert.match(run.enrolled.barcode, /^otpauth:\/\/totp\//);
  assert.ok(run.enrolled.codes > 0);
  assert.equal(run.confirmed.acr, 'aal2');

  assert.deepEqual(run.second, {
    status: 403,
    requirements: { challenge: [{ type: 'otp' }, { type: 'recovery-code' }] },
  });
  assert.deepEqual(run.authenticators, ['otp', 'recovery-code']);
  assert.equal(run.challenge.challengeType, 'otp');
  assert.equal(run.stepped.id.acr, 'aal2');
  assert.deepEqual(run.stepped.id.amr, ['pwd', 'otp', 'mfa']);
  assert.equal(run.stepped.access.iss, dev.issuer);
  assert.equal(run.reused, 'invalid_grant', 'an mfa_token is spent by its grant');

  assert.equal(run.third, 'mfa_required');
  // RFC 8176 has no value for recovery codes; they are one-time passwords.
  assert.deepEqual(run.recovered.amr, ['pwd', 'otp', 'mfa']);
  assert.equal(run.recovered.renewed, true);
});

test('auth0 ManagementClient: seed 000\'s dashboard (status, metadata, ticket, remove, logs)', () => {
  // The previous test enrolled TOTP for the dev admin through the MFA API.
  const secret = dev.output.match(/Management API client created[\s\S]*?client_secret:\s+(\S+)/)[1];
  const run = JSON.parse(execFileSync(process.execPath, [join(here, 'auth0-management.mjs')], {
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: join(certs, 'cert.pem'),
      DOMAIN: new URL(dev.issuer).host,
      CLIENT_ID: 'portcullis-admin',
      CLIENT_SECRET: secret,
      EMAIL: dev.printed('email'),
    },
  }).toString());
  assert.equal(run.user.email, dev.printed('email'));
  assert.ok(run.user.hasId);
  assert.deepEqual(run.enrollments, [{ status: 'confirmed', type: 'authenticator' }]);
  assert.equal(run.hasMfa, true);
  assert.deepEqual(run.metadata, { theme: 'dark', mfa_prompted: true });
  assert.deepEqual(run.ticket, { id: true, url: true });
  assert.deepEqual(run.methods, ['totp', 'recovery-code']);
  assert.equal(run.after, 0);
  for (const kind of ['factor.enrolled', 'factor.removed', 'ticket.created', 'user.updated']) {
    assert.ok(run.logTypes.includes(kind), `${kind} in ${run.logTypes}`);
  }
  assert.deepEqual(run.missing, { status: 404, code: 'inexistent_user' });
});

test('auth0 ManagementClient: seed 001\'s Action created, deployed, bound and removed', () => {
  const secret = dev.output.match(/Management API client created[\s\S]*?client_secret:\s+(\S+)/)[1];
  const run = JSON.parse(execFileSync(process.execPath, [join(here, 'auth0-actions.mjs')], {
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: join(certs, 'cert.pem'),
      DOMAIN: new URL(dev.issuer).host,
      CLIENT_ID: 'portcullis-admin',
      CLIENT_SECRET: secret,
      SOURCE: resolve(here, '../../crates/portcullis-actions/tests/seed_001.js'),
    },
  }).toString());
  assert.deepEqual(run.created, { id: true, deployed: false, secrets: ['SLACK_URL'] });
  assert.equal(run.secretShown, false, 'secret values are write-only');
  assert.deepEqual(run.version, { number: 1, code: true });
  assert.deepEqual(run.bound, [{ name: 'MFA on refresh', action: 'mfa-on-refresh' }]);
  assert.deepEqual(run.listed, [{ name: 'mfa-on-refresh', deployed: true }]);
  assert.equal(run.deleteBound, 409);
  assert.equal(run.gone, 404);
});
