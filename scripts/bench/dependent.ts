/**
 * Benchmarks for the candidate-dependent commands, run as CLI subprocesses against the sandbox:
 * - activity_feeds under a rate limit: feeds per full 10 s window against the budget
 *   (rate-target × limit), and the 429s received;
 * - attachments: throughput and peak RSS (VmHWM, polled from /proc while it runs) downloading
 *   one huge file;
 * - the feeds step's resume cost after a kill -9: requests repeated for feeds already on disk.
 *
 * Run directly (with `deno task bench`'s flags: `deno run --allow-run --allow-net=127.0.0.1
 * --allow-read --allow-write --allow-env --allow-sys scripts/bench/dependent.ts [--quick]
 * [--only resume]`), it prints the figures as JSON lines without rewriting BENCHMARKS.md.
 */
import { join } from "node:path";
import { cliCommand, runCli, waitFor } from "../../tests/e2e/cli.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";
import { candidateAttachmentsDir, MARKER_FILE, recordIdOf } from "../../src/cache/layout.ts";
import { expectSuccess, median, printFigures, runCliMeasured, withTempDir } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const RATE_LIMIT = 20;
const WINDOW_MS = 10_000;
const RATE_TARGET = 0.8;

async function feedsUnderRateLimit(quick: boolean): Promise<BenchFigure[]> {
  const budget = RATE_TARGET * RATE_LIMIT;
  // Enough feeds for two (quick) or three full windows between the partial first and last.
  const candidates = Math.round(budget * (quick ? 3.5 : 4.5));
  const sandbox = await startSandbox({ candidates, rateLimit: RATE_LIMIT, windowMs: WINDOW_MS });
  try {
    sandbox.faults.latencyMs = 150; // latency must not set the pace: concurrency hides it
    return await withTempDir(async (root) => {
      const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
      const rate = ["--rate-target", String(RATE_TARGET)];
      const listed = await runCli(["candidates", "-q", ...rate], { root, env });
      if (listed.code !== 0) throw new Error(`candidates failed: ${listed.stderr}`);
      const feeds = await runCli(["activity_feeds", "-q", ...rate], { root, env });
      if (feeds.code !== 0) throw new Error(`activity_feeds failed: ${feeds.stderr}`);
      const entries = sandbox.log.filter((e) => e.path.endsWith("/activity_feed"));
      const perWindow = new Map<number, number>();
      for (const e of entries) {
        const w = Math.floor(e.at / WINDOW_MS);
        perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
      }
      const windows = [...perWindow.keys()].sort((a, b) => a - b).slice(1, -1);
      const counts = windows.map((w) => perWindow.get(w)!);
      const ratios = counts.map((n) => n / budget);
      // The mean: evenly spread, 16 requests per 10.1 s put 15 or 16 in a fixed 10 s window.
      const ratio = ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : 0;
      const rateLimited = sandbox.counts().rateLimited;
      return [
        {
          group: "dependent",
          name: `activity_feeds per full window vs budget (limit ${RATE_LIMIT}/10 s, ` +
            `rate-target ${RATE_TARGET}, 150 ms latency, concurrency 4)`,
          value: Number(ratio.toFixed(3)),
          unit: "× budget",
          target: ">= 0.97",
          met: ratio >= 0.97,
          runs: ratios.map((r) => Number(r.toFixed(3))),
          note: `${entries.length} feeds; full windows held ${counts.join(", ")} of ${budget}`,
        },
        {
          group: "dependent",
          name: "activity_feeds 429s received under that limit",
          value: rateLimited,
          unit: "responses",
          target: "= 0",
          met: rateLimited === 0,
        },
      ];
    });
  } finally {
    await sandbox.close();
  }
}

/**
 * Runs the CLI and returns its exit code and peak resident set (kB). Deno will not let a script
 * read another process's /proc/<pid>/status without --allow-all, so GNU time (wait4's ru_maxrss)
 * reports the peak; without it, `cat /proc/<pid>/status` is polled for VmHWM.
 */
