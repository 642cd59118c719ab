'use client';
/** Where the popup's sign-in ends: tells the form to retry, and closes. */

import { useEffect } from 'react';
import { finishStepUpPopup } from '@portcullis/js';

export default function StepUpDone() {
  useEffect(() => finishStepUpPopup(true), []);
  return <p>Done. You can close this window.</p>;
}
