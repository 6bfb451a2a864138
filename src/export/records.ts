/**
 * Reading one entity folder for an export: its committed `index.csv`, streamed, and each listed
 * record's file, one at a time, so memory does not grow with the folder.
 *
 * Takes no lock, so an export can run beside a sync. That is safe because the store only ever
 * replaces files by renaming (a reader sees the old file or the new one, never part of one) and
 * the index is read from one open handle (the version of the moment it was opened). What a
 * concurrent run changes shows as: a record removed after the index was read (its file is gone:
 * counted as `vanished`, not exported); a record rewritten meanwhile (its newer content is
 * exported); records added after the index was read (not exported; the next export has them).
 * Records written since a run's last commit are not in the index yet, so not exported.
 */
import { join } from "node:path";
import {
  INDEX_FILE,
  isIndexProblem,
  isValidTimestamp,
  readIndexBatches,
  recordFileName,
} from "../cache/mod.ts";
import type { ApiRecord } from "../entities.ts";

/** A record that is in the index but cannot be exported as it is. */
export interface ReadProblem {
  entity: string;
  id?: number;
  /** Relative to the cache folder. */
  path: string;
  detail: string;
}

export interface ReadCounts {
  /** Records read and handed on. */
  read: number;
  /** Index rows left out by `since`. */
  older: number;
  /** Listed in the index, but their file was removed before it was read (a concurrent run). */
  vanished: number;
  /** Index lines or record files that could not be used (each reported through `onProblem`). */
  problems: number;
}

export interface ReadOptions {
  /** Only records whose index timestamp (when the cache last wrote them) is at or after this. */
  since?: Date;
  onProblem(problem: ReadProblem): void;
}

/** Records handed on at a time. */
const BATCH = 200;

/**
 * The records of `<cacheDir>/<entity>/`, in id order, in batches of BATCH. Every
 * record handed on is a JSON object whose `id` is its file's id. Throws `Deno.errors.NotFound`
 * when the folder has no `index.csv`.
 */
export async function* readRecords(
  cacheDir: string,
  entity: string,
  counts: ReadCounts,
  options: ReadOptions,
): AsyncGenerator<ApiRecord[]> {
  const dir = join(cacheDir, entity);
  const since = options.since?.getTime();
  const problem = (detail: string, id?: number) => {
    counts.problems++;
    const path = id === undefined ? `${entity}/${INDEX_FILE}` : `${entity}/${recordFileName(id)}`;
    options.onProblem({ entity, id, path, detail });
  };
  let records: ApiRecord[] = [];
  for await (const batch of readIndexBatches(join(dir, INDEX_FILE))) {
    // An index chunk holds thousands of rows: hand records on in small batches, so only a few
    // hundred parsed records are alive at a time.
    for (const row of batch) {
      if (isIndexProblem(row)) {
        // An odd timestamp or order still comes with its row, which is exported (below).
        if (row.kind !== "timestamp" && row.kind !== "order") {
          problem(`${INDEX_FILE} line ${row.line}: ${row.message}`);
        }
        continue;
      }
      if (since !== undefined) {
        const written = isValidTimestamp(row.timestamp) ? Date.parse(row.timestamp) : NaN;
        // A row without a usable time is exported: better once too often than never.
        if (written < since) {
          counts.older++;
          continue;
        }
      }
      const record = readRecordFile(join(dir, recordFileName(row.id)), row.id, problem);
      if (record === "vanished") counts.vanished++;
      else if (record !== undefined) {
        counts.read++;
        records.push(record);
        if (records.length >= BATCH) {
          yield records;
          records = [];
        }
      }
    }
  }
  if (records.length > 0) yield records;
}

/**
 * One record file: its parsed object, "vanished" when it is gone, or undefined after reporting
 * why it cannot be used. Synchronous on purpose: for many small files this is about twice as
 * fast as async reads and makes far less garbage (see check/audit.ts).
 */
function readRecordFile(
  path: string,
  id: number,
  problem: (detail: string, id: number) => void,
): ApiRecord | "vanished" | undefined {
  let text: string;
  try {
    // A symbolic link could lead out of the cache: only regular files are read.
    if (!Deno.lstatSync(path).isFile) {
      problem("not a regular file (a symbolic link or a folder); not exported", id);
      return undefined;
    }
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "vanished";
    problem(`cannot be read (${(error as Error).message})`, id);
    return undefined;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    problem(`not valid JSON (${(error as Error).message.split("\n")[0].slice(0, 80)})`, id);
    return undefined;
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    problem("not a JSON object", id);
    return undefined;
  }
  if ((record as ApiRecord).id !== id) {
    problem(`holds id ${JSON.stringify((record as ApiRecord).id)?.slice(0, 40)}`, id);
    return undefined;
  }
  return record as ApiRecord;
}
