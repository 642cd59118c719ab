/**
 * Portcullis's management API from the server, as seed 000's dashboard uses Auth0's: a
 * client_credentials token (cached until shortly before it expires) and plain fetch.
 */

import { issuer, mgmtClientId, mgmtClientSecret } from './config';

let cached: { token: string; until: number } | undefined;

async function token(): Promise<string> {
  if (cached && cached.until > Date.now()) return cached.token;
  const res = await fetch(`${issuer()}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: mgmtClientId(),
      client_secret: mgmtClientSecret(),
      audience: `${issuer()}/api/v2/`,
    }),
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`management token: ${res.status}`);
  const body = await res.json();
  cached = { token: body.access_token, until: Date.now() + (body.expires_in - 30) * 1000 };
  return cached.token;
}

/** Calls `/api/v2{path}`; throws on an error answer. */
export async function management<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${issuer()}/api/v2${path}`, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`management ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 || res.status === 202 ? undefined : await res.json()) as T;
}

/** A Guardian enrolment, as the management API lists them. */
export interface Enrollment {
  id: string;
  status: 'confirmed' | 'pending';
  type: string;
  name: string;
  enrolled_at: string;
  last_auth?: string;
}
