/**
 * Benchmarks for failure containment (issue 19), run as CLI subprocesses against the sandbox:
 * - the time `attachments` takes to give up on a file host that drips (1 KiB every 2 s), with
 *   the default deadline (30 s grace, 64 KiB/s; `--quick`: a 3 s grace);
 * - what a rerun asks for after a run that failed a few candidates: feed requests on v1 (4 of
 *   400 failed), notes and attachment listings on v3 (one failed request of eight). Before the
 *   record of failures, a rerun asked for all 400 feeds (415 requests on v1), every listing on v3.
 *
 * Run directly (with `deno task bench`'s flags: `deno run --allow-run --allow-net=127.0.0.1
 * --allow-read --allow-write --allow-env --allow-sys scripts/bench/failures.ts [--quick]`), it
 * prints the figures as JSON lines without rewriting BENCHMARKS.md.
 */
import { join } from "node:path";
import { runCli } from "../../tests/e2e/cli.ts";
import { FAILURES_FILE } from "../../src/cache/layout.ts";
import { DEFAULT_DOWNLOAD_LIMITS } from "../../src/dependent/deadline.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { printFigures, withTempDir } from "./support.ts";
import type { Bench, BenchFigure } from "./types.ts";

const GROUP = "failures";
const CACHE = "greenhouse-cache";

