import assert from "node:assert/strict";
import { join } from "node:path";
import { openChangeLog, removeChangeLogsBefore } from "../../src/cache/changes.ts";
import { changesFileName, changesFileTime } from "../../src/cache/layout.ts";
import { entryNames, exists, withTempDir } from "../support.ts";

const START = new Date("2026-11-30T02:00:00.123Z");

Deno.test("change log: no file until a change; lines, counts and ids read back in order", async () => {
  await withTempDir(async (dir) => {
    const log = openChangeLog(dir, "sync", START);
    await log.record("candidates", "added", []);
    assert.equal(log.path, undefined);
    assert.equal(await exists(join(dir, ".changes")), false);

    const many = Array.from({ length: 2500 }, (_, i) => i + 1);
    await log.record("candidates", "added", many);
    await log.record("jobs", "changed", [7]);
    await log.record("candidates", "removed", [9]);
    await log.record("candidates", "added", [3000]);
    assert.equal(log.path, join(dir, ".changes", "2026-11-30T02-00-00.123Z-sync.ndjson"));
    assert.deepEqual(log.counts(), {
      candidates: { added: 2501, changed: 0, removed: 1 },
      jobs: { added: 0, changed: 1, removed: 0 },
    });
    const back: number[] = [];
    for await (const ids of log.ids("candidates", "added")) back.push(...ids);
    assert.deepEqual(back, [...many, 3000]);
    await log.close(new Date("2026-11-30T02:05:00Z"));

    const lines = (await Deno.readTextFile(log.path!)).trimEnd().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines[0], {
      format: "greenhouse-extractor changes",
      version: 1,
      run: "sync",
      startedAt: START.toISOString(),
    });
    assert.deepEqual(lines.slice(1, -1).map((l) => [l.entity, l.change, l.ids.length]), [
      ["candidates", "added", 1000],
      ["candidates", "added", 1000],
      ["candidates", "added", 500],
      ["jobs", "changed", 1],
      ["candidates", "removed", 1],
      ["candidates", "added", 1],
    ]);
    assert.equal(lines.at(-1).finishedAt, "2026-11-30T02:05:00.000Z");

    // A second run of the same millisecond does not overwrite the first.
    const again = openChangeLog(dir, "sync", START);
    await again.record("jobs", "added", [1]);
    await again.close(START);
    assert.match(again.path!, /-sync~2\.ndjson$/);
  });
});

Deno.test("manifest names carry the run start; retention removes only older manifests", async () => {
  await withTempDir(async (dir) => {
    assert.equal(changesFileTime(changesFileName(START, "erase"))?.getTime(), START.getTime());
    assert.equal(changesFileTime(changesFileName(START, "sync", 3))?.getTime(), START.getTime());
    assert.equal(changesFileTime("notes.ndjson"), undefined);
    await Deno.mkdir(join(dir, ".changes"));
    const old = changesFileName(new Date("2026-10-01T00:00:00Z"), "sync");
    const kept = changesFileName(new Date("2026-11-29T00:00:00Z"), "erase");
    for (const name of [old, kept, "README"]) {
      await Deno.writeTextFile(join(dir, ".changes", name), "");
    }
    const removed = await removeChangeLogsBefore(dir, new Date("2026-11-01T00:00:00Z"));
    assert.deepEqual(removed, [old]);
    assert.deepEqual(await entryNames(join(dir, ".changes")), [kept, "README"].sort());
    assert.deepEqual(await removeChangeLogsBefore(join(dir, "none"), new Date()), []);
  });
});
