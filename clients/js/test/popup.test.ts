import { afterEach, describe, expect, it, vi } from 'vitest';

import { STEP_UP_MESSAGE, finishStepUpPopup, popupStepUp } from '../src/index.js';

type Listener = (e: { origin: string; source: unknown; data: unknown }) => void;

/** A stand-in for the browser window: records what opens and lets the test post messages. */
function fakeWindow(popup: { closed: boolean; close: () => void } | null) {
  const listeners = new Set<Listener>();
  const opened: string[] = [];
  const win = {
    location: { origin: 'https://app.example' },
    open: vi.fn((url: string) => {
      opened.push(url);
      return popup;
    }),
    addEventListener: (_: string, l: Listener) => listeners.add(l),
    removeEventListener: (_: string, l: Listener) => listeners.delete(l),
    post: (e: { origin: string; source: unknown; data: unknown }) => listeners.forEach((l) => l(e)),
    listeners,
    opened,
  };
  vi.stubGlobal('window', win);
  return win;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const challenge = { kind: 'step_up' as const, acrValues: ['aal2'], maxAge: 300 };
const url = (p: Record<string, string>) => `/step-up?${new URLSearchParams(p)}`;

describe('popupStepUp', () => {
  it('opens the step-up page with the parameters and resolves on its message', async () => {
    const popup = { closed: false, close: vi.fn() };
    const win = fakeWindow(popup);
    const done = popupStepUp(challenge, { url });
    expect(win.opened).toEqual(['/step-up?acr_values=aal2&max_age=300']);
    // Messages from another origin or another window are ignored.
    win.post({ origin: 'https://evil.example', source: popup, data: { type: STEP_UP_MESSAGE, ok: true } });
    win.post({ origin: 'https://app.example', source: {}, data: { type: STEP_UP_MESSAGE, ok: true } });
    win.post({ origin: 'https://app.example', source: popup, data: { type: STEP_UP_MESSAGE, ok: true } });
    await expect(done).resolves.toBe(true);
    expect(win.listeners.size).toBe(0);
  });

  it('resolves false when the popup is closed, and calls onBlocked when it never opened', async () => {
    vi.useFakeTimers();
    const popup = { closed: false, close: vi.fn() };
    fakeWindow(popup);
    const done = popupStepUp(challenge, { url });
    popup.closed = true;
    await vi.advanceTimersByTimeAsync(300);
    await expect(done).resolves.toBe(false);

    fakeWindow(null);
    const onBlocked = vi.fn();
    await expect(popupStepUp(challenge, { url, onBlocked })).resolves.toBe(false);
    expect(onBlocked).toHaveBeenCalledOnce();
  });

  it('gives up after the timeout and closes the popup', async () => {
    vi.useFakeTimers();
    const popup = { closed: false, close: vi.fn() };
    fakeWindow(popup);
    const done = popupStepUp(challenge, { url, timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(1001);
    await expect(done).resolves.toBe(false);
    expect(popup.close).toHaveBeenCalled();
  });
});

describe('finishStepUpPopup', () => {
  it('tells the opener on the same origin and closes', () => {
    const postMessage = vi.fn();
    const close = vi.fn();
    vi.stubGlobal('window', { opener: { postMessage }, location: { origin: 'https://app.example' }, close });
    finishStepUpPopup(true);
    expect(postMessage).toHaveBeenCalledWith({ type: STEP_UP_MESSAGE, ok: true }, 'https://app.example');
    expect(close).toHaveBeenCalled();
  });
});
