/**
 * SHA-256 in hex, the one hasher of the cache: of bytes in memory (a record file's content, for
 * the journal) and of a file on disk, streamed (an attachment, for its marker and `--verify`).
 */
import { createHash } from "node:crypto";
import { openNoFollow } from "./no_follow.ts";

/** Bytes read at a time by `sha256File`: memory stays flat whatever the file's size. */
const READ_BYTES = 256 * 1024;

/** Synchronous: far cheaper than crypto.subtle (a promise and a copy) for small buffers. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The SHA-256 of the file at `path`, read `READ_BYTES` at a time. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await openNoFollow(path, { read: true });
  const buffer = new Uint8Array(READ_BYTES);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}
