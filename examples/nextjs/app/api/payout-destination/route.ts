/** Change bank account: a second factor within the last five minutes (seed 004). */

import { bankMaxAge } from '../../../lib/config';
import { guard } from '../../../lib/guard';
import { management } from '../../../lib/management';

export async function POST(req: Request) {
  const auth = await guard(req, { acr: 'aal2', maxAge: bankMaxAge() });
  if (!auth.ok) return auth.response;
  const body = await req.json().catch(() => ({}));
  const iban = typeof body.iban === 'string' ? body.iban.replace(/\s+/g, '').toUpperCase() : '';
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(iban)) {
    return Response.json({ error: 'invalid_iban' }, { status: 400 });
  }
  // Kept where the dashboard reads it; a real app writes to its own database.
  await management(`/users/${encodeURIComponent(auth.claims.sub!)}`, {
    method: 'PATCH',
    body: JSON.stringify({ user_metadata: { payout_iban: `${iban.slice(0, 4)}…${iban.slice(-4)}` } }),
  });
  return Response.json({ ok: true, iban: `${iban.slice(0, 4)}…${iban.slice(-4)}` });
}
