import { NextResponse } from 'next/server';
import { MfaRequiredError } from '@auth0/nextjs-auth0/server';

/**
 * An SDK error as JSON: MfaRequiredError in its own shape (403, with the SDK's encrypted
 * mfa_token), anything else with its code and the authorization server's answer underneath.
 */
export function sdkError(e) {
  if (e instanceof MfaRequiredError) return NextResponse.json(e.toJSON(), { status: 403 });
  const cause = e?.cause;
  return NextResponse.json(
    {
      error: e?.error ?? e?.code ?? 'error',
      error_description: e?.error_description,
      name: e?.name,
      message: e?.message,
      cause: cause && { code: cause.code ?? cause.error, message: cause.message ?? cause.error_description },
    },
    { status: 500 },
  );
}
