/**
 * The entity schemas and their validator: the validator checks what it claims (and refuses
 * keywords it does not check), every v1 schema accepts Greenhouse's documented v1 samples and the
 * sandbox's v1 records and rejects a record whose shape drifted; every v3 schema is derived from
 * the spec's data file (src/schemas/v3_spec.json) by the entity's v3 path and declares each field
 * the spec gives its object, with its type and nullability. (The sandbox's v3 records are held
 * to the data file by tests/unit/sandbox_v3_spec_test.ts.)
 */
import assert from "node:assert/strict";
import { API_VERSIONS, ENTITIES, ENTITY_NAMES, type EntityName } from "../../src/entities.ts";
import {
  parseSchemaId,
  publishedSchema,
  type Schema,
  schemaFor,
  schemaId,
  specTypeSchema,
  unsupportedKeywords,
  V3_LISTS,
  V3_OBJECTS,
  v3ObjectSchema,
  validate,
} from "../../src/schemas/mod.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

const person: Schema = {
  type: "object",
  required: ["id", "name"],
  properties: {
    id: { type: "integer" },
    name: { type: ["string", "null"] },
    kind: { type: "string", enum: ["a", "b"] },
    at: { type: "string", format: "date-time" },
    on: { type: ["string", "null"], format: "date" },
    tags: { type: "array", items: { type: "string" } },
    extra: { type: "object", additionalProperties: { type: "integer" } },
    strict: { type: "object", properties: { x: {} }, additionalProperties: false },
    fixed: { const: 1 },
    ratio: { type: "number" },
  },
};

Deno.test("validator: types, null, required, enum, const, formats, items, additionalProperties", () => {
  assert.deepEqual(validate(person, { id: 1, name: null }), []);
  assert.deepEqual(validate(person, { id: 1, name: "x", ratio: 3 }), [], "an integer is a number");
  assert.deepEqual(validate(person, { id: 1.5, name: "x" }), [
    { pointer: "/id", reason: "expected integer, got number" },
  ]);
  assert.deepEqual(validate(person, { name: "x" }), [
    { pointer: "/id", reason: "missing (required)" },
  ]);
  assert.deepEqual(validate(person, []), [{ pointer: "", reason: "expected object, got array" }]);
  assert.deepEqual(validate(person, { id: 1, name: "x", kind: "c" }), [
    { pointer: "/kind", reason: '"c" is not one of "a", "b"' },
  ]);
  assert.deepEqual(validate(person, { id: 1, name: "x", fixed: 2 }), [
    { pointer: "/fixed", reason: "expected 1, got 2" },
  ]);
  assert.deepEqual(validate(person, { id: 1, name: "x", tags: ["ok", 7] }), [
    { pointer: "/tags/1", reason: "expected string, got integer" },
  ]);
  assert.deepEqual(validate(person, { id: 1, name: "x", extra: { a: 1, b: "2" } }), [
    { pointer: "/extra/b", reason: "expected integer, got string" },
  ]);
  assert.deepEqual(validate(person, { id: 1, name: "x", strict: { x: 1, y: 2 } }), [
    { pointer: "/strict/y", reason: "not an expected property" },
  ]);
  assert.deepEqual(validate(person, { id: 1, name: "x", unknown: { any: "thing" } }), []);
});

Deno.test("validator: RFC 3339 date-times and dates, with real calendars", () => {
  const at = (value: string) => validate(person, { id: 1, name: "x", at: value });
  for (
    const ok of ["2016-02-03T16:38:46.985Z", "2013-12-10T14:42:58Z", "2020-02-29T00:00:00+02:00"]
  ) {
    assert.deepEqual(at(ok), [], ok);
  }
  for (const bad of ["2016-02-03", "2016-02-30T00:00:00Z", "2016-02-03T25:00:00Z", "yesterday"]) {
    assert.equal(at(bad).length, 1, bad);
    assert.match(at(bad)[0].reason, /not an RFC 3339 date-time/);
  }
  const on = (value: unknown) => validate(person, { id: 1, name: "x", on: value });
  assert.deepEqual(on("2018-06-07"), []);
  assert.deepEqual(on(null), []);
  assert.match(on("2018-13-07")[0].reason, /not a date/);
});

Deno.test("validator: pointers escape ~ and /, and the error count is bounded", () => {
  const map: Schema = { type: "object", additionalProperties: { type: "integer" } };
  assert.deepEqual(validate(map, { "a/b~c": "x" }), [
    { pointer: "/a~1b~0c", reason: "expected integer, got string" },
  ]);
  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "x"]));
  assert.equal(validate(map, many).length, 10);
  assert.equal(validate(map, many, 3).length, 3);
});

