/** Unit: the interrupt leaf and the dependent steps' progress file (src/dependent/resume.ts). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { openCache, stepProgressFile } from "../../src/cache/mod.ts";
import { ENTITIES } from "../../src/entities.ts";
import {
  Interrupted,
  interruptibleClock,
  stopSignals,
  throwIfInterrupted,
} from "../../src/interrupt.ts";
import { listScope, MAX_FAILED, StepProgress } from "../../src/dependent/resume.ts";
import { quietContext, withTempDir } from "../support.ts";

Deno.test("interrupt: sleeps end with the Interrupted once the signal fires; SIGTERM is not listened for on Windows", async () => {
  const controller = new AbortController();
  const never = { now: () => 0, sleep: () => new Promise<void>(() => {}) };
  const clock = interruptibleClock(never, controller.signal);
  const sleeping = clock.sleep(60_000);
  controller.abort(new Interrupted("SIGTERM"));
  await assert.rejects(sleeping, (error) => error instanceof Interrupted && error.exitCode === 143);
  await assert.rejects(clock.sleep(1), Interrupted);
  assert.throws(() => throwIfInterrupted(controller.signal), Interrupted);
  throwIfInterrupted(undefined);

  const fine = interruptibleClock(new ManualClock(5), new AbortController().signal);
  await fine.sleep(10);
  assert.equal(fine.now(), 15);
  assert.equal(new Interrupted("SIGINT").exitCode, 130);
  assert.deepEqual(stopSignals("windows"), ["SIGINT"]);
  assert.deepEqual(stopSignals("linux"), ["SIGINT", "SIGTERM"]);
});

/** A cache with candidates 1..n cached at time `cachedAt`. */
async function cacheWithCandidates(dir: string, n: number, cachedAt: number) {
  const cache = await openCache(dir);
  const candidates = await cache.folder("candidates", ENTITIES.candidates.moniker);
  await candidates.writeRecords(
    Array.from({ length: n }, (_, i) => ({ id: i + 1, first_name: "A", last_name: "B" })),
    new Date(cachedAt),
  );
  await candidates.commit();
  return { cache, candidates };
}

Deno.test("step progress: only the finished prefix is claimed, failures are retried, a changed candidate is not covered", async () => {
  await withTempDir(async (dir) => {
    const clock = new ManualClock(1_000_000);
    const ctx = { ...quietContext(), clock };
    const { cache, candidates } = await cacheWithCandidates(dir, 10, 999_000);
    try {
      const first = await StepProgress.open(dir, "attachments", "all", ctx);
      assert.equal(first.resuming, false);
      // Units 0..4 are candidates 1..5; 3 and 1 finish before 0, 2 is still in flight.
      first.fail(4);
      first.finish(3, 4);
      first.finish(1, 2);
      first.finish(0, 1);
      await first.save();
      const saved = JSON.parse(await Deno.readTextFile(join(dir, stepProgressFile("attachments"))));
      assert.equal(saved.through, 2);
      assert.deepEqual(saved.failed, [4]);

      clock.advance(1000);
      // Candidate 1 is synced again after the save: it may have changed.
      await candidates.writeRecords([{ id: 1, first_name: "C" }], new Date(clock.now()));
      const next = await StepProgress.open(dir, "attachments", "sync", ctx);
      assert.equal(next.resuming, true);
      const covered = [];
      for (let id = 1; id <= 5; id++) if (await next.covers(id, candidates)) covered.push(id);
      // "all" was saved, which covers any list; 1 was cached again since; 3 was in flight.
      assert.deepEqual(covered, [2]);

      // Saved for a sync's list, it covers a sync's list only.
      await next.save();
      const all = await StepProgress.open(dir, "attachments", "all", ctx);
      assert.equal(await all.covers(2, candidates), false);
      const same = await StepProgress.open(dir, "attachments", "sync", ctx);
      assert.equal(await same.covers(2, candidates), true);
      const listed = await StepProgress.open(dir, "attachments", listScope([2, 1]), ctx);
      assert.equal(await listed.covers(2, candidates), false);

      await same.clear();
      const fresh = await StepProgress.open(dir, "attachments", "all", ctx);
      assert.equal(fresh.resuming, false);
    } finally {
      await cache.close();
    }
  });
});

Deno.test("step progress: past MAX_FAILED failures it stops claiming more; a file it did not write is ignored with a warning", async () => {
  await withTempDir(async (dir) => {
    const warnings: string[] = [];
    const ctx = {
      ...quietContext(),
      clock: new ManualClock(1),
      err: (t: string) => warnings.push(t),
    };
    const progress = await StepProgress.open(dir, "activity_feeds", "all", ctx);
    for (let i = 0; i <= MAX_FAILED; i++) {
      progress.fail(i + 1);
      progress.finish(i, i + 1);
    }
    progress.finish(MAX_FAILED + 1, MAX_FAILED + 2);
    await progress.save();
    const path = join(dir, stepProgressFile("activity_feeds"));
    const saved = JSON.parse(await Deno.readTextFile(path));
    assert.equal(saved.failed.length, MAX_FAILED);
    assert.equal(saved.through, MAX_FAILED, "frozen before the first failure it could not keep");

    for (
      const hostile of [
        "not json",
        JSON.stringify({ ...saved, through: -1 }),
        JSON.stringify({ ...saved, scope: "../../etc" }),
        JSON.stringify({ ...saved, failed: ["1"] }),
        JSON.stringify({ ...saved, step: "attachments" }),
        JSON.stringify({ ...saved, savedAt: "yesterday" }),
      ]
    ) {
      await Deno.writeTextFile(path, hostile);
      warnings.length = 0;
      const read = await StepProgress.open(dir, "activity_feeds", "all", ctx);
      assert.equal(read.resuming, false, hostile);
      assert.match(warnings.join(""), /^warning: ignoring .*progress\.json/);
    }
  });
});
