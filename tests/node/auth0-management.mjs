// Run by auth0.test.mjs in a child process that trusts the server's self-signed certificate.
// Seed 000's dashboard, as its own code calls it: the `auth0` package's ManagementClient reads a
// user and their enrolments, updates metadata, creates an enrolment ticket, removes a factor and
// reads the logs. Prints what came back, as JSON.
import { ManagementClient } from 'auth0';

const { DOMAIN: domain, CLIENT_ID: clientId, CLIENT_SECRET: clientSecret, EMAIL: email } = process.env;

const management = new ManagementClient({
  domain,
  clientId,
  clientSecret,
  scope: 'read:users update:users read:authenticators delete:authenticators create:guardian_enrollment_tickets read:logs',
});

const out = {};
const [user] = (await management.usersByEmail.getByEmail({ email })).data;
out.user = { email: user.email, hasId: typeof user.user_id === 'string', created: user.created_at };
const id = user.user_id;

const enrollments = (await management.users.getEnrollments({ id })).data;
out.enrollments = enrollments.map((e) => ({ status: e.status, type: e.type }));
out.hasMfa = enrollments.some((e) => e.status === 'confirmed');

await management.users.update({ id }, { user_metadata: { theme: 'dark', mfa_prompted: true } });
out.metadata = (await management.users.get({ id })).data.user_metadata;

const ticket = (await management.guardian.createEnrollmentTicket({ user_id: id, send_mail: false })).data;
out.ticket = { id: ticket.ticket_id.startsWith('tkt_'), url: ticket.ticket_url.startsWith(`https://${domain}/u/ticket?t=`) };

const methods = (await management.users.getAuthenticationMethods({ id })).data;
out.methods = methods.map((m) => m.type);

await management.guardian.deleteGuardianEnrollment({ id: enrollments[0].id });
out.after = (await management.users.getEnrollments({ id })).data.length;

const logs = (await management.users.getLogs({ id, per_page: 50 })).data;
out.logTypes = [...new Set(logs.map((l) => l.type))].sort();
try {
  await management.users.get({ id: 'usr_nobody' });
  out.missing = 'found';
} catch (e) {
  out.missing = { status: e.statusCode, code: JSON.parse(e.body).errorCode };
}
console.log(JSON.stringify(out));
