// The session as the SDK keeps it: the ID token's acr, amr and auth_time.
import { auth0, claims } from '../lib/auth0';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const session = await auth0.getSession();
  if (!session) {
    return (
      <main>
        <h1>Payouts</h1>
        <p id="signed-out">Signed out.</p>
        <a id="sign-in" href="/auth/login">Sign in</a>
      </main>
    );
  }
  const id = claims(session.tokenSet.idToken);
  return (
    <main>
      <h1>Payouts</h1>
      <dl>
        <dt>Email</dt><dd id="email">{session.user.email}</dd>
        <dt>Subject</dt><dd id="sub">{session.user.sub}</dd>
        <dt>acr</dt><dd id="acr">{id.acr}</dd>
        <dt>amr</dt><dd id="amr">{(id.amr ?? []).join(' ')}</dd>
        <dt>auth_time</dt><dd id="auth-time">{id.auth_time}</dd>
        <dt>sid</dt><dd id="sid">{id.sid}</dd>
      </dl>
      <p><a id="payouts" href="/payouts">Payouts (needs aal2)</a></p>
      <p><a id="step-up" href="/auth/login?acr_values=aal2&amp;max_age=0">Verify it's you (step-up)</a></p>
      <p><a id="sign-out" href="/auth/logout">Sign out</a></p>
    </main>
  );
}
