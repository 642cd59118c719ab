/** `useStepUpFetch`: `stepUpFetch` as a React hook (seed 004's pattern, with the retry built in). */

import { useMemo, useRef } from 'react';

import { createStepUpFetch, type StepUpOptions } from './fetch.js';

/**
 * A `fetch` that meets step-up demands with `options.onStepUp` and retries once. The function
 * is stable across renders; it always uses the latest `options`.
 */
export function useStepUpFetch(options: StepUpOptions): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  const latest = useRef(options);
  latest.current = options;
  return useMemo(
    () =>
      createStepUpFetch({
        onStepUp: (c) => latest.current.onStepUp(c),
        getAccessToken: () => latest.current.getAccessToken?.(),
        fetch: (input, init) => (latest.current.fetch ?? globalThis.fetch)(input, init),
      }),
    [],
  );
}

export { type StepUpOptions } from './fetch.js';
export { type StepUpChallenge } from './challenge.js';
