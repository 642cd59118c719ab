/** Seed 000's dashboard: the user, their MFA status and factors, and seed 004's actions. */

import { auth, signIn } from '../auth';
import { BankAccount } from '../components/BankAccount';
import { DeleteAccount } from '../components/DeleteAccount';
import { Factors } from '../components/Factors';
import { issuer } from '../lib/config';
import { management, type Enrollment } from '../lib/management';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const session = await auth();
  if (!session?.user?.id) {
    return (
      <main>
        <h1>Payouts</h1>
        <form
          action={async () => {
            'use server';
            await signIn('portcullis', { redirectTo: '/' });
          }}
        >
          <button id="sign-in" type="submit">Sign in</button>
        </form>
      </main>
    );
  }
  const id = encodeURIComponent(session.user.id);
  const [user, enrollments] = await Promise.all([
    management<{ email: string; user_metadata: Record<string, unknown> }>(`/users/${id}`),
    management<Enrollment[]>(`/users/${id}/enrollments`),
  ]);
  const authTime = session.authTime ? new Date(session.authTime * 1000).toISOString() : 'unknown';
  return (
    <main>
      <h1>Payouts</h1>
      {session.error === 'RefreshTokenError' && (
        <p role="alert" id="session-error">
          Your session could not be renewed. Sign in again to continue.
        </p>
      )}
      <p>
        Signed in as <strong id="email">{user.email}</strong> — level <code id="acr">{session.acr}</code>,
        methods <code id="amr">{(session.amr ?? []).join(' ')}</code>, at <code id="auth-time">{authTime}</code>
      </p>
      <p>
        Access token valid until{' '}
        <code id="token-expiry">
          {session.accessTokenExpiresAt ? new Date(session.accessTokenExpiresAt * 1000).toISOString() : 'unknown'}
        </code>
      </p>
      <form action="/api/logout" method="post">
        <button id="sign-out" type="submit">Sign out</button>
      </form>
      <Factors enrollments={enrollments} securityUrl={`${issuer()}/u/account/security`} />
      <BankAccount current={user.user_metadata.payout_iban as string | undefined} />
      <DeleteAccount />
    </main>
  );
}
