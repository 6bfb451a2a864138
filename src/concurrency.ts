/**
 * The one bounded-concurrency helper: work over a list with at most `limit` calls in flight.
 * Downloads, cache reads and record comparisons all go through it, so none grows its own pool.
 */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight. The first error stops handing out
 * new items and is rethrown once the calls in flight have finished.
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  if (!(limit >= 1)) throw new RangeError(`concurrency limit ${limit} is below 1`);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await fn(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== undefined) throw failure.error;
}

/**
 * Runs `fn` over every item, at most `limit` at a time, and returns each outcome in the items'
 * order: one failure does not stop the others.
 */
export async function settleConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  await forEachConcurrent(items, limit, async (item, index) => {
    try {
      results[index] = { status: "fulfilled", value: await fn(item) };
    } catch (reason) {
      results[index] = { status: "rejected", reason };
    }
  });
  return results;
}
