/**
 * Access-token checks for servers (Next.js Route Handlers, any `Request`/`Response` runtime):
 * a valid RFC 9068 token from the provider, a high enough `acr`, a recent enough `auth_time`,
 * the scopes a route needs, the RFC 9470 answer when a check fails, and DPoP-bound tokens
 * (RFC 9449) only with a fresh proof by their key. Needs `jose`.
 */

import {
  EmbeddedJWK,
  base64url,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/** Assurance levels in order; Auth0's multi-factor PAPE URI counts as `aal2`. */
const ACR_RANK: Record<string, number> = {
  aal1: 1,
  aal2: 2,
  aal3: 3,
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor': 2,
};

/** Whether a token's `acr` meets `required`. */
export function acrMeets(have: string | undefined, required: string): boolean {
  const h = have ? ACR_RANK[have] : undefined;
  const r = ACR_RANK[required];
  if (h === undefined || r === undefined) return have === required;
  return h >= r;
}

/** The claims of a Portcullis access token. */
export interface AccessTokenClaims extends JWTPayload {
  /** Space-separated scopes. */
  scope?: string;
  /** The client the token was issued to. */
  client_id?: string;
  /** The assurance level of the sign-in (absent for machine tokens). */
  acr?: string;
  /** The methods used (RFC 8176). */
  amr?: string[];
  /** When the user last signed in interactively, seconds since the epoch. */
  auth_time?: number;
  /** The session id. */
  sid?: string;
  /**
   * What the token is bound to: the DPoP key's RFC 7638 thumbprint (RFC 9449 §6), the client
   * certificate's SHA-256 (RFC 8705 §3.1), or both.
   */
  cnf?: { jkt?: string; 'x5t#S256'?: string };
}

/** Where tokens come from and who they are for. */
export interface VerifierOptions {
  /** The provider's issuer identifier, exactly as in its tokens. */
  issuer: string;
  /** This API's identifier (the token's `aud`). */
  audience: string;
  /** The JWKS address; found through discovery when absent. */
  jwksUri?: string;
  /** Keys to use instead of fetching (tests, pinned keys). */
  keys?: JWTVerifyGetKey;
  /** Seconds of clock skew tolerated on `exp`/`nbf` (default 30). */
  clockTolerance?: number;
}

/** Verifies access tokens: signature by the issuer's keys, `typ: at+jwt`, `iss`, `aud`, `exp`. */
export type Verifier = (token: string) => Promise<AccessTokenClaims>;

/** A verifier for one issuer and audience; keys are fetched once and refreshed on unknown `kid`. */
export function createVerifier(options: VerifierOptions): Verifier {
  let keys: Promise<JWTVerifyGetKey> | undefined = options.keys ? Promise.resolve(options.keys) : undefined;
  const getKeys = () =>
    (keys ??= (async () => {
      let uri = options.jwksUri;
      if (!uri) {
        const res = await fetch(`${options.issuer}/.well-known/openid-configuration`);
        if (!res.ok) throw new Error(`discovery failed: ${res.status}`);
        uri = (await res.json()).jwks_uri as string;
      }
      return createRemoteJWKSet(new URL(uri));
    })().catch((e) => {
      keys = undefined;
      throw e;
    }));
  return async (token) => {
    const { payload } = await jwtVerify(token, await getKeys(), {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'],
      clockTolerance: options.clockTolerance ?? 30,
    });
    return payload as AccessTokenClaims;
  };
}

/** What a route demands of the sign-in behind a token. */
export interface StepUpRule {
  /** The lowest acceptable level, e.g. `aal2`. */
  acr?: string;
  /** The oldest acceptable sign-in, in seconds. */
  maxAge?: number;
  /** Scopes the token must carry (all of them). */
  scopes?: string[];
}

/** A failed step-up check: what to ask for. */
export interface StepUpDemand {
  /** The level to ask for. */
  requiredAcr?: string;
  /** The freshness to ask for. */
  maxAge?: number;
}

/** Whether a token is a machine's (`client_credentials`): no user, judged on scope alone. */
export function isMachineToken(claims: AccessTokenClaims): boolean {
  return claims.acr === undefined && claims.sub !== undefined && claims.sub === claims.client_id;
}

/**
 * Seed 004's checks on a verified token: `acr` high enough and `auth_time` recent enough
 * (`now` in seconds); the demand to send back when not, or `undefined` when met.
 */
export function checkStepUp(
  claims: AccessTokenClaims,
  rule: StepUpRule,
  now = Math.floor(Date.now() / 1000),
): StepUpDemand | undefined {
  const lowAcr = rule.acr !== undefined && !acrMeets(claims.acr, rule.acr);
  const stale =
    rule.maxAge !== undefined && (typeof claims.auth_time !== 'number' || now - claims.auth_time > rule.maxAge);
  if (!lowAcr && !stale) return undefined;
  return { requiredAcr: rule.acr, maxAge: rule.maxAge };
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The answer to a failed step-up check: `401`, RFC 9470's
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication", acr_values=…, max_age=…`
 * and `{"error":"step_up_required","required_acr","max_age"}`.
 */
export function stepUpResponse(demand: StepUpDemand): Response {
  const description = 'A stronger or more recent sign-in is required';
  let challenge = `Bearer error="insufficient_user_authentication", error_description=${quote(description)}`;
  if (demand.requiredAcr) challenge += `, acr_values=${quote(demand.requiredAcr)}`;
  if (demand.maxAge !== undefined) challenge += `, max_age=${demand.maxAge}`;
  return Response.json(
    { error: 'step_up_required', error_description: description, required_acr: demand.requiredAcr, max_age: demand.maxAge },
    { status: 401, headers: { 'www-authenticate': challenge, 'cache-control': 'no-store' } },
  );
}

function bearerError(
  status: number,
  error: string,
  description: string,
  scope?: string,
  scheme: 'Bearer' | 'DPoP' = 'Bearer',
): Response {
  const algs = scheme === 'DPoP' ? ` algs="${PROOF_ALGS.join(' ')}",` : '';
  let challenge = `${scheme}${algs} error="${error}", error_description=${quote(description)}`;
  if (scope) challenge += `, scope=${quote(scope)}`;
  return Response.json(
    { error, error_description: description },
    { status, headers: { 'www-authenticate': challenge, 'cache-control': 'no-store' } },
  );
}

/** Algorithms a DPoP proof may be signed with. */
const PROOF_ALGS = ['EdDSA', 'ES256', 'RS256', 'PS256'];

/** How far a proof's `iat` may be from this server's clock, in seconds, either way. */
const PROOF_WINDOW = 60;

/** Proof ids seen in the window (per process): a proof is good once. */
const seenProofs = new Map<string, number>();

function firstUse(key: string, now: number): boolean {
  if (seenProofs.size > 10_000) {
    for (const [k, until] of seenProofs) if (until <= now) seenProofs.delete(k);
  }
  const until = seenProofs.get(key);
  if (until !== undefined && until > now) return false;
  seenProofs.set(key, now + 2 * PROOF_WINDOW + 1);
  return true;
}

/** The URL a proof's `htu` must name: the request's, without query and fragment. */
function withoutQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Checks the `DPoP` proof of a request presenting `token` bound to `jkt` (RFC 9449 §4.3, §7):
 * signed by the public key in its header, that key's thumbprint `jkt`, for this method and URL,
 * `iat` within a minute, `ath` the token's hash, never seen before. A reason when it fails.
 */
async function checkProof(request: Request, token: string, jkt: string): Promise<string | undefined> {
  const proof = request.headers.get('dpop');
  if (!proof || proof.includes(',')) return 'One DPoP proof is required';
  try {
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: PROOF_ALGS,
    });
    const jwk = protectedHeader.jwk;
    if (!jwk || 'd' in jwk) return 'The proof must carry a public key';
    if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt) return "The proof is not signed by the token's key";
    if (payload.htm !== request.method) return 'The proof is for another method';
    if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== withoutQuery(request.url)) {
      return 'The proof is for another URL';
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > PROOF_WINDOW) return 'The proof is too old or too new';
    const hash = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
    if (payload.ath !== hash) return "The proof's ath is not the token's hash";
    if (typeof payload.jti !== 'string' || !payload.jti || !firstUse(`${jkt}|${payload.jti}`, now)) {
      return 'The proof was already used';
    }
    return undefined;
  } catch {
    return 'The DPoP proof is not valid';
  }
}

