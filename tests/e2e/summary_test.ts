/**
 * End to end: what long runs show. Sync's activity-feed and attachment steps draw progress like
 * the entity steps (counts and ETA), and every command that changes the cache prints one JSON
 * summary shape with --json (src/summary.ts, docs/commands.md), quietly with --quiet.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, withTempDir } from "./cli.ts";
import { apiEnv, onlyCore } from "./api.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";

Deno.test("sync shows progress in its activity_feeds and attachments steps, with counts and ETA", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 30, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = { ...apiEnv("v1", sandbox), GREENHOUSE_PROGRESS_INTERVAL: "0" };
    const steps = onlyCore("activity_feeds", "attachments"); // the other lists add only lines
    const result = await runCli(["sync", ...steps], { root, env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.split("\n");
    const feeds = lines.filter((l) => l.startsWith("activity_feeds: "));
    const files = lines.filter((l) => l.startsWith("attachments: "));
    assert.ok(feeds.length >= 2, result.stderr);
    assert.ok(files.length >= 2, result.stderr);
    assert.match(feeds[feeds.length - 1], /^activity_feeds: 30\/30 candidates, [\d,]+\/s, ETA 0s$/);
    assert.ok(feeds.some((l) => /^activity_feeds: \d+\/30 candidates, .*ETA \d+/.test(l)));
    assert.match(
      files[files.length - 1],
      /^attachments: 30\/30 candidates, \d+ files \([\d.]+ (KB|MB)\), [\d,]+\/s, ETA 0s$/,
    );

    // --quiet: no progress at all, only the summary on stdout.
    const quiet = await runCli(["sync", ...steps, "--full", "-q"], { root, env });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, "");
  });
});

interface Summary {
  command: string;
  ok: boolean;
  interrupted: boolean;
  startedAt: string;
  seconds: number;
  requests: number;
  failed: string[];
  steps: { step: string; status: string; requests: number; seconds: number }[];
}

/** The envelope every --json summary has, in this order (`error` after `interrupted` when not ok). */
const ENVELOPE = [
  "command",
  "ok",
  "interrupted",
  "startedAt",
  "seconds",
  "requests",
  "failed",
  "steps",
];

function summaryOf(stdout: string, command: string): Summary {
  const summary = JSON.parse(stdout) as Summary;
  const keys = Object.keys(summary).filter((key, i) => !(i === 3 && key === "error"));
  assert.equal("error" in summary, summary.ok === false, command);
  assert.deepEqual(keys.slice(0, ENVELOPE.length), ENVELOPE, command);
  assert.equal(summary.command, command);
  assert.ok(!Number.isNaN(Date.parse(summary.startedAt)));
  assert.equal(summary.requests, summary.steps.reduce((n, s) => n + s.requests, 0), command);
  for (const step of summary.steps) {
    assert.equal(typeof step.step, "string");
    assert.ok(["ok", "failed", "interrupted", "unavailable"].includes(step.status), command);
    assert.equal(typeof step.seconds, "number");
  }
  return summary;
}

Deno.test("--json: every command that changes the cache prints one summary shape, nothing else", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 20,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = {
      ...apiEnv("v1", sandbox),
      GREENHOUSE_ON_BEHALF_OF: String(sandbox.tenant.userIds()[0]),
    };
    // erase draws no progress: it has no --quiet.
    const run = async (args: string[], command: string) => {
      const quiet = command === "erase" ? [] : ["-q"];
      const result = await runCli([...args, "--json", ...quiet], { root, env });
      assert.equal(result.stderr, "", args.join(" "));
      assert.equal(result.code, 0, args.join(" "));
      const summary = summaryOf(result.stdout, command);
      assert.equal(summary.ok, true);
      assert.equal(summary.interrupted, false);
      assert.deepEqual(summary.failed, []);
      return summary;
    };

    const candidates = await run(["candidates"], "candidates");
    assert.deepEqual(candidates.steps.map((s) => s.step), ["candidates"]);
    assert.equal((candidates.steps[0] as unknown as { written: number }).written, 20);
    assert.ok(candidates.requests >= 1);
    const jobs = await run(["jobs"], "jobs");
    assert.equal(jobs.steps[0].status, "ok");

    const feeds = await run(["activity_feeds"], "activity_feeds");
    const feedStep = feeds.steps[0] as unknown as Record<string, unknown>;
    assert.equal(feedStep.updated, 20);
    assert.equal(feedStep.failed, 0);
    assert.deepEqual(feedStep.failures, []);
    const files = await run(["attachments"], "attachments");
    assert.ok(((files.steps[0] as unknown as { bytes: number }).bytes) > 0);

    const sync = await run(["sync"], "sync");
    assert.deepEqual(sync.steps.map((s) => s.step).slice(-2), ["activity_feeds", "attachments"]);

    // check --repair: its steps are the repair, then the audit; the report follows.
    const [victim] = sandbox.tenant.list("candidates");
    await Deno.remove(join(root, "greenhouse-cache", "candidates", `${victim.id}.json`));
    const repair = await run(["check", "--repair"], "check");
    assert.deepEqual(repair.steps.map((s) => s.step), ["repair", "check"]);
    assert.equal(repair.steps[0].requests, 1);
    const report = repair as unknown as { integrityProblems: number; repair: unknown[] };
    assert.equal(report.integrityProblems, 0);
    assert.ok(report.repair.length > 0);

    const email = sandbox.tenant.list("candidates")[3].email_addresses[0].value as string;
    const erase = await run(
      ["erase", "--email", email, "--mode", "delete", "--yes"],
      "erase",
    );
    const eraseStep = erase.steps[0] as unknown as { erased: number[]; matched: number };
    assert.ok(eraseStep.matched >= 1);
    assert.equal(eraseStep.erased.length, eraseStep.matched);

    // A failure shows in the same shape: ok false, the failed step named, exit 1.
    const failing = await runCli(["check", "--json"], { root });
    assert.equal(failing.code, 0, failing.stdout);
    await Deno.writeTextFile(join(root, "greenhouse-cache", "jobs", "index.csv"), "garbage\r\n");
    const damaged = await runCli(["check", "--json"], { root });
    assert.equal(damaged.code, 1);
    const summary = summaryOf(damaged.stdout, "check");
    assert.equal(summary.ok, false);
    assert.deepEqual(summary.failed, ["check"]);
  });
});
