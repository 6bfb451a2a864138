/**
 * The cache store: one folder per entity, one `<id>.json` per record, and an `index.csv` with one
 * row per record file. Knows nothing of HTTP.
 *
 * Crash safety (kill -9 at any moment):
 * - record files are written atomically (temporary + rename), so only whole files exist;
 * - before a page's files are written, its rows are appended (one write) to the write-ahead
 *   journal `.index-journal.csv`, each with the SHA-256 of the file content about to be written;
 * - removals and repairs also create the journal before they change anything, so the journal
 *   exists whenever the folder may not match its index;
 * - `commit()` merges the rows written since the last commit into `index.csv` (temporary +
 *   rename), then deletes the journal;
 * - opening a folder that has a journal (or a missing or damaged index) removes temporaries,
 *   replays the journal (a torn last line is ignored; a row applies only if its file now holds
 *   exactly the journaled content, so a kill between journal and rename never leaves a row
 *   describing a file that was not written), drops rows whose file is gone and adopts record
 *   files that have no row (moniker computed from the file, timestamp = its mtime), then
 *   commits. A folder without a journal and with a clean index is used as it is.
 * So every index row has its file and matches it, and the next run completes what a killed run
 * left.
 *
 * Memory does not grow with a folder's records: the committed index stays on disk (src/cache/
 * index_file.ts keeps 16 bytes per block of 256 rows), and the rows written since the last
 * commit are merged into it once they reach `PENDING_LIMIT`, if the caller has not committed
 * sooner. Opening a folder holds its record ids (8 bytes each) only while reconciling them with
 * the index.
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import { RunError } from "../errors.ts";
import { type Clock, systemClock } from "../clock.ts";
import { acquireLock, type Lock } from "./lock.ts";
import { writeFileAtomic } from "./atomic.ts";
import {
  type CsvRecord,
  CsvTokenizer,
  formatCsv,
  type IndexRow,
  isIndexProblem,
  isValidTimestamp,
  readIndexBatches,
  scanIndex,
} from "./index_codec.ts";
import { BLOCK_ROWS, type IndexChange, IndexFile } from "./index_file.ts";
import { exists, isDirectory, removeIfPresent } from "../files.ts";
import {
  INDEX_FILE,
  isFolderName,
  JOURNAL_FILE,
  recordFileName,
  recordIdOf,
  removeTempFiles,
  tempPathFor,
} from "./layout.ts";
import { isPositiveId, parseId } from "../ids.ts";

/** Computes a record's index moniker; the caller (the entity table) knows the record's shape. */
// deno-lint-ignore no-explicit-any
export type MonikerOf = (record: any) => string;

/** Journal columns: an index row plus the SHA-256 (hex) of the record file's content. */
export const JOURNAL_HEADER = ["id", "moniker", "timestamp", "sha256"] as const;
/** How many record files are written (or read, when adopting) at the same time. */
export const WRITE_CONCURRENCY = 16;

/**
 * Rows written since the last commit are merged into `index.csv` when they reach this many, so
 * the rows held in memory (and the journal) stay bounded whatever the caller does.
 */
export const PENDING_LIMIT = 10_000;
/** Record files read at a time when adopting files that have no row. */
const ADOPT_CHUNK = 1_000;

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
   * Writes each record as `<dir>/<id>.json` (`JSON.stringify(record, null, 2) + "\n"`) atomically
   * (16 at a time), its row (moniker from the folder's moniker function, timestamp =
   * `extractedAt`) journaled first with the content's hash. Throws RunError, before writing
   * anything, if a record's id is not a positive safe integer. If some files fail, the index
   * keeps rows for the written ones and the first failure is thrown (as a RunError).
   */
  writeRecords(records: ApiRecordWithId[], extractedAt: Date): Promise<void>;
  /**
   * The first half of `writeRecords`, synchronous: validates the records and turns them into file
   * contents one by one (records may be parsed lazily as they are read), so no parsed record
   * needs to stay alive during the (slow) writes. Throws RunError like `writeRecords`.
   */
  encodeRecords(records: Iterable<ApiRecordWithId>): EncodedRecords;
  /** The second half of `writeRecords`: journals and writes what `encodeRecords` returned. */
  writeEncoded(encoded: EncodedRecords, extractedAt: Date): Promise<void>;
  /** Same, with id and moniker given explicitly; `body` is the file's content. */
  writeEntries(
    entries: { id: number; moniker: string; body: unknown }[],
    extractedAt: Date,
  ): Promise<void>;
  /** Deletes the records' files and rows (commits the index). Unknown ids are ignored. */
  remove(ids: number[]): Promise<void>;
  /** Whether the index has a row for `id` (reads one block of `index.csv` at most). */
  has(id: number): Promise<boolean>;
  /** The index row of `id` (reads one block of `index.csv` at most). */
  row(id: number): Promise<IndexRow | undefined>;
  /**
   * Every row, in id order, a block at a time: commits first, then reads `index.csv` as it is at
   * that moment (writes made while iterating are not seen).
   */
  rows(): AsyncIterable<IndexRow[]>;
  /** All indexed ids, ascending (8 bytes each: prefer `rows()` where a stream will do). */
  ids(): Promise<number[]>;
  /** Records in `index.csv` as of the last commit. */
  size(): number;
  /** Path of a record's file (validates the id). */
  filePath(id: number): string;
  /** Merges the journal into `index.csv` (atomic), sorted by id, and deletes the journal. */
  commit(): Promise<void>;
}

