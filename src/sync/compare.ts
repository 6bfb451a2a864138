/**
 * New, updated or unchanged: how a fetched record compares with the cached file it replaces.
 *
 * Records that carry change timestamps are compared by those alone (`updated_at`, and a
 * candidate's `last_activity` (v3: `last_activity_at`) / an application's `last_activity_at`):
 * the rest of a record can differ between two fetches of the same version (v1 attachment URLs
 * are signed and expiring), so a whole-record comparison would call every candidate "updated"
 * and re-download its files. Records with no such field (v1 sources, prospect pools) are
 * compared whole.
 */
import {
  type EncodedRecords,
  type EntityFolder,
  readNoFollow,
  WRITE_CONCURRENCY,
} from "../cache/mod.ts";
import { settleConcurrent } from "../concurrency.ts";
import type { ApiRecord } from "../entities.ts";

export type Verdict = "new" | "updated" | "unchanged";

const CHANGE_FIELDS = ["updated_at", "last_activity", "last_activity_at"] as const;

/** A string that changes whenever the record does. */
export function changeStamp(record: ApiRecord): string {
  const stamps = CHANGE_FIELDS.filter((field) => record?.[field] !== undefined)
    .map((field) => `${field}=${record[field]}`);
  return stamps.length > 0 ? stamps.join("|") : JSON.stringify(record);
}

/** How a page compares with the cache. */
export interface PageComparison {
  /** One per record, in the page's order. */
  verdicts: Verdict[];
  /**
   * Records whose cached file already holds, byte for byte, what the page would write: writing
   * them again would change nothing but the index timestamp (and cost a file creation each).
   */
  identical: Set<number>;
}

/**
 * One verdict per record (same order), from each fetched record's id and change stamp, and which
 * cached files already hold the page's `encoded` content. Reads the cached file of records the
 * folder already has, never through a link; a file that cannot be read or parsed counts as
 * "updated" (it is about to be rewritten).
 */
export async function compareWithCache(
  records: readonly { id: number; summary: string }[],
  folder: EntityFolder,
  encoded?: EncodedRecords,
): Promise<PageComparison> {
  const contents = new Map(encoded?.files.map((file) => [file.id, file.bytes]));
  const identical = new Set<number>();
  const results = await settleConcurrent(
    records,
    WRITE_CONCURRENCY,
    async (record): Promise<Verdict> => {
      let bytes: Uint8Array;
      try {
        bytes = await readNoFollow(folder.filePath(record.id));
      } catch (error) {
        // Every record file has its index row and every row its file (the store sees to it).
        if (error instanceof Deno.errors.NotFound) return "new";
        throw error;
      }
      const content = contents.get(record.id);
      // Added only for bytes that parse (they are the page's own JSON), so never for a failure.
      if (content !== undefined && sameBytes(bytes, content)) identical.add(record.id);
      const cached = JSON.parse(new TextDecoder().decode(bytes));
      return changeStamp(cached) === record.summary ? "unchanged" : "updated";
    },
  );
  const verdicts = results.map((result) =>
    result.status === "fulfilled" ? result.value : "updated"
  );
  return { verdicts, identical };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
