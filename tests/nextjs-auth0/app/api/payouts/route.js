// A token for the payouts API, through the session's refresh token (Auth0's multi-resource
// refresh). Its policy asks for aal2: until the session proves it, the SDK throws MfaRequiredError.
import { NextResponse } from 'next/server';
import { auth0, claims, PAYOUTS, PAYOUTS_SCOPE } from '../../../lib/auth0';
import { sdkError } from '../../../lib/errors';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    const token = await auth0.getAccessToken({ audience: PAYOUTS, scope: PAYOUTS_SCOPE, refresh: true });
    return NextResponse.json({ token: token.token, claims: claims(token.token), scope: token.scope, audience: token.audience });
  } catch (e) {
    return sdkError(e);
  }
}
