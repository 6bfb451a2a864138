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
import { type EntityFolder, WRITE_CONCURRENCY } from "../cache/mod.ts";
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

/**
 * One verdict per record (same order), from each fetched record's id and change stamp. Reads the
 * cached file of records the folder already has; a file that cannot be read or parsed counts as
 * "updated" (it is about to be rewritten).
 */
export async function compareWithCache(
  records: readonly { id: number; summary: string }[],
  folder: EntityFolder,
): Promise<Verdict[]> {
  const results = await settleConcurrent(
    records,
    WRITE_CONCURRENCY,
    async (record): Promise<Verdict> => {
      let text: string;
      try {
        text = await Deno.readTextFile(folder.filePath(record.id));
      } catch (error) {
        // Every record file has its index row and every row its file (the store sees to it).
        if (error instanceof Deno.errors.NotFound) return "new";
        throw error;
      }
      return changeStamp(JSON.parse(text)) === record.summary ? "unchanged" : "updated";
    },
  );
  return results.map((result) => result.status === "fulfilled" ? result.value : "updated");
}
