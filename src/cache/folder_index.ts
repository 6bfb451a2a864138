/**
 * A record folder's index as the store keeps it: the committed `index.csv` (read from disk a
 * block at a time, index_file.ts), the rows changed since the last commit (in memory, at most
 * `PENDING_LIMIT`), and the journal that lets those changes survive a kill. `commit` merges the
 * changes into `index.csv` (temporary + rename), then deletes the journal.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import type { IndexRow } from "./index_codec.ts";
import { type IndexChange, IndexFile } from "./index_file.ts";
import { Journal } from "./journal.ts";
import { INDEX_FILE, JOURNAL_FILE } from "./layout.ts";

/**
 * Rows written since the last commit are merged into `index.csv` when they reach this many, so
 * the rows held in memory (and the journal) stay bounded whatever the caller does.
 */
export const PENDING_LIMIT = 10_000;

export class FolderIndex {
  readonly indexPath: string;
  /** The committed `index.csv`. */
  index: IndexFile;
  /** Rows written (or removed: `null`) since the last commit; bounded by `PENDING_LIMIT`. */
  readonly pending = new Map<number, IndexChange>();
  /** Whether `index.csv` must be written even with nothing pending (new or repaired folder). */
  stale = false;
  readonly journal: Journal;

  /** `pendingLimit`: when the pending rows are committed by themselves (tests set it lower). */
  constructor(readonly dir: string, readonly pendingLimit = PENDING_LIMIT) {
    this.indexPath = join(dir, INDEX_FILE);
    this.index = new IndexFile(this.indexPath);
    this.journal = new Journal(join(dir, JOURNAL_FILE));
  }

  /** Whether the pending rows have reached `pendingLimit` and should be committed. */
  get full(): boolean {
    return this.pending.size >= this.pendingLimit;
  }

  /** The row from memory: `null` if there is none, `undefined` if a block must be read. */
  rowIfKnown(id: number): IndexRow | null | undefined {
    const change = this.pending.get(id);
    if (change !== undefined) return change && { id, ...change };
    return this.index.findCached(id);
  }

  /** Merges the pending rows into `index.csv` (atomic), then deletes the journal. */
  async commit(): Promise<void> {
    if (this.pending.size === 0 && !this.stale && !this.journal.exists) return;
    try {
      await this.index.merge(this.pending);
    } catch (error) {
      throw new RunError(
        `${this.indexPath}: cannot be written (${
          (error as Error).message
        }); the next run rebuilds it`,
      );
    }
    this.pending.clear();
    this.stale = false;
    await this.journal.delete();
  }
}
