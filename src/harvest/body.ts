/** Reading a response body without trusting its size: a hostile server's body may never end. */

/**
 * At most `limit` bytes of a body, streamed (decoded bytes: fetch decompresses), and whether
 * more followed; the rest is never read (the stream is cancelled), so an endless body stops here.
 */
export async function readUpTo(
  res: Response,
  limit: number,
  /** The size the body says it has (Content-Length), to size the buffer once. */
  expected?: number,
): Promise<{ bytes: Uint8Array; more: boolean }> {
  if (res.body === null) return { bytes: new Uint8Array(0), more: false };
  const reader = res.body.getReader();
  // Chunks are copied out, never kept: a decoded chunk can be a small view on a much larger
  // buffer (a gzip bomb's 4 KB chunks kept their 64 KB buffers alive: 880 MB for a 64 MiB cap).
  let buffer = new Uint8Array(Math.min(limit, expected ?? 64 * 1024));
  let size = 0;
  let more = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, limit - size);
      if (size + take > buffer.length) {
        const grown = new Uint8Array(Math.min(limit, Math.max(size + take, buffer.length * 2)));
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(value.subarray(0, take), size);
      size += take;
      if (take < value.length) {
        more = true;
        break;
      }
    }
  } finally {
    if (more) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return { bytes: buffer.subarray(0, size), more };
}

/** The first `limit` bytes of a body as text (the rest is not read). */
export async function readTextUpTo(res: Response, limit: number): Promise<string> {
  return new TextDecoder().decode((await readUpTo(res, limit)).bytes);
}
