/**
 * A hostile server: what a body that never ends, a gzip bomb and a file host sending without end
 * cost the CLI (peak RSS, wall time) before it stops at its caps. Before the caps, a bomb like
 * these took the process to 5.9 GB and an OOM kill (issue 12).
 */
import { startSandbox } from "../../src/sandbox/mod.ts";
import { median, runCliMeasured, withTempDir } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

/** The cap on one API answer (src/harvest/client.ts DEFAULT_MAX_BODY_BYTES), in MB. */
const BODY_CAP_MB = 64;

async function apiBody(mode: "endless" | "gzip", runs: number): Promise<BenchFigure[]> {
  const sandbox = await startSandbox({ candidates: 5, rateLimit: 0 });
  try {
    const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
    const rss: number[] = [];
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      // 8 GiB decoded: the bomb is far larger than any memory; only the cap can stop it.
      sandbox.faults.hugeBody = { times: 1, mode, decodedBytes: 8 * 1024 ** 3 };
      const run = await withTempDir((cwd) => runCliMeasured(["candidates", "-q"], { cwd, env }));
      if (run.code !== 1 || !run.stderr.includes("larger than 64 MiB")) {
        throw new Error(`${mode}: expected the cap's error, got ${run.code}: ${run.stderr}`);
      }
      rss.push(run.peakRssMb);
      seconds.push(run.ms / 1000);
    }
    const what = mode === "gzip" ? "a gzip bomb (8 GiB decoded)" : "a body that never ends";
    return [
      {
        group: "hostile server",
        name: `peak RSS when the API sends ${what}`,
        value: Number(median(rss).toFixed(1)),
        unit: "MB",
        target: "< 400 MB",
        met: median(rss) < 400,
        runs: rss.map((v) => Number(v.toFixed(1))),
        note: mode === "gzip"
          ? "the same cap, counted after decoding: gzip shrinks the whitespace about 1000:1, " +
            "so the CLI stops after receiving well under 1 MB"
          : `\`candidates\` stops at the ${BODY_CAP_MB} MiB cap on one answer with one line ` +
            "naming the endpoint and the cap (exit 1, not retried); GNU time %M of the CLI",
      },
      {
        group: "hostile server",
        name: `time to stop on ${what}`,
        value: Number(median(seconds).toFixed(2)),
        unit: "s",
        target: "",
        runs: seconds.map((v) => Number(v.toFixed(2))),
      },
    ];
  } finally {
    await sandbox.close();
  }
}

async function endlessFile(runs: number): Promise<BenchFigure[]> {
  const sandbox = await startSandbox({ candidates: 14, rateLimit: 0 });
  try {
    const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      rss.push(
        await withTempDir(async (cwd) => {
          const listed = await runCliMeasured(["candidates", "-q"], { cwd, env });
          if (listed.code !== 0) throw new Error(`candidates: ${listed.stderr}`);
          sandbox.faults.hugeBody = { times: 1, scope: "files", mode: "endless" };
          const run = await runCliMeasured(["attachments", "-q", "--max-attachment-mb", "256"], {
            cwd,
            env,
          });
          if (!run.stderr.includes("went on past the 256 MiB limit")) {
            throw new Error(`expected the limit's failure, got ${run.code}: ${run.stderr}`);
          }
          return run.peakRssMb;
        }),
      );
    }
    return [{
      group: "hostile server",
      name: "peak RSS when a file host sends without end (--max-attachment-mb 256)",
      value: Number(median(rss).toFixed(1)),
      unit: "MB",
      target: "< 120 MB",
      met: median(rss) < 120,
      runs: rss.map((v) => Number(v.toFixed(1))),
      note: "streamed to disk up to the limit, then stopped and the partial file removed",
    }];
  } finally {
    await sandbox.close();
  }
}

export const bench: Bench = {
  group: "hostile server",
  async run({ quick }) {
    const runs = quick ? 1 : 3;
    return [
      ...await apiBody("endless", runs),
      ...await apiBody("gzip", runs),
      ...await endlessFile(runs),
    ];
  },
};
