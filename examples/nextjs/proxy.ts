/**
 * Runs Auth.js before every page: a Server Component cannot set cookies, so this is where a
 * refreshed access token (or a session Portcullis ended) reaches the browser's cookie.
 */

export { auth as proxy } from './auth';

export const config = {
  // Not Auth.js's own routes, the back-channel endpoint Portcullis calls, or static files.
  matcher: ['/((?!api/auth|api/backchannel-logout|_next/static|_next/image|favicon.ico).*)'],
};
