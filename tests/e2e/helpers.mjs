// What the browser journeys share: Chromium as the brief says to start it, TOTP codes as an
// authenticator app computes them, a CDP virtual platform authenticator, the sign-in form, the
// security page and signing out, a management API token from the dev server's admin client, and
// axe-core's verdict on a page.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A function that saves full-page screenshots under `sub` of the screenshot folder. Tests write
 * to `target/screenshots/` (ignored), so a test run leaves the tree clean; the README's pictures
 * in `docs/screenshots/` are refreshed on purpose by `bash scripts/e2e.sh --refresh-screenshots`,
 * which sets PORTCULLIS_SCREENSHOTS.
 */
export function screenshotter(sub) {
  const dir = join(resolve(ROOT, process.env.PORTCULLIS_SCREENSHOTS ?? 'target/screenshots'), sub);
  mkdirSync(dir, { recursive: true });
  return (page, name) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Debian's Chromium, headless, without the background traffic a test does not want. */
export function launch(executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') {
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

import { totp } from '../totp.mjs';

export { totp };

/** The current TOTP time step. */
export const step = () => Math.floor(Date.now() / 1000 / 30);

/** Waits until the time step is past `used` (a code is accepted once). */
export async function stepAfter(used) {
  while (step() <= used) await new Promise((r) => setTimeout(r, 500));
  return step();
}

/**
 * A platform authenticator (fingerprint or face with a device PIN): CTAP2, internal transport,
 * discoverable credentials, user verification.
 */
export async function platformAuthenticator(cdp) {
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

/** The hosted sign-in form: email and password. */
export async function password(page, email, pass) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Continue' }).click();
}

// The adaptive policy (the dev default) asks for a second factor on a browser the user never
// finished a multi-factor sign-in from: a new user agent makes this one look like another device.
let devices = 0;
/** Makes the page's browser look like a device the user never used. */
export async function anotherDevice(cdp) {
  devices += 1;
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Device/${devices}`,
  });
}

/** Waits for the self-service security page (signed in). */
export async function onSecurityPage(page) {
  await page.waitForURL(/\/u\/account\/security$/);
  await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
}

/** Signs out from the security page; the next visit asks to sign in again. */
export async function signOut(page, issuer) {
  await page.goto(`${issuer}/u/account/security`);
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${issuer}/u/account/security`);
  await page.waitForURL(/\/u\/login/);
}

/** The secret of the management API client (`portcullis-admin`) the dev server printed once. */
export function managementSecret(dev) {
  return dev.output.match(/Management API client created[\s\S]*?client_secret:\s+(\S+)/)[1];
}

/** A management API access token for the dev server's `portcullis-admin` (client credentials). */
export async function managementToken(dev) {
  const res = await fetch(`${dev.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'portcullis-admin',
      client_secret: managementSecret(dev),
      audience: `${dev.issuer}/api/v2/`,
    }),
  });
  if (!res.ok) throw new Error(`no management token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page: no serious or critical violation, in light and in dark mode. */
export async function accessible(page, what) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      // Evaluated over the DevTools protocol, which the pages' CSP does not govern.
      await page.evaluate(axeSource);
    }
    const { violations } = await page.evaluate(() =>
      window.axe.run(document, { resultTypes: ['violations'] }),
    );
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      `${what} (${colorScheme})`,
    );
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * The person turns on an authenticator app from the security page, in a browser context of
 * their own (so the test's page keeps its state); the app's secret and the step its code used.
 */
export async function enrolTotpApart(browser, issuer, email, pass) {
  const own = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const p = await own.newPage();
  await p.goto(`${issuer}/u/account/security`);
  await password(p, email, pass);
  await p.waitForURL(/\/u\/account\/security$/);
  await p.getByRole('link', { name: 'Add a sign-in method' }).click();
  await p.getByRole('link', { name: 'Authenticator app' }).click();
  const secret = (await p.locator('#totp-secret').textContent()).trim();
  const enrolled = step();
  await p.getByRole('textbox', { name: 'Code from the app' }).fill(totp(secret, enrolled));
  await p.getByRole('button', { name: 'Verify and turn on' }).click();
  await p.getByRole('button', { name: /I have saved them/ }).click();
  await p.waitForURL(/\/u\/account\/security$/);
  await own.close();
  return { secret, enrolled };
}
