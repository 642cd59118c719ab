// Run by auth0.test.mjs in a child process whose NODE_EXTRA_CA_CERTS trusts the server's
// self-signed certificate (Auth0's SDKs only speak https and Node reads that variable at start).
// Drives Auth0's own Node SDKs against Portcullis and prints what they returned, as JSON.
import { totp, totpStep } from '../totp.mjs';
import { AuthenticationClient } from 'auth0';
import { AuthClient, isMfaRequiredError } from '@auth0/auth0-auth-js';

const { DOMAIN: domain, CLIENT_ID: clientId, CLIENT_SECRET: clientSecret } = process.env;
const { USERNAME: username, PASSWORD: password } = process.env;

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

// The `auth0` package's AuthenticationClient: the password grant, answered with mfa_required.
const legacy = new AuthenticationClient({ domain, clientId, clientSecret });
async function legacyPasswordGrant() {
  try {
    await legacy.oauth.passwordGrant({ username, password, scope: 'openid' });
    return { error: 'no mfa_required' };
  } catch (e) {
    return { status: e.statusCode, error: e.error, ...JSON.parse(e.body) };
  }
}

const auth = new AuthClient({ domain, clientId, clientSecret });
const out = {};

// 1. No factor yet: mfa_required with "enroll"; enrol TOTP through the MFA API and confirm it.
const first = await legacyPasswordGrant();
out.first = { status: first.status, error: first.error, requirements: first.mfa_requirements };
out.listedBefore = await auth.mfa.listAuthenticators({ mfaToken: first.mfa_token });
const enrolled = await auth.mfa.enrollAuthenticator({ mfaToken: first.mfa_token, authenticatorTypes: ['otp'] });
out.enrolled = { type: enrolled.authenticatorType, barcode: enrolled.barcodeUri, codes: enrolled.recoveryCodes?.length };
const confirmed = await auth.mfa.verify({ mfaToken: first.mfa_token, factorType: 'otp', otp: totp(enrolled.secret) });
out.confirmed = claims(confirmed.idToken);

// 2. password → mfa_required → challenge → mfa-otp → tokens (the next step's code: this one is spent).
const second = await legacyPasswordGrant();
out.second = { status: second.status, requirements: second.mfa_requirements };
const authenticators = await auth.mfa.listAuthenticators({ mfaToken: second.mfa_token });
out.authenticators = authenticators.map((a) => a.authenticatorType ?? a.type);
const otpAuthenticator = authenticators.find((a) => (a.authenticatorType ?? a.type) === 'otp');
out.challenge = await auth.mfa.challengeAuthenticator({
  mfaToken: second.mfa_token,
  challengeType: 'otp',
  authenticatorId: otpAuthenticator.id,
});
const stepped = await auth.mfa.verify({ mfaToken: second.mfa_token, factorType: 'otp', otp: totp(enrolled.secret, totpStep(Date.now() + 30_000)) });
out.stepped = { id: claims(stepped.idToken), access: claims(stepped.accessToken) };
try {
  await auth.mfa.verify({ mfaToken: second.mfa_token, factorType: 'otp', otp: totp(enrolled.secret, totpStep(Date.now() + 30_000)) });
  out.reused = 'accepted';
} catch (e) {
  out.reused = e.cause?.error ?? e.error ?? e.message;
}

// 3. auth0-auth-js's own password grant, then a recovery code, which comes back renewed.
try {
  await auth.getTokenByPassword({ username, password, scope: 'openid' });
  out.third = 'no mfa_required';
} catch (e) {
  out.third = isMfaRequiredError(e) ? 'mfa_required' : String(e);
  const recovered = await auth.mfa.verify({
    mfaToken: e.cause.mfa_token,
    factorType: 'recovery-code',
    recoveryCode: enrolled.recoveryCodes[0],
  });
  out.recovered = { amr: claims(recovered.idToken).amr, renewed: typeof recovered.recoveryCode === 'string' };
}

process.stdout.write(JSON.stringify(out));
