// The strength meter of the hosted pages' new-password fields (input[data-strength]). The
// server judges with the same rules it applies on submit (length, common and breached words,
// the person's own email and name), so the meter never promises what the form then refuses.
// Without this script the form still works: the answer after submitting says what is wrong.
"use strict";
(function () {
  for (const input of document.querySelectorAll("input[data-strength]")) {
    const form = input.form;
    const meter = document.createElement("meter");
    meter.className = "strength";
    Object.assign(meter, { min: 0, max: 4, low: 2, high: 3, optimum: 4, value: 0 });
    // The meter's name, in the page's language: the field's data-strength-label, else the
    // server's answer (below) names it.
    if (input.dataset.strengthLabel) meter.setAttribute("aria-label", input.dataset.strengthLabel);
    const hint = document.createElement("p");
    hint.className = "strength";
    hint.id = input.id + "-strength";
    hint.setAttribute("aria-live", "polite");
    input.after(meter, hint);
    input.setAttribute("aria-describedby", hint.id);
    let timer = null;
    let asked = 0;
    const field = (name) => (form.elements[name] ? form.elements[name].value : "");
    async function judge() {
      const mine = ++asked;
      if (!input.value) {
        meter.value = 0;
        hint.textContent = "";
        return;
      }
      const body = new URLSearchParams({
        csrf: field("csrf"),
        password: input.value,
        single: input.dataset.strength === "single" ? "1" : "0",
        email: field("email"),
        name: field("name"),
      });
      try {
        const r = await fetch("/u/password/strength", { method: "POST", body, credentials: "same-origin" });
        if (!r.ok || mine !== asked) return;
        const v = await r.json();
        meter.value = v.ok ? Math.max(v.score, 2) : Math.min(v.score, 1);
        hint.textContent = v.message;
        if (v.label) meter.setAttribute("aria-label", v.label);
        input.dataset.ok = v.ok ? "true" : "false";
      } catch (_) {
        // The meter is a courtesy: the form's own answer still says what is wrong.
      }
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(judge, 250);
    });
  }
})();
