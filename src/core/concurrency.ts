/**
 * Runs `work` on every item with at most `limit` at once and returns the results in input order.
 * `shouldStart` is asked before each item starts; an item it refuses gets `skipped(item)` instead.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  shouldStart: () => boolean = () => true,
  skipped?: (item: T) => R,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      results[i] = shouldStart() || !skipped ? await work(item, i) : skipped(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Whether an item may start: now, once something else has finished, or not at all. */
export type Readiness = 'now' | 'later' | 'never';

/**
 * Runs `work(i)` for items 0..count-1, at most `limit` at once, each once `ready(i)` says `now`: asked again
 * every time an item finishes, the lowest ready index first. Items `ready` says `never` to, and those still
 * waiting when nothing runs any more, are not run: their result is undefined. Results in index order.
 */
export async function runWhenReady<R>(
  count: number,
  limit: number,
  ready: (i: number) => Readiness,
  work: (i: number) => Promise<R>,
): Promise<(R | undefined)[]> {
  const results = new Array<R | undefined>(count).fill(undefined);
  const waiting = new Set(Array.from({ length: count }, (_, i) => i));
  let running = 0;
  return new Promise((resolve, reject) => {
    const pump = () => {
      for (const i of [...waiting]) {
        if (running >= Math.max(1, limit)) break;
        const r = ready(i);
        if (r === 'later') continue;
        waiting.delete(i);
        if (r === 'never') continue;
        running++;
        work(i).then((out) => {
          results[i] = out;
          running--;
          pump();
        }, reject);
      }
      if (running === 0) resolve(results);
    };
    pump();
  });
}
