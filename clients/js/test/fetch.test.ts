import { describe, expect, it, vi } from 'vitest';

import { createStepUpFetch, stepUpFetch, type StepUpChallenge } from '../src/index.js';

const stepUp = () =>
  new Response(JSON.stringify({ error: 'step_up_required', required_acr: 'aal2', max_age: 300 }), {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer error="insufficient_user_authentication", acr_values="aal2", max_age=300',
    },
  });

/** A fake API: answers each call from `answers` in turn and records what it was sent. */
function api(...answers: Array<() => Response>) {
  const seen: Array<{ url: string; auth: string | null; body: string | null; method: string }> = [];
  const fake = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    seen.push({ url: req.url, auth: req.headers.get('authorization'), body: await req.text(), method: req.method });
    return (answers.shift() ?? (() => new Response('unexpected', { status: 500 })))();
  });
  return { fetch: fake as unknown as typeof fetch, seen };
}

describe('stepUpFetch', () => {
  it('steps up once and retries the same request with the new token', async () => {
    const { fetch, seen } = api(stepUp, () => Response.json({ ok: true }));
    let token = 'weak';
    const challenges: StepUpChallenge[] = [];
    const res = await stepUpFetch(
      'https://app.example/api/payout-destination',
      { method: 'POST', body: JSON.stringify({ iban: 'DE89' }), headers: { 'content-type': 'application/json' } },
      {
        fetch,
        getAccessToken: () => token,
        onStepUp: async (c) => {
          challenges.push(c);
          token = 'strong';
          return true;
        },
      },
    );
    expect(res.status).toBe(200);
    expect(challenges).toEqual([{ kind: 'step_up', acrValues: ['aal2'], maxAge: 300, description: undefined }]);
    expect(seen.map((s) => [s.method, s.auth, s.body])).toEqual([
      ['POST', 'Bearer weak', '{"iban":"DE89"}'],
      ['POST', 'Bearer strong', '{"iban":"DE89"}'],
    ]);
  });

  it('returns the first answer when the user gives up', async () => {
    const { fetch, seen } = api(stepUp);
    const res = await stepUpFetch('https://app.example/x', undefined, { fetch, onStepUp: () => false });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('step_up_required');
    expect(seen).toHaveLength(1);
  });

  it('never loops: a second demand after the retry is returned as is', async () => {
    const { fetch, seen } = api(stepUp, stepUp);
    const onStepUp = vi.fn(() => true);
    const res = await stepUpFetch('https://app.example/x', undefined, { fetch, onStepUp });
    expect(res.status).toBe(401);
    expect(onStepUp).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(2);
  });

  it('leaves other answers alone', async () => {
    const { fetch } = api(() => new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }));
    const onStepUp = vi.fn(() => true);
    const res = await stepUpFetch('https://app.example/x', undefined, { fetch, onStepUp });
    expect(res.status).toBe(401);
    expect(onStepUp).not.toHaveBeenCalled();
  });

  it('replays a Request object with its body', async () => {
    const { fetch, seen } = api(stepUp, () => new Response('ok'));
    const send = createStepUpFetch({ fetch, onStepUp: () => true });
    const res = await send(new Request('https://app.example/x', { method: 'PUT', body: 'payload' }));
    expect(await res.text()).toBe('ok');
    expect(seen.map((s) => s.body)).toEqual(['payload', 'payload']);
  });

  it('refuses a streamed body it could not send twice', async () => {
    const { fetch } = api();
    const body = new ReadableStream();
    await expect(stepUpFetch('https://app.example/x', { method: 'POST', body }, { fetch, onStepUp: () => true })).rejects.toThrow(
      /cannot replay/,
    );
  });

  it('hands mfa_required to the caller', async () => {
    const { fetch } = api(
      () => Response.json({ error: 'mfa_required', mfa_token: 'm1' }, { status: 403 }),
      () => new Response('ok'),
    );
    const onStepUp = vi.fn(() => true);
    await stepUpFetch('https://app.example/x', undefined, { fetch, onStepUp });
    expect(onStepUp).toHaveBeenCalledWith({ kind: 'mfa_required', mfaToken: 'm1', requirements: undefined });
  });
});
