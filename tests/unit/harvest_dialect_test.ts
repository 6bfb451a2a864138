import assert from "node:assert/strict";
import { v1Dialect, v3Dialect, withPageSize } from "../../src/harvest/dialect.ts";

const params = (init: Record<string, string>) => new URLSearchParams(init);

Deno.test("v3 dialect: never created_at and updated_at in one request", () => {
  assert.throws(
    () => v3Dialect.firstPageParams(params({ created_at: "gte|a", updated_at: "gte|b" })),
    (e) => e instanceof RangeError && /created_at or updated_at, never both/.test(e.message),
  );
  assert.equal(
    v3Dialect.firstPageParams(params({ updated_at: "gte|b" })).get("updated_at"),
    "gte|b",
  );
});

Deno.test("dialects: per_page is at most 500 (v3 answers 422 above it, it does not cap)", () => {
  for (const dialect of [v1Dialect, v3Dialect]) {
    assert.equal(dialect.maxPerPage, 500);
    assert.equal(dialect.firstPageParams(params({})).get("per_page"), "500");
    assert.equal(dialect.firstPageParams(params({ per_page: "50" })).get("per_page"), "50");
    for (const bad of ["501", "0", "-1", "5.5", "x"]) {
      assert.throws(() => dialect.firstPageParams(params({ per_page: bad })), RangeError, bad);
    }
  }
});

Deno.test("withPageSize: another first-page size, still within the version's maximum", () => {
  const small = withPageSize(v3Dialect, 20);
  assert.equal(small.version, "v3");
  assert.equal(small.firstPageParams(params({ created_at: "gte|a" })).get("per_page"), "20");
  assert.equal(small.firstPageParams(params({ per_page: "7" })).get("per_page"), "7");
  assert.throws(() => withPageSize(v3Dialect, 501), RangeError);
  assert.throws(() => withPageSize(v1Dialect, 0), RangeError);
  assert.deepEqual(v3Dialect.recordsByIds, { param: "ids", maxIds: 50 });
  assert.equal(v1Dialect.recordsByIds, undefined);
});