function v1Env(sandbox: Sandbox) {
  return { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
}

function v3Env(sandbox: Sandbox) {
  return {
    GREENHOUSE_BASE_URL: sandbox.v3Url,
    GREENHOUSE_AUTH_URL: sandbox.authUrl,
    GREENHOUSE_CLIENT_ID: sandbox.clientId,
    GREENHOUSE_CLIENT_SECRET: sandbox.clientSecret,
  };
}

async function expectCode(
  run: Promise<{ code: number; stderr: string }>,
  code: number,
  what: string,
) {
  const result = await run;
  if (result.code !== code) throw new Error(`${what}: exit ${result.code}: ${result.stderr}`);
}

/** Seconds from the start of `attachments` to its exit, on one file that drips 1 KiB / 2 s. */
async function dripGiveUp(quick: boolean): Promise<BenchFigure[]> {
  const graceS = quick ? 3 : DEFAULT_DOWNLOAD_LIMITS.graceMs / 1000;
  const sandbox = await startSandbox({ candidates: 14, rateLimit: 0 });
  const seconds: number[] = [];
  try {
    const candidate = sandbox.tenant.list("candidates").find((c) => c.attachments.length === 1)!;
    for (const endless of [false, true]) {
      await withTempDir(async (root) => {
        const env = v1Env(sandbox);
        await expectCode(runCli(["candidates", "-q"], { root, env }), 0, "candidates");
        sandbox.faults.fileDrip = { times: 1, scope: "files", everyMs: 2000, endless };
        const grace = quick ? ["--download-grace", String(graceS)] : [];
        const started = performance.now();
        await expectCode(
          runCli(["attachments", "-q", "--candidates", String(candidate.id), ...grace], {
            root,
            env,
          }),
          1,
          "attachments on a drip-fed file",
        );
        seconds.push((performance.now() - started) / 1000);
      });
    }
  } finally {
    await sandbox.close();
  }
  const value = Math.max(...seconds);
  const limit = graceS + 5;
  return [{
    group: GROUP,
    name: `attachments: time to give up on a file that drips 1 KiB every 2 s (grace ${graceS} s, ` +
      `minimum ${DEFAULT_DOWNLOAD_LIMITS.minBytesPerSecond / 1024} KiB/s)`,
    value: Number(value.toFixed(1)),
    unit: "s",
    target: `< ${limit} s`,
    met: value < limit,
    runs: seconds.map((s) => Number(s.toFixed(1))),
    note: "wall time of the CLI process, start-up included; runs: a file with its " +
      "Content-Length, then one that never ends; before the deadline, each drip reset a 60 s " +
      "idle timeout and the 1 GiB cap was weeks away",
  }];
}

function feedRequests(sandbox: Sandbox, from: number): number {
  return sandbox.log.slice(from).filter((e) => /\/activity_feed$/.test(e.path)).length;
}

/** v1: 4 of 400 feeds fail; after the cause is fixed, how many feed requests the rerun sends. */
async function v1FeedsRetry(): Promise<BenchFigure> {
  const candidates = 400;
  const denied: string[] = [];
  const sandbox = await startSandbox({ candidates, rateLimit: 0, deniedPaths: denied });
  try {
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
    for (const i of [7, 101, 222, 399]) denied.push(`/candidates/${ids[i]}/activity_feed`);
    return await withTempDir(async (root) => {
      const env = v1Env(sandbox);
      await expectCode(runCli(["candidates", "-q"], { root, env }), 0, "candidates");
      const first = sandbox.log.length;
      await expectCode(runCli(["activity_feeds", "-q"], { root, env }), 1, "activity_feeds");
      const firstRun = feedRequests(sandbox, first);
      denied.length = 0;
      const from = sandbox.log.length;
      await expectCode(runCli(["activity_feeds", "-q"], { root, env }), 0, "the rerun");
      const value = feedRequests(sandbox, from);
      const total = sandbox.log.length - from;
      return {
        group: GROUP,
        name: `activity_feeds (v1) rerun after 4 of ${candidates} candidates failed: feed ` +
          "requests sent",
        value,
        unit: "requests",
        target: "<= 4 + changed (0 changed)",
        met: value <= 4,
        note: `the first run sent ${firstRun}; the rerun ${total} requests in all (before the ` +
          "record of failures: every feed again)",
      };
    });
  } finally {
    await sandbox.close();
  }
}

/**
 * v3, 400 candidates: one of the eight notes requests fails (a 422, not retried), then one file
 * download (a 403); after each, the rerun's requests to that list.
 */
async function v3Retry(): Promise<BenchFigure[]> {
  const candidates = 400;
  const sandbox = await startSandbox({ candidates, rateLimit: 0 });
  const origin = new URL(sandbox.url).origin;
  const requestsTo = (list: string, from: number) =>
    sandbox.log.slice(from).filter((e) => e.path.startsWith(`/v3/${list}?`)).length;
  try {
    return await withTempDir(async (root) => {
      const env = v3Env(sandbox);
      await expectCode(runCli(["candidates", "-q"], { root, env }), 0, "candidates");
      sandbox.faults.echoCredentials = { times: 1, status: 422 };
      let from = sandbox.log.length;
      await expectCode(runCli(["activity_feeds", "-q"], { root, env }), 1, "activity_feeds");
      const notesFirst = requestsTo("notes", from);
      const failed = JSON.parse(await Deno.readTextFile(join(root, CACHE, FAILURES_FILE)))
        .activity_feeds.items.length;
      from = sandbox.log.length;
      await expectCode(runCli(["activity_feeds", "-q"], { root, env }), 0, "the feeds rerun");
      const notes = requestsTo("notes", from);

      sandbox.faults.fileRedirect = { times: 1, scope: "files", location: `${origin}/files/x` };
      from = sandbox.log.length;
      await expectCode(runCli(["attachments", "-q"], { root, env }), 1, "attachments");
      const listingsFirst = requestsTo("attachments", from);
      from = sandbox.log.length;
      await expectCode(runCli(["attachments", "-q"], { root, env }), 0, "the attachments rerun");
      const listings = requestsTo("attachments", from);
      const changeList = "plus one change list since the failed run";
      return [
        {
          group: GROUP,
          name: `activity_feeds (v3) rerun after 1 of ${notesFirst} notes requests failed ` +
            `(${failed} of ${candidates} candidates): notes requests sent`,
          value: notes,
          unit: "requests",
          target: "<= 2",
          met: notes <= 2,
          note: `the failed candidates in one request, ${changeList}; before: ${notesFirst}`,
        },
        {
          group: GROUP,
          name: `attachments (v3) rerun after 1 file of ${candidates} candidates failed: ` +
            "attachment listings sent",
          value: listings,
          unit: "requests",
          target: "<= 2",
          met: listings <= 2,
          note: `its candidate's listing, ${changeList}; before: ${listingsFirst}`,
        },
      ];
    });
  } finally {
    await sandbox.close();
  }
}

export const bench: Bench = {
  group: GROUP,
  async run({ quick }) {
    return [...await dripGiveUp(quick), await v1FeedsRetry(), ...await v3Retry()];
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
