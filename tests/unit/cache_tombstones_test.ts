/** The erased candidates' tombstones: ids only, merged on every add, never silently ignored. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TOMBSTONES_FILE } from "../../src/cache/layout.ts";
import { addTombstones, readTombstones } from "../../src/cache/tombstones.ts";
import { RunError } from "../../src/errors.ts";
import { entryNames, withTempDir } from "../support.ts";

Deno.test("tombstones are merged, sorted, one id per line, written atomically", async () => {
  await withTempDir(async (dir) => {
    assert.deepEqual(await readTombstones(dir), new Set());
    await addTombstones(dir, [30, 10]);
    await addTombstones(dir, [20, 10]);
    assert.deepEqual(await readTombstones(dir), new Set([10, 20, 30]));
    const text = await Deno.readTextFile(join(dir, TOMBSTONES_FILE));
    assert.match(text, /^# .*\n10\n20\n30\n$/);
    assert.deepEqual(await entryNames(dir), [TOMBSTONES_FILE]);
  });
});

Deno.test("a tombstone file changed into something else is refused, not ignored", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, TOMBSTONES_FILE), "10\nbob@example.com\n");
    await assert.rejects(() => readTombstones(dir), RunError);
    await assert.rejects(() => addTombstones(dir, [1]), /line 2 is not a candidate id/);
  });
  if (Deno.build.os === "windows") return;
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "elsewhere"), "10\n");
    await Deno.symlink(join(dir, "elsewhere"), join(dir, TOMBSTONES_FILE));
    await assert.rejects(() => readTombstones(dir), /not a plain file/);
  });
});
