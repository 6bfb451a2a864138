/**
 * The sandbox's stalls (stallAnswer, stall, latency) end when it closes: a test that kills or
 * times out its client mid-stall closes the sandbox at once instead of waiting the stall out.
 */
import assert from "node:assert/strict";
import { startSandbox } from "../../src/sandbox/mod.ts";

for (const fault of ["stallAnswer", "stall", "latencyMs"] as const) {
  Deno.test(`sandbox: closing it ends a ${fault} at once, after its client went away`, async () => {
    const sandbox = await startSandbox({ candidates: 3, rateLimit: 0 });
    const stallMs = 60_000;
    if (fault === "latencyMs") sandbox.faults.latencyMs = stallMs;
    else sandbox.faults[fault] = { times: 1, ms: stallMs };
    const client = new AbortController();
    const asked = fetch(`${sandbox.url}/jobs`, {
      headers: { Authorization: `Basic ${btoa(`${sandbox.apiKey}:`)}` },
      signal: client.signal,
    });
    while (sandbox.log.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    client.abort();
    await assert.rejects(asked);
    const started = performance.now();
    await sandbox.close();
    // Well under the stall: the handler returned when the connection closed.
    assert.ok(performance.now() - started < stallMs / 4, `${performance.now() - started} ms`);
  });
}
