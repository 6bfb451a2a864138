import assert from "node:assert/strict";
import { join } from "node:path";
import { FolderIndex } from "../../src/cache/folder_index.ts";
import { sha256Hex } from "../../src/cache/hash.ts";
import { formatIndex, parseIndex } from "../../src/cache/index_codec.ts";
import { Journal } from "../../src/cache/journal.ts";
import { INDEX_FILE, JOURNAL_FILE } from "../../src/cache/layout.ts";
import { emptyRecoveryReport, recoverFolder } from "../../src/cache/recovery.ts";
import { entryNames, withTempDir } from "../support.ts";

const T1 = "2026-11-23T01:52:11.123Z";
const T2 = "2026-11-24T08:00:00.000Z";
const moniker = (r: { name?: string }) => r.name ?? "";
const body = (record: object) => JSON.stringify(record, null, 2) + "\n";

Deno.test("recovery: a clean folder is used as it is, without listing it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "1.json"), body({ id: 1, name: "Ann" }));
    await Deno.writeTextFile(join(dir, "2.json"), body({ id: 2, name: "Bob" })); // no row
    await Deno.writeTextFile(
      join(dir, INDEX_FILE),
      formatIndex([{ id: 1, moniker: "Ann", timestamp: T1 }]),
    );
    await Deno.writeTextFile(join(dir, ".1.json.tmp-1-0123abcd"), "{");
    const folder = new FolderIndex(dir);
    const report = emptyRecoveryReport();
    await recoverFolder(folder, moniker, false, report);
    assert.deepEqual(report, emptyRecoveryReport(), "nothing looked at");
    assert.equal(folder.index.rows, 1);
    assert.ok((await entryNames(dir)).includes(".1.json.tmp-1-0123abcd"), "temporaries left");

    // Asked to reconcile, the same folder is compared with its files.
    const again = new FolderIndex(dir);
    await recoverFolder(again, moniker, true, report);
    assert.deepEqual(report.adopted, [2]);
    assert.deepEqual(report.tempFilesRemoved, [".1.json.tmp-1-0123abcd"]);
    assert.equal(again.index.rows, 2);
  });
});

Deno.test("recovery: a journal row applies only if its file holds that content, latest first", async () => {
  await withTempDir(async (dir) => {
    const written = body({ id: 1, name: "Ann B" });
    await Deno.writeTextFile(join(dir, "1.json"), written);
    const journal = new Journal(join(dir, JOURNAL_FILE));
    await journal.append([
      { id: 1, moniker: "Ann", timestamp: T1, hash: sha256Hex(new TextEncoder().encode(written)) },
      { id: 1, moniker: "Never written", timestamp: T2, hash: "0".repeat(64) },
      { id: 9, moniker: "No file", timestamp: T2, hash: "0".repeat(64) },
    ]);
    journal.close();
    const folder = new FolderIndex(dir);
    const report = emptyRecoveryReport();
    await recoverFolder(folder, moniker, false, report);
    assert.equal(report.journalRowsReplayed, 1);
    assert.deepEqual(report.adopted, [], "the replayed file is not an orphan");
    assert.deepEqual(await entryNames(dir), ["1.json", INDEX_FILE], "journal gone after commit");
    const { rows } = parseIndex(await Deno.readTextFile(join(dir, INDEX_FILE)));
    assert.deepEqual(rows, [{ id: 1, moniker: "Ann", timestamp: T1 }]);
  });
});
