import { describe, expect, it } from 'vitest';

import { authorizationParams, parseWwwAuthenticate, readChallenge } from '../src/index.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('parseWwwAuthenticate', () => {
  it('reads schemes, quoted and bare params, escapes and several challenges', () => {
    const parsed = parseWwwAuthenticate(
      'Bearer realm="api", error="insufficient_user_authentication", error_description="Say \\"hi\\", then", acr_values="aal2 aal3", max_age=300, DPoP algs="ES256"',
    );
    expect(parsed).toEqual([
      {
        scheme: 'Bearer',
        params: {
          realm: 'api',
          error: 'insufficient_user_authentication',
          error_description: 'Say "hi", then',
          acr_values: 'aal2 aal3',
          max_age: '300',
        },
      },
      { scheme: 'DPoP', params: { algs: 'ES256' } },
    ]);
    expect(parseWwwAuthenticate('Bearer')).toEqual([{ scheme: 'Bearer', params: {} }]);
  });
});

describe('readChallenge', () => {
  it('reads RFC 9470 from the header, whatever the body', async () => {
    const res = new Response('nope', {
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer error="insufficient_user_authentication", error_description="too old", max_age=60',
      },
    });
    expect(await readChallenge(res)).toEqual({ kind: 'step_up', acrValues: [], maxAge: 60, description: 'too old' });
    expect(await res.text()).toBe('nope');
  });

  it('reads the JSON step_up_required body and leaves the body readable', async () => {
    const res = json(401, { error: 'step_up_required', required_acr: 'aal2', max_age: 300 });
    expect(await readChallenge(res)).toEqual({ kind: 'step_up', acrValues: ['aal2'], maxAge: 300, description: undefined });
    expect((await res.json()).error).toBe('step_up_required');
  });

  it("reads Auth0's mfa_required", async () => {
    const res = json(403, { error: 'mfa_required', mfa_token: 'tok', mfa_requirements: { challenge: [{ type: 'otp' }] } });
    expect(await readChallenge(res)).toEqual({
      kind: 'mfa_required',
      mfaToken: 'tok',
      requirements: { challenge: [{ type: 'otp' }] },
    });
  });

  it('ignores answers that are not step-up demands', async () => {
    for (const res of [
      new Response('{}', { status: 200 }),
      json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }),
      json(401, { error: 'invalid_token' }),
      json(403, { error: 'insufficient_scope' }),
      json(403, { error: 'mfa_required' }),
      new Response('<html>', { status: 401, headers: { 'content-type': 'text/html' } }),
      new Response('not json', { status: 401, headers: { 'content-type': 'application/json' } }),
    ]) {
      expect(await readChallenge(res)).toBeUndefined();
    }
  });

  it('drops a max_age that is not a whole number of seconds', async () => {
    const res = json(401, { error: 'step_up_required', required_acr: 'aal2', max_age: -5 });
    expect(await readChallenge(res)).toEqual({ kind: 'step_up', acrValues: ['aal2'], maxAge: undefined, description: undefined });
  });
});

describe('authorizationParams', () => {
  it('asks for the level and the freshness the API named', () => {
    expect(authorizationParams({ kind: 'step_up', acrValues: ['aal2'], maxAge: 300 })).toEqual({
      acr_values: 'aal2',
      max_age: '300',
    });
    expect(authorizationParams({ kind: 'step_up', acrValues: [], maxAge: 0 })).toEqual({ max_age: '0' });
    expect(authorizationParams({ kind: 'step_up', acrValues: [] })).toEqual({ prompt: 'login' });
    expect(authorizationParams({ kind: 'mfa_required', mfaToken: 't' })).toEqual({ acr_values: 'aal2' });
  });
});
