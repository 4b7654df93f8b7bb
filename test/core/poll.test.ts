import { describe, expect, it } from 'vitest';
import { pollDelay, pollUntil, type PollClock } from '../../src/core/poll.js';
import { InterruptedError, TimeoutError } from '../../src/errors.js';

/** A clock that advances only when meshctl sleeps: no real time passes in these tests. */
function fakeClock(): PollClock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    random: () => 0.5,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new InterruptedError('interrupted');
      slept.push(ms);
      t += ms;
    },
  };
}

describe('pollDelay', () => {
  it('starts at a quarter second and backs off to the interval', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => pollDelay(a, 10_000, 0.5))).toEqual([250, 500, 1000, 2000, 4000, 8000]);
  });

  it.each([0, 0.999])('never goes under 0.25s nor over the interval (random %s)', (r) => {
    for (let a = 0; a < 30; a++) {
      const d = pollDelay(a, 5000, r);
      expect(d).toBeGreaterThanOrEqual(250);
      expect(d).toBeLessThanOrEqual(5000);
    }
  });

  it('treats an interval under 0.25s as 0.25s', () => {
    expect(pollDelay(3, 100, 0.5)).toBe(250);
  });
});

describe('pollUntil', () => {
  it('returns the first defined value', async () => {
    const clock = fakeClock();
    let n = 0;
    const v = await pollUntil(
      async () => (++n === 3 ? 'ok' : undefined),
      { timeoutMs: 60_000, intervalMs: 10_000, timeoutMessage: () => 'late' },
      clock,
    );
    expect(v).toBe('ok');
    expect(clock.slept).toEqual([250, 500]);
  });

  it('throws TimeoutError with the message once time is up', async () => {
    const clock = fakeClock();
    await expect(
      pollUntil(async () => undefined, { timeoutMs: 5000, intervalMs: 2000, timeoutMessage: (ms) => `late after ${ms}` }, clock),
    ).rejects.toThrow(new TimeoutError('late after 5000'));
  });

  it('stops with InterruptedError when the signal aborts', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    let n = 0;
    const p = pollUntil(
      async () => {
        if (++n === 2) controller.abort();
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, signal: controller.signal, timeoutMessage: () => 'late' },
      clock,
    );
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(n).toBe(2);
  });
});

describe('pollUntil with transient failures', () => {
  const transient = new Error('throttled');
  const options = (onTransient: (e: unknown, n: number) => void) => ({
    timeoutMs: 60_000,
    intervalMs: 1000,
    timeoutMessage: () => 'late',
    isTransient: (e: unknown) => e === transient,
    onTransient,
  });

  it('skips a poll that failed transiently and goes on', async () => {
    const heard: number[] = [];
    let n = 0;
    const v = await pollUntil(
      async () => {
        n++;
        if (n <= 2) throw transient;
        return 'ok';
      },
      options((_e, k) => heard.push(k)),
      fakeClock(),
    );
    expect(v).toBe('ok');
    expect(heard).toEqual([1, 2]);
  });

  it('gives up after three transient failures in a row', async () => {
    await expect(
      pollUntil(
        async () => Promise.reject(transient),
        options(() => undefined),
        fakeClock(),
      ),
    ).rejects.toBe(transient);
  });

  it('throws other errors at once', async () => {
    const other = new Error('denied');
    let n = 0;
    await expect(
      pollUntil(
        async () => (n++, Promise.reject(other)),
        options(() => undefined),
        fakeClock(),
      ),
    ).rejects.toBe(other);
    expect(n).toBe(1);
  });
});
