/**
 * `sync` killed with -9 in its candidates listing, at a quarter, half and three quarters of
 * 20,000 candidates (quick: 2,000, at half) in pages of 500, then run again, on v3 then v1: the
 * scale version of tests/e2e/sync_test.ts's kill -9 test (which proves the same on ten pages of
 * ten). Measured: candidate pages the resumed run lists again (the promise: only those received
 * after the last checkpoint, here where every page is one: the page being written when killed and
 * the one read ahead meanwhile) and the requests
 * of the killed and the resumed run together against one uninterrupted sync. Proven, with a
 * failing exit if it breaks: the resumed run continues from the saved checkpoint and leaves every
 * entity folder holding exactly what the sandbox serves. Entity steps only (`--skip
 * activity_feeds,attachments`): the dependent steps' resume is the dependent benchmark's.
 *
 * Run directly (with `deno task bench`'s flags), it prints the figures without rewriting
 * BENCHMARKS.md.
 */
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { type ApiVersion, ENTITIES, type EntityName, entityNamesFor } from "../../src/entities.ts";
import { recordIdOf } from "../../src/cache/layout.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { apiEnv } from "../../tests/e2e/api.ts";
import { cliCommand, runCli, waitFor } from "../../tests/e2e/cli.ts";
import { median, printFigures, withTempDir } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const GROUP = "resume after kill -9";
const ENTITY_STEPS_ONLY = ["--skip", "activity_feeds,attachments"];
const PAGE = 500;

/** Throws unless every entity folder holds exactly the records the sandbox serves. */
async function assertCacheEqualsSandbox(api: ApiVersion, sandbox: Sandbox, cacheDir: string) {
  for (const entity of entityNamesFor(api)) {
    const served = new Map(sandbox.served(api, entity).map((r) => [r.id, r]));
    let files = 0;
    for await (const entry of Deno.readDir(join(cacheDir, entity))) {
      const id = recordIdOf(entry.name);
      if (id === undefined) continue;
      files++;
      const cached = JSON.parse(await Deno.readTextFile(join(cacheDir, entity, entry.name)));
      if (!isDeepStrictEqual(cached, served.get(id))) {
        throw new Error(`${api}: ${entity} ${id} differs from the sandbox after the resumed sync`);
      }
    }
    if (files !== served.size) {
      throw new Error(
        `${api}: ${entity} holds ${files} records, the sandbox serves ${served.size}`,
      );
    }
  }
}

/** The candidates list requests from log position `from` on. */
function candidateListings(api: ApiVersion, sandbox: Sandbox, from: number) {
  const path = `/${api}${ENTITIES["candidates" as EntityName].paths[api]}`;
  return sandbox.log.slice(from).filter((e) => e.path.split("?")[0] === path);
}

interface KillRun {
  /** Candidate pages the resumed run listed whose records the killed run had written. */
  pagesAgain: number;
  /** Requests of the killed run plus the resumed one, over one uninterrupted sync. */
  ratio: number;
}

/**
 * One sandbox for the version (syncs only read it): a full sync for the baseline, then per stop a
 * sync into a fresh cache killed at that share of the candidates, and the sync that resumes it.
 */
async function killAndResume(
  api: ApiVersion,
  candidates: number,
  stops: number[],
): Promise<KillRun[]> {
  const sandbox = await startSandbox({
    candidates,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(Date.now()),
  });
  try {
    return await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      const args = (
        cacheDir: string,
      ) => ["sync", "-q", ...ENTITY_STEPS_ONLY, "--cache-dir", cacheDir];
      const baseline = await runCli(args("baseline"), { root, env });
      if (baseline.code !== 0) throw new Error(`${api}: full sync failed: ${baseline.stderr}`);
      const fullRequests = sandbox.log.length;
      const runs: KillRun[] = [];
      for (const stop of stops) {
        const cacheDir = `killed-at-${stop * 100}`;
        const statePath = join(root, cacheDir, ".state.json");
        const checkpoint = async () => {
          try {
            return JSON.parse(await Deno.readTextFile(statePath)).steps.candidates?.checkpoint;
          } catch {
            return undefined;
          }
        };
        const killedStart = sandbox.log.length;
        const child = cliCommand(args(cacheDir), { root, env }).spawn();
        await waitFor(
          async () => ((await checkpoint())?.written ?? 0) >= candidates * stop,
          `a checkpoint past ${stop * 100}% of the candidates`,
          600_000,
        );
        child.kill("SIGKILL");
        await child.output();
        const saved = await checkpoint();
        if (!saved) throw new Error(`${api}: the killed sync left no checkpoint`);
        const killedEnd = sandbox.log.length;

        const resumed = await runCli(args(cacheDir), { root, env });
        if (resumed.code !== 0) throw new Error(`${api}: resumed sync failed: ${resumed.stderr}`);
        const listed = candidateListings(api, sandbox, killedEnd);
        const next = new URL(saved.nextUrl);
        if (listed[0]?.path !== next.pathname + next.search) {
          throw new Error(`${api}: the resumed sync listed ${listed[0]?.path}, not ${next.href}`);
        }
        await assertCacheEqualsSandbox(api, sandbox, join(root, cacheDir));
        const state = JSON.parse(await Deno.readTextFile(statePath));
        if (state.steps.candidates.checkpoint) throw new Error(`${api}: a checkpoint survived`);

        // Pages the killed run received past its last checkpoint (the one being written, the one
        // read ahead meanwhile) are the ones the resumed run lists again.
        const receivedBeforeKill = candidateListings(api, sandbox, killedStart)
          .filter((e) => sandbox.log.indexOf(e) < killedEnd).length;
        runs.push({
          pagesAgain: Math.max(0, receivedBeforeKill - saved.written / PAGE),
          ratio: (sandbox.log.length - killedStart) / fullRequests,
        });
        await Deno.remove(join(root, cacheDir), { recursive: true });
      }
      return runs;
    });
  } finally {
    await sandbox.close();
  }
}

export const bench: Bench = {
  group: GROUP,
  async run({ quick }) {
    const candidates = quick ? 2_000 : 20_000;
    const stops = quick ? [0.5] : [0.25, 0.5, 0.75];
    const at = `${candidates.toLocaleString("en-US")} candidates`;
    const figures: BenchFigure[] = [];
    for (const api of ["v3", "v1"] as const) {
      const runs = await killAndResume(api, candidates, stops);
      const pages = runs.map((r) => r.pagesAgain);
      const ratios = runs.map((r) => Number(r.ratio.toFixed(3)));
      figures.push(
        {
          group: GROUP,
          name: `${api}: sync killed at ${stops.map((s) => `${s * 100}%`).join(", ")} of ` +
            `${at}: candidate pages listed again`,
          value: median(pages),
          unit: "pages",
          target: "<= 2",
          met: Math.max(...pages) <= 2,
          runs: pages,
          note: "pages of 500, entity steps only; each resumed run continued from the saved " +
            "checkpoint and ended with every entity folder equal to the sandbox (checked)",
        },
        {
          group: GROUP,
          name: `${api}: requests of the killed and the resumed sync / one uninterrupted sync`,
          value: median(ratios),
          unit: "ratio",
          target: "< 1.3",
          met: Math.max(...ratios) < 1.3,
          runs: ratios,
        },
      );
    }
    // These are proofs, not timings: a missed target fails the benchmark (exit 1).
    const missed = figures.filter((f) => f.met === false);
    if (missed.length) {
      throw new Error(
        missed.map((f) => `${f.name}: ${f.value} (${f.runs}), not ${f.target}`).join("; "),
      );
    }
    return figures;
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
