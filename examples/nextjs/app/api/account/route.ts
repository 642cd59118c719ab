/** Delete account: a sign-in within the last minute, whatever the factor (seed 004). */

import { guard } from '../../../lib/guard';
import { management } from '../../../lib/management';

export async function DELETE(req: Request) {
  const auth = await guard(req, { maxAge: 60 });
  if (!auth.ok) return auth.response;
  // A request, kept for the grace period: support completes or cancels it.
  const at = new Date().toISOString();
  await management(`/users/${encodeURIComponent(auth.claims.sub!)}`, {
    method: 'PATCH',
    body: JSON.stringify({ app_metadata: { deletion_requested_at: at } }),
  });
  return Response.json({ ok: true, deletion_requested_at: at });
}
