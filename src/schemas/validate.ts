/**
 * A JSON Schema (draft 2020-12) validator for the subset the entity schemas use: `type` (one
 * name or a list, "null" making a value nullable), `enum`, `const`, `required`, `properties`,
 * `additionalProperties` (a boolean or a schema), `items`, and `format` "date-time" (RFC 3339)
 * and "date". Annotations (`$schema`, `$id`, `title`, `description`) are ignored; any other
 * keyword is refused by `unsupportedKeywords`, so a schema never silently asks for more than is
 * checked. An interpreter, not a code generator: nothing is evaluated, so it runs in the compiled
 * binary as it does under `deno run`.
 */

/** A JSON Schema object (only the keywords above are read). */
export type Schema = Readonly<Record<string, unknown>>;

/** One way a value breaks its schema. */
export interface SchemaError {
  /** Where, as a JSON Pointer (RFC 6901) into the record: "" is the record itself. */
  pointer: string;
  /** What is wrong, e.g. `expected integer, got string`. */
  reason: string;
}

const ANNOTATIONS = new Set(["$schema", "$id", "title", "description", "$comment"]);
const KEYWORDS = new Set([
  "type",
  "enum",
  "const",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "format",
]);
const TYPES = new Set(["null", "boolean", "object", "array", "number", "integer", "string"]);
const FORMATS = new Set(["date-time", "date"]);

/** RFC 3339 date-time: date, "T", time with optional fraction, and "Z" or an offset. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y), month = Number(m), day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function formatProblem(format: string, value: string): string | undefined {
  if (format === "date") {
    const m = DATE.exec(value);
    return m && validDate(m[1], m[2], m[3]) ? undefined : "not a date (YYYY-MM-DD)";
  }
  const m = DATE_TIME.exec(value);
  const ok = m !== null && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 &&
    Number(m[5]) < 60 && Number(m[6]) < 61 &&
    (m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60));
  return ok ? undefined : "not an RFC 3339 date-time";
}

/** The JSON type name of a value ("integer" for whole numbers). */
function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

/** A reference token of a JSON Pointer: "~" → "~0", "/" → "~1". */
const token = (key: string | number) => String(key).replaceAll("~", "~0").replaceAll("/", "~1");

/** A short rendering of a value for a message. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * The ways `value` breaks `schema`, at most `limit` of them (depth-first, in property order).
 */
export function validate(schema: Schema, value: unknown, limit = 10): SchemaError[] {
  const errors: SchemaError[] = [];
  const add = (pointer: string, reason: string) => {
    if (errors.length < limit) errors.push({ pointer, reason });
  };
  const walk = (s: Schema, v: unknown, pointer: string): void => {
    if (errors.length >= limit) return;
    const type = s.type as string | string[] | undefined;
    if (type !== undefined) {
      const types = Array.isArray(type) ? type : [type];
      if (!types.some((t) => matchesType(v, t))) {
        add(pointer, `expected ${types.join(" or ")}, got ${typeOf(v)}`);
        return;
      }
    }
    if (s.const !== undefined && JSON.stringify(v) !== JSON.stringify(s.const)) {
      add(pointer, `expected ${shown(s.const)}, got ${shown(v)}`);
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      add(pointer, `${shown(v)} is not one of ${s.enum.map(shown).join(", ")}`);
    }
    if (typeof v === "string" && typeof s.format === "string") {
      const problem = formatProblem(s.format, v);
      if (problem) add(pointer, `${shown(v)} is ${problem}`);
    }
    if (Array.isArray(v) && s.items !== undefined) {
      v.forEach((item, i) => walk(s.items as Schema, item, `${pointer}/${i}`));
    }
    if (typeOf(v) === "object") {
      const object = v as Record<string, unknown>;
      for (const name of (s.required as string[] | undefined) ?? []) {
        if (!Object.hasOwn(object, name)) add(`${pointer}/${token(name)}`, "missing (required)");
      }
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      for (const [name, child] of Object.entries(object)) {
        const at = `${pointer}/${token(name)}`;
        if (Object.hasOwn(properties, name)) walk(properties[name], child, at);
        else if (s.additionalProperties === false) add(at, "not an expected property");
        else if (typeof s.additionalProperties === "object") {
          walk(s.additionalProperties as Schema, child, at);
        }
      }
    }
  };
  walk(schema, value, "");
  return errors;
}

/**
 * Keywords of a schema (and its subschemas) this validator does not check, and malformed uses
 * of the ones it does, as JSON Pointers into the schema: [] when it checks all of it.
 */
export function unsupportedKeywords(schema: Schema, pointer = ""): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const at = `${pointer}/${token(key)}`;
    if (ANNOTATIONS.has(key)) continue;
    if (!KEYWORDS.has(key)) {
      out.push(at);
      continue;
    }
    if (key === "type") {
      const types = Array.isArray(value) ? value : [value];
      if (types.length === 0 || types.some((t) => !TYPES.has(t as string))) out.push(at);
    } else if (key === "format" && !FORMATS.has(value as string)) out.push(at);
    else if (
      key === "required" && !(Array.isArray(value) && value.every((v) => typeof v === "string"))
    ) {
      out.push(at);
    } else if (key === "enum" && !Array.isArray(value)) out.push(at);
    else if (key === "properties") {
      for (const [name, child] of Object.entries(value as Record<string, Schema>)) {
        out.push(...unsupportedKeywords(child, `${at}/${token(name)}`));
      }
    } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) {
      out.push(...unsupportedKeywords(value as Schema, at));
    } else if (key === "additionalProperties" && typeof value !== "boolean") out.push(at);
  }
  return out;
}
