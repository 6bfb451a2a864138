import assert from "node:assert/strict";
import { claimEncoded, encodeEntries, encodeRecords, validateId } from "../../src/cache/encode.ts";
import { sha256Hex } from "../../src/cache/hash.ts";
import { RunError } from "../../src/errors.ts";

const name = (r: { name?: string }) => r.name ?? "";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("encode: a record's file is its pretty JSON plus a newline, with its hash", () => {
  const record = { id: 7, name: 'Zoë, "Z"', tags: ["a"] };
  const { files } = encodeRecords([record], name);
  assert.equal(files.length, 1);
  const [file] = files;
  assert.equal(file.id, 7);
  assert.equal(file.moniker, 'Zoë, "Z"');
  assert.equal(text(file.bytes), JSON.stringify(record, null, 2) + "\n");
  assert.equal(file.hash, sha256Hex(file.bytes));
});

Deno.test("encode: the last occurrence of an id wins, in order of last occurrence", () => {
  const { files } = encodeRecords(
    [{ id: 1, name: "old" }, { id: 2, name: "two" }, { id: 1, name: "new" }],
    name,
  );
  assert.deepEqual(files.map((f) => [f.id, f.moniker]), [[2, "two"], [1, "new"]]);
  assert.equal(JSON.parse(text(files[1].bytes)).name, "new");
});

Deno.test("encode: many and large records keep their own bytes across shared buffers", () => {
  const records = Array.from({ length: 300 }, (_, i) => ({
    id: i + 1,
    name: `n${i}`,
    body: "é".repeat(i * 50),
  }));
  records.push({ id: 1000, name: "big", body: "x".repeat(2 * 1024 * 1024) });
  const { files } = encodeRecords(records, name);
  for (const [i, file] of files.entries()) {
    assert.equal(text(file.bytes), JSON.stringify(records[i], null, 2) + "\n", `record ${i}`);
    assert.equal(file.hash, sha256Hex(file.bytes));
  }
});

Deno.test("encode: entries carry their own id and moniker", () => {
  const { files } = encodeEntries([{ id: 12, moniker: "feed 12", body: { activities: [] } }]);
  assert.deepEqual([files[0].id, files[0].moniker], [12, "feed 12"]);
  assert.equal(text(files[0].bytes), '{\n  "activities": []\n}\n');
  assert.throws(() => encodeEntries([{ id: 0, moniker: "", body: {} }]), RunError);
});

Deno.test("encode: bad records are refused with a RunError naming the problem", () => {
  const refuse = (records: unknown[], pattern: RegExp) =>
    assert.throws(() => encodeRecords(records as { id: unknown }[], name), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.match(e.message, pattern);
      return true;
    });
  refuse([null], /not a JSON object/);
  refuse([{ id: "../x" }], /id "\.\.\/x": not a positive integer/);
  refuse([{ id: 1.5 }], /id 1\.5: not a positive integer/);
  refuse([{ id: 1, big: 1n }], /record 1: cannot be serialised/);
  assert.throws(
    () =>
      encodeRecords([{ id: 3 }], () => {
        throw new Error("no name");
      }),
    /record 3: its index moniker cannot be computed \(no name\)/,
  );
  assert.throws(
    () => encodeEntries([{ id: 4, moniker: "", body: undefined }]),
    /record 4: has no JSON/,
  );
});

Deno.test("validateId names what it refused, cut short", () => {
  assert.equal(validateId(42), 42);
  assert.throws(
    () => validateId(-1, "candidate"),
    /^RunError: candidate id -1: not a positive integer/,
  );
  assert.throws(
    () => validateId("x".repeat(500)),
    (e: unknown) => (e as Error).message.length < 200,
  );
});

Deno.test("encoded records are written once", () => {
  const encoded = encodeRecords([{ id: 1, name: "a" }], name);
  const claimed = claimEncoded(encoded);
  assert.equal(claimed.files.length, 1);
  claimed.release();
  assert.throws(() => claimEncoded(encoded), /already written/);
});
