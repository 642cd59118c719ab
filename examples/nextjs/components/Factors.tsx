'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';

import type { Enrollment } from '../lib/management';
import { useApi } from './actions';

/** Seed 000's list of enrolled factors, with remove and "enable two-factor". */
export function Factors({ enrollments, securityUrl }: { enrollments: Enrollment[]; securityUrl: string }) {
  const api = useApi();
  const router = useRouter();
  const [error, setError] = useState('');
  const confirmed = enrollments.filter((e) => e.status === 'confirmed');
  return (
    <section>
      <h2>Two-factor authentication</h2>
      <p id="mfa-status">{confirmed.length ? 'Two-factor authentication is on.' : 'Two-factor authentication is off.'}</p>
      <ul id="factors">
        {confirmed.map((e) => (
          <li key={e.id} data-type={e.type}>
            {e.name} ({e.type}), added {e.enrolled_at.slice(0, 10)}
            {e.last_auth ? `, last used ${e.last_auth.slice(0, 10)}` : ''}{' '}
            <button
              onClick={async () => {
                const res = await api(`/api/factors/${encodeURIComponent(e.id)}`, { method: 'DELETE' });
                if (res.ok) router.refresh();
                else setError('Could not remove it.');
              }}
            >
              Remove {e.name}
            </button>
          </li>
        ))}
      </ul>
      <button
        id="enable-mfa"
        onClick={async () => {
          const res = await api('/api/enroll', { method: 'POST' });
          if (res.ok) window.location.href = (await res.json()).url;
          else setError('Could not start enrolment.');
        }}
      >
        {confirmed.length ? 'Add another method' : 'Enable two-factor'}
      </button>{' '}
      <a href={securityUrl}>Security settings at Portcullis</a>
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
