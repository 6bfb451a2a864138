/**
 * The `index.csv` codec. The format of an entity folder's index: header `id,moniker,timestamp`,
 * one row per record file, sorted by numeric id, RFC 4180 quoting, CRLF line endings, timestamps
 * in UTC ISO-8601 ending in `Z`. Monikers round-trip exactly: fields starting with `=`, `+`, `-`,
 * `@` or a tab are quoted (so spreadsheet tools treat them as text) but never prefixed or altered.
 *
 * Writing uses csv-stringify. Reading uses a small incremental RFC 4180 parser here, because the
 * reader must be tolerant (a `check` command reports every problem with its line number and
 * carries on) and streaming (a 100,000-row index is read chunk by chunk).
 */
import { type Options, stringify } from "csv-stringify/sync";
import { parseId } from "../ids.ts";
import { INDEX_FILE } from "./layout.ts";
import { openNoFollow } from "./no_follow.ts";

export const INDEX_HEADER = ["id", "moniker", "timestamp"] as const;
export const RECORD_DELIMITER = "\r\n";

export interface IndexRow {
  id: number;
  moniker: string;
  timestamp: string;
}

export type IndexProblemKind =
  | "header" // first line is not exactly id,moniker,timestamp
  | "malformed" // broken quoting, wrong number of fields, unterminated quote
  | "id" // id is not a positive safe integer written canonically
  | "timestamp" // timestamp is not UTC ISO-8601 ending in Z (the row is still returned)
  | "duplicate" // id already seen on an earlier line (the later row is dropped)
  | "order"; // rows not sorted by numeric id (reported once, at the first offending line)

export interface IndexProblem {
  kind: IndexProblemKind;
  /** 1-based line where the offending record starts. */
  line: number;
  message: string;
}

export function isIndexProblem(item: IndexRow | IndexProblem): item is IndexProblem {
  return "kind" in item;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export function isValidTimestamp(text: string): boolean {
  return TIMESTAMP.test(text) && !Number.isNaN(Date.parse(text));
}

const STRINGIFY_OPTIONS: Options = {
  record_delimiter: RECORD_DELIMITER,
  // csv-stringify only quotes the full record delimiter; a lone CR or LF must be quoted too.
  quoted_match: [/^[=+\-@\t]/, /[\r\n]/],
  eof: true,
};

/** Formats records as CSV lines with the index's quoting rules and line endings. */
export function formatCsv(records: string[][]): string {
  return records.length === 0 ? "" : stringify(records, STRINGIFY_OPTIONS);
}

/** Formats rows (any order) as CSV lines without the header, sorted by id. */
export function formatRows(rows: Iterable<IndexRow>): string {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  if (sorted.length === 0) return "";
  return stringify(sorted.map((r) => [String(r.id), r.moniker, r.timestamp]), STRINGIFY_OPTIONS);
}

export function formatHeader(): string {
  return INDEX_HEADER.join(",") + RECORD_DELIMITER;
}

/** The whole `index.csv` text: header, then rows sorted by numeric id. */
export function formatIndex(rows: Iterable<IndexRow>): string {
  return formatHeader() + formatRows(rows);
}

/** A record as parsed from CSV text, before interpretation. */
export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** Set when quoting was broken; the fields are then best-effort. */
  error?: string;
  /** False for a last record that had no line ending (a torn append). */
  terminated: boolean;
}

/**
 * Incremental RFC 4180 tokenizer. Feed text with `push`, finish with `end`. Accepts CRLF, LF or
 * lone CR as record separators outside quotes; keeps line breaks inside quotes verbatim. Fields
 * are copied out of the input so the input chunks can be garbage collected.
 */
