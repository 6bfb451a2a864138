/** The cache's bounded concurrency for file operations (writes, reads, hashes, removals). */

/** How many record files are written (or read, when adopting or replaying) at the same time. */
export const WRITE_CONCURRENCY = 16;

/** Runs `fn` over `items`, at most `limit` at a time; returns settled results in order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
