import assert from "node:assert/strict";
import { join } from "node:path";
import { RunError } from "../../src/errors.ts";
import { ManualClock } from "../../src/clock.ts";
import { acquireLock, inspectLock, readLockInfo } from "../../src/cache/lock.ts";
import { exists } from "../support.ts";

Deno.test("lock: second acquire fails naming the holder and the lock file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new ManualClock(Date.parse("2026-11-23T01:52:11.000Z"));
    const lock = await acquireLock(dir, { clock });
    assert.equal(lock.path, join(dir, ".lock"));
    const info = await readLockInfo(dir);
    assert.equal(info?.pid, Deno.pid);
    assert.equal(info?.startedAt, "2026-11-23T01:52:11.000Z");
    assert.equal(await inspectLock(dir), "held");

    await assert.rejects(acquireLock(dir), (error: unknown) => {
      assert.ok(error instanceof RunError);
      assert.equal(
        error.message,
        `cache ${dir}: locked by another run (pid ${Deno.pid} since 2026-11-23T01:52:11.000Z; ` +
          `lock file ${join(dir, ".lock")}); ` +
          `wait for it to finish, or remove the lock file if no run is active`,
      );
      return true;
    });
    assert.equal(await readLockInfo(dir).then((i) => i?.pid), Deno.pid, "content untouched");

    await lock.release();
    await lock.release(); // idempotent
    assert.ok(!(await exists(join(dir, ".lock"))));
    assert.equal(await inspectLock(dir), "none");

    const again = await acquireLock(dir);
    await again.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: a stale lock file (left by a dead run) is taken over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, ".lock"),
      JSON.stringify({ pid: 999999, hostname: "gone", startedAt: "2020-01-01T00:00:00.000Z" }) +
        "and some longer trailing junk that must be truncated",
    );
    assert.equal(await inspectLock(dir), "stale");
    const lock = await acquireLock(dir);
    const info = await readLockInfo(dir);
    assert.equal(info?.pid, Deno.pid);
    assert.equal(await inspectLock(dir), "held");
    await lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: an empty lock file held by someone reports pid unknown", async () => {
  const dir = await Deno.makeTempDir();
  const holder = await Deno.open(join(dir, ".lock"), { write: true, create: true });
  try {
    assert.ok(await holder.tryLock(true));
    await assert.rejects(acquireLock(dir), /locked by another run \(pid unknown; lock file/);
  } finally {
    await holder.unlock();
    holder.close();
    await Deno.remove(dir, { recursive: true });
  }
});
