/**
 * End to end: the candidate-dependent steps under failure and kill -9. A candidate whose feed
 * keeps failing is skipped and reported while the step carries on (exit 1 at the end), and a
 * run after a kill asks the API for nothing it had already finished.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { recordIdOf, stepProgressFile } from "../../src/cache/layout.ts";
import { auditCache, cliCommand, runCli, setUpCache, waitFor, withTempDir } from "./cli.ts";
import { apiEnv, onlyCore } from "./api.ts";
import { frozenClock, startSandboxDisposable, type TestSandbox } from "./sandbox.ts";
import { exists } from "../support.ts";

const CACHE = "greenhouse-cache";

function feedRequests(sandbox: TestSandbox, from = 0): number[] {
  return sandbox.log.slice(from).map((e) => /^\/v1\/candidates\/(\d+)\/activity_feed$/.exec(e.path))
    .filter((m) => m !== null).map((m) => Number(m![1]));
}

async function feedFiles(root: string): Promise<Set<number>> {
  const ids = new Set<number>();
  if (!await exists(join(root, CACHE, "activity_feeds"))) return ids;
  for await (const entry of Deno.readDir(join(root, CACHE, "activity_feeds"))) {
    const id = recordIdOf(entry.name);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

Deno.test("activity_feeds: a candidate whose feed keeps failing is skipped and reported; the step carries on and exits 1 at the end", async () => {
  const denied: string[] = [];
  await using sandbox = await startSandboxDisposable({
    candidates: 30,
    rateLimit: 0,
    deniedPaths: denied, // read on every request
  });
  const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
  const failing = ids[4];
  denied.push(`/candidates/${failing}/activity_feed`);
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);

    const result = await runCli(["activity_feeds", "-q"], { root, env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /^activity_feeds: 29 feeds written, 0 skipped \(not found\), 1 failed/,
    );
    assert.match(result.stderr, new RegExp(`activity_feeds: candidate ${failing}: .*403`));
    assert.match(result.stderr, /1 failed; run the command again to retry them/);
    assert.deepEqual([...await feedFiles(root)].sort(), ids.filter((id) => id !== failing));
    // Every candidate was asked for once, the failing one included (403 is not retried).
    assert.deepEqual(feedRequests(sandbox).sort(), ids);
    // The step completed: nothing is left to resume.
    assert.ok(!await exists(join(root, CACHE, stepProgressFile("activity_feeds"))));
  });
});

Deno.test("sync: a failing feed fails its step, not the others; the next sync asks again only for it", async () => {
  const denied: string[] = [];
  await using faulty = await startSandboxDisposable({
    candidates: 30,
    rateLimit: 0,
    deniedPaths: denied,
  });
  const ids = faulty.tenant.list("candidates").map((c) => c.id as number);
  const failing = ids[7];
  denied.push(`/candidates/${failing}/activity_feed`);
  await withTempDir(async (root) => {
    const env = apiEnv("v1", faulty);
    const first = await runCli(["sync", "--json", "-q"], { root, env });
    assert.equal(first.code, 1, first.stderr);
    const summary = JSON.parse(first.stdout);
    assert.equal(summary.command, "sync");
    assert.deepEqual(summary.failed, ["activity_feeds"]);
    const feeds = summary.steps.find((s: { step: string }) => s.step === "activity_feeds");
    assert.equal(feeds.status, "failed");
    assert.equal(feeds.updated, 29);
    assert.equal(feeds.failed, 1);
    assert.equal(feeds.failures[0].id, failing);
    const attachments = summary.steps.find((s: { step: string }) => s.step === "attachments");
    assert.equal(attachments.status, "ok");
    assert.equal(feedRequests(faulty).length, 30);

    const before = faulty.log.length;
    const second = await runCli(["sync", "-q"], { root, env });
    assert.equal(second.code, 1, second.stderr);
    assert.deepEqual(feedRequests(faulty, before), [failing]);
  });
});

Deno.test("activity_feeds killed with -9: the next run asks for no feed already on disk", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 150, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);

    sandbox.faults.latencyMs = 10; // the kill lands while feeds are being fetched
    const child = cliCommand(["activity_feeds", "-q"], { root, env }).spawn();
    // Waits for files, not requests: under load the writes may lag the requests.
    await waitFor(async () => (await feedFiles(root)).size >= 50, "50 feeds on disk");
    child.kill("SIGKILL");
    await child.output();
    const onDisk = await feedFiles(root);
    assert.ok(onDisk.size >= 50 && onDisk.size < ids.length, `${onDisk.size} feeds on disk`);

    sandbox.faults.latencyMs = 0;
    const before = sandbox.log.length;
    const rerun = await runCli(["activity_feeds"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    const asked = feedRequests(sandbox, before);
    assert.deepEqual(asked.filter((id) => onDisk.has(id)), [], "no feed on disk asked for again");
    assert.deepEqual(asked.sort(), ids.filter((id) => !onDisk.has(id)));
    assert.match(
      rerun.stdout,
      new RegExp(`${onDisk.size} already fetched by an interrupted run`),
    );
    assert.equal((await feedFiles(root)).size, ids.length);
    assert.ok(!await exists(join(root, CACHE, stepProgressFile("activity_feeds"))));
    const checked = await auditCache(root);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);

    // A completed step starts afresh: the next run fetches every feed again.
    const again = sandbox.log.length;
    assert.equal((await runCli(["activity_feeds", "-q"], { root, env })).code, 0);
    assert.equal(feedRequests(sandbox, again).length, ids.length);
  });
});

Deno.test("sync killed with -9 in its feeds step: the next sync asks for no feed already on disk", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 150, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
    const listed = () => sandbox.log.some((e) => e.path.startsWith("/v1/scorecards"));
    // The seven (scorecards the last of them) and the feeds: the other lists come before the
    // feeds step and have no part in what it resumes.
    const steps = onlyCore("activity_feeds");
    const child = cliCommand(["sync", "-q", ...steps], { root, env }).spawn();
    await waitFor(listed, "the entity steps");
    sandbox.faults.latencyMs = 10;
    // Waits for files, not requests: under load the writes may lag the requests.
    await waitFor(async () => (await feedFiles(root)).size >= 50, "50 feeds on disk");
    child.kill("SIGKILL");
    await child.output();
    const onDisk = await feedFiles(root);
    assert.ok(onDisk.size >= 50 && onDisk.size < ids.length, `${onDisk.size} feeds on disk`);

    sandbox.faults.latencyMs = 0;
    const before = sandbox.log.length;
    const rerun = await runCli(["sync", "-q", ...steps], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    const asked = feedRequests(sandbox, before);
    assert.deepEqual(asked.filter((id) => onDisk.has(id)), [], "no feed on disk asked for again");
    assert.equal((await feedFiles(root)).size, ids.length);
    assert.equal((await auditCache(root)).code, 0);
  });
});

Deno.test("v3 attachments killed with -9: the next run lists no candidate of a finished chunk again", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 260,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const ids = sandbox.v3.all("candidates").map((c) => c.id as number).sort((a, b) => a - b);
    const firstChunk = ids.slice(0, 200);
    const progressFile = join(root, CACHE, stepProgressFile("attachments"));
    const through = async () => {
      try {
        return JSON.parse(await Deno.readTextFile(progressFile)).through as number;
      } catch {
        return 0;
      }
    };

    sandbox.faults.latencyMs = 20; // the second chunk takes a while
    const child = cliCommand(["attachments", "-q"], { root, env }).spawn();
    await waitFor(async () => await through() >= firstChunk[199], "the first chunk finished");
    child.kill("SIGKILL");
    await child.output();

    sandbox.faults.latencyMs = 0;
    const before = sandbox.log.length;
    const rerun = await runCli(["attachments"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    const listedAgain = sandbox.log.slice(before)
      .filter((e) => e.path.startsWith("/v3/attachments"))
      .flatMap((e) =>
        (new URL(e.path, "http://x").searchParams.get("candidate_ids") ?? "").split(",")
      )
      .map(Number);
    assert.deepEqual(listedAgain.filter((id) => firstChunk.includes(id)), []);
    assert.match(rerun.stdout, /200 candidates already done by an interrupted run/);
    assert.equal((await auditCache(root)).code, 0);
  });
});
