/**
 * The cache store: one folder per entity, one `<id>.json` per record, and an `index.csv` with one
 * row per record file. Knows nothing of HTTP.
 *
 * Crash safety (kill -9 at any moment):
 * - record files are written atomically (temporary + rename), so only whole files exist;
 * - index rows are appended to `.index-journal.csv` only after their files are in place;
 * - `commit()` merges the journal into `index.csv` (temporary + rename), then deletes the journal;
 * - opening a folder removes temporaries, replays a leftover journal (ignoring a torn last line),
 *   drops rows whose file is gone and adopts record files that have no row, then commits.
 * So every index row has its file, and the next run completes whatever a killed run left.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import { type Clock, systemClock } from "../clock.ts";
import { removeTempFiles, writeFileAtomic } from "./atomic.ts";
import { acquireLock, type Lock } from "./lock.ts";
import {
  formatHeader,
  formatRows,
  INDEX_FILE,
  type IndexRow,
  isIndexProblem,
  isValidTimestamp,
  parseId,
  readIndexRows,
} from "./index_csv.ts";

export const JOURNAL_FILE = ".index-journal.csv";
/** How many record files are written (or read, when adopting) at the same time. */
export const WRITE_CONCURRENCY = 16;

/** A record from the API: `id` is checked before it names a file. */
export interface ApiRecordWithId {
  id?: unknown;
  [key: string]: unknown;
}

export interface CacheOptions {
  clock?: Clock;
}

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

export interface EntityFolder {
  dir: string;
  /** What opening this folder found and repaired. */
  recovery: RecoveryReport;
  /**
   * Writes each record as `<dir>/<id>.json` (`JSON.stringify(record, null, 2) + "\n"`) atomically,
   * then appends their index rows (moniker from the folder's moniker function, timestamp =
   * `extractedAt`) to the journal. Throws RunError, before writing anything, if a record's id is
   * not a positive safe integer. If some files fail, rows for the written ones are still
   * journaled and the first failure is thrown.
   */
  writeRecords(records: ApiRecordWithId[], extractedAt: Date): Promise<void>;
  /** Same, with id and moniker given explicitly; `body` is the file's content. */
  writeEntries(
    entries: { id: number; moniker: string; body: unknown }[],
    extractedAt: Date,
  ): Promise<void>;
  /** Deletes the records' files and rows (commits the index). Unknown ids are ignored. */
  remove(ids: number[]): Promise<void>;
  has(id: number): boolean;
  row(id: number): IndexRow | undefined;
  /** All indexed ids, ascending. */
  ids(): number[];
  /** Number of indexed records. */
  size(): number;
  /** Path of a record's file (validates the id). */
  filePath(id: number): string;
  /** Merges the journal into `index.csv` (atomic), sorted by id, and deletes the journal. */
  commit(): Promise<void>;
}

export interface Cache {
  dir: string;
  /**
   * Opens (creating if needed) and repairs the entity folder `<dir>/<name>`. `moniker` computes a
   * row's moniker from a record (and from a stored file's content when adopting a file that has
   * no row). Opening the same name again returns the same folder.
   */
  folder(name: string, moniker: (record: unknown) => string): Promise<EntityFolder>;
  /** Releases the lock. Does not commit folders: call `commit()` on them first. */
  close(): Promise<void>;
}

/** Throws RunError unless `id` is a positive safe integer (never let API data choose a path). */
export function validateId(id: unknown, what = "record"): number {
  if (typeof id === "number" && Number.isSafeInteger(id) && id > 0) return id;
  let shown: string;
  try {
    shown = typeof id === "string" ? JSON.stringify(id) : String(id);
  } catch {
    shown = typeof id;
  }
  throw new RunError(
    `Refusing to store a ${what} whose id ${shown.slice(0, 80)} is not a positive integer.`,
  );
}

const FOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RECORD_FILE = /^([1-9][0-9]*)\.json$/;

/** Creates the cache folder if needed and takes its writer lock. */
export async function openCache(dir: string, opts: CacheOptions = {}): Promise<Cache> {
  const clock = opts.clock ?? systemClock;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new RunError(`Cannot create cache folder ${dir}: ${(error as Error).message}`);
  }
  const lock = await acquireLock(dir, { clock });
  return new CacheImpl(dir, lock);
}

class CacheImpl implements Cache {
  #folders = new Map<string, Promise<EntityFolder>>();
  #closed = false;

  constructor(readonly dir: string, private readonly lock: Lock) {}

  async folder(name: string, moniker: (record: unknown) => string): Promise<EntityFolder> {
    if (this.#closed) throw new RunError(`Cache ${this.dir} is closed.`);
    if (!FOLDER_NAME.test(name) || name.includes("..")) {
      throw new RunError(`Invalid cache folder name ${JSON.stringify(name)}.`);
    }
    let folder = this.#folders.get(name);
    if (!folder) {
      folder = FolderImpl.open(join(this.dir, name), moniker);
      this.#folders.set(name, folder);
      folder.catch(() => this.#folders.delete(name));
    }
    return await folder;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const folder of this.#folders.values()) {
      await folder.then((f) => (f as FolderImpl).closeJournal(), () => {});
    }
    await this.lock.release();
  }
}

interface Entry {
  moniker: string;
  timestamp: string;
}

/** Runs `fn` over `items`, at most `limit` at a time; returns settled results in order. */
async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound;
}

