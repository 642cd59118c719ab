/**
 * The app's API routes check the access token of the signed-in user like any resource server:
 * signature, audience, and — for sensitive actions — `acr` and `auth_time` (seed 004's checks),
 * answering in RFC 9470's form so `stepUpFetch` can step up and retry.
 */

import { getToken, type JWT } from 'next-auth/jwt';
import { createVerifier, protect, type AccessTokenClaims, type StepUpRule } from '@portcullis/js/server';

import { apiAudience, issuer } from './config';
import { isRevoked } from './revocations';

let verifier: ReturnType<typeof createVerifier> | undefined;

/** The signed-in user's token and its verified claims, or the answer to send instead. */
export async function guard(
  req: Request,
  rule: StepUpRule,
): Promise<{ ok: true; claims: AccessTokenClaims; session: JWT } | { ok: false; response: Response }> {
  const session = await getToken({
    req,
    secret: process.env.AUTH_SECRET,
    secureCookie: new URL(req.url).protocol === 'https:',
  });
  const headers = new Headers();
  if (session?.accessToken && !isRevoked(session.sid)) headers.set('authorization', `Bearer ${session.accessToken}`);
  verifier ??= createVerifier({ issuer: issuer(), audience: apiAudience() });
  const out = await protect(new Request(req.url, { headers }), verifier, rule);
  if (!out.ok) return out;
  return { ok: true, claims: out.claims, session: session! };
}
