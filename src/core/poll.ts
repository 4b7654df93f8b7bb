import { InterruptedError, TimeoutError } from '../errors.js';

export interface PollClock {
  now(): number;
  /** Resolves after ms, or rejects with InterruptedError when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1) for jitter. */
  random(): number;
}

export const MIN_POLL_MS = 250;

/**
 * The delay before poll number `attempt` (0-based): 0.25s, 0.5s, 1s, 2s ... up to `intervalMs`, with
 * ±20% jitter, never under 0.25s. A finished deployment is seen within about 0.3s; a long one costs two
 * more calls than polls that start at 1s.
 */
export function pollDelay(attempt: number, intervalMs: number, random: number): number {
  const cap = Math.max(intervalMs, MIN_POLL_MS);
  const base = Math.min(cap, MIN_POLL_MS * 2 ** Math.min(attempt, 20));
  const jittered = base * (0.8 + 0.4 * random);
  return Math.round(Math.max(MIN_POLL_MS, Math.min(jittered, cap)));
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  /** Text for the TimeoutError; receives the time spent waiting (may look once more, hence a promise). */
  timeoutMessage: (elapsedMs: number) => string | Promise<string>;
  /**
   * A failed poll that this accepts (throttling that outlasted the SDK's retries, say) is skipped, not
   * fatal, up to MAX_TRANSIENT_POLL_FAILURES in a row; `onTransient` hears about each.
   */
  isTransient?: (err: unknown) => boolean;
  onTransient?: (err: unknown, inARow: number) => void;
}

export const MAX_TRANSIENT_POLL_FAILURES = 3;

/**
 * Calls `check` until it returns a value other than undefined, sleeping between calls; throws
 * TimeoutError when the time is up and InterruptedError when the signal aborts.
 */
export async function pollUntil<T>(check: (attempt: number) => Promise<T | undefined>, options: PollOptions, clock: PollClock): Promise<T> {
  const start = clock.now();
  let failures = 0;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new InterruptedError('interrupted while waiting');
    let result: T | undefined;
    try {
      result = await check(attempt);
      failures = 0;
    } catch (err) {
      if (!options.isTransient?.(err) || ++failures >= MAX_TRANSIENT_POLL_FAILURES) throw err;
      options.onTransient?.(err, failures);
    }
    if (result !== undefined) return result;
    const elapsed = clock.now() - start;
    const left = options.timeoutMs - elapsed;
    if (left <= 0) throw new TimeoutError(await options.timeoutMessage(elapsed));
    await clock.sleep(Math.min(left, pollDelay(attempt, options.intervalMs, clock.random())), options.signal);
  }
}
