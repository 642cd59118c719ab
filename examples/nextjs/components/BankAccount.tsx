'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';

import { useApi } from './actions';

/** Seed 004's "Change bank account": needs aal2 within five minutes; steps up in a popup. */
export function BankAccount({ current }: { current?: string }) {
  const api = useApi();
  const router = useRouter();
  const [iban, setIban] = useState('');
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | 'error'>('idle');
  async function save() {
    setStatus('saving');
    const res = await api('/api/payout-destination', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iban }),
    });
    setStatus(res.ok ? 'saved' : 'error');
    if (res.ok) router.refresh();
  }
  return (
    <form
      id="bank-account"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>Payout destination</h2>
      <p>Current account: <span id="current-iban">{current ?? 'none'}</span></p>
      <label>
        New IBAN: <input name="iban" value={iban} onChange={(e) => setIban(e.target.value)} />
      </label>{' '}
      <button type="submit" disabled={status === 'saving'}>Change bank account</button>
      {status === 'saved' && <p role="status">Saved.</p>}
      {status === 'error' && <p role="alert">Couldn&apos;t save. Try again.</p>}
    </form>
  );
}
