import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { JsonArrayBytes, splitJsonArray } from "../../src/harvest/json_array.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

function elements(text: string): string[] | undefined {
  const bytes = utf8(text);
  const ranges = splitJsonArray(bytes);
  if (ranges === undefined) return undefined;
  const out: string[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    out.push(new TextDecoder().decode(bytes.subarray(ranges[i], ranges[i + 1])));
  }
  return out;
}

Deno.test("splitJsonArray: element ranges, ignoring brackets, commas and quotes inside strings", () => {
  assertEquals(elements("[]"), []);
  assertEquals(elements(" \r\n[ ] \n"), []);
  assertEquals(elements('[1, "a,]\\"[", {"b": [1, {"c": "}"}]}, null ,true]'), [
    "1",
    '"a,]\\"["',
    '{"b": [1, {"c": "}"}]}',
    "null",
    "true",
  ]);
  assertEquals(elements('[{"name":"Zoë, 山田 \\\\"}]'), ['{"name":"Zoë, 山田 \\\\"}']);
  assertEquals(elements('\ufeff[{"id":1}]'), ['{"id":1}']);
});

Deno.test("splitJsonArray: not one balanced array → undefined", () => {
  for (
    const text of [
      "",
      "{}",
      '[{"id":1}',
      '[{"id":1},',
      '[{"id":1}]]',
      '[{"id":1}] x',
      '["unterminated]',
      "[1,,2]",
      "[,]",
      "[1,]",
    ]
  ) {
    assertEquals(splitJsonArray(utf8(text)), undefined, text);
  }
});

Deno.test("JsonArrayBytes: parses elements one by one; invalid elements make it undefined", () => {
  const array = JsonArrayBytes.from(utf8('[{"id":1,"n":"a"}, {"id":2,"n":[1e2]}]'))!;
  assertEquals(array.length, 2);
  assertEquals([...array.values()], [{ id: 1, n: "a" }, { id: 2, n: [100] }]);
  array.release();
  assertEquals(array.length, 0);
  // Balanced but not JSON: left to the caller's usual parse (and its "unparseable body" retry).
  assertEquals(JsonArrayBytes.from(utf8('[{"id":}]')), undefined);
  assertEquals(JsonArrayBytes.from(utf8("[{]}")), undefined);
});
