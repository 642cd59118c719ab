/**
 * OpenID Connect Back-Channel Logout 1.0: Portcullis posts a signed logout token when a
 * session ends there (sign-out elsewhere, a removed factor, a blocked user); its `sid` is
 * remembered so the matching Auth.js sessions end on their next request.
 */

import { createRemoteJWKSet, jwtVerify } from 'jose';

import { clientId, issuer } from '../../../lib/config';
import { firstUse, revokeSid } from '../../../lib/revocations';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

const refuse = (description: string) =>
  Response.json({ error: 'invalid_request', error_description: description }, { status: 400, headers: { 'cache-control': 'no-store' } });

export async function POST(req: Request) {
  const form = await req.formData().catch(() => undefined);
  const token = form?.get('logout_token');
  if (typeof token !== 'string') return refuse('logout_token is required');
  jwks ??= createRemoteJWKSet(new URL(`${issuer()}/.well-known/jwks.json`));
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, {
      issuer: issuer(),
      audience: clientId(),
      typ: 'logout+jwt',
      maxTokenAge: '5m',
    }));
  } catch {
    return refuse('the logout token is not valid');
  }
  const events = claims.events as Record<string, unknown> | undefined;
  if (!events || typeof events[EVENT] !== 'object' || 'nonce' in claims) return refuse('not a logout token');
  if (typeof claims.sid !== 'string' || typeof claims.jti !== 'string') return refuse('sid and jti are required');
  if (!firstUse(claims.jti)) return refuse('the logout token was used before');
  revokeSid(claims.sid);
  return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
}
