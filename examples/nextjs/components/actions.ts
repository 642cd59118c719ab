'use client';
/**
 * The step-up the app's forms use: a popup that signs in again with what the API asked for, so
 * the form keeps its input and retries in place; a full-page redirect back here if popups are
 * blocked.
 */

import { signIn } from 'next-auth/react';
import { authorizationParams, popupStepUp, type StepUpChallenge } from '@portcullis/js';
import { useStepUpFetch } from '@portcullis/js/react';

export async function stepUp(challenge: StepUpChallenge): Promise<boolean> {
  const params = authorizationParams(challenge);
  const ok = await popupStepUp(challenge, { url: (p) => `/step-up?${new URLSearchParams(p)}` });
  if (ok) return true;
  if (window.open === undefined) {
    await signIn('portcullis', { redirectTo: window.location.href }, params);
  }
  return false;
}

/** `fetch` for the app's own API, with step-up and one retry. */
export function useApi() {
  return useStepUpFetch({ onStepUp: stepUp });
}
