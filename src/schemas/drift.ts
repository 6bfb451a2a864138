/**
 * How records differ from their published schema, named by field path and never by value: the
 * fields the schema does not know, required fields that are missing, values of the wrong JSON
 * type or outside the documented values, and (for `doctor`'s report) each field's path and JSON
 * type. What `sync` counts while it writes and what `doctor` reports on first contact.
 *
 * Nothing here ever holds a value of the record, so whatever it returns may be shown or shared:
 * - a field path is built from the schema's own property names, `[]` for array items and `*`
 *   for the keys of an object the schema leaves open (custom fields, keyed by names the
 *   organisation chose);
 * - a field the schema does not know is named as the API spells it only when that looks like a
 *   field name (letters, digits and `_`, at most 64 characters, not starting with a digit),
 *   `<other>` otherwise; the keys below it are `*`, since the schema cannot say they are names;
 * - a problem says what was expected and which JSON type came, never the value.
 *
 * Bounded: at most MAX_DEPTH levels are walked.
 */
import type { Schema } from "./validate.ts";

export type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

/**
 * - `unknown`: a field the schema does not declare (schemas allow them: not a break);
 * - `missing`: a required field is absent;
 * - `type`: a value of another JSON type than the schema's;
 * - `value`: the right type but not a documented value (an enum, a date format);
 * - `not allowed`: a field the schema forbids (`additionalProperties: false`).
 * All but `unknown` break the schema (`check --strict` fails on them).
 */
export type DriftKind = "unknown" | "missing" | "type" | "value" | "not allowed";

export interface FieldProblem {
  path: string;
  kind: DriftKind;
  /** What the schema wants: its types ("string or null"), or the documented values' kind. */
  expected?: string;
  /** The JSON type that came (type problems and unknown fields). */
  got?: JsonType;
}

/** What a walk reports to; `field` is called only by shape walks. */
export interface DriftSink {
  problem(problem: FieldProblem): void;
  field?(path: string, type: JsonType): void;
}

/** Deeper than this the walk stops: no record of Harvest's nests so far. */
export const MAX_DEPTH = 12;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The JSON type name of a value ("integer" for whole numbers). */
export function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? "integer" : "number";
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}

/** A field the schema does not know, as it may be shown: its name, or `<other>`. */
export function shownFieldName(name: string): string {
  return FIELD_NAME.test(name) ? name : "<other>";
}

/**
 * A schema prepared once for fast walks: its subschemas prepared too (the entity schemas are
 * trees without references), so a walk looks nothing up by schema.
 */
interface Compiled {
  types?: readonly string[];
  typeText?: string;
  properties?: Map<string, Compiled>;
  required: readonly string[];
  /** false: forbidden; a schema: the value of every other key; undefined: allowed, unchecked. */
  additional?: false | Compiled;
  items?: Compiled;
  /** An enum of strings, numbers, booleans or null: its values (Set.has compares them). */
  enumValues?: Set<unknown>;
  /** Any other enum: its values as JSON. */
  enumJson?: Set<string>;
  constJson?: string;
  format?: "date" | "date-time";
}

const compiledSchemas = new WeakMap<Schema, Compiled>();

function compile(schema: Schema): Compiled {
  let c = compiledSchemas.get(schema);
  if (c) return c;
  const type = schema.type as string | string[] | undefined;
  const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties;
  const list = Array.isArray(schema.enum) ? schema.enum : undefined;
  const primitive = (v: unknown) => v === null || typeof v !== "object";
  const format = schema.format === "date" || schema.format === "date-time"
    ? schema.format
    : undefined;
  c = {
    types,
    typeText: types?.join(" or "),
    properties: props
      ? new Map(Object.entries(props).map(([name, child]) => [name, compile(child)]))
      : undefined,
    required: (schema.required as string[] | undefined) ?? [],
    additional: additional === false
      ? false
      : typeof additional === "object" && additional !== null
      ? compile(additional as Schema)
      : undefined,
    items: schema.items === undefined ? undefined : compile(schema.items as Schema),
    enumValues: list?.every(primitive) ? new Set(list) : undefined,
    enumJson: list && !list.every(primitive)
      ? new Set(list.map((value) => JSON.stringify(value)))
      : undefined,
    constJson: schema.const === undefined ? undefined : JSON.stringify(schema.const),
    format,
  };
  compiledSchemas.set(schema, c);
  return c;
}

