/** The record of failures (`.failures.json`) and the download deadline, in process. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FailureRecord,
  FAILURES_FILE,
  forgetCandidates,
  MAX_RECORDED_FAILURES,
  readFailures,
  recordedReason,
} from "../../src/cache/mod.ts";
import { ManualClock } from "../../src/clock.ts";
import { deadlineOf, TransferWatch } from "../../src/dependent/deadline.ts";
import { RunError } from "../../src/errors.ts";
import { registerSecrets } from "../../src/redact.ts";
import { exists, withTempDir } from "../support.ts";

const AT = "2026-11-01T00:00:00.000Z";

Deno.test("failure record: replaced per candidate, saved atomically, removed when empty", async () => {
  await withTempDir(async (dir) => {
    const warnings: string[] = [];
    const record = await FailureRecord.open(dir, (t) => warnings.push(t));
    record.replace("attachments", 7, [
      {
        id: 7,
        folder: "resume-2020-01-02T08c12c46.803Z~2",
        reason: "too big",
        lasting: true,
        at: AT,
      },
      { id: 7, folder: "cover_letter-undated", reason: "500", lasting: false, at: AT },
    ]);
    record.replace("attachments", 3, [{ id: 3, reason: "cannot read", lasting: false, at: AT }]);
    record.replace("activity_feeds", 9, [{ id: 9, reason: "403", lasting: false, at: AT }]);
    await record.save();
    assert.ok(await exists(join(dir, FAILURES_FILE)));

    const again = await readFailures(dir);
    assert.ok(typeof again === "object");
    assert.deepEqual(again.items("attachments").map((i) => [i.id, i.folder ?? null]), [
      [3, null],
      [7, "resume-2020-01-02T08c12c46.803Z~2"],
      [7, "cover_letter-undated"],
    ]);
    // Only the lasting refusal waits for --retry-failed; a candidate with any other is retried.
    assert.deepEqual(again.retryable("attachments"), [3, 7]);
    again.replace("attachments", 7, again.of("attachments", 7).filter((i) => i.lasting));
    assert.deepEqual(again.retryable("attachments"), [3]);
    assert.deepEqual(again.candidates("attachments"), [3, 7]);

    // A pass is kept only while something is left to retry.
    again.completePass("activity_feeds", new Date(AT), true);
    assert.equal(again.passStartedAt("activity_feeds")?.toISOString(), AT);
    again.replace("activity_feeds", 9, []);
    again.completePass("activity_feeds", new Date(AT), true);
    assert.equal(again.passStartedAt("activity_feeds"), undefined);

    again.replace("attachments", 3, []);
    again.replace("attachments", 7, []);
    await again.save();
    assert.equal(await exists(join(dir, FAILURES_FILE)), false, "empty: no file");
    assert.deepEqual(warnings, []);
  });
});

Deno.test("failure record: a damaged file is ignored with a warning, a link is refused", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, FAILURES_FILE);
    for (
      const text of [
        "not json",
        JSON.stringify({ format: "greenhouse-extractor failures", version: 2 }),
        JSON.stringify({
          format: "greenhouse-extractor failures",
          version: 1,
          attachments: { items: [{ id: 1, folder: "../etc", reason: "x", lasting: true, at: AT }] },
        }),
        JSON.stringify({
          format: "greenhouse-extractor failures",
          version: 1,
          activity_feeds: { items: [{ id: -1, reason: "x", lasting: false, at: AT }] },
        }),
      ]
    ) {
      await Deno.writeTextFile(path, text);
      assert.equal(await readFailures(dir), "unreadable", text);
      const warnings: string[] = [];
      const record = await FailureRecord.open(dir, (t) => warnings.push(t));
      assert.equal(record.items("attachments").length, 0);
      assert.match(warnings.join(""), /warning: ignoring .*\.failures\.json/);
    }
    await Deno.remove(path);
    await Deno.writeTextFile(join(dir, "elsewhere.json"), "{}");
    await Deno.symlink(join(dir, "elsewhere.json"), path);
    await assert.rejects(() => readFailures(dir), RunError);
  });
});

Deno.test("failure record: at most MAX items per step; past that it says so and keeps no pass", () => {
  {
    const record = FailureRecord.empty("unused");
    for (let id = 1; id <= MAX_RECORDED_FAILURES + 5; id++) {
      record.replace("activity_feeds", id, [{ id, reason: "x", lasting: false, at: AT }]);
    }
    assert.equal(record.items("activity_feeds").length, MAX_RECORDED_FAILURES);
    assert.ok(record.overflow("activity_feeds"));
    record.completePass("activity_feeds", new Date(AT), true);
    assert.equal(record.passStartedAt("activity_feeds"), undefined, "the next run is full");
  }
});

Deno.test("failure record: reasons are redacted before they are cut, on one line", () => {
  registerSecrets(() => ["s3cr3t-token-value"]);
  const reason = recordedReason(`answered 500\nbody: ${"x".repeat(290)}s3cr3t-token-value`);
  assert.ok(!reason.includes("s3cr3t"));
  assert.ok(!reason.includes("\n"));
  assert.ok(reason.length <= 300);
});

Deno.test("download deadline: grows with what arrived; a drip is stopped, a steady file is not", () => {
  const limits = { graceMs: 30_000, minBytesPerSecond: 64 * 1024, idleMs: 60_000 };
  assert.equal(deadlineOf(1000, 0, limits), 31_000);
  assert.equal(deadlineOf(1000, 64 * 1024 * 10, limits), 41_000);

  const clock = new ManualClock(0);
  let aborted = 0;
  const drip = new TransferWatch(limits, clock, () => aborted++);
  try {
    // 1 KiB every 2 s: fine through the grace, then far below 64 KiB/s.
    let kept = true;
    while (kept) {
      clock.advance(2000);
      kept = drip.add(1024);
    }
    assert.equal(drip.expired, "deadline");
    assert.equal(aborted, 1);
    assert.ok(clock.now() <= 32_000, `gave up at ${clock.now()} ms`);
    assert.match(drip.describe(), /^too slow: 16 KiB in 32\.0 s, under 64 KiB\/s on average/);
  } finally {
    drip.stop();
  }

  const steady = new TransferWatch(limits, clock, () => aborted++);
  try {
    // 1 MiB/s for ten minutes.
    for (let s = 0; s < 600; s++) {
      clock.advance(1000);
      assert.ok(steady.add(1024 * 1024));
    }
    assert.equal(steady.expired, undefined);
  } finally {
    steady.stop();
  }
});

Deno.test("failure record: erased or pruned candidates are forgotten; a link in its place is left alone", async () => {
  await withTempDir(async (dir) => {
    const record = FailureRecord.empty(dir);
    record.replace("activity_feeds", 5, [{ id: 5, reason: "x", lasting: false, at: AT }]);
    record.replace("attachments", 5, [{
      id: 5,
      folder: "resume-undated",
      reason: "x",
      lasting: true,
      at: AT,
    }]);
    record.replace("attachments", 6, [{ id: 6, reason: "x", lasting: false, at: AT }]);
    await record.save();
    await forgetCandidates(dir, [5]);
    const left = await readFailures(dir);
    assert.ok(typeof left === "object");
    assert.deepEqual(left.candidates("activity_feeds"), []);
    assert.deepEqual(left.candidates("attachments"), [6]);
    await forgetCandidates(dir, [6]);
    assert.equal(await exists(join(dir, FAILURES_FILE)), false);

    await Deno.writeTextFile(join(dir, "elsewhere.json"), "kept");
    await Deno.symlink(join(dir, "elsewhere.json"), join(dir, FAILURES_FILE));
    await forgetCandidates(dir, [6]);
    assert.equal(await Deno.readTextFile(join(dir, "elsewhere.json")), "kept");
  });
});
