import assert from "node:assert/strict";
import {
  csvCell,
  csvColumns,
  MAX_DEPTH,
  parquetColumns,
  ShapeScan,
  valueAt,
} from "../../src/export/shape.ts";
import type { ApiRecord } from "../../src/entities.ts";

function scan(records: ApiRecord[]): ShapeScan {
  const shape = new ShapeScan("things");
  for (const record of records) shape.add(record);
  return shape;
}

Deno.test("csv columns: objects flattened with dots, arrays and mixed fields kept whole, id first then sorted", () => {
  const shape = scan([
    { id: 1, name: "a", recruiter: { id: 7, name: "R" }, tags: ["x"], odd: { a: 1 }, empty: {} },
    { id: 2, recruiter: null, odd: "text", extra: true, empty: {}, Zed: 1 },
  ]);
  assert.deepEqual(csvColumns(shape).map((c) => c.name), [
    "id",
    "Zed",
    "empty",
    "extra",
    "name",
    "odd",
    "recruiter.id",
    "recruiter.name",
    "tags",
  ]);
});

Deno.test("csv columns: a name two paths would share keeps the outer object whole", () => {
  const shape = scan([{ id: 1, "a.b": 1, a: { b: 2, c: 3 } }]);
  const columns = csvColumns(shape);
  assert.deepEqual(columns.map((c) => c.name), ["id", "a", "a.b"]);
  const record = { id: 1, "a.b": 1, a: { b: 2, c: 3 } };
  assert.deepEqual(columns.map((c) => csvCell(valueAt(record, c.path))), [
    "1",
    '{"b":2,"c":3}',
    "1",
  ]);
});

Deno.test("csv columns: nesting beyond MAX_DEPTH is JSON text", () => {
  let deep: ApiRecord = { leaf: 1 };
  for (let i = 0; i < MAX_DEPTH + 2; i++) deep = { k: deep };
  const names = csvColumns(scan([{ id: 1, deep }])).map((c) => c.name);
  assert.equal(names.length, 2);
  assert.equal(names[1].split(".").length, MAX_DEPTH);
});

Deno.test("cells: null and absent empty, strings as they are, the rest JSON; own keys only", () => {
  assert.equal(csvCell(null), "");
  assert.equal(csvCell(undefined), "");
  assert.equal(csvCell("=1+1"), "=1+1");
  assert.equal(csvCell(0.5), "0.5");
  assert.equal(csvCell(false), "false");
  assert.equal(csvCell([{ a: "b" }]), '[{"a":"b"}]');
  assert.equal(valueAt({ id: 1 }, ["constructor"]), undefined);
  assert.equal(valueAt({ a: [1] }, ["a", "0"]), undefined, "arrays are not walked into");
});

Deno.test("parquet columns: typed by every value seen", () => {
  const shape = scan([
    { id: 1, n: 1, x: 1, b: true, s: "a", j: [1], m: "5", z: null, big: 2 ** 60 },
    { id: 2, n: 2, x: 1.5, b: null, s: null, j: { a: 1 }, m: 5, z: null, big: 1 },
  ]);
  assert.deepEqual(parquetColumns(shape), [
    { name: "id", type: "INT64" },
    { name: "b", type: "BOOLEAN" },
    { name: "big", type: "DOUBLE" },
    { name: "j", type: "JSON" },
    { name: "m", type: "JSON" },
    { name: "n", type: "INT64" },
    { name: "s", type: "STRING" },
    { name: "x", type: "DOUBLE" },
    { name: "z", type: "STRING" },
  ]);
});
