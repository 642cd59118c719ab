// Run by auth0.test.mjs in a child process that trusts the server's self-signed certificate.
// The `auth0` package's ManagementClient moves an Action as an Auth0 tenant's deploy script does:
// seed 001's Action (verbatim) created, deployed and bound to post-login, then listed, unbound and
// deleted. Prints what came back, as JSON.
import { readFileSync } from 'node:fs';
import { ManagementClient } from 'auth0';

const { DOMAIN: domain, CLIENT_ID: clientId, CLIENT_SECRET: clientSecret, SOURCE: source } = process.env;

const management = new ManagementClient({
  domain,
  clientId,
  clientSecret,
  scope: 'read:actions create:actions update:actions delete:actions',
});

const code = readFileSync(source, 'utf8');
const out = {};
const created = (await management.actions.create({
  name: 'mfa-on-refresh',
  code,
  runtime: 'node18',
  supported_triggers: [{ id: 'post-login', version: 'v3' }],
  secrets: [{ name: 'SLACK_URL', value: 'https://hooks.example/secret' }],
})).data;
out.created = { id: created.id.startsWith('act_'), deployed: created.all_changes_deployed, secrets: created.secrets.map((s) => s.name) };
out.secretShown = JSON.stringify(created).includes('hooks.example');

const version = (await management.actions.deploy({ id: created.id })).data;
out.version = { number: version.number, code: version.code === code };

await management.actions.updateTriggerBindings(
  { triggerId: 'post-login' },
  { bindings: [{ ref: { type: 'action_name', value: 'mfa-on-refresh' }, display_name: 'MFA on refresh' }] },
);
const bound = (await management.actions.getTriggerBindings({ triggerId: 'post-login' })).data;
out.bound = bound.bindings.map((b) => ({ name: b.display_name, action: b.action.name }));

const listed = (await management.actions.getAll({ actionName: 'mfa-on-refresh' })).data;
out.listed = listed.actions.map((a) => ({ name: a.name, deployed: a.all_changes_deployed }));

try {
  await management.actions.delete({ id: created.id });
  out.deleteBound = 'deleted';
} catch (e) {
  out.deleteBound = e.statusCode;
}
await management.actions.updateTriggerBindings({ triggerId: 'post-login' }, { bindings: [] });
await management.actions.delete({ id: created.id });
try {
  await management.actions.get({ id: created.id });
  out.gone = 'found';
} catch (e) {
  out.gone = e.statusCode;
}
console.log(JSON.stringify(out));