class FolderImpl implements EntityFolder {
  #index = new Map<number, Entry>();
  #journal: Deno.FsFile | undefined;
  #journalExists = false;
  #dirty = false;
  #queue: Promise<unknown> = Promise.resolve();
  readonly recovery: RecoveryReport = {
    tempFilesRemoved: [],
    journalRowsReplayed: 0,
    badLines: 0,
    adopted: [],
    droppedRows: [],
    unreadable: [],
  };

  private constructor(readonly dir: string, private readonly moniker: (r: unknown) => string) {}

  static async open(dir: string, moniker: (r: unknown) => string): Promise<EntityFolder> {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new RunError(`Cannot create cache folder ${dir}: ${(error as Error).message}`);
    }
    const folder = new FolderImpl(dir, moniker);
    await folder.#recover();
    return folder;
  }

  get #indexPath() {
    return join(this.dir, INDEX_FILE);
  }
  get #journalPath() {
    return join(this.dir, JOURNAL_FILE);
  }

  /** Serializes operations on this folder. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #recover(): Promise<void> {
    const report = this.recovery;
    report.tempFilesRemoved = await removeTempFiles(this.dir);

    // 1. The committed index.
    const timestamps = new Map<string, string>(); // interning: rows of one run share a timestamp
    const intern = (t: string) => {
      const known = timestamps.get(t);
      if (known !== undefined) return known;
      timestamps.set(t, t);
      return t;
    };
    try {
      for await (const item of readIndexRows(this.#indexPath)) {
        if (isIndexProblem(item)) {
          if (item.kind !== "timestamp" && item.kind !== "order") report.badLines++;
          this.#dirty = true;
          continue;
        }
        if (!isValidTimestamp(item.timestamp)) continue; // re-adopted below with its mtime
        this.#index.set(item.id, { moniker: item.moniker, timestamp: intern(item.timestamp) });
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }

    // 2. A journal left by a run that did not commit (killed, or crashed).
    try {
      for await (
        const item of readIndexRows(this.#journalPath, {
          allowDuplicates: true,
          dropUnterminated: true,
        })
      ) {
        if (isIndexProblem(item)) {
          if (item.kind !== "timestamp") report.badLines++;
          continue;
        }
        if (!isValidTimestamp(item.timestamp)) continue;
        this.#index.set(item.id, { moniker: item.moniker, timestamp: intern(item.timestamp) });
        report.journalRowsReplayed++;
      }
      this.#journalExists = true;
      this.#dirty = true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    timestamps.clear();

    // 3. Reconcile with the files actually present.
    const files = new Set<number>();
    for await (const entry of Deno.readDir(this.dir)) {
      if (!entry.isFile) continue;
      const match = RECORD_FILE.exec(entry.name);
      const id = match ? parseId(match[1]) : undefined;
      if (id !== undefined) files.add(id);
    }
    for (const id of this.#index.keys()) {
      if (!files.has(id)) {
        this.#index.delete(id);
        report.droppedRows.push(id);
      }
    }
    const orphans = [...files].filter((id) => !this.#index.has(id)).sort((a, b) => a - b);
    const adopted = await pool(orphans, WRITE_CONCURRENCY, async (id) => {
      const path = this.filePath(id);
      const [text, info] = await Promise.all([Deno.readTextFile(path), Deno.stat(path)]);
      const moniker = String(this.moniker(JSON.parse(text)) ?? "");
      const timestamp = (info.mtime ?? new Date()).toISOString();
      return { id, moniker, timestamp };
    });
    adopted.forEach((result, i) => {
      if (result.status === "fulfilled") {
        const { id, moniker, timestamp } = result.value;
        this.#index.set(id, { moniker, timestamp });
        report.adopted.push(id);
      } else {
        report.unreadable.push(`${orphans[i]}.json`);
      }
    });
    if (report.droppedRows.length > 0 || report.adopted.length > 0) this.#dirty = true;
    if (!this.#dirty) {
      try {
        await Deno.stat(this.#indexPath);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        this.#dirty = true; // a new folder gets an (empty) index.csv
      }
    }
    if (this.#dirty) await this.#commit();
  }

  filePath(id: number): string {
    return join(this.dir, `${validateId(id)}.json`);
  }

  async writeRecords(records: ApiRecordWithId[], extractedAt: Date): Promise<void> {
    const entries = records.map((record) => {
      if (record === null || typeof record !== "object") {
        throw new RunError(`Refusing to store a record that is not a JSON object.`);
      }
      const id = validateId(record.id);
      let moniker: string;
      try {
        moniker = String(this.moniker(record) ?? "");
      } catch (error) {
        throw new RunError(
          `Cannot compute the moniker of record ${id}: ${(error as Error).message}`,
        );
      }
      return { id, moniker, body: record as unknown };
    });
    await this.#serial(() => this.#write(entries, extractedAt));
  }

  async writeEntries(
    entries: { id: number; moniker: string; body: unknown }[],
    extractedAt: Date,
  ): Promise<void> {
    const checked = entries.map((entry) => ({
      id: validateId(entry.id),
      moniker: String(entry.moniker ?? ""),
      body: entry.body,
    }));
    await this.#serial(() => this.#write(checked, extractedAt));
  }

  async #write(
    entries: { id: number; moniker: string; body: unknown }[],
    extractedAt: Date,
  ): Promise<void> {
    if (Number.isNaN(extractedAt.getTime())) throw new RunError("Invalid extraction time.");
    const timestamp = extractedAt.toISOString();
    // The last occurrence of an id in a batch wins (avoid racing two writes of one file).
    const byId = new Map<number, { moniker: string; body: unknown }>();
    for (const { id, moniker, body } of entries) {
      byId.delete(id);
      byId.set(id, { moniker, body });
    }
    const ids = [...byId.keys()];
    const results = await pool(ids, WRITE_CONCURRENCY, async (id) => {
      const { body } = byId.get(id)!;
      let text: string | undefined;
      try {
        text = JSON.stringify(body, null, 2);
      } catch (error) {
        throw new RunError(`Cannot serialize record ${id}: ${(error as Error).message}`);
      }
      if (text === undefined) throw new RunError(`Record ${id} has no JSON representation.`);
      await writeFileAtomic(this.filePath(id), text + "\n");
    });
    const rows: IndexRow[] = [];
    let failure: unknown;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") {
        rows.push({ id: ids[i], moniker: byId.get(ids[i])!.moniker, timestamp });
      } else {
        failure ??= result.reason;
      }
    });
    if (rows.length > 0) {
      await this.#appendJournal(rows);
      for (const row of rows) {
        this.#index.set(row.id, { moniker: row.moniker, timestamp });
      }
    }
    if (failure !== undefined) {
      if (failure instanceof RunError) throw failure;
      throw new RunError(
        `Cannot write a record file in ${this.dir}: ${(failure as Error).message}`,
      );
    }
  }

  async #appendJournal(rows: IndexRow[]): Promise<void> {
    if (!this.#journal) {
      this.#journal = await Deno.open(this.#journalPath, {
        append: true,
        create: true,
      });
      if (!this.#journalExists) {
        this.#journalExists = true;
        await writeAll(this.#journal, formatHeader());
      }
    }
    // One write per page, so a kill tears at most the last line.
    await writeAll(this.#journal, formatRows(rows));
    this.#dirty = true;
  }

  async remove(ids: number[]): Promise<void> {
    const checked = ids.map((id) => validateId(id));
    await this.#serial(async () => {
      // Files first: a kill before the commit leaves rows without files, dropped on reopen.
      await pool(checked, WRITE_CONCURRENCY, async (id) => {
        try {
          await Deno.remove(this.filePath(id));
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }).then((results) => {
        const failed = results.find((r) => r.status === "rejected");
        if (failed) {
          throw new RunError(
            `Cannot remove a record file in ${this.dir}: ${
              ((failed as PromiseRejectedResult).reason as Error).message
            }`,
          );
        }
      }).finally(() => {
        for (const id of checked) {
          if (this.#index.delete(id)) this.#dirty = true;
        }
      });
      await this.#commit();
    });
  }

  has(id: number): boolean {
    return this.#index.has(id);
  }

  row(id: number): IndexRow | undefined {
    const entry = this.#index.get(id);
    return entry ? { id, moniker: entry.moniker, timestamp: entry.timestamp } : undefined;
  }

  ids(): number[] {
    return [...this.#index.keys()].sort((a, b) => a - b);
  }

  size(): number {
    return this.#index.size;
  }

  commit(): Promise<void> {
    return this.#serial(() => this.#commit());
  }

  async #commit(): Promise<void> {
    if (!this.#dirty && !this.#journalExists) return;
    const rows = function* (index: Map<number, Entry>) {
      for (const [id, entry] of index) yield { id, ...entry };
    };
    try {
      await writeFileAtomic(this.#indexPath, formatHeader() + formatRows(rows(this.#index)));
    } catch (error) {
      throw new RunError(`Cannot write ${this.#indexPath}: ${(error as Error).message}`);
    }
    this.#closeJournalNow();
    try {
      await Deno.remove(this.#journalPath);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.#journalExists = false;
    this.#dirty = false;
  }

  /** Closes the journal handle (rows stay on disk for the next open to replay). */
  async closeJournal(): Promise<void> {
    await this.#queue;
    this.#closeJournalNow();
  }

  #closeJournalNow(): void {
    const journal = this.#journal;
    this.#journal = undefined;
    journal?.close();
  }
}

async function writeAll(file: Deno.FsFile, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
