/**
 * A folder's committed `index.csv`, used from disk. Memory holds only the first id and byte
 * offset of each block of `BLOCK_ROWS` rows (about 16 bytes per 256 records), so a folder's
 * memory does not grow with its records:
 * - a row is found by reading its one block (the last block read is kept for the next lookup,
 *   which is usually in the same block);
 * - all rows are streamed block by block from a snapshot of the file;
 * - `merge` writes a new file (temporary + rename) from the old one and a set of changes,
 *   copying untouched blocks byte for byte and re-formatting only the blocks the changes fall in.
 *   Appending higher ids, the common case, rewrites only the last block.
 */
import { openAtomic } from "./atomic.ts";
import {
  emptyLayout,
  formatCsv,
  formatHeader,
  type IndexLayout,
  type IndexRow,
  parseBlock,
} from "./index_codec.ts";
import { INDEX_FILE } from "./layout.ts";
import { openNoFollow } from "./no_follow.ts";

/** Rows per block: a lookup reads about this many rows (roughly 20 KB). */
export const BLOCK_ROWS = 256;

/** A row's new content, or `null` for a row to remove. */
export type IndexChange = { moniker: string; timestamp: string } | null;

/** Bytes read at a time when copying untouched blocks or streaming the file. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/** The rows of an index file as it was when the snapshot was taken. */
export interface IndexSnapshot extends Disposable {
  /** Every row, in id order, a block at a time. */
  batches(): AsyncGenerator<IndexRow[]>;
}

export class IndexFile {
  #layout: IndexLayout;
  #cached: { block: number; rows: Map<number, IndexRow> } | undefined;

  /** `layout` must describe the file at `path` as it is (from `scanIndex` or a `merge`). */
  constructor(readonly path: string, layout: IndexLayout = emptyLayout()) {
    this.#layout = layout;
  }

  /** Rows in the file. */
  get rows(): number {
    return this.#layout.rows;
  }

  /** Blocks in the file (what its memory is proportional to). */
  get blocks(): number {
    return this.#layout.firstIds.length;
  }

