/**
 * Record encoding: a record checked and turned into the bytes of its file,
 * `JSON.stringify(record, null, 2) + "\n"` in UTF-8, with the SHA-256 the journal records for it.
 * Synchronous, so a caller can encode records as it parses them and let each go before the
 * (slow) writes.
 */
import { RunError } from "../errors.ts";
import { isPositiveId } from "../ids.ts";
import { sha256Hex } from "./hash.ts";

/** Computes a record's index moniker; the caller (the entity table) knows the record's shape. */
// deno-lint-ignore no-explicit-any
export type MonikerOf = (record: any) => string;

/** A record from the API: `id` is checked before it names a file. */
export interface ApiRecordWithId {
  id?: unknown;
  [key: string]: unknown;
}

/** A file's content with its index row, `id` and `moniker` given by the caller. */
export interface Entry {
  id: number;
  moniker: string;
  body: unknown;
}

/** Record files ready to write: ids checked, last occurrence of an id kept, content hashed. */
export interface EncodedRecords {
  readonly files: readonly EncodedFile[];
}

export interface EncodedFile {
  id: number;
  moniker: string;
  bytes: Uint8Array;
  /** SHA-256 (hex) of `bytes`, for the journal. */
  hash: string;
}

/** What `encode` returns: the files' shared buffers go back to the pool once written. */
interface EncodedBatch extends EncodedRecords {
  buffers: Uint8Array[];
  written: boolean;
}

/** Throws RunError unless `id` is a positive safe integer (never let API data choose a path). */
export function validateId(id: unknown, what = "record"): number {
  if (isPositiveId(id)) return id;
  let shown: string;
  try {
    shown = typeof id === "string" ? JSON.stringify(id) : String(id);
  } catch {
    shown = typeof id;
  }
  throw new RunError(
    `${what} id ${
      shown.slice(0, 80)
    }: not a positive integer, so it cannot name a file; nothing was written`,
  );
}

/**
 * Encodes records one by one as they are iterated (records may be parsed lazily), the moniker of
 * each from `moniker`. Throws RunError, before any file is written, for a record that is not an
 * object or whose id is not a positive safe integer.
 */
export function encodeRecords(
  records: Iterable<ApiRecordWithId>,
  moniker: MonikerOf,
): EncodedRecords {
  return encode(function* () {
    for (const record of records) {
      if (record === null || typeof record !== "object") {
        throw new RunError(`record: not a JSON object; nothing was written`);
      }
      const id = validateId(record.id);
      let name: string;
      try {
        name = String(moniker(record) ?? "");
      } catch (error) {
        throw new RunError(
          `record ${id}: its index moniker cannot be computed (${(error as Error).message})`,
        );
      }
      yield { id, moniker: name, body: record as unknown };
    }
  }());
}

/** Encodes entries whose id and moniker are given (`body` is the file's content). */
export function encodeEntries(entries: readonly Entry[]): EncodedRecords {
  return encode(entries.map((entry) => ({
    id: validateId(entry.id),
    moniker: String(entry.moniker ?? ""),
    body: entry.body,
  })));
}

/**
 * Hands encoded records to their one write: throws if they were handed over before. Call
 * `release` once every write of the files has settled, so their buffers serve the next pages.
 */
export function claimEncoded(
  encoded: EncodedRecords,
): { files: readonly EncodedFile[]; release(): void } {
  const batch = encoded as EncodedBatch;
  if (batch.written) throw new Error("These encoded records were already written.");
  batch.written = true;
  return { files: batch.files, release: () => encodeBuffers.give(batch.buffers) };
}

/** Encoded files share buffers of this size: a few allocations per page instead of one per file. */
const ENCODE_BUFFER_BYTES = 1024 * 1024;

/**
 * Encode buffers of written pages, reused by the next pages. A buffer's memory lives outside the
 * JS heap and is only freed when V8 collects it, which it does lazily: fresh buffers per page
 * piled up there (~40 MB external and a growing malloc heap at 20,000 records).
 */
const encodeBuffers = new class {
  #spare: Uint8Array[] = [];
  take(bytes: number): Uint8Array {
    if (bytes > ENCODE_BUFFER_BYTES) return new Uint8Array(bytes);
    return this.#spare.pop() ?? new Uint8Array(ENCODE_BUFFER_BYTES);
  }
  give(buffers: Uint8Array[]): void {
    for (const buffer of buffers) {
      if (buffer.length === ENCODE_BUFFER_BYTES && this.#spare.length < 16) {
        this.#spare.push(buffer);
      }
    }
  }
}();

/**
 * Serializes entries into file contents (`JSON.stringify(body, null, 2) + "\n"`, UTF-8) with
 * their hashes. The last occurrence of an id wins (two writes of one file must not race).
 */
function encode(entries: Iterable<Entry>): EncodedBatch {
  const encoder = new TextEncoder();
  const files = new Map<number, EncodedFile>();
  const buffers: Uint8Array[] = [];
  let buffer: Uint8Array = new Uint8Array(0);
  let used = 0;
  for (const { id, moniker, body } of entries) {
    let text: string | undefined;
    try {
      text = JSON.stringify(body, null, 2);
    } catch (error) {
      throw new RunError(
        `record ${id}: cannot be serialised as JSON (${(error as Error).message})`,
      );
    }
    if (text === undefined) throw new RunError(`record ${id}: has no JSON representation`);
    const worstCase = text.length * 3 + 1; // UTF-8 bytes per UTF-16 unit, plus the newline
    if (buffer.length - used < worstCase) {
      buffer = encodeBuffers.take(worstCase);
      buffers.push(buffer);
      used = 0;
    }
    const { written } = encoder.encodeInto(text, buffer.subarray(used));
    buffer[used + written] = 0x0a;
    const bytes = buffer.subarray(used, used + written + 1);
    used += written + 1;
    files.delete(id); // in order of last occurrence
    files.set(id, { id, moniker, bytes, hash: sha256Hex(bytes) });
  }
  return { files: [...files.values()], buffers, written: false };
}
