/**
 * Sign out here and at Portcullis (RP-initiated logout), so the next sign-in asks again.
 */

import { getToken } from 'next-auth/jwt';

import { signOut } from '../../../auth';
import { issuer } from '../../../lib/config';

export async function POST(req: Request) {
  const token = await getToken({
    req,
    secret: process.env.AUTH_SECRET,
    secureCookie: new URL(req.url).protocol === 'https:',
  });
  const back = new URL(req.url).origin;
  const at = new URL(`${issuer()}/oidc/logout`);
  at.searchParams.set('post_logout_redirect_uri', back);
  if (token?.idToken) at.searchParams.set('id_token_hint', token.idToken);
  await signOut({ redirect: false });
  return Response.redirect(at.toString(), 303);
}
