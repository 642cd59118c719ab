/**
 * Remove a factor: a sign-in within five minutes first. Portcullis then ends the user's other
 * sessions (each app hears by back-channel logout) and emails them; this one stays.
 */

import { guard } from '../../../../lib/guard';
import { management, type Enrollment } from '../../../../lib/management';

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const auth = await guard(req, { maxAge: 300 });
  if (!auth.ok) return auth.response;
  const { id } = await ctx.params;
  const user = encodeURIComponent(auth.claims.sub!);
  const mine = await management<Enrollment[]>(`/users/${user}/enrollments`);
  if (!mine.some((e) => e.id === id)) return Response.json({ error: 'not_found' }, { status: 404 });
  const keep = auth.session.sid ? `?keep_session=${encodeURIComponent(auth.session.sid)}` : '';
  await management(`/guardian/enrollments/${encodeURIComponent(id)}${keep}`, { method: 'DELETE' });
  return new Response(null, { status: 204 });
}
