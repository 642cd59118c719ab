'use client';
// Asks the server for a payouts token; when the SDK answers mfa_required, asks for the code from
// the authenticator app and lets the server finish with the SDK's MFA helpers.
import { useState } from 'react';

export default function Payouts() {
  const [answer, setAnswer] = useState(null);
  const [mfaToken, setMfaToken] = useState(null);
  const [busy, setBusy] = useState(false);

  async function call(path, init) {
    setBusy(true);
    try {
      const res = await fetch(path, init);
      // The token itself stays out of the page (the test checks its signature from the response).
      const { token, ...body } = await res.json();
      setAnswer({ status: res.status, ...body });
      // A new mfa_required brings a new token; a wrong code keeps the one we have.
      if (body.error === 'mfa_required') setMfaToken(body.mfa_token);
      else if (res.ok) setMfaToken(null);
    } finally {
      setBusy(false);
    }
  }

  async function verify(event) {
    event.preventDefault();
    const otp = new FormData(event.currentTarget).get('otp');
    await call('/api/payouts/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mfaToken, otp }),
    });
  }

  return (
    <section>
      <button id="load" type="button" disabled={busy} onClick={() => call('/api/payouts')}>
        Get a payouts token
      </button>
      {mfaToken && (
        <form id="mfa" onSubmit={verify}>
          <label>
            Code from your authenticator app <input name="otp" inputMode="numeric" autoComplete="one-time-code" />
          </label>
          <button type="submit" disabled={busy}>Verify</button>
        </form>
      )}
      {answer && (
        <>
          <p id="status" data-status={answer.status}>{answer.claims ? `Token for ${answer.claims.aud} at ${answer.claims.acr}` : answer.error}</p>
          <pre id="result">{JSON.stringify(answer, null, 2)}</pre>
        </>
      )}
    </section>
  );
}
