import { describe, expect, it } from 'vitest';
import { mapLimit, runWhenReady } from '../../src/core/concurrency.js';

describe('mapLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < n; i++) await Promise.resolve();
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('skips what may no longer start', async () => {
    let started = 0;
    const out = await mapLimit(
      [1, 2, 3, 4],
      1,
      async (n) => (started++, `ran ${n}`),
      () => started < 2,
      (n) => `skipped ${n}`,
    );
    expect(out).toEqual(['ran 1', 'ran 2', 'skipped 3', 'skipped 4']);
  });

  it('handles no items', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe('runWhenReady', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('starts each item once what it waits for has finished, at most limit at once, lowest index first', async () => {
    // 2 waits for 0; 3 waits for 1; 0 finishes first, so 2 starts before 1 has finished.
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const after: number[][] = [[], [], [0], [1]];
    const finished = new Set<number>();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const run = runWhenReady(
      4,
      2,
      (i) => (after[i]!.every((j) => finished.has(j)) ? 'now' : 'later'),
      async (i) => {
        log.push(`start ${i}`);
        most = Math.max(most, ++running);
        await gates[i]!.promise;
        running--;
        finished.add(i);
        return i * 10;
      },
    );
    await Promise.resolve();
    expect(log).toEqual(['start 0', 'start 1']);
    gates[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start 0', 'start 1', 'start 2']);
    gates[2]!.resolve();
    gates[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    gates[3]!.resolve();
    expect(await run).toEqual([0, 10, 20, 30]);
    expect(log).toEqual(['start 0', 'start 1', 'start 2', 'start 3']);
    expect(most).toBe(2);
  });

  it('an item told never is not run; one still waiting when nothing runs is not run either', async () => {
    const ran: number[] = [];
    const out = await runWhenReady(
      3,
      4,
      (i) => (i === 1 ? 'never' : i === 2 ? 'later' : 'now'),
      async (i) => (ran.push(i), i),
    );
    expect(ran).toEqual([0]);
    expect(out).toEqual([0, undefined, undefined]);
  });

  it('a failing item rejects the whole run', async () => {
    await expect(
      runWhenReady(
        2,
        2,
        () => 'now',
        async (i) => (i === 1 ? Promise.reject(new Error('boom')) : i),
      ),
    ).rejects.toThrow('boom');
  });
});
