/**
 * Harvest v3 as Greenhouse's own OpenAPI spec declares it, from the facts kept in v3_spec.json
 * (its `$comment` says how to read it; source: the v3 reference's embedded spec, public pinned
 * copy github.com/simonzhangzp/people-analytics-ai, data-platform/people_source_contracts/
 * greenhouse_v3/openapi/harvest_v3.openapi.json, commit 6530d404f15b8d1ccb31ab1ee5eef43b27362ae0).
 *
 * Every v3 JSON Schema is derived here, never written by hand: entity row → its v3 list path →
 * the spec's list → its object → a schema typing every field the spec gives it. An entity row
 * with a v3 path thus gets its schema for free. The policy (docs/cache-format.md#schemas):
 * - every field typed as the spec types it, `null` only where the spec allows it, enums where it
 *   fixes the values (null joins an enum that may be null);
 * - `required` is `id` plus the `created_at` / `updated_at` the object declares: the spec marks
 *   no field required (and `fields=` may select any subset), but the id names the record's file
 *   and `updated_at` is what sync's change detection and `updated_at` filter work from;
 * - unknown properties are allowed, although the spec says `additionalProperties: false`: a field
 *   Greenhouse adds later must not fail `check --strict` on every cache (the sandbox, which is
 *   ours, is held to the exact field set by tests/unit/sandbox_v3_spec_test.ts).
 */
import spec from "./v3_spec.json" with { type: "json" };
import type { Schema } from "./validate.ts";

/** A field's type as the data file writes it: a type string, or a nested array/object. */
export type SpecType = string | SpecNested;
export interface SpecNested {
  /** "array", "array|null", "object" or "object|null". */
  type: string;
  /** Arrays of objects: the item's fields. */
  items?: Record<string, SpecType>;
  /** Objects: their fields. */
  fields?: Record<string, SpecType>;
}

/** One GET list of the spec. */
export interface SpecList {
  object: string;
  /** The OAuth scope that lists it. */
  scope: string;
  /** Whether it takes the `created_at` / `updated_at` filters. */
  dates: boolean;
  /** `ids` and the `*_ids` filters (at most `MAX_FILTER_IDS` each). */
  idFilters: string[];
  /** Its other filters, name → type. */
  filters?: Record<string, string>;
}

interface SpecFile {
  notes: Record<string, string>;
  objects: Record<string, Record<string, SpecType>>;
  lists: Record<string, SpecList>;
}

const SPEC = spec as unknown as SpecFile;

/** The spec's objects (object → field → type). */
export const V3_OBJECTS: Readonly<Record<string, Readonly<Record<string, SpecType>>>> =
  SPEC.objects;
/** The spec's GET lists by v3 path (relative to /v3, e.g. "/applications"). */
export const V3_LISTS: Readonly<Record<string, SpecList>> = SPEC.lists;
/** The spec's notes: defaults that hide records, parameter limits. */
export const V3_NOTES: Readonly<Record<string, string>> = SPEC.notes;

/** Most ids an `ids` or `*_ids` filter takes ("maxItems": 50 on every one). */
export const MAX_FILTER_IDS = 50;
/** The `per_page` range of every list (default 100). */
export const PER_PAGE_RANGE = { min: 1, max: 500 } as const;

/** One value of a `custom_fields` map: `{name, type, value}`, value of any JSON type. */
const CUSTOM_FIELD_VALUE: Schema = {
  type: "object",
  required: ["name", "type", "value"],
  properties: { name: { type: "string" }, type: { type: "string" }, value: {} },
};

/** Splits "T|null" into its alternatives, keeping `{…}` enum lists whole. */
function alternatives(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "{" || text[i] === "<") depth++;
    else if (text[i] === "}" || text[i] === ">") depth--;
    else if (text[i] === "|" && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** One non-null alternative → its schema (`type` always a single name). */
function single(text: string): Schema {
  const enumMatch = /^string\{(.*)\}$/.exec(text);
  if (enumMatch) return { type: "string", enum: enumMatch[1].split(",") };
  const arrayMatch = /^array<(.+)>$/.exec(text);
  if (arrayMatch) return { type: "array", items: fromText(arrayMatch[1]) };
  if (text === "date-time" || text === "date") return { type: "string", format: text };
  if (text === "custom_fields") return { type: "object", additionalProperties: CUSTOM_FIELD_VALUE };
  if (["string", "integer", "number", "boolean", "object", "array"].includes(text)) {
    return { type: text };
  }
  throw new TypeError(`v3_spec.json: unknown type "${text}"`);
}

/** Several schemas as one: their types joined, their other keywords merged (they never clash). */
function union(schemas: Schema[], nullable: boolean): Schema {
  const types = schemas.map((s) => s.type as string);
  const merged: Record<string, unknown> = Object.assign({}, ...schemas);
  const all = nullable ? [...types, "null"] : types;
  merged.type = all.length === 1 ? all[0] : all;
  if (nullable && Array.isArray(merged.enum)) merged.enum = [...merged.enum, null];
  return merged;
}

function fromText(text: string): Schema {
  const parts = alternatives(text);
  const nullable = parts.includes("null");
  return union(parts.filter((p) => p !== "null").map(single), nullable);
}

/** An object's fields as `properties`; `required` as the module comment says. */
function objectOf(fields: Readonly<Record<string, SpecType>>, top: boolean): Schema {
  const properties = Object.fromEntries(
    Object.entries(fields).map(([name, type]) => [name, specTypeSchema(type)]),
  );
  const required = top ? ["id", "created_at", "updated_at"].filter((f) => f in fields) : [];
  return { type: "object", properties, required };
}

/** The JSON Schema of one field type of the data file. */
export function specTypeSchema(type: SpecType): Schema {
  if (typeof type === "string") return fromText(type);
  const nullable = alternatives(type.type).includes("null");
  const base = alternatives(type.type).find((p) => p !== "null");
  if (base === "array" && type.items) {
    return union([{ type: "array", items: objectOf(type.items, false) }], nullable);
  }
  if (base === "object" && type.fields) return union([objectOf(type.fields, false)], nullable);
  throw new TypeError(`v3_spec.json: unknown nested type ${JSON.stringify(type)}`);
}

const objectSchemas = new Map<string, Schema>();

/** The record schema of a spec object (memoized), or undefined for an object the spec lacks. */
export function v3ObjectSchema(object: string): Schema | undefined {
  const fields = V3_OBJECTS[object];
  if (!fields) return undefined;
  let schema = objectSchemas.get(object);
  if (!schema) {
    schema = objectOf(fields, true);
    objectSchemas.set(object, schema);
  }
  return schema;
}

/** The spec's list at a v3 path ("/applications"), or undefined where the spec has none. */
export function v3List(path: string): SpecList | undefined {
  return Object.hasOwn(V3_LISTS, path) ? V3_LISTS[path] : undefined;
}

/** The record schema of the list at a v3 path, or undefined where the spec has no such list. */
export function v3ListSchema(path: string): Schema | undefined {
  const list = v3List(path);
  return list ? v3ObjectSchema(list.object) : undefined;
}
