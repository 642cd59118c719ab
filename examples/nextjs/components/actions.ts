'use client';
/**
 * The step-up the app's forms use: a popup that signs in again with what the API asked for, so
 * the form keeps its input and retries in place; a full-page redirect that comes back to this
 * page when the browser blocks popups.
 */

import { signIn } from 'next-auth/react';
import { authorizationParams, popupStepUp, type StepUpChallenge } from '@portcullis/js';
import { useStepUpFetch } from '@portcullis/js/react';

export function stepUp(challenge: StepUpChallenge): Promise<boolean> {
  return popupStepUp(challenge, {
    url: (p) => `/step-up?${new URLSearchParams(p)}`,
    onBlocked: () => {
      void signIn('portcullis', { redirectTo: window.location.href }, authorizationParams(challenge));
    },
  });
}

/** `fetch` for the app's own API, with step-up and one retry. */
export function useApi() {
  return useStepUpFetch({ onStepUp: stepUp });
}