/** The number written in `text` from `from` to `to` (digits only), or -1. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `YYYY-MM-DD` at the start of `text`, a real day. */
function dateAt(text: string): boolean {
  if (text[4] !== "-" || text[7] !== "-") return false;
  const year = digits(text, 0, 4), month = digits(text, 5, 7), day = digits(text, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  return day <= 28 || day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Whether `value` has the format: `date` (YYYY-MM-DD) or `date-time` (RFC 3339), as validate.ts
 * checks them; read character by character, since a sync checks every timestamp it writes.
 */
function formatHolds(format: "date" | "date-time", value: string): boolean {
  if (format === "date") return value.length === 10 && dateAt(value);
  if (value.length < 20 || !dateAt(value) || (value[10] !== "T" && value[10] !== "t")) {
    return false;
  }
  if (value[13] !== ":" || value[16] !== ":") return false;
  const hour = digits(value, 11, 13),
    minute = digits(value, 14, 16),
    second = digits(value, 17, 19);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  let i = 19;
  if (value[i] === ".") {
    const start = ++i;
    while (i < value.length && digits(value, i, i + 1) >= 0) i++;
    if (i === start) return false;
  }
  const zone = value.slice(i);
  if (zone === "Z" || zone === "z") return true;
  if (zone.length !== 6 || (zone[0] !== "+" && zone[0] !== "-") || zone[3] !== ":") return false;
  const zh = digits(zone, 1, 3), zm = digits(zone, 4, 6);
  return zh >= 0 && zh <= 23 && zm >= 0 && zm <= 59;
}

/**
 * One walk's state. The path is kept as a stack of segments (a field name, `[]`, `*`) and made
 * into text only when something is reported: a sync walks every record it writes, and most
 * fields have nothing to report.
 */
class Walker {
  breaks = false;
  readonly #segments: string[] = [];
  constructor(readonly sink: DriftSink) {}

  #path(last?: string): string {
    let path = "";
    const segments = last === undefined ? this.#segments : [...this.#segments, last];
    for (const segment of segments) {
      path += segment === "[]" || path === "" ? segment : `.${segment}`;
    }
    return path;
  }

  #report(problem: Omit<FieldProblem, "path">, last?: string): void {
    if (problem.kind !== "unknown") this.breaks = true;
    this.sink.problem({ path: this.#path(last), ...problem });
  }

  /** Walks `value` below the segment `segment` (pushed for the walk, popped after). */
  #below(segment: string, walk: () => void): void {
    this.#segments.push(segment);
    walk();
    this.#segments.pop();
  }

  /** A value the schema says nothing about (below an unknown field): its shape only. */
  unschemed(value: unknown, depth: number): void {
    const type = jsonType(value);
    this.sink.field!(this.#path(), type);
    if (depth >= MAX_DEPTH) return;
    if (type === "array") {
      for (const item of value as unknown[]) {
        this.#below("[]", () => this.unschemed(item, depth + 1));
      }
    } else if (type === "object") {
      for (const child of Object.values(value as Record<string, unknown>)) {
        this.#below("*", () => this.unschemed(child, depth + 1));
      }
    }
  }

  walk(c: Compiled, value: unknown, depth: number): void {
    const type = jsonType(value);
    const shape = this.sink.field;
    if (shape && depth > 0) shape(this.#path(), type);
    if (
      c.types !== undefined && !c.types.includes(type) &&
      !(type === "integer" && c.types.includes("number"))
    ) {
      this.#report({ kind: "type", expected: c.typeText, got: type });
      return;
    }
    if (c.constJson !== undefined && JSON.stringify(value) !== c.constJson) {
      this.#report({ kind: "value", expected: "the one documented value" });
    } else if (c.enumValues !== undefined && !c.enumValues.has(value)) {
      this.#report({ kind: "value", expected: "one of the documented values" });
    } else if (c.enumJson !== undefined && !c.enumJson.has(JSON.stringify(value))) {
      this.#report({ kind: "value", expected: "one of the documented values" });
    }
    if (type === "string" && c.format !== undefined && !formatHolds(c.format, value as string)) {
      this.#report({ kind: "value", expected: `a ${c.format}` });
    }
    if (depth >= MAX_DEPTH) return;
    if (type === "array") {
      const items = c.items;
      if (!items && !shape) return;
      this.#segments.push("[]");
      for (const item of value as unknown[]) {
        if (items) this.walk(items, item, depth + 1);
        else this.unschemed(item, depth + 1);
      }
      this.#segments.pop();
    } else if (type === "object") {
      this.#object(c, value as Record<string, unknown>, depth);
    }
  }

  #object(c: Compiled, object: Record<string, unknown>, depth: number): void {
    for (const name of c.required) {
      if (!Object.hasOwn(object, name)) this.#report({ kind: "missing" }, name);
    }
    const shape = this.sink.field !== undefined;
    for (const name of Object.keys(object)) {
      const child = object[name];
      const known = c.properties?.get(name);
      if (known !== undefined) {
        this.#segments.push(name);
        this.walk(known, child, depth + 1);
        this.#segments.pop();
      } else if (c.properties === undefined || c.additional) {
        // An open object (custom fields): its keys are the organisation's names, not fields.
        this.#segments.push("*");
        if (c.additional) this.walk(c.additional, child, depth + 1);
        else if (shape) this.unschemed(child, depth + 1);
        this.#segments.pop();
      } else {
        const shown = shownFieldName(name);
        const forbidden = c.additional === false;
        this.#report({ kind: forbidden ? "not allowed" : "unknown", got: jsonType(child) }, shown);
        if (shape && !forbidden) this.#below(shown, () => this.unschemed(child, depth + 1));
      }
    }
  }
}

/**
 * Walks `record` against `schema`, reporting every problem (and, when the sink wants them, every
 * field's path and type) to `sink`. Returns whether the record breaks the schema.
 */
export function inspectRecord(schema: Schema, record: unknown, sink: DriftSink): boolean {
  const walker = new Walker(sink);
  walker.walk(compile(schema), record, 0);
  return walker.breaks;
}

/** One problem in a line: `title: expected string or null, got integer`. */
export function describeProblem(problem: FieldProblem): string {
  switch (problem.kind) {
    case "unknown":
      return `${problem.path}: not in the schema (${problem.got})`;
    case "missing":
      return `${problem.path}: missing (required)`;
    case "type":
      return `${problem.path}: expected ${problem.expected}, got ${problem.got}`;
    case "value":
      return `${problem.path}: not ${problem.expected}`;
    case "not allowed":
      return `${problem.path}: not allowed by the schema`;
  }
}

/** Problems kept per path (the first of each); more distinct paths are counted, not kept. */
export const MAX_DRIFT_PATHS = 100;

/** Per path: the first problem seen there and how many records had it. */
export interface DriftEntry {
  problem: FieldProblem;
  records: number;
}

/**
 * Drift counted over many records of one list (sync counts every record it writes; doctor the
 * first page): records seen, records that break the schema, and per field path its problem.
 */
export class DriftTally {
  records = 0;
  broken = 0;
  readonly byPath = new Map<string, DriftEntry>();
  /** Distinct paths with a problem beyond MAX_DRIFT_PATHS (counted, not kept; bounded too). */
  readonly #overflow = new Set<string>();
  #seenInRecord = new Set<string>();
  readonly #sink: DriftSink;

  constructor(shape?: (path: string, type: JsonType) => void) {
    this.#sink = {
      problem: (problem) => {
        // Each path counts once per record (array items share theirs).
        if (this.#seenInRecord.has(problem.path)) return;
        this.#seenInRecord.add(problem.path);
        const entry = this.byPath.get(problem.path);
        if (entry) entry.records++;
        else if (this.byPath.size < MAX_DRIFT_PATHS) {
          this.byPath.set(problem.path, { problem, records: 1 });
        } else if (this.#overflow.size < 10 * MAX_DRIFT_PATHS) this.#overflow.add(problem.path);
      },
      field: shape,
    };
  }

  /** Counts one record; returns whether it breaks the schema. */
  add(schema: Schema, record: unknown): boolean {
    this.records++;
    this.#seenInRecord.clear();
    const breaks = inspectRecord(schema, record, this.#sink);
    if (breaks) this.broken++;
    return breaks;
  }

  /** The problems of a kind (or of every kind but `unknown`: "breaking"), in order found. */
  entries(kind: DriftKind | "breaking"): DriftEntry[] {
    return [...this.byPath.values()].filter((e) =>
      kind === "breaking" ? e.problem.kind !== "unknown" : e.problem.kind === kind
    );
  }

  /** Distinct paths with a problem that were counted but not kept (beyond MAX_DRIFT_PATHS). */
  get morePaths(): number {
    return this.#overflow.size;
  }

  /** Whether any record had a field the schema does not know or broke it. */
  get drifts(): boolean {
    return this.byPath.size > 0;
  }
}
