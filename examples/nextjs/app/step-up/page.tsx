'use client';
/** Opened in a popup by the forms: signs in again with what the API asked for. */

import { useEffect } from 'react';
import { signIn } from 'next-auth/react';

export default function StepUp() {
  useEffect(() => {
    const params = Object.fromEntries(new URLSearchParams(window.location.search));
    void signIn('portcullis', { redirectTo: '/step-up/done' }, params);
  }, []);
  return <p>Confirming it&apos;s you…</p>;
}
