// Auth0's Next.js SDK configured as for an Auth0 tenant. Everything comes from the environment
// variables the SDK reads itself (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET,
// AUTH0_SECRET, APP_BASE_URL): the only difference from a real tenant is that AUTH0_DOMAIN names
// Portcullis.
import { Auth0Client } from '@auth0/nextjs-auth0/server';

const domain = process.env.AUTH0_DOMAIN ?? '';

export const auth0 = new Auth0Client({
  authorizationParameters: { scope: 'openid profile email offline_access' },
  // The SDK refuses `localhost` and a port in AUTH0_DOMAIN ("Domain cannot contain ports") unless
  // this is set, and the test's Portcullis can only be https://localhost:<free port>. The flag
  // only lets oauth4webapi call http: URLs; every URL here is https and its certificate is still
  // verified (NODE_EXTRA_CA_CERTS). A deployment on its own host name needs none of this.
  allowInsecureRequests: /^https:\/\/localhost:\d+$/.test(domain),
});

/** The API whose policy asks for aal2, and the scope the app asks for on it. */
export const PAYOUTS = 'https://payouts.example';
export const PAYOUTS_SCOPE = 'read:payouts';

/** The payload of a JWT, for display: the SDK validated ID tokens; access tokens are the API's. */
export function claims(jwt) {
  if (!jwt) return null;
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}