export class CsvTokenizer {
  #fields: string[] = [];
  #field = "";
  #state: "start" | "unquoted" | "quoted" | "quote" | "junk" = "start";
  #error: string | undefined;
  #line = 1;
  #recordLine = 1;
  #pendingCR = false;
  #pendingCRInQuotes = false;

  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = this.#skipPendingLF(text);
    while (i < n) {
      const state = this.#state;
      if (state === "quoted") i = this.#readQuoted(text, i);
      else if (state === "quote") i = this.#afterQuote(text, i);
      else i = this.#readUnquoted(text, i, out);
    }
    return out;
  }

  /** A CR ended the previous chunk; a following LF belongs to it. Returns where to go on. */
  #skipPendingLF(text: string): number {
    if (!this.#pendingCR || text.length === 0) return 0;
    this.#pendingCR = false;
    if (text.charCodeAt(0) !== 10) return 0;
    if (this.#pendingCRInQuotes) this.#field += "\n";
    return 1;
  }

  /** Inside quotes: a run of plain characters at once, then a quote or a line break. */
  #readQuoted(text: string, i: number): number {
    const n = text.length;
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 34 || c === 13 || c === 10) break;
      j++;
    }
    if (j > i) this.#field += text.slice(i, j);
    if (j >= n) return n;
    const c = text.charCodeAt(j);
    i = j + 1;
    if (c === 34) {
      this.#state = "quote";
    } else if (c === 10) {
      this.#field += "\n";
      this.#line++;
    } else { // CR
      this.#field += "\r";
      this.#line++;
      if (i < n) {
        if (text.charCodeAt(i) === 10) {
          this.#field += "\n";
          i++;
        }
      } else {
        this.#pendingCR = true;
        this.#pendingCRInQuotes = true;
      }
    }
    return i;
  }

  /** Outside quotes: a field's characters up to a comma (next field) or a line break (record). */
  #readUnquoted(text: string, i: number, out: CsvRecord[]): number {
    const n = text.length;
    if (this.#state === "start" && text.charCodeAt(i) === 34) {
      this.#state = "quoted";
      return i + 1;
    }
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 44 || c === 13 || c === 10) break;
      if (c === 34 && this.#state !== "junk") {
        this.#error ??= `stray quote in an unquoted field`;
      }
      j++;
    }
    if (j > i && this.#state !== "junk") this.#field += text.slice(i, j);
    if (this.#state === "start") this.#state = "unquoted";
    if (j >= n) return n;
    const c = text.charCodeAt(j);
    i = j + 1;
    if (c === 44) {
      this.#endField();
      return i;
    }
    if (c === 13) {
      if (i < n) {
        if (text.charCodeAt(i) === 10) i++;
      } else {
        this.#pendingCR = true;
        this.#pendingCRInQuotes = false;
      }
    }
    out.push(this.#endRecord(true));
    this.#line++;
    this.#recordLine = this.#line;
    return i;
  }

  /** Just saw a quote inside a quoted field: an escaped quote, the field's end, or junk. */
  #afterQuote(text: string, i: number): number {
    const c = text.charCodeAt(i);
    if (c === 34) {
      this.#field += '"';
      this.#state = "quoted";
      return i + 1;
    }
    if (c === 44 || c === 13 || c === 10) {
      this.#state = "unquoted";
    } else {
      this.#error ??= `unexpected character after a closing quote`;
      this.#state = "junk";
    }
    return i;
  }

  /** Finishes the input; returns the last record if it had no line ending. */
  end(): CsvRecord[] {
    this.#pendingCR = false;
    if (this.#state === "start" && this.#fields.length === 0) return [];
    if (this.#state === "quoted") this.#error ??= "quoted field not closed before end of file";
    const record = this.#endRecord(false);
    return [record];
  }

  #endField(): void {
    // Copy so that the field does not keep the input chunk alive (V8 sliced strings).
    const field = this.#field;
    this.#fields.push(field.length > 12 ? copyString(field) : field);
    this.#field = "";
    this.#state = "start";
  }

  #endRecord(terminated: boolean): CsvRecord {
    this.#endField();
    const record: CsvRecord = {
      fields: this.#fields,
      line: this.#recordLine,
      terminated,
    };
    if (this.#error !== undefined) record.error = this.#error;
    this.#fields = [];
    this.#error = undefined;
    return record;
  }
}

function copyString(s: string): string {
  // Flattens and detaches a (possibly sliced or concatenated) string from its parent.
  return JSON.parse(JSON.stringify(s));
}

function isBlank(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0] === "" && record.error === undefined;
}

