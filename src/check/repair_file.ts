/**
 * `<cache>/.repair.json`: the records a `check --repair` has still to re-fetch. Rebuilding a
 * folder's index drops the rows of records whose file is missing or bad, and only the re-fetch
 * brings them back, so a repair killed in between would leave them out of the index with nothing
 * to say they were ever there. The repair therefore writes this file (atomically) before it
 * changes anything, rewrites it as re-fetches are committed, and removes it when it has finished;
 * `check` reports every record it still lists (an integrity problem), and the next
 * `check --repair` re-fetches them.
 */
import { join } from "node:path";
import { readTextNoFollow, REPAIR_FILE, writeFileAtomic } from "../cache/mod.ts";
import { isEntityName } from "../entities.ts";
import { positiveId } from "../ids.ts";
import { removeIfPresent } from "../files.ts";

const VERSION = 1;

/** Entity folder name → the ids still to re-fetch, ascending. */
export type PendingRefetch = Map<string, number[]>;

export function repairFilePath(cacheDir: string): string {
  return join(cacheDir, REPAIR_FILE);
}

/**
 * The re-fetches an unfinished repair left: undefined when there is no file, "unreadable" when
 * the file cannot be used (only a hand edit can do that: it is written atomically).
 */
export async function readPendingRefetch(
  cacheDir: string,
): Promise<PendingRefetch | "unreadable" | undefined> {
  let text: string;
  try {
    text = await readTextNoFollow(repairFilePath(cacheDir)); // a link is not read through
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    return "unreadable";
  }
  let value: { version?: unknown; refetch?: unknown };
  try {
    value = JSON.parse(text);
  } catch {
    return "unreadable";
  }
  const refetch = value?.refetch;
  if (value?.version !== VERSION || refetch === null || typeof refetch !== "object") {
    return "unreadable";
  }
  const pending: PendingRefetch = new Map();
  for (const [name, ids] of Object.entries(refetch as Record<string, unknown>)) {
    if (!isEntityName(name) || !Array.isArray(ids)) return "unreadable";
    const checked = ids.map(positiveId);
    if (checked.some((id) => id === undefined)) return "unreadable";
    pending.set(name, [...new Set(checked as number[])].sort((a, b) => a - b));
  }
  return pending;
}

/** Saves what is left to re-fetch; with nothing left, removes the file. */
export async function writePendingRefetch(
  cacheDir: string,
  pending: PendingRefetch,
  now: Date,
): Promise<void> {
  const refetch: Record<string, number[]> = {};
  for (const [name, ids] of pending) if (ids.length > 0) refetch[name] = ids;
  if (Object.keys(refetch).length === 0) return await clearPendingRefetch(cacheDir);
  const text = JSON.stringify({ version: VERSION, savedAt: now.toISOString(), refetch }) + "\n";
  await writeFileAtomic(repairFilePath(cacheDir), text);
}

export async function clearPendingRefetch(cacheDir: string): Promise<void> {
  await removeIfPresent(repairFilePath(cacheDir));
}
