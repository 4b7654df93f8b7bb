import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS } from '../../src/core/duration.js';
import { sleep } from '../../src/steps/clock.js';
import { InterruptedError } from '../../src/errors.js';

describe('sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether the promise has settled, read after the timers advanced. */
  const track = (p: Promise<void>) => {
    const state = { done: false, error: undefined as unknown };
    p.then(
      () => (state.done = true),
      (e) => (state.error = e),
    );
    return state;
  };

  it('waits longer than one Node timer holds, in chunks, never ending early', async () => {
    const ms = MAX_TIMER_MS * 2 + 5_000;
    const s = track(sleep(ms));
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(s.done).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(s.done).toBe(false);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(s.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.done).toBe(true);
  });

  it('ends a short sleep on time, and is interrupted in any chunk', async () => {
    const short = track(sleep(1_000));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(short.done).toBe(true);
    const controller = new AbortController();
    const long = track(sleep(MAX_TIMER_MS * 3, controller.signal));
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(long.error).toBeInstanceOf(InterruptedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(10, controller.signal)).rejects.toBeInstanceOf(InterruptedError);
  });
});
