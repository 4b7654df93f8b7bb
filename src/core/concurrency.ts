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
