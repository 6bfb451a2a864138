/**
 * A JSON Schema (draft 2020-12) per entity and API version: v1's written from Greenhouse's v1
 * reference (core.ts, more.ts), v3's derived from Greenhouse's own v3 OpenAPI spec by the
 * entity's v3 list path (v3.ts, v3_spec.json); the validator for them (validate.ts), and the
 * document published beside each entity folder of the cache (`<cache>/<entity>/schema.json`),
 * whose `$id` names the entity and the version its records came from. Knows nothing of files or
 * HTTP.
 */
import {
  API_VERSIONS,
  type ApiVersion,
  ENTITIES,
  ENTITY_NAMES,
  type EntityName,
} from "../entities.ts";
import { CORE_SCHEMAS } from "./core.ts";
import { MORE_SCHEMAS } from "./more.ts";
import { v3ListSchema } from "./v3.ts";
import type { Schema } from "./validate.ts";

export { type Schema, type SchemaError, unsupportedKeywords, validate } from "./validate.ts";
export {
  MAX_FILTER_IDS,
  PER_PAGE_RANGE,
  type SpecList,
  type SpecType,
  specTypeSchema,
  V3_LISTS,
  V3_NOTES,
  V3_OBJECTS,
  v3List,
  v3ListSchema,
  v3ObjectSchema,
} from "./v3.ts";
export {
  describeProblem,
  type DriftEntry,
  type DriftKind,
  DriftTally,
  type FieldProblem,
  inspectRecord,
  type JsonType,
  MAX_DRIFT_PATHS,
} from "./drift.ts";

/** The hand-written v1 schemas, for the entities v1 lists. */
const V1_SCHEMAS: Partial<Record<EntityName, Schema>> = { ...CORE_SCHEMAS, ...MORE_SCHEMAS };

const DIALECT = "https://json-schema.org/draft/2020-12/schema";
const ID_PREFIX = "urn:greenhouse-extractor:schema:";

/** The schema of an entity's records in an API version, if that version lists the entity. */
export function schemaFor(entity: EntityName, version: ApiVersion): Schema | undefined {
  const path = ENTITIES[entity].paths[version];
  if (path === undefined) return undefined;
  return version === "v1" ? V1_SCHEMAS[entity] : v3ListSchema(path);
}

/** `urn:greenhouse-extractor:schema:<version>:<entity>`: what a published schema is of. */
export function schemaId(entity: EntityName, version: ApiVersion): string {
  return `${ID_PREFIX}${version}:${entity}`;
}

/** The entity and version a published schema's `$id` names, or undefined for any other value. */
export function parseSchemaId(
  id: unknown,
): { entity: EntityName; version: ApiVersion } | undefined {
  if (typeof id !== "string" || !id.startsWith(ID_PREFIX)) return undefined;
  const [version, entity, ...rest] = id.slice(ID_PREFIX.length).split(":");
  if (rest.length > 0) return undefined;
  if (!(API_VERSIONS as readonly string[]).includes(version)) return undefined;
  if (!(ENTITY_NAMES as readonly string[]).includes(entity)) return undefined;
  return { entity: entity as EntityName, version: version as ApiVersion };
}

/**
 * The document published as `<cache>/<entity>/schema.json` (pretty JSON, newline-terminated):
 * the schema with its dialect, `$id` and a title. Undefined where the version has no such list.
 */
export function publishedSchema(entity: EntityName, version: ApiVersion): string | undefined {
  const schema = schemaFor(entity, version);
  if (!schema) return undefined;
  const document = {
    $schema: DIALECT,
    $id: schemaId(entity, version),
    title: `Greenhouse Harvest ${version} ${entity} record`,
    description: "One record file of this folder, as the API returned it. " +
      (version === "v1"
        ? "Written from Greenhouse's API reference"
        : "Derived from Greenhouse's own Harvest v3 OpenAPI spec") +
      " by greenhouse-extractor; `check --strict` validates against it.",
    ...schema,
  };
  return JSON.stringify(document, null, 2) + "\n";
}