async function hugeDownload(quick: boolean): Promise<BenchFigure[]> {
  const size = (quick ? 64 : 300) * 1024 * 1024;
  const runs = quick ? 1 : 3;
  const sandbox = await startSandbox({ candidates: 14, rateLimit: 0, hugeAttachmentBytes: size });
  const hugeId = sandbox.tenant.hugeAttachmentCandidateId()!;
  const speeds: number[] = [];
  const peaks: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      await withTempDir(async (root) => {
        const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
        const listed = await runCli(["candidates", "-q"], { root, env });
        if (listed.code !== 0) throw new Error(`candidates failed: ${listed.stderr}`);
        const started = performance.now();
        const result = expectSuccess(
          await runCliMeasured(["attachments", "-q", "--candidates", String(hugeId)], {
            cwd: root,
            env,
          }),
          "attachments",
        );
        const seconds = (performance.now() - started) / 1000;
        const folder = candidateAttachmentsDir(join(root, "greenhouse-cache"), hugeId);
        let bytes = 0;
        for await (const dir of Deno.readDir(folder)) {
          for await (const f of Deno.readDir(join(folder, dir.name))) {
            if (f.name !== MARKER_FILE) {
              bytes += (await Deno.stat(join(folder, dir.name, f.name))).size;
            }
          }
        }
        speeds.push(bytes / 1024 / 1024 / seconds);
        peaks.push(result.peakRssMb);
      });
    }
  } finally {
    await sandbox.close();
  }
  const mb = size / 1024 / 1024;
  const rss = median(peaks);
  return [
    {
      group: "dependent",
      name:
        `attachments throughput, one ${mb} MB file plus the candidate's others (loopback sandbox)`,
      value: Number(median(speeds).toFixed(1)),
      unit: "MB/s",
      target: "",
      runs: speeds.map((s) => Number(s.toFixed(1))),
      note: "wall time of the CLI process, start-up included; the sandbox generates the bytes",
    },
    {
      group: "dependent",
      name: `attachments peak RSS downloading a ${mb} MB file`,
      value: Number(rss.toFixed(1)),
      unit: "MB",
      target: "< 120 MB",
      met: rss < 120,
      runs: peaks.map((p) => Number(p.toFixed(1))),
      note: "peak RSS of the CLI subprocess (GNU time %M, else VmHWM polled from /proc)",
    },
  ];
}

/**
 * activity_feeds killed with -9 at a quarter, half and three quarters of its candidates, then run
 * again: how many feeds already on disk the rerun asks for (the promise: none). Also counted, as a
 * note: feeds the sandbox had answered but the killed process had not written yet (in flight at
 * the kill, so rightly asked for again).
 */
async function feedsResumeAfterKill(quick: boolean): Promise<BenchFigure[]> {
  const candidates = 400;
  const stops = quick ? [0.5] : [0.25, 0.5, 0.75];
  const repeated: number[] = [];
  const inFlight: number[] = [];
  const remaining: number[] = [];
  const sandbox = await startSandbox({ candidates, rateLimit: 0 });
  try {
    for (const stop of stops) {
      await withTempDir(async (root) => {
        const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
        const listed = await runCli(["candidates", "-q"], { root, env });
        if (listed.code !== 0) throw new Error(`candidates failed: ${listed.stderr}`);
        const from = sandbox.log.length;
        const feeds = (start: number) =>
          sandbox.log.slice(start).map((e) =>
            /^\/v1\/candidates\/(\d+)\/activity_feed$/.exec(e.path)
          )
            .filter((m) => m !== null).map((m) => Number(m![1]));
        sandbox.faults.latencyMs = 5;
        const child = cliCommand(["activity_feeds", "-q"], { root, env }).spawn();
        await waitFor(() => feeds(from).length >= candidates * stop, `${stop} of the feeds`);
        child.kill("SIGKILL");
        await child.output();
        sandbox.faults.latencyMs = 0;
        const answered = new Set(feeds(from));
        const onDisk = new Set<number>();
        for await (const entry of Deno.readDir(join(root, "greenhouse-cache", "activity_feeds"))) {
          const id = recordIdOf(entry.name);
          if (id !== undefined) onDisk.add(id);
        }
        const rerunFrom = sandbox.log.length;
        const rerun = await runCli(["activity_feeds", "-q"], { root, env });
        if (rerun.code !== 0) throw new Error(`activity_feeds rerun failed: ${rerun.stderr}`);
        const asked = feeds(rerunFrom);
        repeated.push(asked.filter((id) => onDisk.has(id)).length);
        inFlight.push(asked.filter((id) => answered.has(id) && !onDisk.has(id)).length);
        remaining.push(candidates - onDisk.size);
        if (asked.length !== candidates - onDisk.size) {
          throw new Error(`rerun asked ${asked.length}, expected ${candidates - onDisk.size}`);
        }
      });
    }
  } finally {
    await sandbox.close();
  }
  const value = median(repeated);
  return [{
    group: "dependent",
    name: `feeds step resume cost after a kill -9: feeds already on disk requested again ` +
      `(${candidates} candidates, killed at ${stops.map((s) => `${s * 100}%`).join(", ")})`,
    value,
    unit: "requests",
    target: "= 0",
    met: repeated.every((n) => n === 0),
    runs: repeated,
    note: `the reruns asked for ${remaining.join(", ")} feeds, exactly those not on disk; of ` +
      `them ${inFlight.join(", ")} had been answered while the killed run was writing them`,
  }];
}

export const bench: Bench = {
  group: "dependent",
  async run({ quick }) {
    return [
      ...await feedsUnderRateLimit(quick),
      ...await hugeDownload(quick),
      ...await feedsResumeAfterKill(quick),
    ];
  },
};

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  printFigures(
    Deno.args.includes("--only") && Deno.args.includes("resume")
      ? await feedsResumeAfterKill(quick)
      : await bench.run({ quick }),
  );
}
