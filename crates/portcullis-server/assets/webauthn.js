// WebAuthn for the hosted pages. Forms carry the server's options as JSON (binary fields in
// base64url) in data-options; the answer goes back in the hidden "credential" field.
"use strict";
(function () {
  const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const ids = (list) => (list || []).map((c) => Object.assign({}, c, { id: dec(c.id) }));

  function creation(o) {
    const pk = Object.assign({}, o.publicKey);
    pk.challenge = dec(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: dec(pk.user.id) });
    pk.excludeCredentials = ids(pk.excludeCredentials);
    return { publicKey: pk };
  }

  function request(o, signal) {
    const pk = Object.assign({}, o.publicKey);
    pk.challenge = dec(pk.challenge);
    pk.allowCredentials = ids(pk.allowCredentials);
    const opts = { publicKey: pk };
    if (o.mediation) opts.mediation = o.mediation;
    if (signal) opts.signal = signal;
    return opts;
  }

  function toJSON(cred) {
    const r = cred.response;
    const out = { id: cred.id, rawId: enc(cred.rawId), type: cred.type, extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}, response: { clientDataJSON: enc(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = enc(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = enc(r.authenticatorData);
      out.response.signature = enc(r.signature);
      out.response.userHandle = r.userHandle ? enc(r.userHandle) : null;
    }
    return out;
  }

  // The texts come from the page, in its language: data-cancelled, data-registered and
  // data-failed on the error box.
  function fail(form, e) {
    const box = form.querySelector("[data-webauthn-error]");
    if (box) {
      const text = e && e.name === "NotAllowedError"
        ? box.dataset.cancelled
        : e && e.name === "InvalidStateError"
          ? box.dataset.registered
          : box.dataset.failed;
      box.textContent = text || box.dataset.failed || "";
      box.hidden = !box.textContent;
    }
  }

  function submit(form, cred) {
    form.querySelector("input[name=credential]").value = JSON.stringify(toJSON(cred));
    form.submit();
  }

  // Registration and second-factor forms: the button runs the ceremony, then posts.
  document.querySelectorAll("form[data-webauthn=create], form[data-webauthn=get]").forEach((form) => {
    form.addEventListener("submit", async (ev) => {
      if (form.querySelector("input[name=credential]").value) return;
      ev.preventDefault();
      const o = JSON.parse(form.dataset.options);
      try {
        const cred = form.dataset.webauthn === "create"
          ? await navigator.credentials.create(creation(o))
          : await navigator.credentials.get(request(o));
        submit(form, cred);
      } catch (e) { fail(form, e); }
    });
  });

  // Sign-in page: passkey autofill on the email field, and a button for a passkey prompt.
  const login = document.querySelector("form[data-webauthn=login]");
  if (!login || !window.PublicKeyCredential) return;
  login.hidden = false;
  let pending = null;
  async function start(conditional) {
    if (pending) pending.abort();
    const ctl = new AbortController();
    pending = ctl;
    const body = new URLSearchParams({ csrf: login.querySelector("input[name=csrf]").value, conditional: conditional ? "1" : "0" });
    const res = await fetch("/u/login/passkey/options", { method: "POST", body, credentials: "same-origin" });
    if (!res.ok) throw new Error("options");
    const { ceremony, options } = await res.json();
    const cred = await navigator.credentials.get(request(options, ctl.signal));
    login.querySelector("input[name=ceremony]").value = ceremony;
    submit(login, cred);
  }
  login.addEventListener("submit", (ev) => {
    ev.preventDefault();
    start(false).catch((e) => { if (e.name !== "AbortError") fail(login, e); });
  });
  if (PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then((ok) => {
      if (ok) start(true).catch(() => {});
    });
  }
})();
