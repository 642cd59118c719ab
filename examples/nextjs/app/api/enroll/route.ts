/** "Enable two-factor": a single-use enrolment ticket for the signed-in user. */

import { guard } from '../../../lib/guard';
import { management } from '../../../lib/management';

export async function POST(req: Request) {
  const auth = await guard(req, {});
  if (!auth.ok) return auth.response;
  const ticket = await management<{ ticket_id: string; ticket_url: string }>('/guardian/enrollments/ticket', {
    method: 'POST',
    body: JSON.stringify({ user_id: auth.claims.sub, send_mail: false, ttl_sec: 600 }),
  });
  return Response.json({ url: ticket.ticket_url });
}
