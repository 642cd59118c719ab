// Starts `portcullis serve --dev` on a free port in a fresh directory, for the tests that
// drive the real binary; resolves once it prints its issuer.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startDevServer(bin, env = {}, { listen = '127.0.0.1:0' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-dev-'));
  const server = spawn(bin, ['serve', '--dev', '--listen', listen], {
    cwd: dir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const dev = {
    issuer: '',
    // Its working directory: the dev database, key and outbox live here.
    dir,
    // Everything the server printed and logged, stdout and stderr.
    output: '',
    // A value the server printed once at start (`email`, `client_id`, …).
    printed(label) {
      return dev.output.match(new RegExp(`${label}:\\s+(\\S+)`))[1];
    },
    stop() {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.stdout.on('data', (chunk) => { dev.output += chunk; });
  dev.issuer = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('dev server not ready in 20 s')), 20_000);
    server.stderr.on('data', (chunk) => {
      dev.output += chunk;
      const m = dev.output.match(/Portcullis is ready at (\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    server.on('exit', (code) => fail(new Error(`dev server exited with ${code}: ${dev.output}`)));
  });
  return dev;
}
