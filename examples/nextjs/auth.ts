/**
 * Auth.js v5 with Portcullis as an OpenID Connect provider. The session keeps what the ID
 * token says about the sign-in (`acr`, `amr`, `auth_time`, `sid`), refreshes the access token
 * before it expires, and ends when Portcullis says so by back-channel logout.
 */

import NextAuth from 'next-auth';
import type { JWT } from 'next-auth/jwt';
import { decodeJwt } from 'jose';

import { apiAudience, clientId, clientSecret, issuer, refreshMargin } from './lib/config';
import { isRevoked } from './lib/revocations';

declare module 'next-auth' {
  interface Session {
    /** Assurance level of the sign-in (aal1, aal2, aal3). */
    acr?: string;
    /** Methods used (RFC 8176). */
    amr?: string[];
    /** When the user last proved who they are, seconds since the epoch. */
    authTime?: number;
    /** Portcullis's session id. */
    sid?: string;
    /** Set when the access token could not be refreshed: the user must sign in again. */
    error?: 'RefreshTokenError';
    /** When the current access token expires, seconds since the epoch. */
    accessTokenExpiresAt?: number;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    accessToken?: string;
    refreshToken?: string;
    idToken?: string;
    expiresAt?: number;
    acr?: string;
    amr?: string[];
    authTime?: number;
    sid?: string;
    /** Portcullis's user id (the ID token's `sub`). */
    userId?: string;
    error?: 'RefreshTokenError';
  }
}

/** What an ID token tells about the sign-in. */
function signInFacts(idToken: string | undefined) {
  if (!idToken) return {};
  const c = decodeJwt(idToken);
  return {
    acr: c.acr as string | undefined,
    amr: c.amr as string[] | undefined,
    authTime: c.auth_time as number | undefined,
    sid: c.sid as string | undefined,
    userId: c.sub,
  };
}

// Two requests that both find the token near expiry must not both spend the refresh token:
// Portcullis rotates it, and a reused one ends the whole family.
const g = globalThis as typeof globalThis & { __portcullisRefreshing?: Map<string, Promise<JWT>> };
const refreshing = (g.__portcullisRefreshing ??= new Map());

async function refresh(token: JWT): Promise<JWT> {
  const key = token.refreshToken!;
  let pending = refreshing.get(key);
  if (!pending) {
    pending = (async () => {
      const res = await fetch(`${issuer()}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: key,
          client_id: clientId(),
          client_secret: clientSecret(),
        }),
        cache: 'no-store',
      });
      if (!res.ok) return { ...token, error: 'RefreshTokenError' as const };
      const body = await res.json();
      return {
        ...token,
        ...signInFacts(body.id_token),
        accessToken: body.access_token,
        refreshToken: body.refresh_token ?? token.refreshToken,
        idToken: body.id_token ?? token.idToken,
        expiresAt: Math.floor(Date.now() / 1000) + body.expires_in,
        error: undefined,
      };
    })().catch(() => ({ ...token, error: 'RefreshTokenError' as const }));
    refreshing.set(key, pending);
    setTimeout(() => refreshing.delete(key), 30_000);
  }
  return pending;
}

// A function, so the settings are read when the server runs, not when it is built.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  trustHost: true,
  providers: [
    {
      id: 'portcullis',
      name: 'Portcullis',
      type: 'oidc',
      issuer: issuer(),
      clientId: clientId(),
      clientSecret: clientSecret(),
      checks: ['pkce', 'state', 'nonce'],
      authorization: { params: { scope: 'openid email profile offline_access', audience: apiAudience() } },
    },
  ],
  callbacks: {
    async jwt({ token, account }) {
      if (account) {
        // A sign-in or a step-up: everything comes from the new tokens.
        return {
          ...token,
          ...signInFacts(account.id_token),
          accessToken: account.access_token,
          refreshToken: account.refresh_token,
          idToken: account.id_token,
          expiresAt: account.expires_at,
          error: undefined,
        };
      }
      if (isRevoked(token.sid)) return null;
      if (!token.expiresAt || !token.refreshToken || token.error) return token;
      if (Date.now() / 1000 < token.expiresAt - refreshMargin()) return token;
      return refresh(token);
    },
    async session({ session, token }) {
      session.acr = token.acr;
      session.amr = token.amr;
      session.authTime = token.authTime;
      session.sid = token.sid;
      session.error = token.error;
      session.accessTokenExpiresAt = token.expiresAt;
      if (token.userId) session.user.id = token.userId;
      return session;
    },
  },
}));
