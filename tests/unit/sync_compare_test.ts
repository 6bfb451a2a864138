/**
 * How sync compares a listed page with the cache (src/sync/compare.ts): the verdict from each
 * record's change stamp, and which cached files already hold the page's exact bytes (not written
 * again), never judged through a link.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openCache } from "../../src/cache/mod.ts";
import { changeStamp, compareWithCache } from "../../src/sync/compare.ts";
import { withTempDir } from "../support.ts";

const moniker = (record: { name?: unknown }) => String(record.name ?? "");

Deno.test("compareWithCache: new, unchanged and updated by change stamp; identical only byte for byte", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(join(dir, "cache"));
    try {
      const jobs = await cache.folder("jobs", moniker);
      const stamp = "2026-11-01T00:00:00Z";
      await jobs.writeRecords([
        { id: 1, name: "Cook", updated_at: stamp },
        { id: 2, name: "Baker", updated_at: stamp },
        { id: 3, name: "Porter", updated_at: stamp },
      ], new Date());
      await jobs.commit();
      // 4 is not cached; 3 stands for a link to a file that holds the same bytes.
      const outside = join(dir, "outside.json");
      await Deno.copyFile(jobs.filePath(3), outside);
      await Deno.remove(jobs.filePath(3));
      await Deno.symlink(outside, jobs.filePath(3));

      const page = [
        { id: 1, name: "Cook", updated_at: stamp }, // the same bytes
        { id: 2, name: "Head baker", updated_at: stamp }, // same stamp, other bytes
        { id: 3, name: "Porter", updated_at: stamp },
        { id: 4, name: "Runner", updated_at: stamp },
      ];
      const records = page.map((record) => ({ id: record.id, summary: changeStamp(record) }));
      const { verdicts, identical } = await compareWithCache(
        records,
        jobs,
        jobs.encodeRecords(page),
      );
      assert.deepEqual(verdicts, ["unchanged", "unchanged", "updated", "new"]);
      assert.deepEqual([...identical], [1]);
      // Without the page's content nothing is called identical.
      const bare = await compareWithCache(records.slice(0, 1), jobs);
      assert.deepEqual([...bare.identical], []);
    } finally {
      await cache.close();
    }
  });
});
