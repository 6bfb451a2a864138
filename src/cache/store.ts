/**
 * The cache store: one folder per entity, one `<id>.json` per record, and an `index.csv` with one
 * row per record file. Knows nothing of HTTP.
 *
 * Crash safety (kill -9 at any moment):
 * - record files are written atomically (temporary + rename), so only whole files exist;
 * - before a page's files are written, its rows are appended (one write) to the write-ahead
 *   journal `.index-journal.csv`, each with the SHA-256 of the file content about to be written;
 * - `commit()` merges the in-memory index into `index.csv` (temporary + rename), then deletes
 *   the journal;
 * - opening a folder removes temporaries, replays a leftover journal (a torn last line is
 *   ignored; a row applies only if its file now holds exactly the journaled content, so a kill
 *   between journal and rename never leaves a row describing a file that was not written),
 *   drops rows whose file is gone and adopts record files that have no row (moniker computed
 *   from the file, timestamp = its mtime), then commits.
 * So every index row has its file and matches it, and the next run completes what a killed run
 * left.
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import { RunError } from "../errors.ts";
import { type Clock, systemClock } from "../clock.ts";
import { openAtomic, removeTempFiles, writeFileAtomic } from "./atomic.ts";
import { acquireLock, type Lock } from "./lock.ts";
import {
  type CsvRecord,
  CsvTokenizer,
  formatCsv,
  formatHeader,
  INDEX_FILE,
  type IndexRow,
  isIndexProblem,
  isValidTimestamp,
  parseId,
  readIndexBatches,
} from "./index_csv.ts";

/** Computes a record's index moniker; the caller (the entity table) knows the record's shape. */
// deno-lint-ignore no-explicit-any
export type MonikerOf = (record: any) => string;

export const JOURNAL_FILE = ".index-journal.csv";
/** Journal columns: an index row plus the SHA-256 (hex) of the record file's content. */
export const JOURNAL_HEADER = ["id", "moniker", "timestamp", "sha256"] as const;
/** How many record files are written (or read, when adopting) at the same time. */
export const WRITE_CONCURRENCY = 16;

/** Index rows formatted and written per chunk by `commit()`: its memory does not grow with the index. */
const COMMIT_CHUNK_ROWS = 2000;

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
   */
  folder(name: string, moniker: MonikerOf): Promise<EntityFolder>;
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

  async folder(name: string, moniker: MonikerOf): Promise<EntityFolder> {
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

/**
 * An index row is held as one flat string: char(timestamp length) + timestamp + moniker. About
 * half the memory of an object with two strings (100,000 rows ≈ 10 MB rather than 20 MB).
 */
type Packed = string;

function pack(moniker: string, timestamp: string): Packed {
  // JSON round trip: a flat copy that keeps no reference to the parts or to parsed input.
  return JSON.parse(JSON.stringify(String.fromCharCode(timestamp.length) + timestamp + moniker));
}

function unpack(id: number, packed: Packed): IndexRow {
  const length = packed.charCodeAt(0);
  return { id, moniker: packed.slice(1 + length), timestamp: packed.slice(1, 1 + length) };
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
  #index = new Map<number, Packed>();
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

  private constructor(readonly dir: string, private readonly moniker: MonikerOf) {}

  static async open(dir: string, moniker: MonikerOf): Promise<EntityFolder> {
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
    try {
      for await (const batch of readIndexBatches(this.#indexPath)) {
        for (const item of batch) {
          if (isIndexProblem(item)) {
            if (item.kind !== "timestamp" && item.kind !== "order") report.badLines++;
            this.#dirty = true;
            continue;
          }
          if (!isValidTimestamp(item.timestamp)) continue; // re-adopted below with its mtime
          this.#index.set(item.id, pack(item.moniker, item.timestamp));
        }
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }

    // 2. A journal left by a run that did not commit (killed, or crashed). Its rows were
    //    written before their files; a row applies only if the file now holds that content.
    try {
      await this.#replayJournal();
      this.#journalExists = true;
      this.#dirty = true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }

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
        this.#index.set(id, pack(moniker, timestamp));
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
        this.#index.set(files[i].id, pack(files[i].moniker, timestamp));
      } else {
        failure ??= result.reason;
      }
    });
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
          this.#index.set(id, pack(list[i].moniker, list[i].timestamp));
          report.journalRowsReplayed++;
          return;
        }
      }
    });
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async #appendJournal(rows: string[][]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.#journal) {
      this.#journal = await Deno.open(this.#journalPath, { append: true, create: true });
      if (!this.#journalExists) {
        this.#journalExists = true;
        await writeAll(this.#journal, formatCsv([[...JOURNAL_HEADER]]));
      }
    }
    // One write per page, so a kill tears at most the last line.
    await writeAll(this.#journal, formatCsv(rows));
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
    const packed = this.#index.get(id);
    return packed === undefined ? undefined : unpack(id, packed);
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
    try {
      await this.#writeIndex();
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

  /**
   * Writes `index.csv` atomically, sorted by id, a chunk of rows at a time: formatting the whole
   * index at once cost about 50 MB of heap at 100,000 rows, the peak of a long extraction.
   */
  async #writeIndex(): Promise<void> {
    // A Float64Array sorts numerically and holds 100,000 ids in 800 KB.
    const ids = Float64Array.from(this.#index.keys()).sort();
    const target = await openAtomic(this.#indexPath);
    try {
      await writeAll(target.file, formatHeader());
      for (let start = 0; start < ids.length; start += COMMIT_CHUNK_ROWS) {
        const rows: string[][] = [];
        for (const id of ids.subarray(start, start + COMMIT_CHUNK_ROWS)) {
          const { moniker, timestamp } = unpack(id, this.#index.get(id)!);
          rows.push([String(id), moniker, timestamp]);
        }
        await writeAll(target.file, formatCsv(rows));
      }
      await target.commit();
    } catch (error) {
      await target.abort().catch(() => {});
      throw error;
    }
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
