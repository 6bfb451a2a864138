import assert from "node:assert/strict";
import { join } from "node:path";
import { RunError } from "../../src/errors.ts";
import { openCache } from "../../src/cache/store.ts";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { INDEX_FILE } from "../../src/cache/layout.ts";
import { entryNames, withTempDir } from "../support.ts";

const moniker = (r: unknown) => String((r as { name?: unknown }).name ?? "");
const T1 = new Date("2026-11-23T01:52:11.123Z");
const T2 = new Date("2026-11-24T08:00:00.000Z");

async function readIndex(dir: string) {
  const { rows, problems } = parseIndex(await Deno.readTextFile(join(dir, INDEX_FILE)));
  assert.deepEqual(problems, []);
  return rows;
}

Deno.test("store: writes files and index, re-runs merge", async () => {
  await withTempDir(async (root) => {
    const cache = await openCache(join(root, "cache"));
    const jobs = await cache.folder("jobs", moniker);
    assert.deepEqual(await readIndex(jobs.dir), [], "a new folder gets an empty index");
    await jobs.writeRecords([{ id: 10, name: 'Chef, "head"' }, { id: 2, name: "=cook" }], T1);
    assert.ok(await Deno.stat(join(jobs.dir, ".index-journal.csv")));
    assert.deepEqual(await jobs.row(10), {
      id: 10,
      moniker: 'Chef, "head"',
      timestamp: T1.toISOString(),
    }, "found before a commit");
    await jobs.commit();
    assert.deepEqual(await jobs.ids(), [2, 10]);
    assert.deepEqual(await entryNames(jobs.dir), ["10.json", "2.json", "index.csv"]);
    assert.equal(
      await Deno.readTextFile(join(jobs.dir, "10.json")),
      JSON.stringify({ id: 10, name: 'Chef, "head"' }, null, 2) + "\n",
    );
    assert.deepEqual(await readIndex(jobs.dir), [
      { id: 2, moniker: "=cook", timestamp: "2026-11-23T01:52:11.123Z" },
      { id: 10, moniker: 'Chef, "head"', timestamp: "2026-11-23T01:52:11.123Z" },
    ]);
    await cache.close();
    assert.deepEqual(await entryNames(join(root, "cache")), ["jobs"], "lock file removed");

    // Second run: 10 fetched again (replaced), 3 new, 2 not returned (kept).
    const cache2 = await openCache(join(root, "cache"));
    const jobs2 = await cache2.folder("jobs", moniker);
    assert.deepEqual(await jobs2.row(2), { id: 2, moniker: "=cook", timestamp: T1.toISOString() });
    await jobs2.writeRecords([{ id: 10, name: "Sous chef" }, { id: 3, name: "Baker" }], T2);
    await jobs2.writeEntries([{ id: 7, moniker: "feed 7", body: { activities: [] } }], T2);
    await jobs2.commit();
    assert.deepEqual(await readIndex(jobs2.dir), [
      { id: 2, moniker: "=cook", timestamp: T1.toISOString() },
      { id: 3, moniker: "Baker", timestamp: T2.toISOString() },
      { id: 7, moniker: "feed 7", timestamp: T2.toISOString() },
      { id: 10, moniker: "Sous chef", timestamp: T2.toISOString() },
    ]);
    await jobs2.remove([3, 999]);
    assert.ok(!(await jobs2.has(3)));
    assert.deepEqual((await readIndex(jobs2.dir)).map((r) => r.id), [2, 7, 10]);
    assert.deepEqual(await entryNames(jobs2.dir), ["10.json", "2.json", "7.json", "index.csv"]);
    await cache2.close();
  });
});

Deno.test("store: a second openCache on the same folder is refused", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    await assert.rejects(openCache(dir), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.ok(e.message.includes(join(dir, ".lock")));
      return true;
    });
    await cache.close();
  });
});