/** The outcome of [`protect`]. */
export type Protected =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; response: Response };

/**
 * Checks a request's access token against `rule`: `401 invalid_token` for a missing or bad
 * token, `401 invalid_dpop_proof` for a DPoP-bound token without a fresh proof by its key (or
 * sent as a bearer token), `403 insufficient_scope` for missing scopes, the step-up answer for a
 * sign-in that is too weak or too old. Machine tokens are judged on scope only. A token bound to
 * a TLS client certificate (`cnf.x5t#S256`, RFC 8705) passes only with `clientCertificate`, the
 * DER of the certificate the request's connection presented (where your TLS layer exposes it).
 */
export async function protect(
  request: Request,
  verify: Verifier,
  rule: StepUpRule = {},
  clientCertificate?: Uint8Array,
): Promise<Protected> {
  const header = request.headers.get('authorization') ?? '';
  const [, scheme, token] = /^(Bearer|DPoP)\s+(\S+)$/i.exec(header) ?? [];
  if (!token) {
    return { ok: false, response: bearerError(401, 'invalid_token', 'A bearer token is required') };
  }
  let claims: AccessTokenClaims;
  try {
    claims = await verify(token);
  } catch {
    return { ok: false, response: bearerError(401, 'invalid_token', 'The access token is not valid') };
  }
  const bound = claims.cnf?.['x5t#S256'];
  if (bound) {
    const held = clientCertificate
      ? base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(clientCertificate))))
      : undefined;
    if (held !== bound) {
      return {
        ok: false,
        response: bearerError(401, 'invalid_token', 'The token is bound to a client certificate this connection did not present'),
      };
    }
  }
  const dpop = scheme.toLowerCase() === 'dpop';
  const jkt = claims.cnf?.jkt;
  if (jkt) {
    const why = dpop ? await checkProof(request, token, jkt) : 'This token is DPoP-bound: send it with the DPoP scheme and a proof';
    if (why) return { ok: false, response: bearerError(401, 'invalid_dpop_proof', why, undefined, 'DPoP') };
  } else if (dpop) {
    return { ok: false, response: bearerError(401, 'invalid_token', 'The access token is not DPoP-bound') };
  }
  const have = new Set((claims.scope ?? '').split(' ').filter(Boolean));
  const missing = (rule.scopes ?? []).filter((s) => !have.has(s));
  if (missing.length) {
    return {
      ok: false,
      response: bearerError(403, 'insufficient_scope', 'The access token lacks a scope', missing.join(' ')),
    };
  }
  if (!isMachineToken(claims)) {
    const demand = checkStepUp(claims, rule);
    if (demand) return { ok: false, response: stepUpResponse(demand) };
  }
  return { ok: true, claims };
}
