/**
 * The export formats: each turns an entity's records, given in id order and in batches, into the
 * bytes of one file. They write to an open file and know nothing of where it goes; memory holds a
 * batch (NDJSON, CSV) or one Parquet row group at most.
 *
 * - NDJSON: each record as one line of compact JSON (the cached JSON without its indentation).
 * - CSV: RFC 4180 (csv-stringify, CRLF line ends), a header row, the columns of shape.ts's
 *   `csvColumns`, a cell per column (`csvCell`).
 * - Parquet: hyparquet-writer (pure JavaScript, no native code, writes through the handle we
 *   give it), the columns of shape.ts's `parquetColumns`, Snappy-compressed row groups of at
 *   most ROW_GROUP_ROWS records or ROW_GROUP_BYTES of values, whichever comes first.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer/src/index.js";
import type { SchemaElement } from "hyparquet-writer/src/index.js";
import { formatCsv } from "../cache/mod.ts";
import type { ApiRecord } from "../entities.ts";
import { collectGarbage } from "../memory.ts";
import { VERSION } from "../version.ts";
import { csvCell, type CsvColumn, type ParquetColumn, valueAt } from "./shape.ts";

export type ExportFormat = "ndjson" | "csv" | "parquet";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["ndjson", "csv", "parquet"];

/** A Parquet row group holds at most this many records... */
export const ROW_GROUP_ROWS = 50_000;
/** ...or about this many bytes of values, so its memory stays bounded whatever the records. */
export const ROW_GROUP_BYTES = 1.5 * 1024 * 1024;

/** Writes one file's content from records in id order. */
export interface FormatWriter {
  write(records: readonly ApiRecord[]): void;
  /** Writes what closes the file (Parquet's footer) and flushes; the caller closes the file. */
  end(): void;
  /** Bytes written to the file so far. */
  readonly bytes: number;
}

const encoder = new TextEncoder();

function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
}

/** Text written to a file in chunks of about 1 MB. */
export class TextSink {
  #parts: string[] = [];
  #length = 0;
  bytes = 0;

  constructor(private readonly file: Deno.FsFile) {}

  write(text: string): void {
    this.#parts.push(text);
    this.#length += text.length;
    if (this.#length >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.#parts.length === 0) return;
    const bytes = encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#length = 0;
    writeAllSync(this.file, bytes);
    this.bytes += bytes.length;
  }
}

export function ndjsonWriter(file: Deno.FsFile): FormatWriter {
  const sink = new TextSink(file);
  return {
    write(records) {
      for (const record of records) sink.write(JSON.stringify(record) + "\n");
    },
    end: () => sink.flush(),
    get bytes() {
      return sink.bytes;
    },
  };
}

export function csvWriter(file: Deno.FsFile, columns: readonly CsvColumn[]): FormatWriter {
  const sink = new TextSink(file);
  sink.write(formatCsv([columns.map((column) => column.name)]));
  return {
    write(records) {
      sink.write(
        formatCsv(
          records.map((record) => columns.map((column) => csvCell(valueAt(record, column.path)))),
        ),
      );
    },
    end: () => sink.flush(),
    get bytes() {
      return sink.bytes;
    },
  };
}

/** hyparquet-writer's byte buffer, emptied into the file whenever it passes 1 MB. */
class FileByteWriter extends ByteWriter {
  written = 0;

  constructor(private readonly file: Deno.FsFile) {
    super(1 << 20);
  }

  override ensure(size: number): void {
    if (this.index >= 1 << 20) this.flushToFile();
    super.ensure(size);
  }

  flushToFile(): void {
    writeAllSync(this.file, new Uint8Array(this.buffer, 0, this.index));
    this.written += this.index;
    this.index = 0;
  }

  override finish(): void {
    this.flushToFile();
  }
}

function schemaElement(column: ParquetColumn): SchemaElement {
  const repetition_type = column.name === "id" ? "REQUIRED" : "OPTIONAL";
  switch (column.type) {
    case "INT64":
      return { name: column.name, type: "INT64", repetition_type };
    case "DOUBLE":
      return { name: column.name, type: "DOUBLE", repetition_type };
    case "BOOLEAN":
      return { name: column.name, type: "BOOLEAN", repetition_type };
    case "STRING":
      return {
        name: column.name,
        type: "BYTE_ARRAY",
        converted_type: "UTF8",
        logical_type: { type: "STRING" },
        repetition_type,
      };
    case "JSON":
      // converted_type JSON is added before the footer is written (see parquetWriter).
      return {
        name: column.name,
        type: "BYTE_ARRAY",
        logical_type: { type: "JSON" },
        repetition_type,
      };
  }
}

/** A value as its column's type wants it, and about how many bytes it holds. */
function parquetValue(type: ParquetColumn["type"], value: unknown): [unknown, number] {
  if (value === null || value === undefined) return [null, 1];
  switch (type) {
    case "INT64":
      return [BigInt(value as number), 8];
    case "DOUBLE":
    case "BOOLEAN":
      return [value, 8];
    case "STRING":
      return [value, (value as string).length];
    case "JSON": {
      const bytes = encoder.encode(JSON.stringify(value));
      return [bytes, bytes.length];
    }
  }
}

export function parquetWriter(
  file: Deno.FsFile,
  columns: readonly ParquetColumn[],
  entity: string,
): FormatWriter {
  const bytes = new FileByteWriter(file);
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.map(schemaElement),
  ];
  const writer = new ParquetWriter({
    writer: bytes,
    schema,
    createdBy: `greenhouse-extractor ${VERSION} (hyparquet-writer)`,
    kvMetadata: [{ key: "greenhouse-extractor.entity", value: entity }],
  });
  let values: unknown[][] = columns.map(() => []);
  let rows = 0;
  let size = 0;
  const flushGroup = () => {
    if (rows === 0) return;
    const columnData = columns.map((column, i) => ({
      name: column.name,
      data: values[i],
      // min/max of JSON documents would copy whole documents into the metadata
      statistics: column.type !== "JSON",
    }));
    values = columns.map(() => []);
    // Synchronous: FileByteWriter has no async flush, so write() returns nothing to await.
    writer.write({ columnData, rowGroupSize: rows });
    rows = 0;
    size = 0;
    // Encoding a row group makes several copies of its values: give them back before the next.
    collectGarbage();
  };
  return {
    write(records) {
      for (const record of records) {
        columns.forEach((column, i) => {
          const own = Object.hasOwn(record, column.name) ? record[column.name] : undefined;
          const [value, length] = parquetValue(column.type, own);
          values[i].push(value);
          size += length;
        });
        rows++;
        if (rows >= ROW_GROUP_ROWS || size >= ROW_GROUP_BYTES) flushGroup();
      }
    },
    end() {
      flushGroup();
      // Readers such as DuckDB type a column as JSON by its converted type, not its logical
      // type alone. Declared only now, for the footer: while writing, converted_type JSON makes
      // hyparquet-writer serialise each value again itself (a copy of every object, and a key
      // "__proto__" lost), whereas it writes the bytes we give it as they are. The round-trip
      // tests read these columns back with hyparquet and DuckDB.
      for (const element of schema) {
        if (element.logical_type?.type === "JSON") element.converted_type = "JSON";
      }
      writer.finish();
    },
    get bytes() {
      return bytes.written + bytes.index;
    },
  };
}
