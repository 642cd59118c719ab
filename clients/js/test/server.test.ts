import { SignJWT, base64url, calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

import { readChallenge } from '../src/index.js';
import { acrMeets, checkStepUp, createVerifier, protect, stepUpResponse, type Verifier } from '../src/server.js';

const ISSUER = 'https://id.example';
const AUDIENCE = 'https://api.example';
let privateKey: CryptoKey;
let verify: Verifier;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA' };
  verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }) });
});

function token(claims: Record<string, unknown>, typ = 'at+jwt', aud = AUDIENCE) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ, kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setSubject(String(claims.sub ?? 'usr_1'))
    .sign(privateKey);
}

const request = (t?: string) =>
  new Request('https://app.example/api/payout-destination', {
    method: 'POST',
    headers: t ? { authorization: `Bearer ${t}` } : {},
  });

describe('acr ranking', () => {
  it('orders levels and knows the PAPE multi-factor URI', () => {
    expect(acrMeets('aal3', 'aal2')).toBe(true);
    expect(acrMeets('aal1', 'aal2')).toBe(false);
    expect(acrMeets(undefined, 'aal1')).toBe(false);
    expect(acrMeets('http://schemas.openid.net/pape/policies/2007/06/multi-factor', 'aal2')).toBe(true);
    expect(acrMeets('gold', 'gold')).toBe(true);
  });
});

describe('checkStepUp (seed 004: valid, acr high enough, auth_time recent enough)', () => {
  it('passes a fresh aal2 sign-in and asks for what is missing otherwise', () => {
    const rule = { acr: 'aal2', maxAge: 300 };
    expect(checkStepUp({ acr: 'aal2', auth_time: 1000 }, rule, 1200)).toBeUndefined();
    expect(checkStepUp({ acr: 'aal2', auth_time: 1000 }, rule, 1301)).toEqual({ requiredAcr: 'aal2', maxAge: 300 });
    expect(checkStepUp({ acr: 'aal1', auth_time: 1000 }, rule, 1001)).toEqual({ requiredAcr: 'aal2', maxAge: 300 });
    expect(checkStepUp({ acr: 'aal2' }, { maxAge: 60 }, 1)).toEqual({ requiredAcr: undefined, maxAge: 60 });
  });
});

describe('protect', () => {
  it('accepts a valid token that meets the rule', async () => {
    const t = await token({ acr: 'aal2', auth_time: now() - 10, scope: 'openid payouts:write' });
    const out = await protect(request(t), verify, { acr: 'aal2', maxAge: 300 });
    expect(out.ok && out.claims.sub).toBe('usr_1');
  });

  it('answers 401 invalid_token for a missing, forged, mistyped or misaddressed token', async () => {
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(other.privateKey);
    for (const t of [undefined, 'garbage', forged, await token({}, 'JWT'), await token({}, 'at+jwt', 'https://elsewhere')]) {
      const out = await protect(request(t), verify);
      expect(out.ok).toBe(false);
      if (!out.ok) {
        expect(out.response.status).toBe(401);
        expect(out.response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      }
    }
  });

  it('answers a weak or old sign-in with RFC 9470, which stepUpFetch understands', async () => {
    const t = await token({ acr: 'aal1', auth_time: now() - 10 });
    const out = await protect(request(t), verify, { acr: 'aal2', maxAge: 300 });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.response.status).toBe(401);
    expect(out.response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is required", acr_values="aal2", max_age=300',
    );
    expect(await readChallenge(out.response)).toEqual({
      kind: 'step_up',
      acrValues: ['aal2'],
      maxAge: 300,
      description: 'A stronger or more recent sign-in is required',
    });
    expect(await out.response.json()).toMatchObject({ error: 'step_up_required', required_acr: 'aal2', max_age: 300 });
  });

  it('judges machine tokens on scope only', async () => {
    const machine = await token({ sub: 'cli_1', client_id: 'cli_1', scope: 'payouts:write' });
    expect((await protect(request(machine), verify, { acr: 'aal2', maxAge: 60, scopes: ['payouts:write'] })).ok).toBe(true);
    const out = await protect(request(machine), verify, { scopes: ['payouts:admin'] });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.response.status).toBe(403);
      expect(out.response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", .*scope="payouts:admin"/);
    }
  });

  it('builds the step-up answer alone too', async () => {
    const res = stepUpResponse({ maxAge: 60 });
    expect(res.headers.get('www-authenticate')).not.toMatch(/acr_values/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('takes a certificate-bound token only with the certificate it is bound to', async () => {
    const cert = crypto.getRandomValues(new Uint8Array(300));
    const other = crypto.getRandomValues(new Uint8Array(300));
    const x5t = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', cert)));
    const t = await token({ acr: 'aal2', auth_time: now() - 10, cnf: { 'x5t#S256': x5t } });
    const ok = await protect(request(t), verify, {}, cert);
    expect(ok.ok).toBe(true);
    for (const presented of [other, undefined]) {
      const out = await protect(request(t), verify, {}, presented);
      expect(out.ok).toBe(false);
      if (!out.ok) {
        expect(out.response.status).toBe(401);
        expect(out.response.headers.get('www-authenticate')).toContain('invalid_token');
      }
    }
  });

  it('takes a DPoP-bound token only with a fresh proof by its key, for this request and token', async () => {
    const key = await generateKeyPair('ES256');
    const jwk = await exportJWK(key.publicKey);
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    const t = await token({ acr: 'aal2', auth_time: now() - 10, cnf: { jkt } });
    const url = 'https://app.example/api/payout-destination';
    const hash = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(t))));
    const proof = (claims: Record<string, unknown> = {}, signer = key.privateKey, header = jwk) =>
      new SignJWT({ htm: 'POST', htu: `${url}?q=1`, iat: now(), jti: crypto.randomUUID(), ath: hash, ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: header })
        .sign(signer);
    const send = (scheme: string, p?: string) =>
      new Request(url, { method: 'POST', headers: { authorization: `${scheme} ${t}`, ...(p ? { dpop: p } : {}) } });
    const good = await proof();
    expect((await protect(send('DPoP', good), verify, { acr: 'aal2' })).ok).toBe(true);
    const other = await generateKeyPair('ES256');
    const refused = [
      send('DPoP', good), // replayed
      send('Bearer'), // a bound token as a bearer token
      send('DPoP'), // no proof
      send('DPoP', await proof({ htm: 'GET' })),
      send('DPoP', await proof({ htu: 'https://app.example/elsewhere' })),
      send('DPoP', await proof({ iat: now() - 600 })),
      send('DPoP', await proof({ ath: 'x' })),
      send('DPoP', await proof({}, other.privateKey, await exportJWK(other.publicKey))), // another key
      send('DPoP', await proof({}, other.privateKey)), // a signature the header's key did not make
    ];
    for (const r of refused) {
      const out = await protect(r, verify);
      expect(out.ok).toBe(false);
      if (!out.ok) {
        expect(out.response.status).toBe(401);
        expect(out.response.headers.get('www-authenticate')).toMatch(/^DPoP algs="[^"]+", error="invalid_dpop_proof"/);
      }
    }
    // An unbound token may not use the DPoP scheme.
    const plain = await token({ acr: 'aal2', auth_time: now() - 10 });
    const out = await protect(new Request(url, { method: 'POST', headers: { authorization: `DPoP ${plain}` } }), verify);
    expect(!out.ok && out.response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});