Deno.test("validator: keywords it does not check are refused, not ignored", () => {
  assert.deepEqual(unsupportedKeywords(person), []);
  assert.deepEqual(unsupportedKeywords({ type: "object", oneOf: [] }), ["/oneOf"]);
  assert.deepEqual(
    unsupportedKeywords({ properties: { a: { type: "string", pattern: "^x" } } }),
    ["/properties/a/pattern"],
  );
  assert.deepEqual(unsupportedKeywords({ type: "str" }), ["/type"]);
  assert.deepEqual(unsupportedKeywords({ format: "email" }), ["/format"]);
  assert.deepEqual(unsupportedKeywords({ items: { $ref: "#/x" } }), ["/items/$ref"]);
});

Deno.test("every entity has a schema for each version that lists it, using only checked keywords", () => {
  for (const entity of ENTITY_NAMES) {
    for (const version of API_VERSIONS) {
      const schema = schemaFor(entity, version);
      const listed = ENTITIES[entity].paths[version] !== undefined;
      assert.equal(schema !== undefined, listed, `${entity} ${version}`);
      if (!schema) continue;
      assert.deepEqual(unsupportedKeywords(schema), [], `${entity} ${version}`);
      assert.deepEqual((schema.required as string[])[0], "id", `${entity} ${version}`);
    }
  }
});

