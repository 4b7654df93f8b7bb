import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/core/concurrency.js';

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
