/** `stepUpFetch`: a `fetch` that meets an API's step-up demand once and retries. */

import { readChallenge, type StepUpChallenge } from './challenge.js';

/** How `stepUpFetch` gets tokens and runs the step-up. */
export interface StepUpOptions {
  /**
   * Runs the step-up the challenge asks for (a popup or a redirect to the authorization
   * endpoint with `acr_values`/`max_age`, or the MFA API for `mfa_required`); resolves `true`
   * when the user proved it and a retry can succeed, `false` when they gave up. A redirect
   * never resolves: the page goes away.
   */
  onStepUp: (challenge: StepUpChallenge) => Promise<boolean> | boolean;
  /** The access token to send as `Authorization: Bearer`; asked again for the retry. */
  getAccessToken?: () => Promise<string | undefined> | string | undefined;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

function withToken(init: RequestInit | undefined, token: string | undefined): RequestInit | undefined {
  if (!token) return init;
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * Fetches `input`; when the answer demands a step-up (RFC 9470, `step_up_required` or
 * `mfa_required`), runs `options.onStepUp` and, if it succeeded, sends the same request once
 * more. Any other answer, or the first answer when the step-up fails, is returned as is.
 */
export async function stepUpFetch(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  options: StepUpOptions,
): Promise<Response> {
  const send = options.fetch ?? globalThis.fetch;
  if (init?.body instanceof ReadableStream) {
    throw new TypeError('stepUpFetch cannot replay a streamed body; pass a string, Blob or FormData');
  }
  // A Request's body can be read once: keep a copy for the retry.
  const spare = input instanceof Request ? input.clone() : input;
  const first = await send(input, withToken(init, await options.getAccessToken?.()));
  const challenge = await readChallenge(first);
  if (!challenge) return first;
  if (!(await options.onStepUp(challenge))) return first;
  return send(spare, withToken(init, await options.getAccessToken?.()));
}

/** A `stepUpFetch` bound to `options`, used like `fetch`. */
export function createStepUpFetch(options: StepUpOptions): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return (input, init) => stepUpFetch(input, init, options);
}
