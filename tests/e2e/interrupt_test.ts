/**
 * End to end: Ctrl-C (SIGINT) and SIGTERM (a cancelled or timed-out CI job) stop a run cleanly.
 * The run finishes what is in flight, commits the index, releases the lock, prints one line and
 * exits 130 or 143; `check` right after is clean and the next run completes. The tests wait for
 * the progress line (a line per update with GREENHOUSE_PROGRESS_INTERVAL=0), never for time.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LOCK_FILE, REPAIR_FILE } from "../../src/cache/layout.ts";
import { INTERRUPTED_MESSAGE } from "../../src/interrupt.ts";
import {
  auditCache,
  cliCommand,
  type CliOptions,
  readEntityFolder,
  runCli,
  setUpCache,
  waitFor,
  withTempDir,
} from "./cli.ts";
import { apiEnv, CORE_LISTS, onlyCore } from "./api.ts";
import { frozenClock, startSandboxDisposable, type TestSandbox } from "./sandbox.ts";
import { exists } from "../support.ts";

const CACHE = "greenhouse-cache";
const EVERY_UPDATE = { GREENHOUSE_PROGRESS_INTERVAL: "0" };

interface Stopped {
  code: number;
  stdout: string;
  stderr: string;
  /** Requests the sandbox had received when the signal was sent. */
  requestsAtSignal: number;
}

/**
 * Runs the CLI until its stderr matches `started` (and `also` holds), sends `signal`, and returns
 * how it ended. Throws if the run ends before `started` shows.
 */
async function interrupt(
  args: string[],
  opts: CliOptions,
  sandbox: TestSandbox,
  started: RegExp,
  signal: "SIGINT" | "SIGTERM",
  also: () => boolean = () => true,
): Promise<Stopped> {
  const child = cliCommand(args, { ...opts, env: { ...opts.env, ...EVERY_UPDATE } }).spawn();
  const stdout = new Response(child.stdout).text();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  while (!started.test(stderr)) {
    const { done, value } = await reader.read();
    if (done) {
      const { code } = await child.status;
      throw new Error(`exited ${code} before ${started}: ${stderr}`);
    }
    stderr += value;
  }
  await waitFor(also, "the condition to send the signal on");
  const requestsAtSignal = sandbox.log.length;
  child.kill(signal);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    stderr += value;
  }
  const { code } = await child.status;
  return { code, stdout: await stdout, stderr, requestsAtSignal };
}

function assertStopped(run: Stopped, code: 130 | 143) {
  assert.equal(run.code, code, run.stderr);
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines[lines.length - 1], INTERRUPTED_MESSAGE, run.stderr);
  assert.equal(lines.filter((line) => line.includes("interrupted")).length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /error:|\bat .*\.ts:\d+/);
}

async function assertClean(root: string) {
  assert.ok(!await exists(join(root, CACHE, LOCK_FILE)), "the lock is released");
  const check = await auditCache(root);
  assert.equal(check.code, 0, check.stdout);
  assert.match(check.stdout, /0 integrity problems/);
}

