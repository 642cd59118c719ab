/** The example's settings, from the environment (see README.md). */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (see README.md)`);
  return value;
}

/** Portcullis's issuer, e.g. http://localhost:8080. */
export const issuer = () => required('PORTCULLIS_ISSUER').replace(/\/$/, '');
/** This app's OIDC client. */
export const clientId = () => required('PORTCULLIS_CLIENT_ID');
export const clientSecret = () => required('PORTCULLIS_CLIENT_SECRET');
/** The app's own API, registered in Portcullis: access tokens are for it. */
export const apiAudience = () => process.env.PORTCULLIS_AUDIENCE ?? 'http://localhost:3000/api';
/** A management API client (client_credentials with the dashboard's scopes). */
export const mgmtClientId = () => required('PORTCULLIS_MGMT_CLIENT_ID');
export const mgmtClientSecret = () => required('PORTCULLIS_MGMT_CLIENT_SECRET');
/** Refresh the access token this many seconds before it expires. */
export const refreshMargin = () => Number(process.env.REFRESH_MARGIN_SECONDS ?? 60);
/** How recent a sign-in "Change bank account" needs (seed 004: five minutes). */
export const bankMaxAge = () => Number(process.env.BANK_MAX_AGE_SECONDS ?? 300);
