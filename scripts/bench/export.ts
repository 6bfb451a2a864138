/**
 * `export` of a 100,000-candidate cache (10,000 in quick mode) to NDJSON, Parquet and CSV:
 * records per second and peak RSS of the CLI subprocess (the binary's flags, start-up
 * included). The cache is generated directly on disk, as for the check benchmark.
 */
import { join } from "node:path";
import { generateCache } from "./check.ts";
import { expectSuccess, median, printFigures, runCliMeasured } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const RUNS = 3;
const RSS_TARGET_MB = 120;
const FORMATS = ["ndjson", "parquet", "csv"] as const;

export const bench: Bench = {
  group: "export",
  async run({ quick }): Promise<BenchFigure[]> {
    const records = quick ? 10_000 : 100_000;
    const runs = quick ? 1 : RUNS;
    const root = await Deno.makeTempDir({ prefix: "ghx-bench-export-" });
    const figures: BenchFigure[] = [];
    try {
      await generateCache(join(root, "greenhouse-cache"), records);
      const label = `${records.toLocaleString("en-US")} candidates`;
      for (const format of FORMATS) {
        const rates: number[] = [];
        const rss: number[] = [];
        let bytes = 0;
        for (let i = 0; i < runs; i++) {
          const run = expectSuccess(
            await runCliMeasured(["export", "--format", format, "--quiet", "--json"], {
              cwd: root,
              env: {},
            }),
            `export --format ${format}`,
          );
          const summary = JSON.parse(run.stdout);
          if (summary.records !== records) {
            throw new Error(`export --format ${format} wrote ${summary.records} records`);
          }
          bytes = summary.entities.find((e: { entity: string }) => e.entity === "candidates")
            .bytes;
          rates.push(Math.round(records / (run.ms / 1000)));
          rss.push(Math.round(run.peakRssMb * 10) / 10);
        }
        const optional = format === "csv" ? " (informational)" : "";
        figures.push(
          {
            group: "export",
            name: `export ${label} to ${format}, throughput${optional}`,
            value: median(rates),
            unit: "records/s",
            target: "",
            runs: rates,
            note:
              `wall time of the CLI subprocess, start-up included; file ${
                (bytes / 1024 ** 2).toFixed(1)
              } MB` +
              (format === "ndjson" ? "" : "; two passes (shape scan and staging, then write)"),
          },
          {
            group: "export",
            name: `export ${label} to ${format}, peak RSS${optional}`,
            value: median(rss),
            unit: "MB",
            target: format === "csv" ? "" : `< ${RSS_TARGET_MB} MB`,
            met: format === "csv" ? undefined : median(rss) < RSS_TARGET_MB,
            runs: rss,
          },
        );
      }
      figures[1].note = "maximum RSS of the CLI subprocess (GNU time %M)";
      return figures;
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
