/**
 * A record folder's write-ahead journal (`.index-journal.csv`): the index rows written since the
 * last commit, each with the SHA-256 of the content its file is about to hold. Rows are appended
 * in one write per page before their files are written, so a kill tears at most the last line;
 * the commit that merges them into `index.csv` deletes the journal. So the journal exists
 * whenever the folder may not match its index, and opening the folder then repairs it
 * (recovery.ts).
 */
import { removeIfPresent } from "../files.ts";
import { openNoFollow } from "./no_follow.ts";
import { parseId } from "../ids.ts";
import { type CsvRecord, CsvTokenizer, formatCsv, isValidTimestamp } from "./index_codec.ts";

/** Journal columns: an index row plus the SHA-256 (hex) of the record file's content. */
export const JOURNAL_HEADER = ["id", "moniker", "timestamp", "sha256"] as const;

export interface JournalRow {
  id: number;
  moniker: string;
  timestamp: string;
  /** SHA-256 (hex) of the content the row's file was about to hold. */
  hash: string;
}

/** What a journal left by an unfinished run holds. */
export interface JournalContent {
  /** Each id's rows, in the order they were written. */
  rows: Map<number, Omit<JournalRow, "id">[]>;
  /** Lines that could not be used: a torn last line, or every line after a damaged header. */
  badLines: number;
}

const READ_BYTES = 256 * 1024;

export class Journal {
  #file: Deno.FsFile | undefined;
  #exists = false;

  constructor(readonly path: string) {}

  /** Whether the journal is on disk as far as this handle knows (read, or opened, not deleted). */
  get exists(): boolean {
    return this.#exists;
  }

  /**
   * Reads a journal left by a run that did not commit, tolerating a torn last line. Throws
   * Deno.errors.NotFound when there is none.
   */
  async read(): Promise<JournalContent> {
    const content: JournalContent = { rows: new Map(), badLines: 0 };
    const file = await openNoFollow(this.path, { read: true });
    try {
      const tokenizer = new CsvTokenizer();
      const decoder = new TextDecoder();
      const buffer = new Uint8Array(READ_BYTES);
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
          content.badLines++;
          return;
        }
        const list = content.rows.get(id) ?? [];
        list.push({ moniker: fields[1], timestamp: fields[2], hash: fields[3] });
        content.rows.set(id, list);
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
    this.#exists = true;
    return content;
  }

  /** Opens the journal for appending, creating it (with its header) if it is not there. */
  async open(): Promise<void> {
    if (this.#file) return;
    this.#file = await openNoFollow(this.path, { append: true, create: true });
    if (!this.#exists) {
      this.#exists = true;
      await writeAll(this.#file, formatCsv([[...JOURNAL_HEADER]]));
    }
  }

  /** Appends rows in one write (opening the journal first if needed); nothing for no rows. */
  async append(rows: readonly JournalRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.open();
    const lines = rows.map((r) => [String(r.id), r.moniker, r.timestamp, r.hash]);
    await writeAll(this.#file!, formatCsv(lines));
  }

  /** Closes the handle; the file stays on disk for the next open to replay. */
  close(): void {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }

  /** Closes and deletes the journal: its rows are in `index.csv` now. */
  async delete(): Promise<void> {
    this.close();
    await removeIfPresent(this.path);
    this.#exists = false;
  }
}

async function writeAll(file: Deno.FsFile, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
