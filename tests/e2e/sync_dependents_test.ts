/**
 * The sync engine in process, with stand-in dependent steps: which candidate ids the activity-feed
 * and attachment steps are given, and that pending ids survive a failed step.
 */
import assert from "node:assert/strict";
import { openCache } from "../../src/cache/mod.ts";
import { openClient } from "../../src/cli/client.ts";
import { ManualClock } from "../../src/clock.ts";
import { isEntityName } from "../../src/entities.ts";
import type { Sandbox } from "../../src/sandbox/mod.ts";
import {
  type DependentResult,
  runSync,
  SYNC_STEPS,
  type SyncDependents,
  type SyncStep,
} from "../../src/sync/run.ts";
import { CORE_LISTS } from "./api.ts";
import { withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";
import { quietContext } from "../support.ts";

const ctx = quietContext();

/**
 * Every step but the lists beyond the core seven: only the candidates listing queues dependent
 * work, and the core lists (applications, offers, scorecards) are the ones that change with a
 * candidate; the other ~40 lists would only cost each of the four syncs their files.
 */
const STEPS = SYNC_STEPS.filter((step) =>
  !isEntityName(step) || (CORE_LISTS as readonly string[]).includes(step)
);

/** Records each call; `fail` makes the next activity_feeds call throw. */
function recorder() {
  const calls: Record<string, number[][]> = { activity_feeds: [], attachments: [] };
  const control = { fail: false, failIds: [] as number[] };
  const step = (name: string) => (ids: number[]): Promise<DependentResult> => {
    calls[name].push(ids);
    if (name === "activity_feeds" && control.fail) {
      return Promise.reject(new Error("network down"));
    }
    const failed = name === "attachments"
      ? ids.filter((id) => control.failIds.includes(id)).map((id) => ({ id, reason: "boom" }))
      : [];
    return Promise.resolve({ done: ids.length - failed.length, skipped: 0, failed });
  };
  const dependents: SyncDependents = {
    activity_feeds: step("activity_feeds"),
    attachments: step("attachments"),
  };
  return { calls, control, dependents };
}

/**
 * One incremental sync in process (v1, no rate target, pages of `perPage` records), with the
 * given dependent steps.
 */
async function syncOnce(
  sandbox: Sandbox,
  dir: string,
  steps: readonly SyncStep[],
  dependents: SyncDependents,
  perPage?: number,
) {
  const client = openClient(
    { api: "v1", baseUrl: sandbox.url, apiKey: sandbox.apiKey, rateTarget: 1, perPage },
    ctx,
  );
  const cache = await openCache(dir);
  try {
    const options = { full: false, prune: false, overlapMs: 300_000, quiet: true };
    return await runSync({ ...options, steps, dependents }, { client, cache, ctx });
  } finally {
    await cache.close();
  }
}

Deno.test("sync hands the dependent steps exactly the new and changed candidates", async () => {
  const clock = new ManualClock(Date.now());
  await using sandbox = await startSandboxDisposable({ candidates: 50, rateLimit: 0, clock });
  await withTempDir(async (dir) => {
    const { calls, control, dependents } = recorder();
    const sync = () => syncOnce(sandbox, dir, STEPS, dependents);
    const all = sandbox.tenant.list("candidates").map((c) => c.id).sort((a, b) => a - b);

    await sync();
    assert.deepEqual(calls.activity_feeds, [all]);
    assert.deepEqual(calls.attachments, [all]);

    // Nothing changed: no candidate work at all.
    const reports = await sync();
    assert.equal(calls.activity_feeds.length, 1);
    assert.equal(reports.find((r) => r.step === "attachments")!.requests, 0);

    clock.time = Date.now();
    const touched = all.slice(3, 6);
    for (const id of touched) sandbox.tenant.touchCandidate(id);
    const added = sandbox.tenant.addCandidate().id;
    control.fail = true;
    control.failIds = [touched[0]];
    const failing = await sync();
    assert.deepEqual(calls.activity_feeds.at(-1), [...touched, added]);
    assert.deepEqual(calls.attachments.at(-1), [...touched, added]);
    assert.equal(failing.find((r) => r.step === "activity_feeds")!.status, "failed");
    const attachments = failing.find((r) => r.step === "attachments")!;
    assert.deepEqual([attachments.status, attachments.failed], ["failed", 1]);

    // The next run (nothing new upstream) retries what did not get done, from the state file.
    control.fail = false;
    control.failIds = [];
    await sync();
    assert.deepEqual(calls.activity_feeds.at(-1), [...touched, added]);
    assert.deepEqual(calls.attachments.at(-1), [touched[0]]);
    const state = JSON.parse(await Deno.readTextFile(`${dir}/.state.json`));
    assert.deepEqual(state.pending, { activity_feeds: [], attachments: [] });
  });
});

Deno.test("a resumed candidates listing queues the pages written after its last checkpoint", async () => {
  // Three pages of 10.
  await using sandbox = await startSandboxDisposable({ candidates: 25, rateLimit: 0 });
  await withTempDir(async (dir) => {
    const { calls, dependents } = recorder();
    const steps = ["candidates", "activity_feeds", "attachments"] as const;
    const sync = () => syncOnce(sandbox, dir, steps, dependents, 10);
    await sync();
    const listing = sandbox.log.filter((e) => e.path.startsWith("/v1/candidates"));
    assert.equal(listing.length, 3);

    // As if that run had been killed after writing every page but checkpointing only page 1:
    // its high-water mark never set, its dependents never queued.
    const statePath = `${dir}/.state.json`;
    const state = JSON.parse(await Deno.readTextFile(statePath));
    const { lastStartedAt } = state.steps.candidates;
    state.steps.candidates = {
      checkpoint: {
        startedAt: lastStartedAt,
        baseUrl: sandbox.url,
        params: {},
        nextUrl: new URL(listing[1].path, sandbox.url).href,
        written: 10,
        new: 10,
        updated: 0,
        unchanged: 0,
        changed: [],
      },
    };
    state.pending = {};
    await Deno.writeTextFile(statePath, JSON.stringify(state));

    const before = sandbox.log.length;
    const reports = await sync();
    assert.equal(reports[0].mode, "resumed");
    assert.deepEqual(sandbox.log.slice(before).map((e) => e.path), [
      listing[1].path,
      listing[2].path,
    ]);
    const rest = sandbox.tenant.list("candidates").map((c) => c.id).slice(10)
      .sort((a, b) => a - b);
    assert.deepEqual(calls.activity_feeds.at(-1), rest);
    assert.deepEqual(calls.attachments.at(-1), rest);
  });
});
