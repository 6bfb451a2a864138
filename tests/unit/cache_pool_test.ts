import assert from "node:assert/strict";
import { pool } from "../../src/cache/pool.ts";

Deno.test("pool: results in input order, never more than `limit` in flight, failures kept", async () => {
  let inFlight = 0;
  let most = 0;
  const results = await pool([5, 1, 4, 2, 3, 0], 2, async (n) => {
    inFlight++;
    most = Math.max(most, inFlight);
    // Yield a few times so that calls overlap (no timers: nothing waits on the clock).
    for (let i = 0; i < n; i++) await Promise.resolve();
    inFlight--;
    if (n === 4) throw new Error("four");
    return n * 10;
  });
  assert.equal(most, 2);
  assert.deepEqual(
    results.map((r) => r.status === "fulfilled" ? r.value : (r.reason as Error).message),
    [50, 10, "four", 20, 30, 0],
  );
  assert.deepEqual(await pool([], 4, () => Promise.resolve(1)), []);
});
