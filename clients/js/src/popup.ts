/**
 * Step-up in a popup, so the page keeps its state: the popup signs in again at the provider
 * and, back on the app's origin, calls `finishStepUpPopup()`, which tells the opener and closes.
 */

import { authorizationParams, type StepUpChallenge } from './challenge.js';

/** The message a finished popup posts to its opener. */
export const STEP_UP_MESSAGE = 'portcullis:step-up';

/** Where and how to open the popup. */
export interface PopupOptions {
  /**
   * The app's page that starts the step-up, given the authorization parameters to ask for (for
   * Auth.js: a page calling `signIn(provider, { redirectTo }, params)`).
   */
  url: (params: Record<string, string>) => string;
  /** Give up after this many milliseconds (default five minutes). */
  timeoutMs?: number;
  /** Window features (default a 480×640 popup). */
  features?: string;
  /**
   * Called when the browser blocked the popup, e.g. to step up by redirect instead (the
   * promise then resolves `false`).
   */
  onBlocked?: () => void;
}

/**
 * Opens the popup for `challenge` and resolves `true` when it reports success, `false` when it
 * reports failure, is closed, is blocked, or times out.
 */
export function popupStepUp(challenge: StepUpChallenge, options: PopupOptions): Promise<boolean> {
  const popup = window.open(
    options.url(authorizationParams(challenge)),
    'portcullis-step-up',
    options.features ?? 'popup,width=480,height=640',
  );
  if (!popup) {
    options.onBlocked?.();
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      window.removeEventListener('message', onMessage);
      clearInterval(closed);
      clearTimeout(timer);
      resolve(ok);
    };
    const onMessage = (e: MessageEvent) => {
      if (e.origin !== window.location.origin || e.source !== popup) return;
      if (e.data?.type === STEP_UP_MESSAGE) done(e.data.ok === true);
    };
    window.addEventListener('message', onMessage);
    const closed = setInterval(() => popup.closed && done(false), 250);
    const timer = setTimeout(() => {
      popup.close();
      done(false);
    }, options.timeoutMs ?? 300_000);
  });
}

/** In the popup, back on the app's origin after the step-up: tells the opener and closes. */
export function finishStepUpPopup(ok = true): void {
  window.opener?.postMessage({ type: STEP_UP_MESSAGE, ok }, window.location.origin);
  window.close();
}