Deno.test("store: ids that are not positive safe integers are rejected before writing", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    const folder = await cache.folder("candidates", moniker);
    for (const id of ["../x", -1, 1.5, "12", 2 ** 53, 0, NaN, Infinity, null, undefined, 12n]) {
      await assert.rejects(
        folder.writeRecords([{ id: 1, name: "ok" }, { id, name: "bad" }], T1),
        RunError,
        `id ${String(id)}`,
      );
    }
    await assert.rejects(folder.writeEntries([{ id: -5, moniker: "", body: {} }], T1), RunError);
    await assert.rejects(folder.remove([0]), RunError);
    assert.deepEqual(await entryNames(folder.dir), ["index.csv"], "nothing written");
    await assert.rejects(cache.folder("../escape", moniker), RangeError);
    await cache.close();
  });
});

Deno.test("store: existingFolder opens only a folder that is already there", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    try {
      assert.equal(await cache.existingFolder("activity_feeds", () => ""), undefined);
      await Deno.writeTextFile(join(dir, "offers"), "a file, not a folder");
      assert.equal(await cache.existingFolder("offers", moniker), undefined);
      assert.deepEqual(await entryNames(dir), [".lock", "offers"], "nothing created");

      await Deno.mkdir(join(dir, "jobs"));
      await Deno.writeTextFile(join(dir, "jobs", "4.json"), '{"id": 4, "name": "Cook"}\n');
      const jobs = await cache.existingFolder("jobs", moniker);
      assert.ok(jobs);
      assert.equal(jobs, await cache.folder("jobs", moniker), "the same open folder");
      assert.deepEqual(
        jobs.recovery.adopted,
        [4],
        "opened like folder(): a new index adopts files",
      );
      await assert.rejects(cache.existingFolder("../escape", moniker), RangeError);
    } finally {
      await cache.close();
    }
  });
});

Deno.test("store: recovers after a crash", async () => {
  await withTempDir(async (dir) => {
    // Run 1 writes and is "killed": no commit, no close (the lock is still released by the
    // OS in a real crash; here we release it but leave the journal and files as they are).
    const cache = await openCache(dir);
    const folder = await cache.folder("candidates", moniker);
    await folder.writeRecords([{ id: 1, name: "Ann" }, { id: 2, name: "Bob, Jr." }], T1);
    await folder.commit();
    await folder.writeRecords([{ id: 3, name: "Cy\r\nNewline" }, { id: 1, name: "Ann B" }], T2);
    await cache.close(); // closes the journal handle; does not commit
    const fdir = join(dir, "candidates");
    assert.deepEqual((await readIndex(fdir)).map((r) => r.id), [1, 2], "index not committed yet");

    // Crash leftovers: a record file renamed into place but never journaled, a torn journal
    // line, a temp file, and an index row whose file is gone.
    await Deno.writeTextFile(join(fdir, "4.json"), JSON.stringify({ id: 4, name: "Orphan" }));
    const mtime = new Date("2026-11-20T10:00:00.000Z");
    await Deno.utime(join(fdir, "4.json"), mtime, mtime);
    // A page journaled but killed before its file was renamed: the hash does not match.
    await Deno.writeTextFile(
      join(fdir, ".index-journal.csv"),
      `1,Never written,2026-11-25T00:00:00.000Z,${"0".repeat(64)}\r\n5,"Torn`,
      { append: true },
    );
    await Deno.writeTextFile(join(fdir, ".6.json.tmp-123-abcdef0123"), '{"id": 6, "na');
    await Deno.writeTextFile(join(fdir, "not-a-record.json"), "ignored");
    await Deno.remove(join(fdir, "2.json"));

    const reopened = await openCache(dir);
    const again = await reopened.folder("candidates", moniker);
    assert.deepEqual(again.recovery.tempFilesRemoved, [".6.json.tmp-123-abcdef0123"]);
    assert.equal(again.recovery.journalRowsReplayed, 2);
    assert.equal(again.recovery.badLines, 1);
    assert.deepEqual(again.recovery.adopted, [4]);
    assert.deepEqual(again.recovery.droppedRows, [2]);
    assert.deepEqual(await readIndex(fdir), [
      { id: 1, moniker: "Ann B", timestamp: T2.toISOString() },
      { id: 3, moniker: "Cy\r\nNewline", timestamp: T2.toISOString() },
      { id: 4, moniker: "Orphan", timestamp: mtime.toISOString() },
    ]);
    assert.deepEqual(await entryNames(fdir), [
      "1.json",
      "3.json",
      "4.json",
      "index.csv",
      "not-a-record.json",
    ]);
    // Every row has its file.
    for (const id of await again.ids()) assert.ok(await Deno.stat(again.filePath(id)));
    await reopened.close();
  });
});

