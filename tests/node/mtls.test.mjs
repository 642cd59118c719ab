// Mutual TLS (RFC 8705) with openid-client v6 as the client: the dev server runs native TLS and
// asks for client certificates; a payments service registered with
// `self_signed_tls_client_auth` and certificate-bound tokens authenticates with its certificate
// alone (`client.TlsClientAuth()`, the certificate presented by a custom fetch over node:https),
// gets a token carrying `cnf.x5t#S256`, and the management API takes that token only over a
// connection presenting the same certificate. Certificates are made with openssl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import { startDevServer } from './dev-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PORTCULLIS_BIN ?? resolve(here, '../../target/debug/portcullis');

let dev;
let certs;
let ca;

/** A self-signed P-256 certificate for `cn` and its key, as PEM. */
function certificate(name, cn, san) {
  const key = join(certs, `${name}.key`);
  const cert = join(certs, `${name}.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`,
    ...(san ? ['-addext', `subjectAltName=${san}`] : []),
  ], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** The public JWK of a certificate's key, with the certificate in `x5c`. */
function jwkOf(pem) {
  const x509 = new X509Certificate(pem);
  const jwk = x509.publicKey.export({ format: 'jwk' });
  return { ...jwk, x5c: [x509.raw.toString('base64')] };
}

/** A fetch that trusts the dev server and presents `identity` (or no certificate). */
function fetchWith(identity) {
  return (url, options = {}) => new Promise((ok, fail) => {
    const headers = Object.fromEntries(new Headers(options.headers ?? {}).entries());
    const req = https.request(url, {
      method: options.method ?? 'GET', headers, ca, ...(identity ?? {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok(new Response(Buffer.concat(chunks), {
        status: res.statusCode,
        headers: Object.entries(res.headers).flatMap(([k, v]) => [v].flat().map((x) => [k, x])),
      })));
    });
    req.on('error', fail);
    if (options.body !== undefined && options.body !== null) req.write(options.body.toString());
    req.end();
  });
}

before(async () => {
  certs = mkdtempSync(join(tmpdir(), 'portcullis-mtls-'));
  const server = certificate('server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  ca = server.cert;
  dev = await startDevServer(BIN, {
    PORTCULLIS_TLS__CERT: join(certs, 'server.pem'),
    PORTCULLIS_TLS__KEY: join(certs, 'server.key'),
    PORTCULLIS_TLS__REQUEST_CLIENT_CERTIFICATES: 'true',
  });
});

after(() => {
  dev?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
});

test('openid-client: self_signed_tls_client_auth and certificate-bound tokens', async () => {
  const issuer = new URL(dev.issuer);
  const mgmtAudience = `${dev.issuer}/api/v2/`;
  const plain = fetchWith(null);
  // A management client with a secret registers the payments service.
  const admin = JSON.parse(execFileSync(BIN, [
    'client', 'create', '--dev', '--name', 'admin', '--grant', 'client_credentials',
    '--api', mgmtAudience, '--scope', 'create:clients', '--scope', 'read:clients',
    '--scope', 'create:client_grants',
  ], { cwd: dev.dir, env: { PATH: process.env.PATH } }).toString());
  const adminConfig = await client.discovery(issuer, admin.client_id, admin.client_secret,
    undefined, { [client.customFetch]: plain });
  const meta = adminConfig.serverMetadata();
  assert.equal(meta.tls_client_certificate_bound_access_tokens, true);
  assert.ok(meta.token_endpoint_auth_methods_supported.includes('self_signed_tls_client_auth'));
  const { access_token: mgmt } = await client.clientCredentialsGrant(adminConfig, {
    audience: mgmtAudience,
  });

  const ada = certificate('ada', 'payments');
  const eve = certificate('eve', 'intruder');
  const registered = await plain(`${dev.issuer}/api/v2/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mgmt}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Payments',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [jwkOf(ada.cert)] },
      tls_client_certificate_bound_access_tokens: true,
    }),
  });
  assert.equal(registered.status, 201, await registered.clone().text());
  const payments = await registered.json();
  assert.equal(payments.client_secret, undefined, 'no secret: the certificate is the credential');
  // Its own management grant, so its token has somewhere to go.
  const granted = await plain(`${dev.issuer}/api/v2/client-grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mgmt}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: payments.client_id, audience: mgmtAudience, scope: ['read:clients'],
    }),
  });
  assert.equal(granted.status, 201, await granted.clone().text());

  const configFor = async (identity) => client.discovery(issuer, payments.client_id, undefined,
    client.TlsClientAuth(), { [client.customFetch]: fetchWith(identity) });
  const withAda = await configFor(ada);
  const tokens = await client.clientCredentialsGrant(withAda, { audience: mgmtAudience });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
  const thumbprint = createHash('sha256').update(new X509Certificate(ada.cert).raw).digest('base64url');
  assert.equal(claims.cnf['x5t#S256'], thumbprint);

  // Another certificate, or none, is not the payments service.
  for (const identity of [eve, null]) {
    await assert.rejects(
      client.clientCredentialsGrant(await configFor(identity), { audience: mgmtAudience }),
      (e) => e.error === 'invalid_client',
    );
  }

  // The token is good only over a connection presenting Ada's certificate.
  const list = (identity) => fetchWith(identity)(`${dev.issuer}/api/v2/clients`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.equal((await list(ada)).status, 200);
  for (const identity of [eve, null]) {
    const res = await list(identity);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate'), /invalid_token/);
  }
});
