// Walks Portcullis's hosted login form the way a browser would, keeping cookies by hand.

function keepCookies(jar, response) {
  for (const c of response.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}

/** Follows an authorization URL through the login form; returns the callback URL with the code. */
export async function signIn(issuer, url, email, password) {
  const jar = new Map();
  const go = async (target, init = {}) => {
    const cookie = [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(target, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
    keepCookies(jar, r);
    return r;
  };
  const start = await go(url);
  if (start.status !== 303) throw new Error(`authorize answered ${start.status}`);
  const page = await (await go(new URL(start.headers.get('location'), issuer))).text();
  const field = (name) => page.match(new RegExp(`name="${name}" value="([^"]*)"`))[1];
  const done = await go(`${issuer}/u/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ state: field('state'), csrf: field('csrf'), email, password }),
  });
  if (done.status !== 302) throw new Error(`login answered ${done.status}`);
  return new URL(done.headers.get('location'));
}
