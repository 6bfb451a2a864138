import assert from "node:assert/strict";
import { isPositiveId, parseId, positiveId } from "../../src/ids.ts";

Deno.test("a positive id is a positive safe integer, nothing else", () => {
  for (const good of [1, 12, 4100000003, Number.MAX_SAFE_INTEGER]) {
    assert.ok(isPositiveId(good), String(good));
    assert.equal(positiveId(good), good);
  }
  const bad: unknown[] = [
    0,
    -0,
    -1,
    1.5,
    NaN,
    Infinity,
    Number.MAX_SAFE_INTEGER + 1,
    "12",
    12n,
    null,
    undefined,
    {},
    [12],
    true,
  ];
  for (const value of bad) {
    assert.ok(!isPositiveId(value), String(value));
    assert.equal(positiveId(value), undefined, String(value));
  }
});

Deno.test("parseId reads canonical decimal text only", () => {
  assert.equal(parseId("1"), 1);
  assert.equal(parseId("4100000003"), 4100000003);
  assert.equal(parseId(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  for (
    const text of [
      "",
      "0",
      "012",
      "+12",
      "-1",
      "1.0",
      "1e3",
      " 12",
      "12 ",
      "0x1f",
      "9007199254740992",
    ]
  ) {
    assert.equal(parseId(text), undefined, JSON.stringify(text));
  }
});
