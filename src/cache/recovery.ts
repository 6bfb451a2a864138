/**
 * Opening a record folder: a folder without a journal and with a clean `index.csv` is used as it
 * is. Any other (a run was killed, an index is missing or damaged, or `reconcile` is asked for)
 * is brought back in line with its files:
 * - leftover temporaries are removed;
 * - the journal is replayed: a row applies only if its file now holds exactly the journaled
 *   content (its SHA-256), so a kill between journal and rename never leaves a row describing a
 *   file that was not written; a torn last line is ignored;
 * - rows whose file is gone are dropped; a damaged index is first rebuilt from its usable rows;
 * - record files that have no row are adopted (moniker computed from the file, timestamp its
 *   mtime);
 * - then everything is committed. Until that commit the journal stays, so a kill during recovery
 *   leaves the folder flagged for the same repair.
 * Memory: the folder's record ids (8 bytes each) only while reconciling them with the index.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import { exists } from "../files.ts";
import { type FolderIndex, PENDING_LIMIT } from "./folder_index.ts";
import { sha256Hex } from "./hash.ts";
import { readNoFollow } from "./no_follow.ts";
import { isIndexProblem, isValidTimestamp, readIndexBatches, scanIndex } from "./index_codec.ts";
import { BLOCK_ROWS, type IndexChange, IndexFile } from "./index_file.ts";
import type { MonikerOf } from "./encode.ts";
import { recordFileName, recordIdOf, removeTempFiles, tempPathFor } from "./layout.ts";
import { settleConcurrent } from "../concurrency.ts";
import { WRITE_CONCURRENCY } from "./concurrency.ts";

/** Record files read at a time when adopting files that have no row. */
const ADOPT_CHUNK = 1_000;

/** What opening a folder found and repaired; for logging. */
export interface RecoveryReport {
  /** Leftover temporary files removed. */
  tempFilesRemoved: string[];
  /** Rows replayed from a leftover journal. */
  journalRowsReplayed: number;
  /** Journal or index lines that could not be used (e.g. a torn last line). */
  badLines: number;
  /** Record files that had no index row and were given one. */
  adopted: number[];
  /** Index rows dropped because their record file is missing. */
  droppedRows: number[];
  /** `<id>.json` files that could not be read or parsed; left in place without a row. */
  unreadable: string[];
}

export function emptyRecoveryReport(): RecoveryReport {
  return {
    tempFilesRemoved: [],
    journalRowsReplayed: 0,
    badLines: 0,
    adopted: [],
    droppedRows: [],
    unreadable: [],
  };
}

/**
 * Makes `folder`'s index match its files (see above), recording what it did in `report`.
 * `moniker` gives an adopted file's row its moniker.
 */
