import { redirect } from 'next/navigation';
import { auth0 } from '../../lib/auth0';
import Payouts from './payouts';

export const dynamic = 'force-dynamic';

export default async function PayoutsPage() {
  if (!(await auth0.getSession())) redirect('/auth/login?returnTo=/payouts');
  return (
    <main>
      <h1>Payouts</h1>
      <p>The payouts API asks for a second factor (aal2).</p>
      <Payouts />
      <p><a href="/">Back</a></p>
    </main>
  );
}
