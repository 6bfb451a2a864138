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

/** A schema prepared once for fast walks (WeakMap-cached per schema object). */
interface Compiled {
  types?: readonly string[];
  typeText?: string;
  properties?: Map<string, Schema>;
  required: readonly string[];
  /** false: forbidden; a schema: the value of every other key; undefined: allowed, unchecked. */
  additional?: false | Schema;
  items?: Schema;
  enumJson?: Set<string>;
  constJson?: string;
  format?: string;
}

const compiledSchemas = new WeakMap<Schema, Compiled>();

function compile(schema: Schema): Compiled {
  let c = compiledSchemas.get(schema);
  if (c) return c;
  const type = schema.type as string | string[] | undefined;
  const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties;
  c = {
    types,
    typeText: types?.join(" or "),
    properties: props ? new Map(Object.entries(props)) : undefined,
    required: (schema.required as string[] | undefined) ?? [],
    additional: additional === false
      ? false
      : typeof additional === "object" && additional !== null
      ? additional as Schema
      : undefined,
    items: schema.items as Schema | undefined,
    enumJson: Array.isArray(schema.enum)
      ? new Set(schema.enum.map((value) => JSON.stringify(value)))
      : undefined,
    constJson: schema.const === undefined ? undefined : JSON.stringify(schema.const),
    format: typeof schema.format === "string" ? schema.format : undefined,
  };
  compiledSchemas.set(schema, c);
  return c;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` has the format (the two validate.ts checks; others pass). */
function formatHolds(format: string, value: string): boolean {
  const m = format === "date"
    ? DATE.exec(value)
    : format === "date-time"
    ? DATE_TIME.exec(value)
    : [];
  if (m === null) return false;
  if (m.length === 0) return true;
  const month = Number(m[2]), day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate()) return false;
  if (format === "date") return true;
  return Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61 &&
    (m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60));
}

const join = (path: string, name: string) => path === "" ? name : `${path}.${name}`;

/**
 * Walks `record` against `schema`, reporting every problem (and, when the sink wants them, every
 * field's path and type) to `sink`. Returns whether the record breaks the schema.
 */
export function inspectRecord(schema: Schema, record: unknown, sink: DriftSink): boolean {
  let breaks = false;
  const report = (problem: FieldProblem) => {
    if (problem.kind !== "unknown") breaks = true;
    sink.problem(problem);
  };
  const wantsShape = sink.field !== undefined;

  /** A value the schema says nothing about (below an unknown field): its shape only. */
  const unschemed = (value: unknown, path: string, depth: number): void => {
    const type = jsonType(value);
    sink.field?.(path, type);
    if (depth >= MAX_DEPTH) return;
    if (type === "array") {
      for (const item of value as unknown[]) unschemed(item, `${path}[]`, depth + 1);
    } else if (type === "object") {
      for (const child of Object.values(value as Record<string, unknown>)) {
        unschemed(child, join(path, "*"), depth + 1);
      }
    }
  };

  const walk = (s: Schema, value: unknown, path: string, depth: number): void => {
    const c = compile(s);
    const type = jsonType(value);
    if (path !== "") sink.field?.(path, type);
    if (c.types !== undefined) {
      const fits = c.types.includes(type) || (type === "integer" && c.types.includes("number"));
      if (!fits) {
        report({ path, kind: "type", expected: c.typeText, got: type });
        return;
      }
    }
    if (c.constJson !== undefined && JSON.stringify(value) !== c.constJson) {
      report({ path, kind: "value", expected: "the one documented value" });
    } else if (c.enumJson !== undefined && !c.enumJson.has(JSON.stringify(value))) {
      report({ path, kind: "value", expected: "one of the documented values" });
    }
    if (type === "string" && c.format !== undefined && !formatHolds(c.format, value as string)) {
      report({ path, kind: "value", expected: `a ${c.format}` });
    }
    if (depth >= MAX_DEPTH) return;
    if (type === "array") {
      const items = c.items;
      for (const item of value as unknown[]) {
        if (items) walk(items, item, `${path}[]`, depth + 1);
        else if (wantsShape) unschemed(item, `${path}[]`, depth + 1);
      }
      return;
    }
    if (type !== "object") return;
    const object = value as Record<string, unknown>;
    for (const name of c.required) {
      if (!Object.hasOwn(object, name)) report({ path: join(path, name), kind: "missing" });
    }
    for (const name in object) {
      if (!Object.hasOwn(object, name)) continue;
      const child = object[name];
      const known = c.properties?.get(name);
      if (known !== undefined) {
        walk(known, child, join(path, name), depth + 1);
      } else if (c.properties === undefined) {
        // An open object (custom fields): its keys are the organisation's names, not fields.
        const at = join(path, "*");
        if (c.additional) walk(c.additional, child, at, depth + 1);
        else if (wantsShape) unschemed(child, at, depth + 1);
      } else if (c.additional === false) {
        report({
          path: join(path, shownFieldName(name)),
          kind: "not allowed",
          got: jsonType(child),
        });
      } else if (c.additional) {
        walk(c.additional, child, join(path, "*"), depth + 1);
      } else {
        const at = join(path, shownFieldName(name));
        report({ path: at, kind: "unknown", got: jsonType(child) });
        if (wantsShape) unschemed(child, at, depth + 1);
      }
    }
  };
  walk(schema, record, "", 0);
  return breaks;
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