/** Record files ready to write: ids checked, last occurrence of an id kept, content hashed. */
export interface EncodedRecords {
  readonly files: readonly EncodedFile[];
}

/** What `encode` returns: the files' shared buffers go back to the pool once written. */
interface EncodedBatch extends EncodedRecords {
  buffers: Uint8Array[];
  written: boolean;
}

interface EncodedFile {
  id: number;
  moniker: string;
  bytes: Uint8Array;
  /** SHA-256 (hex) of `bytes`, for the journal. */
  hash: string;
}

export interface Cache {
  dir: string;
  /**
   * Opens (creating if needed) and repairs the entity folder `<dir>/<name>`. `moniker` computes a
   * row's moniker from a record (and from a stored file's content when adopting a file that has
   * no row). Opening the same name again returns the same folder.
   *
   * A folder left by a run that did not finish (its journal is there) or with a missing or
   * damaged index is reconciled with its files. One that was left clean is not listed, so that
   * opening it costs no memory per record; `reconcile` lists it anyway (for files changed by
   * hand).
   */
  folder(name: string, moniker: MonikerOf, opts?: { reconcile?: boolean }): Promise<EntityFolder>;
  /**
   * `folder(name, moniker)` if `<dir>/<name>` is already a folder, else undefined: removing
   * records (a purge, a prune) must never create one.
   */
  existingFolder(name: string, moniker: MonikerOf): Promise<EntityFolder | undefined>;
  /** Releases the lock. Does not commit folders: call `commit()` on them first. */
  close(): Promise<void>;
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
    `Refusing to store a ${what} whose id ${shown.slice(0, 80)} is not a positive integer.`,
  );
}

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

  async folder(
    name: string,
    moniker: MonikerOf,
    opts: { reconcile?: boolean } = {},
  ): Promise<EntityFolder> {
    this.#checkName(name);
    let folder = this.#folders.get(name);
    if (!folder) {
      folder = FolderImpl.open(join(this.dir, name), moniker, opts.reconcile ?? false);
      this.#folders.set(name, folder);
      folder.catch(() => this.#folders.delete(name));
    }
    return await folder;
  }

  async existingFolder(name: string, moniker: MonikerOf): Promise<EntityFolder | undefined> {
    this.#checkName(name);
    if (!await isDirectory(join(this.dir, name))) return undefined;
    return await this.folder(name, moniker);
  }

  #checkName(name: string): void {
    if (this.#closed) throw new RunError(`Cache ${this.dir} is closed.`);
    if (!isFolderName(name)) {
      throw new RunError(`Invalid cache folder name ${JSON.stringify(name)}.`);
    }
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

/** Runs `fn` over `items`, at most `limit` at a time; returns settled results in order. */
export async function pool<T, R>(
  items: readonly T[],
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
  /** The committed `index.csv`. */
  #index: IndexFile;
  /** Rows written (or removed: `null`) since the last commit; bounded by `PENDING_LIMIT`. */
  #pending = new Map<number, IndexChange>();
  /** Whether `index.csv` must be written even with nothing pending (new or repaired folder). */
  #indexStale = false;
  #journal: Deno.FsFile | undefined;
  #journalExists = false;
  #queue: Promise<unknown> = Promise.resolve();
  readonly recovery: RecoveryReport = {
    tempFilesRemoved: [],
    journalRowsReplayed: 0,
    badLines: 0,
    adopted: [],
    droppedRows: [],
    unreadable: [],
  };

  private constructor(readonly dir: string, private readonly moniker: MonikerOf) {
    this.#index = new IndexFile(join(dir, INDEX_FILE));
  }

  static async open(dir: string, moniker: MonikerOf, reconcile: boolean): Promise<EntityFolder> {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new RunError(`Cannot create cache folder ${dir}: ${(error as Error).message}`);
    }
    const folder = new FolderImpl(dir, moniker);
    await folder.#recover(reconcile);
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

  /**
   * The journal doubles as the folder's "not clean" flag: it exists from a folder's first write
   * (or removal, or repair) until the commit that makes the index match the files again. Without
   * it, and with a clean index, there is nothing to repair: the index is used as it is.
   */
  async #recover(reconcile: boolean): Promise<void> {
    if (!reconcile && !await exists(this.#journalPath)) {
      try {
        const scan = await scanIndex(this.#indexPath, BLOCK_ROWS, () => {});
        if (scan.clean) {
          this.#index = new IndexFile(this.#indexPath, scan.layout);
          return;
        }
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const report = this.recovery;
    report.tempFilesRemoved = await removeTempFiles(this.dir);

    // 1. A journal left by a run that did not commit (killed, or crashed). Its rows were
    //    written before their files; a row applies only if the file now holds that content.
    try {
      await this.#replayJournal();
      this.#journalExists = true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    // Until the commit below, a kill leaves the folder flagged for the same repair.
    await this.#openJournal();

    // 2. The committed index, reconciled with the files actually present: rows whose file is
    //    gone are dropped, files without a row are adopted. A damaged index is rebuilt first.
    const files = await recordFileIds(this.dir);
    let reconciled = await this.#scanIndex(files);
    if (reconciled === undefined) {
      await this.#rebuildIndex(files);
      reconciled = await this.#scanIndex(files);
      if (reconciled === undefined) throw new RunError(`Cannot rebuild ${this.#indexPath}.`);
    }
    for (const id of reconciled.dropped) {
      this.#pending.set(id, null);
      report.droppedRows.push(id);
    }
    // A file the journal accounted for is not an orphan.
    const orphans = reconciled.orphans.filter((id) => !this.#pending.has(id));
    for (let start = 0; start < orphans.length; start += ADOPT_CHUNK) {
      await this.#adopt(orphans.slice(start, start + ADOPT_CHUNK));
      if (this.#pending.size >= PENDING_LIMIT) await this.#commit();
    }
    await this.#commit();
  }

  /**
   * Reads `index.csv` once: its layout, and which of `files` (sorted) have no row and which rows
   * have no file. Undefined if the index is missing or damaged (it must be rebuilt).
   */
  async #scanIndex(
    files: Float64Array,
  ): Promise<{ dropped: number[]; orphans: number[] } | undefined> {
    const dropped: number[] = [];
    const orphans: number[] = [];
    let next = 0;
    try {
      const scan = await scanIndex(this.#indexPath, BLOCK_ROWS, (rows) => {
        for (const { id } of rows) {
          while (next < files.length && files[next] < id) orphans.push(files[next++]);
          if (files[next] === id) next++;
          else dropped.push(id);
        }
      });
      if (!scan.clean) return undefined;
      this.#index = new IndexFile(this.#indexPath, scan.layout);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // A new folder (or a lost index): every file is adopted, and an index.csv written.
      this.#index = new IndexFile(this.#indexPath);
      this.#indexStale = true;
    }
    while (next < files.length) orphans.push(files[next++]);
    return { dropped, orphans };
  }

  /**
   * Rewrites a damaged `index.csv` from its usable rows (valid, with a valid timestamp and a
   * file), sorted, `PENDING_LIMIT` rows at a time. The damaged file is first renamed to a
   * temporary name: a kill meanwhile leaves its rows to be adopted from the files.
   */
  async #rebuildIndex(files: Float64Array): Promise<void> {
    const report = this.recovery;
    const damaged = tempPathFor(this.#indexPath);
    await Deno.rename(this.#indexPath, damaged);
    this.#index = new IndexFile(this.#indexPath);
    this.#indexStale = true;
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
          await this.#index.merge(rows);
          rows.clear();
        }
      }
    }
    await this.#index.merge(rows);
    await Deno.remove(damaged);
  }

  /** Gives record files that have no row one (moniker from the file, timestamp its mtime). */
  async #adopt(ids: number[]): Promise<void> {
    const report = this.recovery;
    const adopted = await pool(ids, WRITE_CONCURRENCY, async (id) => {
      const path = this.filePath(id);
      const [text, info] = await Promise.all([Deno.readTextFile(path), Deno.stat(path)]);
      const moniker = String(this.moniker(JSON.parse(text)) ?? "");
      const timestamp = (info.mtime ?? new Date()).toISOString();
      return { moniker, timestamp };
    });
    adopted.forEach((result, i) => {
      if (result.status === "fulfilled") {
        this.#pending.set(ids[i], result.value);
        report.adopted.push(ids[i]);
      } else {
        report.unreadable.push(recordFileName(ids[i]));
      }
    });
  }

  filePath(id: number): string {
    return join(this.dir, recordFileName(validateId(id)));
  }

  async writeRecords(records: ApiRecordWithId[], extractedAt: Date): Promise<void> {
    const encoded = this.encodeRecords(records);
    await this.writeEncoded(encoded, extractedAt);
  }

  encodeRecords(records: Iterable<ApiRecordWithId>): EncodedRecords {
    const moniker = this.moniker;
    return encode(function* () {
      for (const record of records) {
        if (record === null || typeof record !== "object") {
          throw new RunError(`Refusing to store a record that is not a JSON object.`);
        }
        const id = validateId(record.id);
        let name: string;
        try {
          name = String(moniker(record) ?? "");
        } catch (error) {
          throw new RunError(
            `Cannot compute the moniker of record ${id}: ${(error as Error).message}`,
          );
        }
        yield { id, moniker: name, body: record as unknown };
      }
    }());
  }

  async writeEntries(
    entries: { id: number; moniker: string; body: unknown }[],
    extractedAt: Date,
  ): Promise<void> {
    const encoded = encode(entries.map((entry) => ({
      id: validateId(entry.id),
      moniker: String(entry.moniker ?? ""),
      body: entry.body,
    })));
    await this.writeEncoded(encoded, extractedAt);
  }

  async writeEncoded(encoded: EncodedRecords, extractedAt: Date): Promise<void> {
    const batch = encoded as EncodedBatch;
    if (batch.written) throw new Error("These encoded records were already written.");
    batch.written = true;
    if (Number.isNaN(extractedAt.getTime())) throw new RunError("Invalid extraction time.");
    try {
      await this.#serial(() => this.#write(batch.files, extractedAt.toISOString()));
    } finally {
      encodeBuffers.give(batch.buffers); // every write of these files has settled
    }
  }

  async #write(files: readonly EncodedFile[], timestamp: string): Promise<void> {
    // Write-ahead: the rows (with each file's content hash) go to the journal before the files.
    await this.#appendJournal(files.map((f) => [String(f.id), f.moniker, timestamp, f.hash]));
    const results = await pool(files, WRITE_CONCURRENCY, async (f) => {
      await writeFileAtomic(this.filePath(f.id), f.bytes);
    });
    let failure: unknown;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") {
        this.#pending.set(files[i].id, { moniker: files[i].moniker, timestamp });
      } else {
        failure ??= result.reason;
      }
    });
    if (this.#pending.size >= PENDING_LIMIT) await this.#commit();
    if (failure !== undefined) {
      if (failure instanceof RunError) throw failure;
      throw new RunError(
        `Cannot write a record file in ${this.dir}: ${(failure as Error).message}`,
      );
    }
  }

  /** Applies journal rows whose file holds exactly the journaled content (latest first). */
  async #replayJournal(): Promise<void> {
    const report = this.recovery;
    const candidates = new Map<number, { moniker: string; timestamp: string; hash: string }[]>();
    const file = await Deno.open(this.#journalPath, { read: true });
    try {
      const tokenizer = new CsvTokenizer();
      const decoder = new TextDecoder();
      const buffer = new Uint8Array(256 * 1024);
      let first = true;
      let usable = true;
      const accept = (record: CsvRecord) => {
        const { fields } = record;
        if (first) {
          first = false;
          if (fields.join(",") !== JOURNAL_HEADER.join(",") || !record.terminated) usable = false;
          return;
        }
        const id = parseId(fields[0] ?? "");
        if (
          !usable || !record.terminated || record.error !== undefined || fields.length !== 4 ||
          id === undefined || !isValidTimestamp(fields[2]) || !/^[0-9a-f]{64}$/.test(fields[3])
        ) {
          report.badLines++;
          return;
        }
        const list = candidates.get(id) ?? [];
        list.push({ moniker: fields[1], timestamp: fields[2], hash: fields[3] });
        candidates.set(id, list);
      };
      while (true) {
        const n = await file.read(buffer);
        if (n === null) break;
        for (const r of tokenizer.push(decoder.decode(buffer.subarray(0, n), { stream: true }))) {
          accept(r);
        }
      }
      for (const r of [...tokenizer.push(decoder.decode()), ...tokenizer.end()]) accept(r);
    } finally {
      file.close();
    }
    const ids = [...candidates.keys()];
    const results = await pool(ids, WRITE_CONCURRENCY, async (id) => {
      let hash: string;
      try {
        hash = sha256(await Deno.readFile(this.filePath(id)));
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      const list = candidates.get(id)!;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].hash === hash) {
          this.#pending.set(id, { moniker: list[i].moniker, timestamp: list[i].timestamp });
          report.journalRowsReplayed++;
          return;
        }
      }
    });
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Opens the journal for appending, creating it (with its header) if needed. */
  async #openJournal(): Promise<Deno.FsFile> {
    if (!this.#journal) {
      this.#journal = await Deno.open(this.#journalPath, { append: true, create: true });
      if (!this.#journalExists) {
        this.#journalExists = true;
        await writeAll(this.#journal, formatCsv([[...JOURNAL_HEADER]]));
      }
    }
    return this.#journal;
  }

  async #appendJournal(rows: string[][]): Promise<void> {
    if (rows.length === 0) return;
    // One write per page, so a kill tears at most the last line.
    await writeAll(await this.#openJournal(), formatCsv(rows));
  }

  async remove(ids: number[]): Promise<void> {
    const checked = ids.map((id) => validateId(id));
    await this.#serial(async () => {
      // Files first: a kill before the commit leaves rows without files, and the journal that
      // makes the next open drop them.
      await this.#openJournal();
      await pool(checked, WRITE_CONCURRENCY, (id) => removeIfPresent(this.filePath(id))).then(
        (results) => {
          const failed = results.find((r) => r.status === "rejected");
          if (failed) {
            throw new RunError(
              `Cannot remove a record file in ${this.dir}: ${
                ((failed as PromiseRejectedResult).reason as Error).message
              }`,
            );
          }
        },
      ).finally(() => {
        for (const id of checked) this.#pending.set(id, null);
      });
      await this.#commit();
    });
  }

  async has(id: number): Promise<boolean> {
    return (await this.row(id)) !== undefined;
  }

  async row(id: number): Promise<IndexRow | undefined> {
    const known = this.#rowIfKnown(id);
    if (known !== undefined) return known ?? undefined;
    // A block read: serialized, so that no commit replaces the file meanwhile.
    return await this.#serial(async () => {
      const again = this.#rowIfKnown(id);
      if (again !== undefined) return again ?? undefined;
      return await this.#index.find(id);
    });
  }

  /** The row from memory: `null` if there is none, `undefined` if a block must be read. */
  #rowIfKnown(id: number): IndexRow | null | undefined {
    const change = this.#pending.get(id);
    if (change !== undefined) return change && { id, ...change };
    return this.#index.findCached(id);
  }

  async *rows(): AsyncGenerator<IndexRow[]> {
    using snapshot = await this.#serial(async () => {
      await this.#commit();
      return await this.#index.snapshot();
    });
    yield* snapshot.batches();
  }

  async ids(): Promise<number[]> {
    const ids: number[] = [];
    for await (const rows of this.rows()) for (const row of rows) ids.push(row.id);
    return ids;
  }

  size(): number {
    return this.#index.rows;
  }

  commit(): Promise<void> {
    return this.#serial(() => this.#commit());
  }

  async #commit(): Promise<void> {
    if (this.#pending.size === 0 && !this.#indexStale && !this.#journalExists) return;
    try {
      await this.#index.merge(this.#pending);
    } catch (error) {
      throw new RunError(`Cannot write ${this.#indexPath}: ${(error as Error).message}`);
    }
    this.#pending.clear();
    this.#indexStale = false;
    this.#closeJournalNow();
    await removeIfPresent(this.#journalPath);
    this.#journalExists = false;
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

/** Synchronous: far cheaper than crypto.subtle (a promise and a copy) for small files. */
function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
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
function encode(entries: Iterable<{ id: number; moniker: string; body: unknown }>): EncodedBatch {
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
      throw new RunError(`Cannot serialize record ${id}: ${(error as Error).message}`);
    }
    if (text === undefined) throw new RunError(`Record ${id} has no JSON representation.`);
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
    files.set(id, { id, moniker, bytes, hash: sha256(bytes) });
  }
  return { files: [...files.values()], buffers, written: false };
}

async function writeAll(file: Deno.FsFile, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
