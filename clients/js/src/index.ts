/**
 * Portcullis for browsers and any `fetch` runtime: recognise an API's step-up demand, prove
 * the factor once, retry. React lives in `@portcullis/js/react`, token checks for servers in
 * `@portcullis/js/server`.
 */

export {
  type StepUpChallenge,
  authorizationParams,
  parseWwwAuthenticate,
  readChallenge,
} from './challenge.js';
export { type StepUpOptions, createStepUpFetch, stepUpFetch } from './fetch.js';
export { type PopupOptions, STEP_UP_MESSAGE, finishStepUpPopup, popupStepUp } from './popup.js';
