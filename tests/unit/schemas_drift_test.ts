/**
 * Drift against a schema (src/schemas/drift.ts): problems and shapes named by field path, never
 * by value; open objects and fields the schema does not know keep their keys out.
 */
import assert from "node:assert/strict";
import {
  describeProblem,
  DriftTally,
  type FieldProblem,
  inspectRecord,
  type JsonType,
  MAX_DRIFT_PATHS,
  validate,
} from "../../src/schemas/mod.ts";
import {
  array,
  dateTime,
  integer,
  map,
  nullable,
  object,
  oneOf,
  record,
  string,
} from "../../src/schemas/dsl.ts";

const schema = record({
  name: nullable(string),
  status: oneOf(["active", "rejected"]),
  created_at: dateTime,
  tags: array(object({ id: integer, label: string }, ["id"])),
  custom_fields: map,
}, ["name", "status"]);

function walk(value: unknown) {
  const problems: FieldProblem[] = [];
  const fields: [string, JsonType][] = [];
  const breaks = inspectRecord(schema, value, {
    problem: (p) => problems.push(p),
    field: (path, type) => fields.push([path, type]),
  });
  return { breaks, problems, fields };
}

Deno.test("a record that fits its schema has no problem and its shape is every field path", () => {
  const { breaks, problems, fields } = walk({
    id: 1,
    name: "Ada",
    status: "active",
    created_at: "2026-01-02T03:04:05Z",
    tags: [{ id: 2, label: "x" }],
    custom_fields: { salary_band: "B" },
  });
  assert.equal(breaks, false);
  assert.deepEqual(problems, []);
  assert.deepEqual(fields.map(([path]) => path), [
    "id",
    "name",
    "status",
    "created_at",
    "tags",
    "tags[]",
    "tags[].id",
    "tags[].label",
    "custom_fields",
    "custom_fields.*",
  ]);
});

Deno.test("unknown fields, missing required fields, wrong types and values are named by path, never by value", () => {
  const secret = "Zyxwv Qwertyson";
  const { breaks, problems } = walk({
    id: 1,
    status: secret,
    created_at: "not a date " + secret,
    tags: [{ label: 7 }],
    nickname: secret,
    "odd key with spaces": secret,
    extra: { [secret]: { deeper: secret } },
  });
  assert.equal(breaks, true);
  assert.deepEqual(problems.map(describeProblem), [
    "name: missing (required)",
    "status: not one of the documented values",
    "created_at: not a date-time",
    "tags[].id: missing (required)",
    "tags[].label: expected string, got integer",
    "nickname: not in the schema (string)",
    "<other>: not in the schema (string)",
    "extra: not in the schema (object)",
  ]);
  assert.ok(!JSON.stringify(problems).includes("Zyxwv"), "no value in the problems");
});

Deno.test("a shape names the keys of open objects and below unknown fields as *, never as given", () => {
  const secret = "jane.doe@example.com";
  const { fields } = walk({
    id: 1,
    name: null,
    status: "active",
    custom_fields: { [secret]: secret },
    extra: { [secret]: [{ [secret]: 1 }] },
  });
  const paths = fields.map(([path, type]) => `${path}:${type}`);
  assert.ok(paths.includes("custom_fields.*:string"), paths.join(" "));
  assert.ok(paths.includes("extra.*[].*:integer"), paths.join(" "));
  assert.ok(!JSON.stringify(fields).includes("jane"), "no key of an open object");
});

Deno.test("a wrong type stops the walk below it; a record that is not an object is a type problem", () => {
  assert.deepEqual(walk({ id: 1, name: "a", status: "active", tags: "nope" }).problems, [
    { path: "tags", kind: "type", expected: "array", got: "string" },
  ]);
  assert.deepEqual(walk([1, 2]).problems, [
    { path: "", kind: "type", expected: "object", got: "array" },
  ]);
});

Deno.test("DriftTally counts a path once per record, records that break, and bounds the paths kept", () => {
  const tally = new DriftTally();
  const fits = { id: 1, name: "a", status: "active" };
  tally.add(schema, fits);
  tally.add(schema, { ...fits, tags: [{ id: "1" }, { id: "2" }], extra: 1 });
  tally.add(schema, { ...fits, extra: 2 });
  assert.equal(tally.records, 3);
  assert.equal(tally.broken, 1);
  assert.deepEqual(
    tally.entries("unknown").map((e) => [e.problem.path, e.records]),
    [["extra", 2]],
  );
  assert.deepEqual(
    tally.entries("breaking").map((e) => [e.problem.path, e.records]),
    [["tags[].id", 1]],
  );
  const many = new DriftTally();
  const wide: Record<string, number> = { id: 1 };
  for (let i = 0; i < MAX_DRIFT_PATHS + 20; i++) wide[`field_${i}`] = i;
  many.add(schema, { ...fits, ...wide });
  assert.equal(many.byPath.size, MAX_DRIFT_PATHS);
  assert.equal(many.morePaths, 20);
});

Deno.test("drift checks dates and date-times exactly as check --strict's validator does", () => {
  const cases = [
    "2026-01-02T03:04:05Z",
    "2026-01-02T03:04:05.123456Z",
    "2026-01-02t03:04:05z",
    "2026-01-02T03:04:05+05:30",
    "2026-01-02T03:04:05-00:00",
    "2024-02-29T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-01-02T24:00:00Z",
    "2026-01-02T23:60:00Z",
    "2026-01-02T23:59:60Z",
    "2026-01-02T03:04:05.Z",
    "2026-01-02T03:04:05",
    "2026-01-02 03:04:05Z",
    "2026-01-02T03:04:05+0530",
    "2026-01-02T03:04:05+24:00",
    "２026-01-02T03:04:05Z",
    "2026-01-02",
    "2024-02-29",
    "2023-02-29",
    "2026-1-02",
    "",
  ];
  for (const format of ["date", "date-time"]) {
    const schema = { type: "string", format };
    for (const value of cases) {
      const drifts = inspectRecord(schema, value, { problem: () => {} });
      assert.equal(
        drifts,
        validate(schema, value).length > 0,
        `${format} ${JSON.stringify(value)}`,
      );
    }
  }
});
