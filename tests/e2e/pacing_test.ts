/**
 * End to end: no burst at the start of a run (issue 19, point 8). Against Harvest v1's documented
 * 50 requests per 10 s, the default 0.8 share spaces requests (10 s + 100 ms) / 40 ≈ 0.25 s
 * apart from the very first one, for an entity command and for activity_feeds with its four
 * requests in flight. The sandbox's request log, on the real clock, shows when each arrived: the
 * k-th request of a run comes at least k spacings after the first, less a tolerance for the first
 * one's own delay on the wire (each later one is sent at its slot or after: a slow machine only
 * delays them, so the test cannot fail by being slow). The CLI does pace in real time here,
 * about 1.5 s per command; the schedule itself is tested on an injected clock in
 * tests/unit/harvest_pacer_test.ts.
 */
import assert from "node:assert/strict";
import { runCli, withTempDir } from "./cli.ts";
import { apiEnv } from "./api.ts";
import { startSandboxDisposable } from "./sandbox.ts";

/** (10 s + 100 ms margin) / floor(0.8 × 50). */
const SPACING_MS = 10_100 / 40;
/**
 * How late the first request may arrive after its slot (a fresh connection on a busy machine, a
 * sandbox answering other tests): far less than the ~1 s a burst of six saves.
 */
const TOLERANCE_MS = 300;

Deno.test("the first requests of a run are spaced evenly, not sent in a burst (v1, 50 per 10 s)", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 6, rateLimit: 50 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    // candidates (six pages of one) also fills the cache activity_feeds works from.
    for (const args of [["candidates", "--per-page", "1"], ["activity_feeds"]]) {
      const from = sandbox.log.length;
      const result = await runCli([...args, "-q"], { root, env });
      assert.equal(result.code, 0, result.stderr);
      const times = sandbox.log.slice(from).map((entry) => entry.at);
      assert.ok(times.length >= 3, `${args[0]}: ${times.length} requests`);
      const late = times.map((at, k) => at - times[0] - k * SPACING_MS);
      assert.ok(
        late.every((ms) => ms >= -TOLERANCE_MS),
        `${args[0]}: requests at ${times.map((at) => at - times[0]).join(", ")} ms from the ` +
          `first, not ${SPACING_MS} ms apart`,
      );
    }
  });
});
