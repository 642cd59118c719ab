// A browser-like HTTP client on node:http (not fetch, which always sends `Sec-Fetch-Mode: cors`,
// as a script's request would): a cookie jar scoped as browsers scope it (by host,
// not port, so the relying party and the provider on two ports of `localhost` share one jar, as
// they do in a real browser), redirects and `<meta http-equiv="refresh">` followed by hand, and
// the headers a browser sends on a top-level navigation (mod_auth_openidc answers requests that
// do not look like one with 401 instead of redirecting them to the provider).

const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 portcullis-strict-rp';

const NAVIGATION_HEADERS = {
  'user-agent': USER_AGENT,
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};

/** Decodes the HTML character references that templates write into attribute values. */
export function unescapeHtml(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag) {
  const out = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    out[m[1].toLowerCase()] = unescapeHtml(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/**
 * The forms of an HTML page: `{ action, method, fields, names }`, `fields` holding what a browser
 * would submit without a click (hidden and text inputs with their values, checked boxes).
 */
export function forms(html) {
  const found = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]);
    const fields = {};
    const names = [];
    for (const input of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributes(input[1]);
      if (!a.name) continue;
      names.push(a.name);
      const type = (a.type ?? 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
      fields[a.name] = a.value ?? '';
    }
    found.push({ action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), fields, names });
  }
  return found;
}

/** The form whose action is `action` and which has an input named `field`, or an error. */
export function formWith(page, action, field) {
  const form = forms(page.body).find((f) => f.action === action && f.names.includes(field));
  if (!form) {
    throw new Error(`no form posting to ${action} with a "${field}" field at ${page.url} (${page.status}):\n${page.body.slice(0, 2000)}`);
  }
  return form;
}

function metaRefresh(html) {
  const tag = html.match(/<meta\b[^>]*http-equiv\s*=\s*["']?refresh[^>]*>/i);
  if (!tag) return null;
  const content = attributes(tag[0]).content ?? '';
  const m = content.match(/^\s*\d+\s*;\s*url\s*=\s*['"]?([^'"]+)['"]?\s*$/i);
  return m ? m[1] : null;
}

import http from 'node:http';

/** A plain HTTP/1.1 exchange: `{ status, headers (a Headers), body }`. */
function exchange(url, { method, headers, body }) {
  return new Promise((ok, fail) => {
    const req = http.request(url, { method, headers, timeout: 20_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        ok({ status: res.statusCode, headers: h, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', fail);
    req.end(body);
  });
}

export class Browser {
  constructor() {
    /** name, value, host, path, expires (ms or null) */
    this.cookies = [];
    /** Every request made: `METHOD url -> status [location]`, for failure messages. */
    this.history = [];
  }

  cookieHeader(url) {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === null || c.expires > now);
    return this.cookies
      .filter((c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  keep(url, response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      if (i < 0) continue;
      const cookie = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim(), host: url.hostname, path: null, expires: null };
      for (const attr of attrs) {
        const [k, ...v] = attr.split('=');
        const key = k.trim().toLowerCase();
        const value = v.join('=').trim();
        if (key === 'path' && value.startsWith('/')) cookie.path = value;
        if (key === 'max-age') cookie.expires = Date.now() + Number(value) * 1000;
        if (key === 'expires' && cookie.expires === null) {
          const t = Date.parse(value);
          if (!Number.isNaN(t)) cookie.expires = t;
        }
      }
      if (cookie.path === null) {
        // RFC 6265 §5.1.4: the default path is the request path up to its last slash.
        const dir = url.pathname.slice(0, url.pathname.lastIndexOf('/'));
        cookie.path = dir || '/';
      }
      this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      if (cookie.expires === null || cookie.expires > Date.now()) this.cookies.push(cookie);
    }
  }

  /** One request, no redirect followed: `{ url, status, headers, body, location }`. */
  async request(target, { method = 'GET', form, headers = {} } = {}) {
    const url = new URL(target);
    const init = { method, headers: { ...NAVIGATION_HEADERS, ...headers } };
    const cookie = this.cookieHeader(url);
    if (cookie) init.headers.cookie = cookie;
    if (form) {
      init.headers['content-type'] = 'application/x-www-form-urlencoded';
      init.headers.origin = url.origin;
      init.body = new URLSearchParams(form).toString();
    }
    const response = await exchange(url, init);
    this.keep(url, response);
    const { body } = response;
    const location = response.headers.get('location');
    const page = {
      url: url.href,
      status: response.status,
      headers: response.headers,
      body,
      location: location === null ? null : new URL(location, url).href,
    };
    this.history.push(`${method} ${url.href} -> ${response.status}${page.location ? ` ${page.location}` : ''}`);
    return page;
  }

  /**
   * Loads `target` as a navigation, following redirects (a POST answered 302/303 goes on as a
   * GET) and meta refreshes, until a page that stays; `stopBefore(url)` ends it before a request.
   * Returns the last page, with `hops`, the URLs visited.
   */
  async navigate(target, { method = 'GET', form, stopBefore } = {}) {
    let page = await this.request(target, { method, form });
    const hops = [page.url];
    for (let n = 0; n < 25; n += 1) {
      let next = null;
      if ([301, 302, 303, 307, 308].includes(page.status) && page.location) next = page.location;
      else {
        const refresh = metaRefresh(page.body);
        if (refresh) next = new URL(refresh, page.url).href;
      }
      if (!next || stopBefore?.(new URL(next))) {
        page.hops = hops;
        page.next = next;
        return page;
      }
      page = await this.request(next);
      hops.push(page.url);
    }
    throw new Error(`more than 25 redirects:\n${hops.join('\n')}`);
  }

  /** Submits `form` (from `forms`) found on `page`, with `values` filled in. */
  submit(page, form, values = {}, options = {}) {
    const action = new URL(form.action || page.url, page.url).href;
    return this.navigate(action, { method: form.method.toUpperCase(), form: { ...form.fields, ...values }, ...options });
  }
}
