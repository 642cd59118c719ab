// Apache httpd with mod_auth_openidc, as Debian packages them: installed when missing (as root,
// with apt-get, as CI starts from a clean machine), configured in a temporary ServerRoot of its
// own, run in the foreground and stopped by its process id.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGES = ['apache2', 'libapache2-mod-auth-openidc'];
// Debian's layout first; the others are where other distributions put httpd's modules.
const MODULE_DIRS = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules'];
const BINARIES = ['apache2', 'httpd'];

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/sbin'])) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

function locate() {
  const binary = BINARIES.map(which).find(Boolean) ?? null;
  const modules = MODULE_DIRS.find((d) => existsSync(join(d, 'mod_auth_openidc.so'))) ?? null;
  return binary && modules ? { binary, modules } : null;
}

function apt(args) {
  const r = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/**
 * Finds Apache and mod_auth_openidc, installing both with apt-get when missing (root only);
 * throws with the reason when that cannot be done. Returns `{ binary, modules, version }`.
 */
export function ensureApache(log = () => {}) {
  let found = locate();
  if (!found) {
    const install = ['install', '-y', '--no-install-recommends', ...PACKAGES];
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error(`Apache httpd with mod_auth_openidc is not installed and this test is not running as root, so it cannot install it. Install it first: apt-get install -y ${PACKAGES.join(' ')}`);
    }
    if (!which('apt-get')) {
      throw new Error(`Apache httpd with mod_auth_openidc is not installed and there is no apt-get to install it with (packages: ${PACKAGES.join(' ')})`);
    }
    log(`installing ${PACKAGES.join(' ')} with apt-get`);
    let result = apt(install);
    if (!result.ok) {
      // A clean machine may have no package lists yet, or stale ones.
      const update = apt(['update']);
      result = apt(install);
      if (!result.ok) {
        throw new Error(`apt-get could not install ${PACKAGES.join(' ')}:\n${update.output.slice(-2000)}\n${result.output.slice(-4000)}`);
      }
    }
    found = locate();
    if (!found) throw new Error(`apt-get installed ${PACKAGES.join(' ')} but no apache2/httpd binary and mod_auth_openidc.so were found`);
  }
  const v = spawnSync(found.binary, ['-v'], { encoding: 'utf8' });
  const pkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'libapache2-mod-auth-openidc'], { encoding: 'utf8' });
  return { ...found, version: `${(v.stdout ?? '').split('\n')[0]}; mod_auth_openidc ${pkg.status === 0 ? pkg.stdout : 'unknown'}` };
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const page = (title) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`;

/**
 * Writes the config and documents into a fresh ServerRoot and starts Apache in the foreground.
 * `oidc` holds the provider and client settings. Resolves once Apache answers.
 */
export async function startApache({ binary, modules }, { port, oidc }) {
  const root = mkdtempSync(join(tmpdir(), 'strict-rp-apache-'));
  const docs = join(root, 'htdocs');
  for (const d of [docs, join(docs, 'protected'), join(docs, 'protected', 'stepup'), join(root, 'run')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(join(docs, 'protected', 'index.html'), page('Protected'));
  writeFileSync(join(docs, 'protected', 'stepup', 'index.html'), page('Step-up protected'));
  writeFileSync(join(docs, 'loggedout.html'), page('Signed out'));
  // Apache's children run as www-data when started as root: they must read the documents.
  for (const d of [root, docs, join(docs, 'protected'), join(docs, 'protected', 'stepup')]) chmodSync(d, 0o755);

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const load = (name, file) => `LoadModule ${name} ${join(modules, file)}`;
  // Debian builds these into the binary; elsewhere they are modules.
  const optional = (name, file) => (existsSync(join(modules, file)) ? load(name, file) : `# ${name} is built in`);
  const base = `http://localhost:${port}`;
  const conf = `# Written by tests/strict-rp: one Apache, one relying party, nothing else.
ServerRoot "${root}"
ServerName localhost
Listen 127.0.0.1:${port}
PidFile "${join(root, 'run', 'httpd.pid')}"
DefaultRuntimeDir "${join(root, 'run')}"
ErrorLog "${join(root, 'error.log')}"
LogLevel warn auth_openidc:debug

${load('mpm_event_module', 'mod_mpm_event.so')}
${optional('unixd_module', 'mod_unixd.so')}
${load('authn_core_module', 'mod_authn_core.so')}
${load('authz_core_module', 'mod_authz_core.so')}
${load('authz_user_module', 'mod_authz_user.so')}
${load('headers_module', 'mod_headers.so')}
${load('mime_module', 'mod_mime.so')}
${load('dir_module', 'mod_dir.so')}
${optional('log_config_module', 'mod_log_config.so')}
${load('auth_openidc_module', 'mod_auth_openidc.so')}

${asRoot ? 'User www-data\nGroup www-data' : '# not root: runs as the current user'}
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 4
MaxSpareThreads 16

LogFormat "%h %t \\"%r\\" %>s %b" brief
CustomLog "${join(root, 'access.log')}" brief
TypesConfig /dev/null
AddType text/html .html
DirectoryIndex index.html
DocumentRoot "${docs}"
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory "${docs}">
  Require all granted
</Directory>

# The relying party, as a site running mod_auth_openidc configures it.
OIDCProviderMetadataURL ${oidc.issuer}/.well-known/openid-configuration
OIDCClientID ${oidc.clientId}
OIDCClientSecret ${oidc.clientSecret}
OIDCRedirectURI ${base}/protected/redirect_uri
OIDCCryptoPassphrase ${oidc.passphrase}
OIDCScope "openid email profile offline_access"
OIDCPKCEMethod S256
OIDCProviderTokenEndpointAuth client_secret_basic
# Strict: only RS256 ID tokens (and logout tokens) are taken.
OIDCIDTokenSignedResponseAlg RS256
OIDCRefreshAccessTokenBeforeExpiry 60
OIDCDefaultLoggedOutURL ${base}/loggedout.html
# The ID token as claims, as its payload, and serialized (the test reads its header).
OIDCPassIDTokenAs claims payload serialized
OIDCInfoHook iat access_token access_token_expires id_token userinfo refresh_token session
OIDCSessionType server-cache
OIDCCacheType shm

<Location /protected>
  AuthType openid-connect
  Require valid-user
  # The claims mod_auth_openidc passes to the application, reflected back for the test to read.
  Header echo ^OIDC_
</Location>

# Step-up: a session below aal2 is sent back to the provider, asking for aal2.
<Location /protected/stepup>
  AuthType openid-connect
  Require claim acr:aal2
  OIDCUnAutzAction auth
  OIDCPathAuthRequestParams acr_values=aal2
</Location>
`;
  const confPath = join(root, 'httpd.conf');
  writeFileSync(confPath, conf);

  const check = spawnSync(binary, ['-t', '-f', confPath], { encoding: 'utf8' });
  if (check.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`apache config rejected:\n${check.stdout}${check.stderr}`);
  }

  const child = spawn(binary, ['-f', confPath, '-DFOREGROUND'], {
    cwd: root,
    env: { PATH: process.env.PATH, LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = null;
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const apache = {
    root,
    base,
    conf,
    errorLog() {
      try {
        return readFileSync(join(root, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    accessLog() {
      try {
        return readFileSync(join(root, 'access.log'), 'utf8');
      } catch {
        return '';
      }
    },
    /** mod_auth_openidc's lines at level `error` (and `warn`, with `warn: true`). */
    oidcLines({ warn = false } = {}) {
      const levels = warn ? /\[auth_openidc:(error|warn)\]/ : /\[auth_openidc:error\]/;
      return apache.errorLog().split('\n').filter((l) => levels.test(l));
    },
    /** The error log from `mark` (a length of it) on. */
    since(mark) {
      return apache.errorLog().slice(mark);
    },
    async stop() {
      if (exited === null) {
        const done = new Promise((ok) => child.once('exit', ok));
        // SIGTERM on the parent stops its children too; SIGKILL if it takes too long.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(timer);
      }
      if (!process.env.STRICT_RP_KEEP) rmSync(root, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited !== null) {
      const log = apache.errorLog();
      rmSync(root, { recursive: true, force: true });
      throw new Error(`apache exited (${JSON.stringify(exited)}) at start:\n${output}\n${log}`);
    }
    try {
      const r = await fetch(`${base}/loggedout.html`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await apache.stop();
      throw new Error(`apache did not answer on ${base} in 15 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return apache;
}
