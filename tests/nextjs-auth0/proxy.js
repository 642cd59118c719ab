// Next.js 16's proxy (formerly middleware): the SDK mounts /auth/login, /auth/callback,
// /auth/logout, /auth/profile and /auth/access-token here and rolls the session cookie.
import { auth0 } from './lib/auth0';

export async function proxy(request) {
  return await auth0.middleware(request);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|sitemap.xml|robots.txt).*)'],
};
