import { MAX_TIMER_MS } from '../core/duration.js';
import type { PollClock } from '../core/poll.js';
import { InterruptedError } from '../errors.js';

/**
 * Resolves after `ms`, or rejects with InterruptedError when the signal aborts. Longer than a Node
 * timer holds (MAX_TIMER_MS, about 24.8 days), it waits in chunks: one setTimeout that long would fire
 * at once. Flags never ask for that much (MAX_DURATION_MS), but no caller can make a sleep end early.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError('interrupted'));
    let left = Number.isFinite(ms) ? Math.max(0, ms) : Number.MAX_SAFE_INTEGER;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError('interrupted'));
    };
    const wait = () => {
      const chunk = Math.min(left, MAX_TIMER_MS);
      left -= chunk;
      timer = setTimeout(() => {
        if (left > 0) return wait();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, chunk);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    wait();
  });
}

/** The clock main.ts hands every step: the real time, Math.random and the sleep above. */
export const realClock: PollClock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep,
};
