/**
 * The cache store: one folder per entity, one `<id>.json` per record, and an `index.csv` with one
 * row per record file. Knows nothing of HTTP. The store composes its parts: layout.ts (names),
 * encode.ts (records to file contents), journal.ts and folder_index.ts (the index and the rows
 * written since its last commit), recovery.ts (opening a folder a run left unfinished), lock.ts.
 *
 * Crash safety (kill -9 at any moment):
 * - record files are written atomically (temporary + rename), so only whole files exist;
 * - before a page's files are written, its rows are appended (one write) to the write-ahead
 *   journal `.index-journal.csv`, each with the SHA-256 of the file content about to be written;
 * - removals and repairs also create the journal before they change anything, so the journal
 *   exists whenever the folder may not match its index;
 * - `commit()` merges the rows written since the last commit into `index.csv` (temporary +
 *   rename), then deletes the journal;
 * - opening a folder that has a journal (or a missing or damaged index) repairs it from its
 *   files (recovery.ts). A folder without a journal and with a clean index is used as it is.
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
import { RunError } from "../errors.ts";
import { type Clock, systemClock } from "../clock.ts";
import { removeIfPresent } from "../files.ts";
import { writeFileAtomic } from "./atomic.ts";
import {
  type ApiRecordWithId,
  claimEncoded,
  type EncodedFile,
  type EncodedRecords,
  encodeEntries,
  encodeRecords,
  type Entry,
  type MonikerOf,
  validateId,
} from "./encode.ts";
import { FolderIndex, PENDING_LIMIT } from "./folder_index.ts";
import type { IndexRow } from "./index_codec.ts";
import { isFolderName, recordFileName, removeTempFiles } from "./layout.ts";
import { acquireLock, type Lock } from "./lock.ts";
import { ensureFolder, lstatOrUndefined, symlinkError } from "./no_follow.ts";
import { settleConcurrent } from "../concurrency.ts";
import { WRITE_CONCURRENCY } from "./concurrency.ts";
import { emptyRecoveryReport, recoverFolder, type RecoveryReport } from "./recovery.ts";

export interface CacheOptions {
  clock?: Clock;
  /** Rows a folder holds uncommitted before it commits by itself; default PENDING_LIMIT (tests). */
  pendingLimit?: number;
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
   * needs to stay alive during the (slow) writes. Throws RunError like `writeRecords`. `moniker`
   * replaces the folder's moniker function for these records (one whose moniker needs a lookup
   * the caller made for this page).
   */
  encodeRecords(records: Iterable<ApiRecordWithId>, moniker?: MonikerOf): EncodedRecords;
  /**
   * The second half of `writeRecords`: journals and writes what `encodeRecords` returned, but for
   * the ids in `unchanged`, whose files the caller found holding exactly that content (their files
   * and index rows stay as they are).
   */
  writeEncoded(
    encoded: EncodedRecords,
    extractedAt: Date,
    unchanged?: ReadonlySet<number>,
  ): Promise<void>;
  /** Same, with id and moniker given explicitly; `body` is the file's content. */
  writeEntries(entries: Entry[], extractedAt: Date): Promise<void>;
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

/**
 * Whether the cache folder `dir` is there: true for a folder, false when nothing is. A file in its
 * place, or a file where one of its parent folders should be, is a RunError saying exactly that:
 * every command that reads or writes the cache asks this first, before any request.
 */
export async function cacheFolderExists(dir: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    if (error instanceof Deno.errors.NotADirectory) {
      throw notAFolder(dir, "part of its path is a file, not a folder");
    }
    throw error;
  }
  if (!info.isDirectory) throw notAFolder(dir, "is a file, not a folder");
  return true;
}

function notAFolder(dir: string, problem: string): RunError {
  return new RunError(
    `cache folder ${dir}: ${problem}; point --cache-dir (or GREENHOUSE_CACHE_DIR) at the cache ` +
      "folder, or at a path where one may be made",
  );
}

