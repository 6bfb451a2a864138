/**
 * Small builders for the v1 entity schemas, so each reads like the API reference it was written
 * from (v3's are derived from the spec: v3.ts). Every builder returns plain JSON Schema (the subset validate.ts checks).
 *
 * The policy the schemas follow (docs/cache-format.md#schemas): every documented property is
 * typed; `null` is allowed where the reference shows or says it; `required` lists the id and the
 * properties every documented sample has and no note calls optional; unknown properties are
 * allowed ("We reserve the right to add more properties to objects",
 * https://developers.greenhouse.io/harvest.html#general-considerations).
 */
import type { Schema } from "./validate.ts";

export const string: Schema = { type: "string" };
export const integer: Schema = { type: "integer" };
export const number: Schema = { type: "number" };
export const boolean: Schema = { type: "boolean" };
export const dateTime: Schema = { type: "string", format: "date-time" };
export const date: Schema = { type: "string", format: "date" };
/** Any JSON value. */
export const anything: Schema = {};

/** The same schema, also accepting null. */
export function nullable(schema: Schema): Schema {
  const type = schema.type;
  if (type === undefined) return schema;
  const types = Array.isArray(type) ? type : [type];
  return { ...schema, type: types.includes("null") ? types : [...types, "null"] };
}

/** A record's id: a positive integer, always present. */
export const id: Schema = { type: "integer" };

export function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: "object", properties, required };
}

export function array(items: Schema): Schema {
  return { type: "array", items };
}

export function oneOf(values: readonly string[]): Schema {
  return { type: "string", enum: [...values] };
}

/** An object keyed by names the organisation chooses (custom fields). */
export const map: Schema = { type: "object" };

/** The short user reference v1 embeds (recruiter, interviewer, …). */
export const userRef: Schema = object({
  id: integer,
  first_name: nullable(string),
  last_name: nullable(string),
  name: nullable(string),
  employee_id: nullable(string),
}, ["id"]);

/** `{id, name}` references (jobs[], stages, pools). */
export const named: Schema = object({ id: integer, name: nullable(string) }, ["id"]);

/** A top-level record: an object with an integer id. */
export function record(properties: Record<string, Schema>, required: string[]): Schema {
  return object({ id, ...properties }, ["id", ...required.filter((name) => name !== "id")]);
}