Deno.test("store: a lost index is rebuilt from the files; bad files are left without a row", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    const folder = await cache.folder("offers", moniker);
    await folder.writeRecords(
      Array.from({ length: 40 }, (_, i) => ({ id: i + 1, name: `offer ${i + 1}` })),
      T1,
    );
    await folder.commit();
    await cache.close();
    await Deno.remove(join(dir, "offers", "index.csv"));
    await Deno.writeTextFile(join(dir, "offers", "41.json"), "{ not json");

    const cache2 = await openCache(dir);
    const folder2 = await cache2.folder("offers", moniker);
    assert.equal(folder2.size(), 40);
    assert.deepEqual(folder2.recovery.unreadable, ["41.json"]);
    assert.equal((await folder2.row(17))?.moniker, "offer 17");
    assert.equal((await readIndex(folder2.dir)).length, 40);
    await cache2.close();
  });
});

Deno.test("store: a folder left clean is used as it is; reconcile compares it with its files", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    const folder = await cache.folder("jobs", moniker);
    await folder.writeRecords([{ id: 1, name: "a" }, { id: 2, name: "b" }], T1);
    await folder.commit();
    await cache.close();
    // Changed by hand after a clean close: no journal says so.
    await Deno.writeTextFile(join(dir, "jobs", "3.json"), JSON.stringify({ id: 3, name: "c" }));
    await Deno.remove(join(dir, "jobs", "1.json"));

    const plain = await openCache(dir);
    const used = await plain.folder("jobs", moniker);
    assert.deepEqual(used.recovery.adopted, [], "a clean folder is not listed");
    assert.deepEqual(await used.ids(), [1, 2]);
    await plain.close();

    const repair = await openCache(dir);
    const reconciled = await repair.folder("jobs", moniker, { reconcile: true });
    assert.deepEqual(reconciled.recovery.adopted, [3]);
    assert.deepEqual(reconciled.recovery.droppedRows, [1]);
    assert.deepEqual((await readIndex(reconciled.dir)).map((r) => r.id), [2, 3]);
    await repair.close();
  });
});

Deno.test("store: a journal left beside deleted files (a removal killed before its commit) drops their rows", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    const folder = await cache.folder("jobs", moniker);
    await folder.writeRecords([{ id: 1, name: "a" }, { id: 2, name: "b" }], T1);
    await folder.commit();
    // remove() flags the folder before deleting files; a kill then leaves this state.
    await Deno.writeTextFile(
      join(dir, "jobs", ".index-journal.csv"),
      "id,moniker,timestamp,sha256\r\n",
    );
    await Deno.remove(join(dir, "jobs", "2.json"));
    await cache.close();

    const again = await openCache(dir);
    const reopened = await again.folder("jobs", moniker);
    assert.deepEqual(reopened.recovery.droppedRows, [2]);
    assert.deepEqual((await readIndex(reopened.dir)).map((r) => r.id), [1]);
    await assert.rejects(Deno.stat(join(dir, "jobs", ".index-journal.csv")), Deno.errors.NotFound);
    await again.close();
  });
});