Deno.test("published schemas are 2020-12 documents whose $id names entity and version", () => {
  const text = publishedSchema("scheduled_interviews", "v3")!;
  assert.ok(text.endsWith("\n"));
  const document = JSON.parse(text);
  assert.equal(document.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(document.$id, "urn:greenhouse-extractor:schema:v3:scheduled_interviews");
  assert.deepEqual(parseSchemaId(document.$id), { entity: "scheduled_interviews", version: "v3" });
  assert.deepEqual(validate(document, { id: 1, application_id: 2 }).map((e) => e.pointer), [
    "/created_at",
    "/updated_at",
  ]);
  assert.equal(publishedSchema("eeoc", "v1"), undefined);
  for (
    const id of [
      schemaId("jobs", "v1") + ":x",
      "urn:other:v1:jobs",
      7,
      "urn:greenhouse-extractor:schema:v2:jobs",
      "urn:greenhouse-extractor:schema:v1:nope",
    ]
  ) {
    assert.equal(parseSchemaId(id), undefined, String(id));
  }
});

Deno.test("the schemas accept every documented v1 sample", async () => {
  const samples = JSON.parse(
    await Deno.readTextFile(new URL("../fixtures/harvest_v1_samples.json", import.meta.url)),
  );
  let checked = 0;
  for (
    const [entity, { records }] of Object.entries(samples.entities) as [
      EntityName,
      { records: unknown[] },
    ][]
  ) {
    const schema = schemaFor(entity, "v1")!;
    for (const record of records) {
      assert.deepEqual(
        validate(schema, record),
        [],
        `${entity} ${JSON.stringify(record).slice(0, 60)}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 40, `${checked} samples`);
  // Every entity v1 lists has at least one documented sample.
  const sampled = new Set(Object.keys(samples.entities));
  for (const entity of ENTITY_NAMES) {
    if (ENTITIES[entity].paths.v1) assert.ok(sampled.has(entity), entity);
  }
});

Deno.test("the v1 schemas accept the sandbox's v1 records, and catch a drifted one", async () => {
  const sandbox = await startSandbox({ candidates: 150 });
  try {
    for (const version of ["v1"] as const) {
      for (const entity of ENTITY_NAMES) {
        const schema = schemaFor(entity, version);
        if (!schema) continue;
        const records = sandbox.served(version, entity);
        assert.ok(records.length > 0, `${entity} ${version}`);
        for (const record of records) {
          assert.deepEqual(validate(schema, record), [], `${version} ${entity} ${record.id}`);
        }
      }
    }
    const [offer] = sandbox.served("v1", "offers");
    const drifted = { ...offer, sent_at: "June 7th", status: "Accepted", version: "1" };
    assert.deepEqual(validate(schemaFor("offers", "v1")!, drifted).map((e) => e.pointer), [
      "/version",
      "/sent_at",
      "/status",
    ]);
  } finally {
    await sandbox.close();
  }
});

// ---------------------------------------------------------------- v3: derived from the spec

Deno.test("every v3 list path of the entity table is a list of the spec, with the filters it sends", () => {
  for (const entity of ENTITY_NAMES) {
    const row = ENTITIES[entity];
    const path = row.paths.v3;
    if (path === undefined) continue;
    const list = V3_LISTS[path];
    assert.ok(list, `${entity}: ${path} is not a GET list of the v3 spec`);
    assert.ok(V3_OBJECTS[list.object], `${entity}: the spec has no object ${list.object}`);
    const declared = new Set([...list.idFilters, ...Object.keys(list.filters ?? {})]);
    const sent = [row.listParams?.v3 ?? {}, ...(row.listVariants?.v3 ?? [])];
    for (const name of sent.flatMap((params) => Object.keys(params))) {
      assert.ok(declared.has(name), `${entity}: ${path} declares no ${name} filter`);
    }
  }
});

Deno.test("each v3 schema declares every field the spec gives its object, typed as the spec types it", () => {
  for (const entity of ENTITY_NAMES) {
    const path = ENTITIES[entity].paths.v3;
    if (path === undefined) continue;
    const object = V3_LISTS[path].object;
    const schema = schemaFor(entity, "v3")!;
    assert.equal(schema, v3ObjectSchema(object), entity);
    assert.deepEqual(unsupportedKeywords(schema), [], entity);
    const properties = schema.properties as Record<string, Schema>;
    assert.deepEqual(Object.keys(properties), Object.keys(V3_OBJECTS[object]), entity);
    for (const [field, type] of Object.entries(V3_OBJECTS[object])) {
      assert.deepEqual(properties[field], specTypeSchema(type), `${entity}.${field}`);
    }
    assert.deepEqual(schema.required, ["id", "created_at", "updated_at"], entity);
  }
});

Deno.test("v3 schemas: the fields issue 23 names are declared with their spec types", () => {
  const applications = schemaFor("applications", "v3")!.properties as Record<string, Schema>;
  assert.deepEqual(applications.agency_note_id, { type: ["integer", "null"] });
  assert.deepEqual(applications.stage_id, { type: ["integer", "null"] });
  assert.deepEqual(applications.stage_name, { type: ["string", "null"] });
  assert.deepEqual(applications.needs_decision, { type: ["boolean", "null"] });
  assert.deepEqual(applications.status, {
    type: "string",
    enum: ["rejected", "hired", "converted", "in_process"],
  });
  const scorecards = schemaFor("scorecards", "v3")!.properties as Record<string, Schema>;
  for (const field of ["notes_with_tags", "private_notes_with_tags", "public_notes_with_tags"]) {
    assert.deepEqual(scorecards[field], { type: ["string", "null"] }, field);
  }
  assert.deepEqual(scorecards.interviewed_at, { type: ["string", "null"], format: "date-time" });
});

Deno.test("v3 spec types: scalars, formats, nullable enums, arrays, nested objects, custom fields", () => {
  assert.deepEqual(specTypeSchema("integer"), { type: "integer" });
  assert.deepEqual(specTypeSchema("date|null"), { type: ["string", "null"], format: "date" });
  assert.deepEqual(specTypeSchema("string{a,b}|null"), {
    type: ["string", "null"],
    enum: ["a", "b", null],
  });
  assert.deepEqual(specTypeSchema("array<integer>|null"), {
    type: ["array", "null"],
    items: { type: "integer" },
  });
  assert.deepEqual(specTypeSchema("string|boolean|integer|array<integer>|null"), {
    type: ["string", "boolean", "integer", "array", "null"],
    items: { type: "integer" },
  });
  assert.deepEqual(specTypeSchema({ type: "array|null", items: { q: "string" } }), {
    type: ["array", "null"],
    items: { type: "object", properties: { q: { type: "string" } }, required: [] },
  });
  assert.deepEqual(specTypeSchema({ type: "object", fields: { id: "integer|null" } }), {
    type: "object",
    properties: { id: { type: ["integer", "null"] } },
    required: [],
  });
  assert.throws(() => specTypeSchema("strnig"), TypeError);
  const custom = specTypeSchema("custom_fields|null");
  assert.deepEqual(validate(custom, null), []);
  assert.deepEqual(
    validate(custom, { cost_center: { name: "Cost", type: "short_text", value: 3 } }),
    [],
  );
  assert.deepEqual(validate(custom, { cost_center: { name: "Cost" } }).map((e) => e.pointer), [
    "/cost_center/type",
    "/cost_center/value",
  ]);
  // Every type the data file uses converts, into keywords the validator checks.
  for (const [object, fields] of Object.entries(V3_OBJECTS)) {
    assert.deepEqual(unsupportedKeywords(v3ObjectSchema(object)!), [], object);
    assert.equal(Object.keys(fields).length > 0, true, object);
  }
});

Deno.test("v3 schemas: nulls only where the spec allows them, unknown fields allowed", () => {
  const schema = schemaFor("scorecards", "v3")!;
  const record = {
    id: 1,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    application_id: 2,
    status: "complete",
    notes_with_tags: null,
    added_by_greenhouse_later: { any: "thing" },
  };
  assert.deepEqual(validate(schema, record), []);
  assert.deepEqual(
    validate(schema, { ...record, application_id: null, status: "final" }).map((e) => e.pointer),
    ["/application_id", "/status"],
  );
  assert.deepEqual(validate(schema, { id: 1 }).map((e) => e.pointer), [
    "/created_at",
    "/updated_at",
  ]);
});
