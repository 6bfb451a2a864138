/**
 * sync on Harvest v3: the dependent steps also take the candidates the notes and attachments
 * lists say changed since each step's own high-water mark (src/sync/changed_dependents.ts).
 */
import assert from "node:assert/strict";
import { openCache } from "../../src/cache/mod.ts";
import { readState } from "../../src/sync/state.ts";
import { runSync, type SyncOptions } from "../../src/sync/run.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { quietContext, sandboxV3Client, withTempDir } from "../support.ts";

/**
 * Two candidates: one to add a note to, one to add a file to (a v3 attachment belongs to an
 * application, so the second has one).
 */
function filedPair(sandbox: Sandbox): [number, number] {
  const candidates = sandbox.tenant.list("candidates");
  const filed = candidates.find((c) => c.application_ids.length > 0 && c !== candidates[0])!;
  return [candidates[0].id as number, filed.id as number];
}

/** Runs the candidates and dependent steps, the dependents recording the ids they were given. */
async function sync(sandbox: Sandbox, dir: string, overlapMs = 0) {
  const given: Record<string, number[]> = { activity_feeds: [], attachments: [] };
  const done = (ids: number[]) => Promise.resolve({ done: ids.length, skipped: 0, failed: [] });
  const opts: SyncOptions = {
    steps: ["candidates", "activity_feeds", "attachments"],
    full: false,
    prune: false,
    overlapMs,
    quiet: true,
    dependents: {
      activity_feeds: (ids) => done(given.activity_feeds = ids),
      attachments: (ids) => done(given.attachments = ids),
    },
  };
  const cache = await openCache(dir);
  try {
    const reports = await runSync(opts, {
      client: sandboxV3Client(sandbox),
      cache,
      ctx: quietContext(),
    });
    return { given, reports };
  } finally {
    await cache.close();
  }
}

Deno.test("v3 sync: notes and files added without touching the candidate reach the dependent steps", async () => {
  const sandbox = await startSandbox({ candidates: 25, rateLimit: 0, v3RateLimit: 0 });
  try {
    await withTempDir(async (dir) => {
      const first = await sync(sandbox, dir);
      assert.equal(first.given.activity_feeds.length, 25, "a first run: every new candidate");
      const state = await readState(dir, () => {});
      assert.ok(state.steps.activity_feeds.highWater);
      assert.ok(state.steps.attachments.highWater);

      const [a, b] = filedPair(sandbox);
      sandbox.tenant.addNote(a, "email");
      sandbox.tenant.addAttachment(b);
      const from = sandbox.log.length;
      const second = await sync(sandbox, dir);
      assert.deepEqual(second.given, { activity_feeds: [a], attachments: [b] });
      const candidates = second.reports.find((r) => r.step === "candidates")!;
      assert.equal(candidates.updated + candidates.new, 0, "no candidate's updated_at moved");
      const lists = sandbox.log.slice(from).filter((e) =>
        /^\/v3\/(notes|attachments)\?/.test(e.path)
      );
      assert.equal(lists.length, 2);
      const feeds = second.reports.find((r) => r.step === "activity_feeds")!;
      assert.equal(feeds.since, state.steps.activity_feeds.highWater);
    });
  } finally {
    await sandbox.close();
  }
});

Deno.test("v3 sync: a change list that fails leaves that step's mark, so the next run lists again", async () => {
  // The credential may not list notes: the first run does not need to, the second one fails.
  const sandbox = await startSandbox({
    candidates: 10,
    rateLimit: 0,
    v3RateLimit: 0,
    deniedPaths: ["/notes"],
  });
  try {
    await withTempDir(async (dir) => {
      await sync(sandbox, dir);
      const before = await readState(dir, () => {});
      const [a, b] = filedPair(sandbox);
      sandbox.tenant.addNote(a);
      sandbox.tenant.addAttachment(b);
      const second = await sync(sandbox, dir);
      const feeds = second.reports.find((r) => r.step === "activity_feeds")!;
      assert.equal(feeds.status, "failed");
      assert.match(feeds.error!, /^GET \/v3\/notes: Greenhouse refused access \(403\)/);
      assert.deepEqual(second.given, { activity_feeds: [], attachments: [b] });
      const after = await readState(dir, () => {});
      assert.equal(after.steps.activity_feeds.highWater, before.steps.activity_feeds.highWater);
      assert.notEqual(after.steps.attachments.highWater, before.steps.attachments.highWater);
    });
  } finally {
    await sandbox.close();
  }
});
