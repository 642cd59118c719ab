// Answers MfaRequiredError with the SDK's MFA helpers: the user's authenticators, an otp
// challenge, then verify with the code, which keeps the new token in the session; getAccessToken
// then returns it without another request to the authorization server.
import { NextResponse } from 'next/server';
import { auth0, claims, PAYOUTS, PAYOUTS_SCOPE } from '../../../../lib/auth0';
import { sdkError } from '../../../../lib/errors';

export const dynamic = 'force-dynamic';

export async function POST(request) {
  const { mfaToken, otp } = await request.json();
  const steps = {};
  try {
    const authenticators = await auth0.mfa.getAuthenticators({ mfaToken });
    steps.authenticators = authenticators.map((a) => ({ id: a.id, type: a.type, authenticatorType: a.authenticatorType, active: a.active }));
    const app = authenticators.find((a) => a.authenticatorType === 'otp');
    if (!app) return NextResponse.json({ error: 'no_otp_authenticator', steps }, { status: 409 });
    steps.challenge = await auth0.mfa.challenge({ mfaToken, challengeType: 'otp', authenticatorId: app.id });
    steps.verified = await auth0.mfa.verify({ mfaToken, otp });
    const token = await auth0.getAccessToken({ audience: PAYOUTS, scope: PAYOUTS_SCOPE });
    return NextResponse.json({ steps, token: token.token, claims: claims(token.token), scope: token.scope, audience: token.audience });
  } catch (e) {
    const res = sdkError(e);
    const body = await res.json();
    return NextResponse.json({ ...body, steps }, { status: res.status });
  }
}