/**
 * Interprets tokenized records as index rows: header check, field count, id, timestamp,
 * duplicates and order. Yields rows and problems in file order.
 */
export class IndexInterpreter {
  #first = true;
  #seen = new Set<number>();
  #lastId = 0;
  #orderReported = false;

  constructor(private readonly options: { allowDuplicates?: boolean } = {}) {}

  *accept(record: CsvRecord): Generator<IndexRow | IndexProblem> {
    if (isBlank(record)) return;
    const { fields, line } = record;
    if (this.#first) {
      this.#first = false;
      const isHeader = fields.length === 3 && fields.every((f, i) => f === INDEX_HEADER[i]);
      if (isHeader) return;
      yield {
        kind: "header",
        line,
        message: `expected header "${INDEX_HEADER.join(",")}", found "${
          truncate(fields.join(","))
        }"`,
      };
      // A missing header: a first line that looks like data is still read as data.
      if (parseId(fields[0] ?? "") === undefined) return;
    }
    if (record.error !== undefined) {
      yield { kind: "malformed", line, message: record.error };
      return;
    }
    if (fields.length !== 3) {
      yield {
        kind: "malformed",
        line,
        message: `expected 3 fields (id,moniker,timestamp), found ${fields.length}`,
      };
      return;
    }
    const [idText, moniker, timestamp] = fields;
    const id = parseId(idText);
    if (id === undefined) {
      yield {
        kind: "id",
        line,
        message: `id "${truncate(idText)}" is not a positive integer`,
      };
      return;
    }
    if (!this.options.allowDuplicates) {
      if (this.#seen.has(id)) {
        yield { kind: "duplicate", line, message: `id ${id} appears more than once` };
        return;
      }
      this.#seen.add(id);
      if (id < this.#lastId && !this.#orderReported) {
        this.#orderReported = true;
        yield {
          kind: "order",
          line,
          message: `rows are not sorted by id (${id} after ${this.#lastId})`,
        };
      }
      this.#lastId = Math.max(this.#lastId, id);
    }
    if (!isValidTimestamp(timestamp)) {
      yield {
        kind: "timestamp",
        line,
        message: `timestamp "${truncate(timestamp)}" is not UTC ISO-8601 ending in Z`,
      };
    }
    yield { id, moniker, timestamp };
  }
}

function truncate(text: string, max = 60): string {
  return text.length > max ? text.slice(0, max) + "…" : text;
}

/** Parses a whole index text tolerantly. Rows are in file order (duplicates dropped). */
export function parseIndex(text: string): { rows: IndexRow[]; problems: IndexProblem[] } {
  const rows: IndexRow[] = [];
  const problems: IndexProblem[] = [];
  const tokenizer = new CsvTokenizer();
  const interpreter = new IndexInterpreter();
  for (const record of [...tokenizer.push(text), ...tokenizer.end()]) {
    for (const item of interpreter.accept(record)) {
      if (isIndexProblem(item)) problems.push(item);
      else rows.push(item);
    }
  }
  if (text.trim() === "") {
    problems.push({ kind: "header", line: 1, message: "file is empty (no header)" });
  }
  return { rows, problems };
}

export interface ReadIndexOptions {
  /** Journal mode: later rows for an id replace earlier ones; no duplicate/order problems. */
  allowDuplicates?: boolean;
  /** Drop a last record that has no line ending (a torn append), reporting it as malformed. */
  dropUnterminated?: boolean;
}