  /** The block whose id range holds `id`, or -1 when `id` is below the first row. */
  #blockOf(id: number): number {
    const { firstIds } = this.#layout;
    let lo = 0;
    let hi = firstIds.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (firstIds[mid] <= id) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * The row of `id` if it can be answered without reading the file: `null` when the file has
   * no such row, `undefined` when its block must be read first (`find`).
   */
  findCached(id: number): IndexRow | null | undefined {
    const block = this.#blockOf(id);
    if (block < 0) return null;
    if (this.#cached?.block !== block) return undefined;
    return this.#cached.rows.get(id) ?? null;
  }

  /** The row of `id`, reading its block if needed; `undefined` if the file has none. */
  async find(id: number): Promise<IndexRow | undefined> {
    const cached = this.findCached(id);
    if (cached !== undefined) return cached ?? undefined;
    const block = this.#blockOf(id);
    using file = await openNoFollow(this.path, { read: true });
    const rows = await readBlock(file, this.#layout, block);
    this.#cached = { block, rows: new Map(rows.map((row) => [row.id, row])) };
    return this.#cached.rows.get(id);
  }

  /**
   * Opens the file as it is now, to stream every row from it: a later `merge` does not change
   * what the snapshot returns (it holds the old file open). Dispose of it when done.
   */
  async snapshot(): Promise<IndexSnapshot> {
    const layout = this.#layout;
    const file = layout.rows > 0 ? await openNoFollow(this.path, { read: true }) : undefined;
    return {
      async *batches() {
        for (let block = 0; block < layout.firstIds.length; block++) {
          yield await readBlock(file!, layout, block);
        }
      },
      [Symbol.dispose]() {
        file?.close();
      },
    };
  }

  /**
   * Replaces the file (temporary + rename) with its rows merged with `changes` (a later change
   * to an id wins over the file's row; `null` removes it), sorted by id.
   */
  async merge(changes: ReadonlyMap<number, IndexChange>): Promise<void> {
    const old = this.#layout;
    const target = await openAtomic(this.path);
    const source = old.firstIds.length > 0
      ? await openNoFollow(this.path, { read: true })
      : undefined;
    const merging = new IndexMerge(this.path, old, changes, target.file, source);
    try {
      await merging.run();
      await target.commit();
    } catch (error) {
      await target.abort().catch(() => {});
      throw error;
    } finally {
      source?.close();
    }
    this.#layout = merging.next;
    this.#cached = undefined;
  }
}

/**
 * One merge of an index with changes, into a new file: blocks no change falls in are copied byte
 * for byte, the others read, merged and written again.
 */
class IndexMerge {
  /** The new file's layout, as it is written. */
  readonly next = emptyLayout();
  /** The changed ids, ascending, and how many of them are merged so far. */
  readonly #ids: Float64Array;
  #c = 0;
  readonly #encoder = new TextEncoder();

  constructor(
    readonly path: string,
    readonly old: IndexLayout,
    readonly changes: ReadonlyMap<number, IndexChange>,
    readonly target: Deno.FsFile,
    readonly source: Deno.FsFile | undefined,
  ) {
    this.#ids = Float64Array.from(changes.keys()).sort();
  }

  async run(): Promise<void> {
    const { old } = this;
    const blocks = old.firstIds.length;
    const ids = this.#ids;
    await this.#write(this.#encoder.encode(formatHeader()));
    let untouchedFrom = -1;
    // Rows of a re-written block that removals left under half full, joined to the next one.
    let carry: IndexRow[] = [];
    for (let b = 0; b < blocks; b++) {
      const upper = b + 1 < blocks ? old.firstIds[b + 1] : Infinity;
      if (carry.length === 0 && (this.#c >= ids.length || ids[this.#c] >= upper)) {
        if (untouchedFrom < 0) untouchedFrom = b;
        continue;
      }
      if (untouchedFrom >= 0) await this.#copyBlocks(untouchedFrom, b);
      untouchedFrom = -1;
      const rows = carry.concat(this.#mergeInto(await readBlock(this.source!, old, b), upper));
      carry = [];
      if (rows.length < BLOCK_ROWS / 2 && b + 1 < blocks) carry = rows;
      else await this.#writeRows(rows);
    }
    if (untouchedFrom >= 0) await this.#copyBlocks(untouchedFrom, blocks);
    if (blocks === 0) await this.#writeRows(this.#mergeInto([], Infinity));
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.target.write(bytes.subarray(written));
    this.next.bytes += bytes.length;
  }

  /**
   * Split evenly (257 rows make blocks of 129 and 128, not 256 and 1), so blocks stay at least
   * half full however many merges insert into them (and removals, see `carry` in `run`).
   */
  async #writeRows(rows: IndexRow[]): Promise<void> {
    const { next } = this;
    const parts = Math.ceil(rows.length / BLOCK_ROWS);
    for (let part = 0; part < parts; part++) {
      const block = rows.slice(
        Math.floor((part * rows.length) / parts),
        Math.floor(((part + 1) * rows.length) / parts),
      );
      next.firstIds.push(block[0].id);
      next.offsets.push(next.bytes);
      next.counts.push(block.length);
      next.rows += block.length;
      await this.#write(
        this.#encoder.encode(formatCsv(block.map((r) => [String(r.id), r.moniker, r.timestamp]))),
      );
    }
  }

  /** Copies old blocks [from, to) byte for byte. */
  async #copyBlocks(from: number, to: number): Promise<void> {
    const { old, next } = this;
    const source = this.source!;
    const start = old.offsets[from];
    const end = to < old.firstIds.length ? old.offsets[to] : old.bytes;
    for (let b = from; b < to; b++) {
      next.firstIds.push(old.firstIds[b]);
      next.offsets.push(next.bytes + old.offsets[b] - start);
      next.counts.push(old.counts[b]);
      next.rows += old.counts[b];
    }
    await source.seek(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(Math.min(COPY_CHUNK_BYTES, end - start));
    for (let at = start; at < end;) {
      const n = await source.read(buffer.subarray(0, Math.min(buffer.length, end - at)));
      if (n === null) throw new Error(`${this.path} is shorter than expected`);
      await this.#write(buffer.subarray(0, n));
      at += n;
    }
  }

  /** Changed ids below `upper`, merged into `rows` (sorted). */
  #mergeInto(rows: IndexRow[], upper: number): IndexRow[] {
    const ids = this.#ids;
    const merged: IndexRow[] = [];
    let i = 0;
    while (i < rows.length || (this.#c < ids.length && ids[this.#c] < upper)) {
      const id = this.#c < ids.length && ids[this.#c] < upper ? ids[this.#c] : Infinity;
      if (i < rows.length && rows[i].id < id) {
        merged.push(rows[i++]);
        continue;
      }
      if (i < rows.length && rows[i].id === id) i++; // replaced or removed
      const change = this.changes.get(id)!;
      if (change !== null) merged.push({ id, ...change });
      this.#c++;
    }
    return merged;
  }
}

/** Reads and parses block `block` of the file `layout` describes. */
async function readBlock(
  file: Deno.FsFile,
  layout: IndexLayout,
  block: number,
): Promise<IndexRow[]> {
  const start = layout.offsets[block];
  const end = block + 1 < layout.offsets.length ? layout.offsets[block + 1] : layout.bytes;
  const bytes = new Uint8Array(end - start);
  await file.seek(start, Deno.SeekMode.Start);
  for (let at = 0; at < bytes.length;) {
    const n = await file.read(bytes.subarray(at));
    if (n === null) throw new Error(`${INDEX_FILE} is shorter than its layout`);
    at += n;
  }
  const rows = parseBlock(new TextDecoder().decode(bytes));
  if (rows.length !== layout.counts[block] || rows[0]?.id !== layout.firstIds[block]) {
    throw new Error(`${INDEX_FILE} changed while in use`);
  }
  return rows;
}
