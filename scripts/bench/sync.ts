/**
 * `sync` cost: requests and seconds for a first (full) sync, a re-sync of an unchanged tenant and
 * a re-sync after 1% of the candidates changed, at 20,000 candidates (quick: 2,000). The CLI runs
 * as a subprocess against the in-process sandbox, unthrottled (rate limit off), so the seconds
 * measure the tool and the sandbox, not Greenhouse's rate limit; requests are what a real tenant
 * would be charged.
 */
import { join } from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { cliCommand } from "../../tests/e2e/cli.ts";
import { median } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const GROUP = "sync";

async function sync(sandbox: Sandbox, root: string, cacheDir: string) {
  const before = sandbox.log.length;
  const started = performance.now();
  const output = await cliCommand(["sync", "-q", "--json", "--cache-dir", cacheDir], {
    root,
    env: { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey },
  }).output();
  const seconds = (performance.now() - started) / 1000;
  if (output.code !== 0) {
    throw new Error(`sync failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return { seconds, requests: sandbox.log.length - before };
}

export const bench: Bench = {
  group: GROUP,
  async run({ quick }) {
    const candidates = quick ? 2_000 : 20_000;
    const runs = 3;
    const root = await Deno.makeTempDir({ prefix: "ghx-bench-sync-" });
    const full: { seconds: number; requests: number }[] = [];
    const unchanged: { seconds: number; requests: number }[] = [];
    const changed: { seconds: number; requests: number }[] = [];
    try {
      // A fresh tenant per run: a change made by an earlier run would still be inside the next
      // run's overlap window and be fetched again.
      for (let run = 0; run < runs; run++) {
        const clock = new ManualClock(Date.now());
        const sandbox = await startSandbox({ candidates, rateLimit: 0, clock });
        const cacheDir = join(root, `cache-${run}`);
        try {
          full.push(await sync(sandbox, root, cacheDir));
          unchanged.push(await sync(sandbox, root, cacheDir));
          clock.time = Date.now();
          const ids = sandbox.tenant.list("candidates").map((c) => c.id);
          for (const id of ids.slice(0, Math.ceil(candidates / 100))) {
            sandbox.tenant.touchCandidate(id);
          }
          changed.push(await sync(sandbox, root, cacheDir));
        } finally {
          await sandbox.close();
          await Deno.remove(cacheDir, { recursive: true });
        }
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
    const at = `${candidates.toLocaleString("en-US")} candidates`;
    const figure = (
      name: string,
      values: number[],
      unit: string,
      target = "",
      met?: boolean,
    ): BenchFigure => ({
      group: GROUP,
      name,
      value: median(values),
      unit,
      target,
      met,
      runs: values,
    });
    const unchangedRequests = unchanged.map((r) => r.requests);
    return [
      figure(`full sync, ${at}: requests`, full.map((r) => r.requests), "requests"),
      figure(`full sync, ${at}: time (unthrottled)`, full.map((r) => r.seconds), "s"),
      figure(
        `re-sync, unchanged tenant: requests`,
        unchangedRequests,
        "requests",
        "<= 7 (one per entity)",
        Math.max(...unchangedRequests) <= 7,
      ),
      figure(
        `re-sync, 1% of candidates changed: requests`,
        changed.map((r) => r.requests),
        "requests",
      ),
      figure(
        `re-sync, 1% of candidates changed: time (unthrottled)`,
        changed.map((r) => r.seconds),
        "s",
      ),
    ];
  },
};

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  for (const f of await bench.run({ quick })) {
    console.log(
      `${f.name}: ${f.value} ${f.unit}${
        f.target ? ` (target ${f.target}, met: ${f.met})` : ""
      } runs=${JSON.stringify(f.runs)}`,
    );
  }
}