export async function recoverFolder(
  folder: FolderIndex,
  moniker: MonikerOf,
  reconcile: boolean,
  report: RecoveryReport,
): Promise<void> {
  // The journal doubles as the folder's "not clean" flag: it exists from a folder's first write
  // (or removal, or repair) until the commit that makes the index match the files again.
  if (!reconcile && !await exists(folder.journal.path)) {
    try {
      const scan = await scanIndex(folder.indexPath, BLOCK_ROWS, () => {});
      if (scan.clean) {
        folder.index = new IndexFile(folder.indexPath, scan.layout);
        return;
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  report.tempFilesRemoved = await removeTempFiles(folder.dir);

  // 1. A journal left by a run that did not commit (killed, or crashed). Its rows were
  //    written before their files; a row applies only if the file now holds that content.
  try {
    await replayJournal(folder, report);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  // Until the commit below, a kill leaves the folder flagged for the same repair.
  await folder.journal.open();

  // 2. The committed index, reconciled with the files actually present: rows whose file is
  //    gone are dropped, files without a row are adopted. A damaged index is rebuilt first.
  const files = await recordFileIds(folder.dir);
  let reconciled = await reconcileIndex(folder, files);
  if (reconciled === undefined) {
    await rebuildIndex(folder, files, report);
    reconciled = await reconcileIndex(folder, files);
    if (reconciled === undefined) {
      throw new RunError(`${folder.indexPath}: cannot be rebuilt; run check --repair`);
    }
  }
  for (const id of reconciled.dropped) {
    folder.pending.set(id, null);
    report.droppedRows.push(id);
  }
  // A file the journal accounted for is not an orphan.
  const orphans = reconciled.orphans.filter((id) => !folder.pending.has(id));
  for (let start = 0; start < orphans.length; start += ADOPT_CHUNK) {
    await adopt(folder, moniker, orphans.slice(start, start + ADOPT_CHUNK), report);
    if (folder.full) await folder.commit();
  }
  await folder.commit();
}

/** Applies journal rows whose file holds exactly the journaled content (latest first). */
async function replayJournal(folder: FolderIndex, report: RecoveryReport): Promise<void> {
  const journal = await folder.journal.read();
  report.badLines += journal.badLines;
  const ids = [...journal.rows.keys()];
  const results = await settleConcurrent(ids, WRITE_CONCURRENCY, async (id) => {
    let hash: string;
    try {
      hash = sha256Hex(await readNoFollow(recordPath(folder, id)));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const list = journal.rows.get(id)!;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].hash === hash) {
        folder.pending.set(id, { moniker: list[i].moniker, timestamp: list[i].timestamp });
        report.journalRowsReplayed++;
        return;
      }
    }
  });
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Reads `index.csv` once: its layout, and which of `files` (sorted) have no row and which rows
 * have no file. Undefined if the index is damaged (it must be rebuilt); a missing one is new.
 */
async function reconcileIndex(
  folder: FolderIndex,
  files: Float64Array,
): Promise<{ dropped: number[]; orphans: number[] } | undefined> {
  const dropped: number[] = [];
  const orphans: number[] = [];
  let next = 0;
  try {
    const scan = await scanIndex(folder.indexPath, BLOCK_ROWS, (rows) => {
      for (const { id } of rows) {
        while (next < files.length && files[next] < id) orphans.push(files[next++]);
        if (files[next] === id) next++;
        else dropped.push(id);
      }
    });
    if (!scan.clean) return undefined;
    folder.index = new IndexFile(folder.indexPath, scan.layout);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // A new folder (or a lost index): every file is adopted, and an index.csv written.
    folder.index = new IndexFile(folder.indexPath);
    folder.stale = true;
  }
  while (next < files.length) orphans.push(files[next++]);
  return { dropped, orphans };
}

/**
 * Rewrites a damaged `index.csv` from its usable rows (valid, with a valid timestamp and a
 * file), sorted, `PENDING_LIMIT` rows at a time. The damaged file is first renamed to a
 * temporary name: a kill meanwhile leaves its rows to be adopted from the files.
 */
async function rebuildIndex(
  folder: FolderIndex,
  files: Float64Array,
  report: RecoveryReport,
): Promise<void> {
  const damaged = tempPathFor(folder.indexPath);
  await Deno.rename(folder.indexPath, damaged);
  folder.index = new IndexFile(folder.indexPath);
  folder.stale = true;
  const rows = new Map<number, IndexChange>();
  for await (const batch of readIndexBatches(damaged, { allowDuplicates: true })) {
    for (const item of batch) {
      if (isIndexProblem(item)) {
        if (item.kind !== "timestamp") report.badLines++;
        continue;
      }
      // A row with a bad timestamp is left out: its file is adopted with its mtime.
      if (!isValidTimestamp(item.timestamp) || !sortedHas(files, item.id)) continue;
      rows.set(item.id, { moniker: item.moniker, timestamp: item.timestamp });
      if (rows.size >= PENDING_LIMIT) {
        await folder.index.merge(rows);
        rows.clear();
      }
    }
  }
  await folder.index.merge(rows);
  await Deno.remove(damaged);
}

/** Gives record files that have no row one (moniker from the file, timestamp its mtime). */
async function adopt(
  folder: FolderIndex,
  moniker: MonikerOf,
  ids: number[],
  report: RecoveryReport,
): Promise<void> {
  const adopted = await settleConcurrent(ids, WRITE_CONCURRENCY, async (id) => {
    const path = recordPath(folder, id);
    const [text, info] = await Promise.all([Deno.readTextFile(path), Deno.stat(path)]);
    const name = String(moniker(JSON.parse(text)) ?? "");
    const timestamp = (info.mtime ?? new Date()).toISOString();
    return { moniker: name, timestamp };
  });
  adopted.forEach((result, i) => {
    if (result.status === "fulfilled") {
      folder.pending.set(ids[i], result.value);
      report.adopted.push(ids[i]);
    } else {
      report.unreadable.push(recordFileName(ids[i]));
    }
  });
}

function recordPath(folder: FolderIndex, id: number): string {
  return join(folder.dir, recordFileName(id));
}

/** The ids of the `<id>.json` files in `dir`, ascending (8 bytes each). */
async function recordFileIds(dir: string): Promise<Float64Array> {
  let ids = new Float64Array(1024);
  let count = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile) continue;
    const id = recordIdOf(entry.name);
    if (id === undefined) continue;
    if (count === ids.length) {
      const grown = new Float64Array(ids.length * 2);
      grown.set(ids);
      ids = grown;
    }
    ids[count++] = id;
  }
  return ids.slice(0, count).sort();
}

/** Binary search in an ascending array. */
function sortedHas(sorted: Float64Array, id: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === id) return true;
    if (sorted[mid] < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound;
}
