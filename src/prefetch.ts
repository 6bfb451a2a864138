/**
 * Keeps the next item of an async iterator in flight while the caller works on the current one:
 * the next page downloads while this page is written to disk.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    while (true) {
      const current = await pending;
      if (current.done) return;
      pending = iterator.next();
      // Mark it handled: if the caller stops early, its rejection must not go unobserved.
      pending.catch(() => {});
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}
