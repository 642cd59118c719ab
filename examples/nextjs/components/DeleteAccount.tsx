'use client';

import { useState } from 'react';

import { useApi } from './actions';

/** Seed 004's "Delete account": a sign-in within the last minute. */
export function DeleteAccount() {
  const api = useApi();
  const [status, setStatus] = useState<'idle' | 'requested' | 'error'>('idle');
  return (
    <section>
      <h2>Delete account</h2>
      <button
        id="delete-account"
        onClick={async () => {
          const res = await api('/api/account', { method: 'DELETE' });
          setStatus(res.ok ? 'requested' : 'error');
        }}
      >
        Delete account
      </button>
      {status === 'requested' && <p role="status">Deletion requested. Support will confirm by email.</p>}
      {status === 'error' && <p role="alert">Couldn&apos;t request deletion.</p>}
    </section>
  );
}
