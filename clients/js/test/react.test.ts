import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { useStepUpFetch } from '../src/react.js';

describe('useStepUpFetch', () => {
  it('gives components a fetch that steps up and retries', async () => {
    const calls: string[] = [];
    const fake = (async () => {
      calls.push('call');
      return calls.length === 1
        ? Response.json({ error: 'step_up_required', required_acr: 'aal2' }, { status: 401 })
        : new Response('saved');
    }) as unknown as typeof fetch;
    let captured: ((input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) | undefined;
    function Form() {
      captured = useStepUpFetch({
        fetch: fake,
        onStepUp: async (c) => {
          calls.push(`step-up ${c.kind === 'step_up' ? c.acrValues.join() : ''}`);
          return true;
        },
      });
      return createElement('form', null, 'Change bank account');
    }
    expect(renderToString(createElement(Form))).toContain('Change bank account');
    const res = await captured!('/api/payout-destination', { method: 'POST' });
    expect(await res.text()).toBe('saved');
    expect(calls).toEqual(['call', 'step-up aal2', 'call']);
  });
});