/** Creates the cache folder if needed and takes its writer lock. */
export async function openCache(dir: string, opts: CacheOptions = {}): Promise<Cache> {
  const clock = opts.clock ?? systemClock;
  await cacheFolderExists(dir).catch((error) => {
    // A folder this build may not even read: mkdir says what it may not write, the real refusal.
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
  });
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new RunError(
      `cache folder ${dir}: cannot be created (${(error as Error).message}); check --cache-dir`,
    );
  }
  const lock = await acquireLock(dir, { clock });
  try {
    // A root file's temporary (.state.json, a step's progress, the repair list…) left by a
    // killed run: whoever holds the lock next sweeps it (entity folders sweep their own).
    await removeTempFiles(dir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new CacheImpl(dir, lock, opts.pendingLimit ?? PENDING_LIMIT);
}

class CacheImpl implements Cache {
  #folders = new Map<string, Promise<EntityFolder>>();
  #closed = false;

  constructor(
    readonly dir: string,
    private readonly lock: Lock,
    private readonly pendingLimit: number,
  ) {}

  async folder(
    name: string,
    moniker: MonikerOf,
    opts: { reconcile?: boolean } = {},
  ): Promise<EntityFolder> {
    this.#checkName(name);
    let folder = this.#folders.get(name);
    if (!folder) {
      folder = FolderImpl.open(
        join(this.dir, name),
        moniker,
        opts.reconcile ?? false,
        this.pendingLimit,
      );
      this.#folders.set(name, folder);
      folder.catch(() => this.#folders.delete(name));
    }
    return await folder;
  }

  async existingFolder(name: string, moniker: MonikerOf): Promise<EntityFolder | undefined> {
    this.#checkName(name);
    const info = await lstatOrUndefined(join(this.dir, name));
    if (info?.isSymlink) throw symlinkError(join(this.dir, name));
    if (!info?.isDirectory) return undefined;
    return await this.folder(name, moniker);
  }

  #checkName(name: string): void {
    if (this.#closed) throw new TypeError(`cache ${this.dir}: used after close`);
    if (!isFolderName(name)) {
      throw new RangeError(
        `cache folder name ${JSON.stringify(name)}: not a folder this cache has`,
      );
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

class FolderImpl implements EntityFolder {
  /** The committed index, the rows changed since, and their journal. */
  readonly #state: FolderIndex;
  #queue: Promise<unknown> = Promise.resolve();
  readonly recovery: RecoveryReport = emptyRecoveryReport();

  private constructor(
    readonly dir: string,
    private readonly moniker: MonikerOf,
    pendingLimit: number,
  ) {
    this.#state = new FolderIndex(dir, pendingLimit);
  }

  static async open(
    dir: string,
    moniker: MonikerOf,
    reconcile: boolean,
    pendingLimit: number,
  ): Promise<EntityFolder> {
    try {
      await ensureFolder(dir); // never through a link: files written there would land outside
    } catch (error) {
      if (error instanceof RunError) throw error;
      throw new RunError(
        `cache folder ${dir}: cannot be created (${(error as Error).message}); check --cache-dir`,
      );
    }
    const folder = new FolderImpl(dir, moniker, pendingLimit);
    await recoverFolder(folder.#state, moniker, reconcile, folder.recovery);
    return folder;
  }

  /** Serializes operations on this folder. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op);
    this.#queue = result.catch(() => {});
    return result;
  }

  filePath(id: number): string {
    return join(this.dir, recordFileName(validateId(id)));
  }

  async writeRecords(records: ApiRecordWithId[], extractedAt: Date): Promise<void> {
    const encoded = this.encodeRecords(records);
    await this.writeEncoded(encoded, extractedAt);
  }

  encodeRecords(records: Iterable<ApiRecordWithId>, moniker?: MonikerOf): EncodedRecords {
    return encodeRecords(records, moniker ?? this.moniker);
  }

  async writeEntries(entries: Entry[], extractedAt: Date): Promise<void> {
    await this.writeEncoded(encodeEntries(entries), extractedAt);
  }

  async writeEncoded(
    encoded: EncodedRecords,
    extractedAt: Date,
    unchanged?: ReadonlySet<number>,
  ): Promise<void> {
    const { files, release } = claimEncoded(encoded);
    if (Number.isNaN(extractedAt.getTime())) {
      throw new RangeError("extraction time: not a valid date");
    }
    const changed = unchanged?.size ? files.filter((file) => !unchanged.has(file.id)) : files;
    try {
      await this.#serial(() => this.#write(changed, extractedAt.toISOString()));
    } finally {
      release(); // every write of these files has settled
    }
  }

  async #write(files: readonly EncodedFile[], timestamp: string): Promise<void> {
    const state = this.#state;
    // Write-ahead: the rows (with each file's content hash) go to the journal before the files.
    await state.journal.append(
      files.map((f) => ({ id: f.id, moniker: f.moniker, timestamp, hash: f.hash })),
    );
    const results = await settleConcurrent(files, WRITE_CONCURRENCY, async (f) => {
      await writeFileAtomic(this.filePath(f.id), f.bytes);
    });
    let failure: unknown;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") {
        state.pending.set(files[i].id, { moniker: files[i].moniker, timestamp });
      } else {
        failure ??= result.reason;
      }
    });
    if (state.full) await state.commit();
    if (failure !== undefined) {
      if (failure instanceof RunError) throw failure;
      throw new RunError(
        `${this.dir}: a record file cannot be written (${(failure as Error).message})`,
      );
    }
  }

  async remove(ids: number[]): Promise<void> {
    const checked = ids.map((id) => validateId(id));
    const state = this.#state;
    await this.#serial(async () => {
      // Files first: a kill before the commit leaves rows without files, and the journal that
      // makes the next open drop them.
      await state.journal.open();
      await settleConcurrent(checked, WRITE_CONCURRENCY, (id) => removeIfPresent(this.filePath(id)))
        .then(
          (results) => {
            const failed = results.find((r) => r.status === "rejected");
            if (failed) {
              throw new RunError(
                `${this.dir}: a record file cannot be removed (${
                  ((failed as PromiseRejectedResult).reason as Error).message
                })`,
              );
            }
          },
        ).finally(() => {
          for (const id of checked) state.pending.set(id, null);
        });
      await state.commit();
    });
  }

  async has(id: number): Promise<boolean> {
    return (await this.row(id)) !== undefined;
  }

  async row(id: number): Promise<IndexRow | undefined> {
    const known = this.#state.rowIfKnown(id);
    if (known !== undefined) return known ?? undefined;
    // A block read: serialized, so that no commit replaces the file meanwhile.
    return await this.#serial(async () => {
      const again = this.#state.rowIfKnown(id);
      if (again !== undefined) return again ?? undefined;
      return await this.#state.index.find(id);
    });
  }

  async *rows(): AsyncGenerator<IndexRow[]> {
    using snapshot = await this.#serial(async () => {
      await this.#state.commit();
      return await this.#state.index.snapshot();
    });
    yield* snapshot.batches();
  }

  async ids(): Promise<number[]> {
    const ids: number[] = [];
    for await (const rows of this.rows()) for (const row of rows) ids.push(row.id);
    return ids;
  }

  size(): number {
    return this.#state.index.rows;
  }

  commit(): Promise<void> {
    return this.#serial(() => this.#state.commit());
  }

  /** Closes the journal handle (rows stay on disk for the next open to replay). */
  async closeJournal(): Promise<void> {
    await this.#queue;
    this.#state.journal.close();
  }
}