Deno.test("SIGTERM during an entity command: the pages written are committed, exit 143, the next run completes", async () => {
  // Three pages of 50.
  await using sandbox = await startSandboxDisposable({ candidates: 150, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    sandbox.faults.latencyMs = 300; // pages come slowly: the signal lands between two
    const run = await interrupt(
      ["candidates", "--per-page", "50"],
      { root, env },
      sandbox,
      /candidates: [\d,]+ records, page 1/,
      "SIGTERM",
    );
    assertStopped(run, 143);
    assert.equal(run.stdout, "");
    const partial = await readEntityFolder(join(root, CACHE, "candidates"));
    assert.ok(partial.files.size >= 50 && partial.files.size < 150, `${partial.files.size}`);
    await assertClean(root);

    sandbox.faults.latencyMs = 0;
    const rerun = await runCli(["candidates", "-q", "--per-page", "50"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal((await readEntityFolder(join(root, CACHE, "candidates"))).files.size, 150);
  });
});

// How long it waits (one window, not the hour) is the pacer's unit test, on an injected clock.
Deno.test("a 200 saying the limit is used up for an hour: the run says it waits, and SIGTERM ends the wait at once", async () => {
  // 20 candidates are two pages of 10: the second waits for the first answer's exhausted limit.
  await using sandbox = await startSandboxDisposable({ candidates: 20 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    sandbox.faults.exhaustedRateLimit = { times: 1, resetSeconds: 3600 };
    const run = await interrupt(
      ["candidates", "--per-page", "10"],
      { root, env },
      sandbox,
      /^rate limit: waiting 1[01]s before the next request \(Greenhouse's X-RateLimit-Remaining leaves this run nothing until its window resets\)$/m,
      "SIGTERM",
    );
    assertStopped(run, 143);
    assert.equal(sandbox.log.length, run.requestsAtSignal, "nothing was sent after the signal");
    await assertClean(root);
    const rerun = await runCli(["candidates", "-q", "--per-page", "10"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal((await readEntityFolder(join(root, CACHE, "candidates"))).files.size, 20);
  });
});

Deno.test("SIGINT during activity_feeds: exit 130, check is clean, the rerun asks only for the rest", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 120, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    sandbox.faults.latencyMs = 10;
    const run = await interrupt(
      ["activity_feeds"],
      { root, env },
      sandbox,
      /activity_feeds: ([2-9]\d|1\d\d)\/120 feeds/,
      "SIGINT",
    );
    assertStopped(run, 130);
    await assertClean(root);
    const written = (await readEntityFolder(join(root, CACHE, "activity_feeds"))).files;
    assert.ok(written.size >= 20 && written.size < 120, `${written.size} feeds`);

    sandbox.faults.latencyMs = 0;
    const before = sandbox.log.length;
    const rerun = await runCli(["activity_feeds", "-q"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    const asked = sandbox.log.slice(before).filter((e) => e.path.endsWith("/activity_feed"));
    assert.equal(asked.length, 120 - written.size);
    await assertClean(root);
  });
});

Deno.test("SIGTERM while waiting out a 429: it stops at once, sending nothing more", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 40, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    // The first feed request is told to wait two minutes (within the retry budget).
    sandbox.faults.rate429 = { times: 1, retryAfter: "seconds", seconds: 120 };
    // One request at a time: the one told to wait is the only one sent.
    const run = await interrupt(
      ["activity_feeds", "--concurrency", "1"],
      { root, env },
      sandbox,
      /activity_feeds: 0\/40 feeds/,
      "SIGTERM",
      () => sandbox.log.some((e) => e.status === 429),
    );
    assertStopped(run, 143);
    const feeds = sandbox.log.filter((e) => e.path.endsWith("/activity_feed"));
    assert.deepEqual(feeds.map((e) => e.status), [429], "nothing sent after the 429");
    assert.equal(sandbox.log.length, run.requestsAtSignal, "no request after the signal");
    await assertClean(root);
  });
});

Deno.test("SIGTERM during attachments: the files in flight are finished, no folder is left incomplete", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 60,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    sandbox.faults.latencyMs = 20;
    const run = await interrupt(
      ["attachments"],
      { root, env },
      sandbox,
      /attachments: \d+\/60 candidates, [1-9]\d* files/,
      "SIGTERM",
    );
    assertStopped(run, 143);
    await assertClean(root);

    sandbox.faults.latencyMs = 0;
    const rerun = await runCli(["attachments", "-q"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, /, 0 failed,/);
    await assertClean(root);
  });
});

Deno.test("SIGTERM during sync's feeds step: the summary says interrupted, exit 143, the next sync completes", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 60, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    sandbox.faults.latencyMs = 5;
    // The seven, then the steps after them: the other lists would run before the feeds too.
    const steps = onlyCore("deletions", "activity_feeds", "attachments");
    const run = await interrupt(
      ["sync", "--json", ...steps],
      { root, env },
      sandbox,
      /activity_feeds: [1-9]\d*\/60 candidates/,
      "SIGTERM",
    );
    assertStopped(run, 143);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.ok, false);
    assert.equal(summary.interrupted, true);
    assert.deepEqual(
      summary.steps.map((s: { step: string; status: string }) => [s.step, s.status]).slice(-3),
      [[CORE_LISTS.at(-1), "ok"], ["deletions", "ok"], ["activity_feeds", "interrupted"]],
    );
    await assertClean(root);

    sandbox.faults.latencyMs = 0;
    const rerun = await runCli(["sync", "-q", ...steps], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, /sync complete/);
    assert.equal((await readEntityFolder(join(root, CACHE, "activity_feeds"))).files.size, 60);
    await assertClean(root);
  });
});

Deno.test("SIGTERM during check --repair: what is left is reported, the next repair finishes it", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 300,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
    for (const id of ids.slice(0, 250)) {
      await Deno.remove(join(root, CACHE, "candidates", `${id}.json`));
    }
    sandbox.faults.latencyMs = 5;
    const run = await interrupt(
      ["check", "--repair"],
      { root, env },
      sandbox,
      /check --repair: [1-9]\d*\/250 records/,
      "SIGTERM",
    );
    assertStopped(run, 143);
    assert.ok(!await exists(join(root, CACHE, LOCK_FILE)), "the lock is released");
    assert.ok(await exists(join(root, CACHE, REPAIR_FILE)));
    // Not clean, by design: the records not yet re-fetched are out of the index until then.
    const check = await auditCache(root);
    assert.equal(check.code, 1, check.stdout);
    assert.match(check.stdout, /Records an interrupted `check --repair` has still to re-fetch/);

    sandbox.faults.latencyMs = 0;
    const rerun = await runCli(["check", "--repair", "-q"], { root, env });
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.equal((await readEntityFolder(join(root, CACHE, "candidates"))).files.size, 300);
    await assertClean(root);
  });
});
