/**
 * What removing candidates deleted upstream costs every night (the sync's deletions step): a
 * 100,000-candidate tenant (quick: 10,000) at 500 per page, on v3 then v1. The cache is made once
 * per version by a full sync without the dependent steps; each nightly run is then the shipped
 * workflow's `sync --json` (with -q, and without the dependent steps, which an unchanged tenant
 * does not reach anyway), first with nothing deleted, then after 100 candidates were deleted
 * upstream. The figures are the deletions step's own (its requests and seconds, from the JSON
 * summary) and the whole nightly run's requests. Unthrottled (rate limit off): the seconds measure
 * the tool and the sandbox; what the requests cost under Greenhouse's rate limit is derived from
 * the limit (v3: 75 per 30 s, v1: 50 per 10 s) at the default rate target, 0.8.
 */
import { ManualClock } from "../../src/clock.ts";
import type { ApiVersion } from "../../src/entities.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { apiEnv } from "../../tests/e2e/api.ts";
import { expectSuccess, median, printFigures, runCliMeasured, withTempDir } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const GROUP = "deletions";
const PER_PAGE = 500;
const DELETED = 100;
const NIGHTLY = ["sync", "--json", "-q", "--skip", "activity_feeds,attachments"];

/** Requests per second the pacer allows at rate target 0.8 (the documented limits). */
const PACE: Record<ApiVersion, number> = { v3: (75 * 0.8) / 30, v1: (50 * 0.8) / 10 };

interface Night {
  /** The deletions step's requests and seconds. */
  requests: number;
  seconds: number;
  removed: number;
  /** The whole nightly run's requests. */
  total: number;
}

async function nightly(sandbox: Sandbox, api: ApiVersion, cwd: string): Promise<Night> {
  const before = sandbox.log.length;
  const run = expectSuccess(
    await runCliMeasured(NIGHTLY, { cwd, env: apiEnv(api, sandbox) }),
    `${api} nightly sync`,
  );
  const summary = JSON.parse(run.stdout);
  const step = summary.steps.find((s: { step: string }) => s.step === "deletions");
  return {
    requests: step.requests,
    seconds: step.seconds,
    removed: step.removed,
    total: sandbox.log.length - before,
  };
}

async function measure(api: ApiVersion, candidates: number, runs: number) {
  const clean: Night[] = [];
  const deleted: Night[] = [];
  await withTempDir(async (cwd) => {
    const clock = new ManualClock(Date.now());
    const sandbox = await startSandbox({ candidates, rateLimit: 0, clock });
    try {
      const env = apiEnv(api, sandbox);
      expectSuccess(await runCliMeasured(NIGHTLY, { cwd, env }), `${api} first sync`);
      for (let run = 0; run < runs; run++) {
        clock.time = Date.now();
        clean.push(await nightly(sandbox, api, cwd));
        const ids = sandbox.tenant.list("candidates").map((c) => c.id);
        // Spread over the tenant, so the confirmations and purges are not one page's.
        const step = Math.floor(ids.length / DELETED);
        for (let i = 0; i < DELETED; i++) sandbox.tenant.deleteCandidate(ids[i * step + run]);
        clock.time = Date.now();
        const night = await nightly(sandbox, api, cwd);
        if (night.removed !== DELETED) {
          throw new Error(`${api}: the deletions step removed ${night.removed}, not ${DELETED}`);
        }
        deleted.push(night);
      }
    } finally {
      await sandbox.close();
    }
  });
  return { clean, deleted };
}

export const bench: Bench = {
  group: GROUP,
  async run({ quick }) {
    const candidates = quick ? 10_000 : 100_000;
    const runs = quick ? 1 : 3;
    const at = `${candidates.toLocaleString("en-US")} candidates, ${PER_PAGE} per page`;
    const figure = (
      name: string,
      values: number[],
      unit: string,
      extra: Partial<BenchFigure> = {},
    ): BenchFigure => ({
      group: GROUP,
      name,
      value: median(values),
      unit,
      target: "",
      runs: values,
      ...extra,
    });
    const figures: BenchFigure[] = [];
    // v3 first: it is what tenants run since v1 closed.
    for (const api of ["v3", "v1"] as const) {
      const { clean, deleted } = await measure(api, candidates, runs);
      const pages = Math.ceil(candidates / PER_PAGE);
      const confirmations = Math.ceil(DELETED / 50);
      figures.push(
        figure(
          `${api}: deletions step, ${at}, none deleted: requests`,
          clean.map((n) => n.requests),
          "requests",
          {
            target: `= ${pages} (one page per ${PER_PAGE})`,
            met: clean.every((n) => n.requests === pages),
          },
        ),
        figure(
          `${api}: deletions step, none deleted: time (unthrottled)`,
          clean.map((n) => n.seconds),
          "s",
        ),
        figure(
          `${api}: deletions step, none deleted: time at the rate limit (derived)`,
          clean.map((n) => n.requests / PACE[api]),
          "s",
          {
            note: `requests ÷ ${PACE[api]} per second: ${
              api === "v3" ? "75 per 30 s" : "50 per 10 s"
            } at rate target 0.8`,
          },
        ),
        figure(
          `${api}: deletions step, ${DELETED} deleted upstream: requests`,
          deleted.map((n) => n.requests),
          "requests",
          {
            target: `= ${pages + confirmations} (the pages, one per 50 confirmed)`,
            met: deleted.every((n) => n.requests === pages + confirmations),
          },
        ),
        figure(
          `${api}: deletions step, ${DELETED} deleted upstream: time (unthrottled)`,
          deleted.map((n) => n.seconds),
          "s",
          { note: "includes purging them from every personal list, their files and feeds" },
        ),
        figure(
          `${api}: whole nightly sync (entity steps and deletions), unchanged tenant: requests`,
          clean.map((n) => n.total),
          "requests",
          {
            note: "every request the sandbox answered, the token included; the dependent " +
              "steps are left out (v3 adds its two change lists; nothing changed, nothing else)",
          },
        ),
      );
    }
    return figures;
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
