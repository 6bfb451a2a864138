/**
 * `doctor` cost: wall time and requests against a sandbox tenant with every list, at the default
 * pacing (v3: 75 requests per 30 s, the value reported for real tenants; v1: 50 per 10 s) and the
 * default --rate-target, on v3 then v1; the target is the issue's: a minute at most on a 30-list
 * tenant. And what `sync`'s drift counting costs: a walk of every record it writes against its
 * schema, timed in-process over every list of a 20,000-candidate tenant (quick: 2,000), beside
 * parsing the same records (which every sync does anyway).
 */
import { type ApiVersion, entityNamesFor } from "../../src/entities.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { driftCounter } from "../../src/sync/drift.ts";
import { median, printFigures, runCliMeasured } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const GROUP = "doctor";

function env(api: ApiVersion, sandbox: Sandbox): Record<string, string> {
  return api === "v1" ? { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey } : {
    GREENHOUSE_BASE_URL: sandbox.v3Url,
    GREENHOUSE_AUTH_URL: sandbox.authUrl,
    GREENHOUSE_CLIENT_ID: sandbox.clientId,
    GREENHOUSE_CLIENT_SECRET: sandbox.clientSecret,
  };
}

/** One doctor run on a fresh sandbox (a fresh rate window): seconds, API requests, all requests. */
async function doctorRun(api: ApiVersion, root: string) {
  const sandbox = await startSandbox({ candidates: 200 });
  try {
    const run = await runCliMeasured(["doctor", "-q", "--json"], {
      cwd: root,
      env: env(api, sandbox),
    });
    if (run.code !== 0) throw new Error(`doctor failed: ${run.stderr || run.stdout.slice(-300)}`);
    const report = JSON.parse(run.stdout);
    return {
      seconds: run.ms / 1000,
      lists: report.lists.length as number,
      api: report.requests as number,
      all: sandbox.log.length,
    };
  } finally {
    await sandbox.close();
  }
}

/** Every record of every list, parsed from its JSON as a sync reads it, then walked for drift. */
async function driftCost(candidates: number) {
  const sandbox = await startSandbox({ candidates, rateLimit: 0 });
  try {
    let records = 0;
    let parseMs = 0;
    let driftMs = 0;
    for (const name of entityNamesFor("v3")) {
      const texts = sandbox.served("v3", name).map((record) => JSON.stringify(record));
      let started = performance.now();
      const parsed = texts.map((text) => JSON.parse(text));
      parseMs += performance.now() - started;
      const counter = driftCounter(name, "v3")!;
      started = performance.now();
      for (const record of parsed) counter.inspect(record);
      driftMs += performance.now() - started;
      records += parsed.length;
    }
    return { records, parseMs, driftMs };
  } finally {
    await sandbox.close();
  }
}

export const bench: Bench = {
  group: GROUP,
  async run({ quick }) {
    const runs = quick ? 1 : 3;
    const figures: BenchFigure[] = [];
    const figure = (name: string, values: number[], unit: string, target = "", met?: boolean) => ({
      group: GROUP,
      name,
      value: median(values),
      unit,
      target,
      met,
      runs: values,
    });
    const root = await Deno.makeTempDir({ prefix: "ghx-bench-doctor-" });
    try {
      for (const api of ["v3", "v1"] as const) {
        const results = [];
        for (let i = 0; i < runs; i++) results.push(await doctorRun(api, root));
        const lists = results[0].lists;
        const seconds = results.map((r) => r.seconds);
        // A minute for 30 lists, in proportion for more (the table grows).
        const budget = Math.max(60, Math.ceil(60 * lists / 30));
        figures.push(
          figure(
            `${api}: doctor, ${lists} lists at the default pacing: time`,
            seconds,
            "s",
            `<= ${budget} (a minute per 30 lists)`,
            Math.max(...seconds) <= budget,
          ),
          figure(
            `${api}: doctor: API requests`,
            results.map((r) => r.api),
            "requests",
            `= ${lists} (one per list)`,
            results.every((r) => r.api === lists),
          ),
          figure(
            `${api}: doctor: all requests (token, file host included)`,
            results.map((r) => r.all),
            "requests",
          ),
        );
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
    const candidates = quick ? 2_000 : 20_000;
    const costs = [];
    for (let i = 0; i < runs; i++) costs.push(await driftCost(candidates));
    const at = `${candidates.toLocaleString("en-US")} candidates`;
    figures.push(
      figure(
        `sync drift counting, v3, every list of ${at}: per record`,
        costs.map((c) => (c.driftMs * 1000) / c.records),
        "µs",
      ),
      figure(
        `sync drift counting, v3, every list of ${at}: total`,
        costs.map((c) => c.driftMs / 1000),
        "s",
      ),
      figure(
        `JSON.parse of the same ${costs[0].records.toLocaleString("en-US")} records (for scale)`,
        costs.map((c) => c.parseMs / 1000),
        "s",
      ),
    );
    return figures;
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
