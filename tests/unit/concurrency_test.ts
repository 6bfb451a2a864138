import assert from "node:assert/strict";
import { forEachConcurrent, settleConcurrent } from "../../src/concurrency.ts";

Deno.test("forEachConcurrent keeps at most n calls in flight and visits every item once", async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await forEachConcurrent([...Array(20).keys()], 3, async (item) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await Promise.resolve();
    await Promise.resolve();
    seen.push(item);
    inFlight--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort((a, b) => a - b), [...Array(20).keys()]);
});

Deno.test("forEachConcurrent stops handing out items after an error and rethrows it", async () => {
  const started: number[] = [];
  await assert.rejects(
    forEachConcurrent([1, 2, 3, 4, 5, 6], 1, async (item) => {
      started.push(item);
      await Promise.resolve();
      if (item === 2) throw new Error("boom");
    }),
    /boom/,
  );
  assert.deepEqual(started, [1, 2]);
});

Deno.test("settleConcurrent runs every item, at most n at a time, and keeps their order", async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await settleConcurrent([1, 2, 3, 4, 5], 2, async (item) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await Promise.resolve();
    inFlight--;
    if (item === 2) throw new Error("two");
    return item * 10;
  });
  assert.equal(peak, 2);
  assert.deepEqual(results.map((r) => r.status === "fulfilled" ? r.value : String(r.reason)), [
    10,
    "Error: two",
    30,
    40,
    50,
  ]);
});

Deno.test("a concurrency limit below 1 is a programming error", async () => {
  await assert.rejects(forEachConcurrent([1], 0, () => Promise.resolve()), RangeError);
  await assert.rejects(settleConcurrent([1], NaN, () => Promise.resolve()), RangeError);
});