/**
 * Streams rows and problems from an index (or journal) file without reading it whole, in file
 * order, one batch per chunk read (cheaper than one `yield` per row). Throws
 * `Deno.errors.NotFound` if the file does not exist.
 */
export async function* readIndexBatches(
  path: string,
  options: ReadIndexOptions = {},
): AsyncGenerator<(IndexRow | IndexProblem)[]> {
  const file = await openNoFollow(path, { read: true });
  const tokenizer = new CsvTokenizer();
  const interpreter = new IndexInterpreter({ allowDuplicates: options.allowDuplicates });
  let empty = true;
  try {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(256 * 1024);
    while (true) {
      const n = await file.read(buffer);
      if (n === null) break;
      if (n > 0) empty = false;
      const batch: (IndexRow | IndexProblem)[] = [];
      const text = decoder.decode(buffer.subarray(0, n), { stream: true });
      for (const record of tokenizer.push(text)) {
        for (const item of interpreter.accept(record)) batch.push(item);
      }
      if (batch.length > 0) yield batch;
    }
    const batch: (IndexRow | IndexProblem)[] = [];
    for (const record of [...tokenizer.push(decoder.decode()), ...tokenizer.end()]) {
      if (!record.terminated && options.dropUnterminated) {
        batch.push({
          kind: "malformed",
          line: record.line,
          message: "incomplete last line (no line ending); ignored",
        });
        continue;
      }
      for (const item of interpreter.accept(record)) batch.push(item);
    }
    if (empty && !options.allowDuplicates) {
      batch.push({ kind: "header", line: 1, message: "file is empty (no header)" });
    }
    if (batch.length > 0) yield batch;
  } finally {
    file.close();
  }
}

/**
 * Streams rows and problems from an index (or journal) file without reading it whole. Throws
 * `Deno.errors.NotFound` if the file does not exist.
 */
export async function* readIndexRows(
  path: string,
  options: ReadIndexOptions = {},
): AsyncGenerator<IndexRow | IndexProblem> {
  for await (const batch of readIndexBatches(path, options)) yield* batch;
}

/** What `scanIndex` measured: where blocks of rows start, so one block can be read alone. */
export interface IndexLayout {
  /** The first id of each block, ascending. */
  firstIds: number[];
  /** The byte offset at which each block starts. */
  offsets: number[];
  /** The rows in each block. */
  counts: number[];
  /** The file's length in bytes. */
  bytes: number;
  /** Data rows in the file. */
  rows: number;
}

export function emptyLayout(): IndexLayout {
  return { firstIds: [], offsets: [], counts: [], bytes: 0, rows: 0 };
}

export interface IndexScan {
  /**
   * Exactly what `formatIndex` writes: the header, then well-formed rows with canonical ids in
   * strictly ascending order and valid timestamps, every line ended. Only a clean index's layout
   * can be used; anything else must be rebuilt.
   */
  clean: boolean;
  layout: IndexLayout;
}

/**
 * Reads an index once, handing its rows to `onRows` in batches (file order), and measures it: the
 * byte offset of every `blockRows`-th row. Stops at the first defect (the scan is then not clean
 * and the rows seen so far are all `onRows` got). Throws `Deno.errors.NotFound` if there is no
 * file.
 *
 * Row offsets come from the bytes, not the decoded text: a quote, CR or LF byte never occurs
 * inside a multi-byte UTF-8 sequence, so tracking quotes byte by byte finds the same line breaks
 * as the tokenizer does in a clean file.
 */
