/**
 * Reading step-up demands from API answers: RFC 9470's `WWW-Authenticate` challenge, the JSON
 * `{"error":"step_up_required"}` body, and Auth0's `mfa_required`.
 */

/** What an API asked for before it would go on. */
export type StepUpChallenge =
  | {
      /** A stronger or fresher sign-in (RFC 9470 or `step_up_required`). */
      kind: 'step_up';
      /** Acceptable levels, best known first (`acr_values`), e.g. `["aal2"]`. */
      acrValues: string[];
      /** Seconds since the last sign-in the API accepts, if it said. */
      maxAge?: number;
      /** The API's explanation, for logs. */
      description?: string;
    }
  | {
      /** Auth0's `mfa_required`: a second factor through the MFA API. */
      kind: 'mfa_required';
      /** The token for `/mfa/challenge` and the mfa grants. */
      mfaToken: string;
      /** `{"challenge":[…]}` or `{"enroll":[…]}`. */
      requirements?: unknown;
    };

type Token = { kind: 'token' | 'string' | '=' | ','; value: string };

function tokenize(header: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < header.length) {
    const c = header[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '=' || c === ',') {
      out.push({ kind: c, value: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < header.length) i++;
        value += header[i++];
      }
      i++;
      out.push({ kind: 'string', value });
    } else {
      let value = '';
      while (i < header.length && !' \t=,"'.includes(header[i])) value += header[i++];
      out.push({ kind: 'token', value });
    }
  }
  return out;
}

/** Splits a `WWW-Authenticate` value into its challenges and their auth-params (RFC 9110 §11.6.1). */
export function parseWwwAuthenticate(header: string): Array<{ scheme: string; params: Record<string, string> }> {
  const tokens = tokenize(header);
  const out: Array<{ scheme: string; params: Record<string, string> }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'token') continue;
    const current = out[out.length - 1];
    if (tokens[i + 1]?.kind === '=' && current) {
      const v = tokens[i + 2];
      const value = v && (v.kind === 'token' || v.kind === 'string') ? v.value : '';
      current.params[t.value.toLowerCase()] = value;
      i += value === '' ? 1 : 2;
    } else if (tokens[i + 1]?.kind === '=') {
      i++;
    } else {
      out.push({ scheme: t.value, params: {} });
    }
  }
  return out;
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The step-up an answer asks for, if any: RFC 9470 (`401` with
 * `error="insufficient_user_authentication"`), `{"error":"step_up_required",…}`, or
 * `{"error":"mfa_required","mfa_token":…}`. Reads a clone, so the caller can still read the
 * body.
 */
export async function readChallenge(res: Response): Promise<StepUpChallenge | undefined> {
  if (res.status !== 401 && res.status !== 403) return undefined;
  const header = res.headers.get('www-authenticate');
  if (header) {
    for (const c of parseWwwAuthenticate(header)) {
      if (c.scheme.toLowerCase() !== 'bearer' && c.scheme.toLowerCase() !== 'dpop') continue;
      if (c.params.error !== 'insufficient_user_authentication') continue;
      return {
        kind: 'step_up',
        acrValues: (c.params.acr_values ?? '').split(' ').filter(Boolean),
        maxAge: positiveInt(c.params.max_age),
        description: c.params.error_description,
      };
    }
  }
  if (!(res.headers.get('content-type') ?? '').includes('json')) return undefined;
  let body: Record<string, unknown>;
  try {
    body = await res.clone().json();
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  if (body.error === 'step_up_required') {
    const acr = body.required_acr ?? body.acr_values;
    return {
      kind: 'step_up',
      acrValues: typeof acr === 'string' ? acr.split(' ').filter(Boolean) : [],
      maxAge: positiveInt(body.max_age),
      description: typeof body.error_description === 'string' ? body.error_description : undefined,
    };
  }
  if (body.error === 'mfa_required' && typeof body.mfa_token === 'string') {
    return { kind: 'mfa_required', mfaToken: body.mfa_token, requirements: body.mfa_requirements };
  }
  return undefined;
}

/** Authorization parameters that ask the provider for what `challenge` demands. */
export function authorizationParams(challenge: StepUpChallenge): Record<string, string> {
  if (challenge.kind !== 'step_up') return { acr_values: 'aal2' };
  const params: Record<string, string> = {};
  if (challenge.acrValues.length) params.acr_values = challenge.acrValues.join(' ');
  if (challenge.maxAge !== undefined) params.max_age = String(challenge.maxAge);
  if (!params.acr_values && params.max_age === undefined) params.prompt = 'login';
  return params;
}
