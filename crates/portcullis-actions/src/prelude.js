// The host side of post-login Actions, evaluated once in every sandbox. Actions see Auth0's
// `event` and `api`; every `api` call is recorded in `out`, which the server reads back as
// JSON after the last Action, so nothing a script does reaches the server any other way.
(() => {
  const LOGS = 100;
  const LOG_CHARS = 2000;
  let handlers = [];
  let out = null;

  const text = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return String(v);
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  };
  const log = (level) => (...args) => {
    if (out && out.logs.length < LOGS) {
      out.logs.push({ level, message: args.map(text).join(' ').slice(0, LOG_CHARS) });
    }
  };
  globalThis.console = {
    log: log('log'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
  };

  const factor = (name, f) => {
    if (!f || typeof f !== 'object' || typeof f.type !== 'string') {
      throw new TypeError(`${name} expects factors such as { type: 'otp' }`);
    }
    return f.type;
  };
  const factors = (name, list) => {
    if (!Array.isArray(list) || list.length === 0) {
      throw new TypeError(`${name} expects a non-empty array of factors, such as [{ type: 'otp' }]`);
    }
    return list.map((f) => factor(name, f));
  };
  const additional = (name, options) =>
    options && options.additionalFactors !== undefined
      ? factors(name, options.additionalFactors)
      : [];
  const key = (name, k) => {
    if (typeof k !== 'string' || k === '') {
      throw new TypeError(`${name} expects a non-empty string name`);
    }
    return k;
  };
  // Values cross to the server as JSON; `undefined` means "remove" as in Auth0.
  const value = (v) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
  const unsupported = (what) => () => {
    throw new Error(`${what} is not supported by Portcullis Actions`);
  };

  const makeApi = (action) => {
    const api = {
      access: {
        deny(reason) {
          out.deny = { action, reason: String(reason ?? '') };
          return api;
        },
      },
      authentication: {
        challengeWith(f, options) {
          out.challenge = {
            action,
            factors: [factor('challengeWith', f), ...additional('challengeWith', options)],
          };
          return api;
        },
        challengeWithAny(list) {
          out.challenge = { action, factors: factors('challengeWithAny', list) };
          return api;
        },
        enrollWith(f, options) {
          out.enroll = {
            action,
            factors: [factor('enrollWith', f), ...additional('enrollWith', options)],
          };
          return api;
        },
        enrollWithAny(list) {
          out.enroll = { action, factors: factors('enrollWithAny', list) };
          return api;
        },
        recordMethod: unsupported('api.authentication.recordMethod'),
        setPrimaryUser: unsupported('api.authentication.setPrimaryUser'),
      },
      multifactor: {
        // The rule-era call: any factor the user has.
        enable(provider) {
          out.challenge = { action, factors: ['any'], provider: String(provider ?? 'any') };
          return api;
        },
      },
      idToken: {
        setCustomClaim(k, v) {
          out.idClaims[key('api.idToken.setCustomClaim', k)] = value(v);
          return api;
        },
      },
      accessToken: {
        setCustomClaim(k, v) {
          out.accessClaims[key('api.accessToken.setCustomClaim', k)] = value(v);
          return api;
        },
        addScope: unsupported('api.accessToken.addScope'),
        removeScope: unsupported('api.accessToken.removeScope'),
      },
      user: {
        setAppMetadata(k, v) {
          out.appMetadata[key('api.user.setAppMetadata', k)] = value(v);
          return api;
        },
        setUserMetadata(k, v) {
          out.userMetadata[key('api.user.setUserMetadata', k)] = value(v);
          return api;
        },
      },
      redirect: {
        sendUserTo: unsupported('api.redirect.sendUserTo'),
        encodeToken: unsupported('api.redirect.encodeToken'),
        validateToken: unsupported('api.redirect.validateToken'),
      },
      cache: {
        get() {
          return undefined;
        },
        set() {
          return { type: 'success' };
        },
        delete() {
          return { type: 'success' };
        },
      },
    };
    return api;
  };

  const noRequire = (name) => {
    throw new Error(`require('${name}'): Actions here run without npm dependencies`);
  };

  // Compiles the bound Actions in order; throws naming the first that fails.
  globalThis.__portcullis_load = (sources) => {
    const loaded = [];
    sources.forEach((source, i) => {
      let handler;
      try {
        const module = { exports: {} };
        // The source is the body of a CommonJS module, as Auth0 runs it.
        const body = new Function('exports', 'module', 'require', `${source}\n`);
        body(module.exports, module, noRequire);
        handler = module.exports && module.exports.onExecutePostLogin;
      } catch (e) {
        throw new Error(`#${i}: ${text(e)}`);
      }
      if (typeof handler !== 'function') {
        throw new Error(`#${i}: the Action exports no onExecutePostLogin function`);
      }
      loaded.push(handler);
    });
    handlers = loaded;
  };

  // Runs every loaded Action on a copy of the event; the first `access.deny` stops the rest.
  globalThis.__portcullis_run = async (eventJson, secretsJson) => {
    out = {
      current: 0,
      deny: null,
      challenge: null,
      enroll: null,
      idClaims: {},
      accessClaims: {},
      appMetadata: {},
      userMetadata: {},
      logs: [],
    };
    const secrets = JSON.parse(secretsJson);
    for (let i = 0; i < handlers.length; i++) {
      out.current = i;
      const event = JSON.parse(eventJson);
      event.secrets = secrets[i] || {};
      await handlers[i](event, makeApi(i));
      if (out.deny) break;
    }
    const result = JSON.stringify(out);
    out = null;
    return result;
  };
  // Which Action was running when one failed, and what it logged (read by the host).
  globalThis.__portcullis_failed = () =>
    JSON.stringify(out ? { current: out.current, logs: out.logs } : { current: -1, logs: [] });
})();