export async function scanIndex(
  path: string,
  blockRows: number,
  onRows: (rows: IndexRow[]) => void,
): Promise<IndexScan> {
  using file = await openNoFollow(path, { read: true });
  const scanner = new IndexScanner(blockRows);
  const tokenizer = new CsvTokenizer();
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(256 * 1024);
  while (scanner.clean) {
    const n = await file.read(buffer);
    if (n === null) break;
    scanner.markStarts(buffer.subarray(0, n));
    const text = decoder.decode(buffer.subarray(0, n), { stream: true });
    const rows = scanner.accept(tokenizer.push(text));
    if (rows.length > 0) onRows(rows);
  }
  if (scanner.clean) {
    const rows = scanner.accept([...tokenizer.push(decoder.decode()), ...tokenizer.end()]);
    if (scanner.records === 0) scanner.clean = false; // no header
    if (rows.length > 0) onRows(rows);
  }
  return { clean: scanner.clean, layout: scanner.layout };
}

/** `scanIndex`'s measurements: where each record starts, and the blocks of the clean rows. */
class IndexScanner {
  readonly layout = emptyLayout();
  clean = true;
  /** Records the tokenizer returned so far, the header included. */
  records = 0;
  /** Where each record starts, queued until the tokenizer returns that record. */
  #starts: number[] = [];
  #head = 0;
  #inQuotes = false;
  #atStart = true;
  #afterCR = false;
  #lastId = 0;

  constructor(readonly blockRows: number) {}

  /** Notes the byte offset of every record these bytes start (the bytes follow the last ones). */
  markStarts(bytes: Uint8Array): void {
    const base = this.layout.bytes;
    let inQuotes = this.#inQuotes;
    let atStart = this.#atStart;
    let afterCR = this.#afterCR;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (afterCR) {
        afterCR = false;
        if (byte === 10) continue; // the LF of a CRLF
      }
      if (atStart) {
        this.#starts.push(base + i);
        atStart = false;
      }
      if (byte === 34) inQuotes = !inQuotes;
      else if (!inQuotes && (byte === 13 || byte === 10)) {
        atStart = true;
        afterCR = byte === 13;
      }
    }
    this.#inQuotes = inQuotes;
    this.#atStart = atStart;
    this.#afterCR = afterCR;
    this.layout.bytes += bytes.length;
  }

  /** The rows of these records, while the index stays clean. */
  accept(records: CsvRecord[]): IndexRow[] {
    const rows: IndexRow[] = [];
    for (const record of records) {
      if (this.clean) this.#acceptOne(record, rows);
    }
    this.#starts = this.#starts.slice(this.#head);
    this.#head = 0;
    return rows;
  }

  #acceptOne(record: CsvRecord, out: IndexRow[]): void {
    const start = this.#starts[this.#head++];
    const index = this.records++;
    const { fields } = record;
    if (!record.terminated || record.error !== undefined || start === undefined) {
      this.clean = false;
      return;
    }
    if (index === 0) {
      if (fields.join(",") !== INDEX_HEADER.join(",")) this.clean = false;
      return;
    }
    const id = fields.length === 3 ? parseId(fields[0]) : undefined;
    if (id === undefined || id <= this.#lastId || !isValidTimestamp(fields[2])) {
      this.clean = false;
      return;
    }
    const { layout } = this;
    if ((index - 1) % this.blockRows === 0) {
      layout.firstIds.push(id);
      layout.offsets.push(start);
      layout.counts.push(0);
    }
    layout.counts[layout.counts.length - 1]++;
    this.#lastId = id;
    layout.rows++;
    out.push({ id, moniker: fields[1], timestamp: fields[2] });
  }
}

/** Parses one block of a clean index (whole lines, no header) into its rows. */
export function parseBlock(text: string): IndexRow[] {
  const tokenizer = new CsvTokenizer();
  const rows: IndexRow[] = [];
  for (const record of [...tokenizer.push(text), ...tokenizer.end()]) {
    const [idText, moniker, timestamp] = record.fields;
    const id = parseId(idText ?? "");
    if (record.error !== undefined || record.fields.length !== 3 || id === undefined) {
      throw new Error(`unexpected line in a block of ${INDEX_FILE}: ${record.line}`);
    }
    rows.push({ id, moniker, timestamp });
  }
  return rows;
}
