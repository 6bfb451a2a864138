/**
 * The shape of an entity's records, learnt from the records themselves: which fields occur, at
 * which paths, holding which kinds of JSON value. CSV and Parquet need their columns before the
 * first row, and neither the API documentation nor one record says them all (custom fields are
 * per tenant; a field can be null in the first thousand records), so the export scans every
 * record it writes once (export/run.ts) and derives the columns here:
 *
 * - CSV: one column per leaf (csvColumns); nested objects are flattened into dotted names.
 * - Parquet: one column per top-level field (parquetColumns), typed by what it holds.
 *
 * Both orders are `id` first, then the other names in code-point order: the same fields give the
 * same columns in the same order whatever order the records came in.
 */
import type { ApiRecord } from "../entities.ts";
import { RunError } from "../errors.ts";

/** The kinds of JSON value seen at a path, as bits. */
export const KIND = {
  null: 1,
  boolean: 2,
  integer: 4,
  number: 8,
  string: 16,
  array: 32,
  object: 64,
} as const;

/** CSV flattens nested objects this many levels below the top at most; deeper is JSON text. */
export const MAX_DEPTH = 8;
/** Distinct fields a scan records in all (bounds memory and the column count). */
export const MAX_FIELDS = 10_000;

export interface FieldShape {
  kinds: number;
  /** The keys objects at this path have had; undefined once the path stops being tracked. */
  fields?: Map<string, FieldShape>;
}

function kindOf(value: unknown): number {
  if (value === null) return KIND.null;
  switch (typeof value) {
    case "boolean":
      return KIND.boolean;
    case "number":
      return Number.isSafeInteger(value) ? KIND.integer : KIND.number;
    case "string":
      return KIND.string;
    default:
      return Array.isArray(value) ? KIND.array : KIND.object;
  }
}

/** Every record's fields, merged. Bounded: see MAX_DEPTH and MAX_FIELDS. */
export class ShapeScan {
  readonly top = new Map<string, FieldShape>();
  #fields = 0;

  constructor(readonly entity: string) {}

  add(record: ApiRecord): void {
    this.#merge(this.top, record, 0);
  }

  #merge(fields: Map<string, FieldShape>, object: ApiRecord, depth: number): boolean {
    for (const key of Object.keys(object)) {
      const value = object[key];
      let shape = fields.get(key);
      if (shape === undefined) {
        if (this.#fields >= MAX_FIELDS) {
          if (depth === 0) {
            throw new RunError(
              `export: ${this.entity} records have more than ${MAX_FIELDS} distinct fields; ` +
                "export them with --format ndjson, which keeps records whole",
            );
          }
          return false; // the caller stops tracking this object's fields
        }
        this.#fields++;
        shape = { kinds: 0, fields: new Map() };
        fields.set(key, shape);
      }
      const kind = kindOf(value);
      shape.kinds |= kind;
      if (kind === KIND.object && shape.fields !== undefined) {
        if (depth + 1 >= MAX_DEPTH || !this.#merge(shape.fields, value, depth + 1)) {
          this.#fields -= countFields(shape.fields);
          shape.fields = undefined;
        }
      }
    }
    return true;
  }
}

function countFields(fields: Map<string, FieldShape>): number {
  let n = fields.size;
  for (const shape of fields.values()) if (shape.fields) n += countFields(shape.fields);
  return n;
}

/** `id` first, then by code point (not locale: the order must not depend on the machine). */
function columnOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "id") return -1;
  if (b === "id") return 1;
  return a < b ? -1 : 1;
}

export interface CsvColumn {
  /** The header: the path's keys joined with ".". */
  name: string;
  path: readonly string[];
}

/**
 * The CSV columns. A path is flattened (its keys become columns `path.key`) when it only ever
 * held objects (or null) with at least one key; any other path is one column. A name two paths
 * would share (a key containing "." can cause it) keeps the outermost object involved whole, as
 * one JSON-text column, instead.
 */
export function csvColumns(scan: ShapeScan): CsvColumn[] {
  const whole = new Set<FieldShape>();
  while (true) {
    const columns: (CsvColumn & { top: FieldShape })[] = [];
    const walk = (fields: Map<string, FieldShape>, path: string[], top?: FieldShape) => {
      for (const [key, shape] of fields) {
        const here = [...path, key];
        const root = top ?? shape;
        if (flattens(shape) && !whole.has(shape)) walk(shape.fields!, here, root);
        else columns.push({ name: here.join("."), path: here, top: root });
      }
    };
    walk(scan.top, []);
    const byName = new Map<string, FieldShape[]>();
    for (const column of columns) {
      byName.set(column.name, [...(byName.get(column.name) ?? []), column.top]);
    }
    const clashes = [...byName.values()].filter((tops) => tops.length > 1).flat()
      .filter((top) => flattens(top) && !whole.has(top));
    if (clashes.length === 0) {
      return columns.map(({ name, path }) => ({ name, path }))
        .sort((a, b) => columnOrder(a.name, b.name));
    }
    for (const top of clashes) whole.add(top);
  }
}

function flattens(shape: FieldShape): boolean {
  return (shape.kinds & ~KIND.null) === KIND.object && shape.fields !== undefined &&
    shape.fields.size > 0;
}

/** The value at `path` of a record; undefined where the path does not lead anywhere. */
export function valueAt(record: ApiRecord, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    // Own properties only: a record without "constructor" has no constructor column value.
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as ApiRecord)[key];
  }
  return value;
}

/** A CSV cell: empty for null or absent, strings as they are, anything else as JSON text. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A Parquet column's type; JSON is UTF-8 JSON text with the JSON logical type. */
export type ParquetType = "INT64" | "DOUBLE" | "BOOLEAN" | "STRING" | "JSON";

export interface ParquetColumn {
  name: string;
  type: ParquetType;
}

/**
 * The Parquet columns, one per top-level field: INT64 when every value is a safe integer (`id`
 * always is), DOUBLE when every value is a number, BOOLEAN, STRING when every value is a
 * string (timestamps stay ISO-8601 text, exactly as the API wrote them), and JSON text for
 * arrays, objects and fields mixing kinds (so `"5"` and `5` stay apart). Null anywhere is a null
 * cell; a field only ever null is STRING.
 */
export function parquetColumns(scan: ShapeScan): ParquetColumn[] {
  const columns: ParquetColumn[] = [];
  for (const [name, shape] of scan.top) {
    const kinds = shape.kinds & ~KIND.null;
    let type: ParquetType;
    if (kinds === KIND.integer) type = "INT64";
    else if (kinds !== 0 && (kinds & ~(KIND.integer | KIND.number)) === 0) type = "DOUBLE";
    else if (kinds === KIND.boolean) type = "BOOLEAN";
    else if (kinds === KIND.string || kinds === 0) type = "STRING";
    else type = "JSON";
    columns.push({ name, type });
  }
  if (!scan.top.has("id")) columns.push({ name: "id", type: "INT64" });
  return columns.sort((a, b) => columnOrder(a.name, b.name));
}
