/** Reading a response body without trusting its size: a hostile server's body may never end. */

/**
 * At most `limit` bytes of a body, streamed (decoded bytes: fetch decompresses), and whether
 * more followed; the rest is never read (the stream is cancelled), so an endless body stops here.
 */
export async function readUpTo(
  res: Response,
  limit: number,
): Promise<{ bytes: Uint8Array; more: boolean }> {
  if (res.body === null) return { bytes: new Uint8Array(0), more: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let more = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.length > limit) {
        chunks.push(value.subarray(0, limit - size));
        size = limit;
        more = true;
        break;
      }
      chunks.push(value);
      size += value.length;
    }
  } finally {
    if (more) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  if (chunks.length === 1) return { bytes: chunks[0], more };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, more };
}

/** The first `limit` bytes of a body as text (the rest is not read). */
export async function readTextUpTo(res: Response, limit: number): Promise<string> {
  return new TextDecoder().decode((await readUpTo(res, limit)).bytes);
}
