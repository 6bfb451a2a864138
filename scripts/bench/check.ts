/**
 * `check` over a 100,000-record cache (10,000 in quick mode): wall time and peak RSS of the CLI
 * subprocess. The cache is generated directly on disk (candidate files of realistic size and
 * their index), not through the API.
 */
import { join } from "node:path";
import { formatIndex, type IndexRow } from "../../src/cache/index_codec.ts";
import { CANDIDATES_FOLDER, INDEX_FILE, recordFileName } from "../../src/cache/layout.ts";
import { forEachConcurrent } from "../../src/concurrency.ts";
import { median, printFigures, runCliMeasured } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const RUNS = 3;

/** A candidate-shaped record of about 1.5 KB. */
export function candidate(id: number): Record<string, unknown> {
  return {
    id,
    first_name: `First${id}`,
    last_name: `Last${id}`,
    company: "Example Corp, Inc.",
    title: "Senior Engineer",
    created_at: "2024-01-01T00:00:00.000Z",
    updated_at: "2024-06-01T00:00:00.000Z",
    last_activity: "2024-06-01T00:00:00.000Z",
    is_private: false,
    photo_url: null,
    attachments: [{
      filename: `resume-${id}.pdf`,
      url: `https://example.invalid/files/${id}?Expires=1&Signature=abcdef0123456789`,
      type: "resume",
      created_at: "2024-01-01T00:00:00.000Z",
    }],
    application_ids: [id * 10 + 1, id * 10 + 2],
    phone_numbers: [{ value: "+1 555 0100", type: "mobile" }],
    addresses: [{ value: "1 Main St, Springfield", type: "home" }],
    email_addresses: [{ value: `person${id}@example.com`, type: "personal" }],
    website_addresses: [],
    social_media_addresses: [],
    recruiter: { id: 1, first_name: "Rita", last_name: "Recruiter", name: "Rita Recruiter" },
    coordinator: null,
    can_email: true,
    tags: ["Engineering", "Referral"],
    custom_fields: { desired_salary: "100000", notes: "x".repeat(400) },
    keyed_custom_fields: {},
  };
}

/** `records` candidate files and their index.csv under `<dir>/candidates/`, written directly. */
export async function generateCache(dir: string, records: number): Promise<void> {
  const folder = join(dir, CANDIDATES_FOLDER);
  await Deno.mkdir(folder, { recursive: true });
  const rows: IndexRow[] = [];
  const timestamp = "2024-06-02T00:00:00.000Z";
  const encoder = new TextEncoder();
  const ids = Array.from({ length: records }, (_, n) => 4_100_000_000 + n * 1000 + 3);
  await forEachConcurrent(ids, 32, async (id) => {
    const record = candidate(id);
    await Deno.writeFile(
      join(folder, recordFileName(id)),
      encoder.encode(JSON.stringify(record, null, 2) + "\n"),
    );
    rows.push({ id, moniker: `First${id} Last${id}`, timestamp });
  });
  await Deno.writeTextFile(join(folder, INDEX_FILE), formatIndex(rows));
}

/** Runs `check` once with the binary's flags; returns seconds and peak RSS. */
async function measure(root: string): Promise<{ seconds: number; rssMb: number; code: number }> {
  const run = await runCliMeasured(["check", "--quiet"], { cwd: root, env: {} });
  return { seconds: run.ms / 1000, rssMb: run.peakRssMb, code: run.code };
}

export const bench: Bench = {
  group: "check",
  async run({ quick }): Promise<BenchFigure[]> {
    const records = quick ? 10_000 : 100_000;
    const root = await Deno.makeTempDir({ prefix: "ghx-bench-check-" });
    try {
      await generateCache(join(root, "greenhouse-cache"), records);
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const run = await measure(root);
        if (run.code !== 0) throw new Error(`check exited ${run.code} on a clean cache`);
        runs.push(run);
      }
      const seconds = runs.map((r) => Math.round(r.seconds * 100) / 100);
      const rss = runs.map((r) => Math.round(r.rssMb * 10) / 10);
      const label = `${records.toLocaleString("en-US")}-record cache`;
      return [
        {
          group: "check",
          name: `check over a ${label}, wall time`,
          value: median(seconds),
          unit: "s",
          target: "< 10 s",
          met: median(seconds) < 10,
          runs: seconds,
        },
        {
          group: "check",
          name: `check over a ${label}, peak RSS`,
          value: median(rss),
          unit: "MB",
          target: "< 150 MB",
          met: median(rss) < 150,
          runs: rss,
          note: "maximum RSS of the CLI subprocess (GNU time %M)",
        },
      ];
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
