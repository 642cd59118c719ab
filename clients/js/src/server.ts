/**
 * Access-token checks for servers (Next.js Route Handlers, any `Request`/`Response` runtime):
 * a valid RFC 9068 token from the provider, a high enough `acr`, a recent enough `auth_time`,
 * the scopes a route needs, and the RFC 9470 answer when a check fails. Needs `jose`.
 */

import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

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

function bearerError(status: number, error: string, description: string, scope?: string): Response {
  let challenge = `Bearer error="${error}", error_description=${quote(description)}`;
  if (scope) challenge += `, scope=${quote(scope)}`;
  return Response.json(
    { error, error_description: description },
    { status, headers: { 'www-authenticate': challenge, 'cache-control': 'no-store' } },
  );
}

/** The outcome of [`protect`]. */
export type Protected =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; response: Response };

/**
 * Checks a request's bearer token against `rule`: `401 invalid_token` for a missing or bad
 * token, `403 insufficient_scope` for missing scopes, the step-up answer for a sign-in that is
 * too weak or too old. Machine tokens are judged on scope only.
 */
export async function protect(request: Request, verify: Verifier, rule: StepUpRule = {}): Promise<Protected> {
  const header = request.headers.get('authorization') ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) {
    return { ok: false, response: bearerError(401, 'invalid_token', 'A bearer token is required') };
  }
  let claims: AccessTokenClaims;
  try {
    claims = await verify(token);
  } catch {
    return { ok: false, response: bearerError(401, 'invalid_token', 'The access token is not valid') };
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
