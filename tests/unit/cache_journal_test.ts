import assert from "node:assert/strict";
import { join } from "node:path";
import { FolderIndex, PENDING_LIMIT } from "../../src/cache/folder_index.ts";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { Journal, JOURNAL_HEADER, type JournalRow } from "../../src/cache/journal.ts";
import { INDEX_FILE, JOURNAL_FILE } from "../../src/cache/layout.ts";
import { entryNames, withTempDir } from "../support.ts";

const T = "2026-11-23T01:52:11.123Z";
const row = (id: number, moniker: string, hash = "a".repeat(64)): JournalRow => ({
  id,
  moniker,
  timestamp: T,
  hash,
});

Deno.test("journal: header once, rows appended, read back by id in the order written", async () => {
  await withTempDir(async (dir) => {
    const journal = new Journal(join(dir, JOURNAL_FILE));
    await journal.append([]);
    assert.deepEqual(await entryNames(dir), [], "no rows, no journal");
    assert.equal(journal.exists, false);
    await journal.append([row(2, "Bob, Jr."), row(1, "Ann")]);
    await journal.append([row(2, "Bob\r\nNewline", "b".repeat(64))]);
    journal.close();
    assert.equal(journal.exists, true);
    const lines = (await Deno.readTextFile(journal.path)).split("\r\n");
    assert.equal(lines[0], JOURNAL_HEADER.join(","));
    assert.equal(lines.filter((l) => l === JOURNAL_HEADER.join(",")).length, 1);

    const again = new Journal(journal.path);
    const content = await again.read();
    assert.equal(content.badLines, 0);
    assert.deepEqual(content.rows.get(1), [{ moniker: "Ann", timestamp: T, hash: "a".repeat(64) }]);
    assert.deepEqual(content.rows.get(2)?.map((r) => r.moniker), ["Bob, Jr.", "Bob\r\nNewline"]);
    assert.equal(again.exists, true);
    await again.append([row(3, "Cy")]);
    again.close();
    assert.equal((await new Journal(journal.path).read()).rows.size, 3, "no second header");
  });
});

Deno.test("journal: a torn last line and a damaged header are bad lines, never rows", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, JOURNAL_FILE);
    const good = `1,Ann,${T},${"a".repeat(64)}\r\n`;
    await Deno.writeTextFile(path, `${JOURNAL_HEADER.join(",")}\r\n${good}2,"Torn`);
    const torn = await new Journal(path).read();
    assert.deepEqual([...torn.rows.keys()], [1]);
    assert.equal(torn.badLines, 1);

    const bad = [
      `0,Zero,${T},${"a".repeat(64)}`,
      `3,Short hash,${T},abc`,
      `4,Bad time,yesterday,${"a".repeat(64)}`,
      `5,Too,many,fields,here`,
    ];
    await Deno.writeTextFile(path, `${JOURNAL_HEADER.join(",")}\r\n${bad.join("\r\n")}\r\n`);
    assert.deepEqual(await new Journal(path).read(), { rows: new Map(), badLines: 4 });

    await Deno.writeTextFile(path, `id,moniker,timestamp\r\n${good}${good}`);
    assert.deepEqual(await new Journal(path).read(), { rows: new Map(), badLines: 2 });

    await assert.rejects(new Journal(join(dir, "missing")).read(), Deno.errors.NotFound);
  });
});

Deno.test("folder index: commit merges pending rows into index.csv and deletes the journal", async () => {
  await withTempDir(async (dir) => {
    const folder = new FolderIndex(dir);
    await folder.commit();
    assert.deepEqual(await entryNames(dir), [], "nothing to commit, nothing written");

    await folder.journal.append([row(5, "Eve"), row(3, "Cy")]);
    folder.pending.set(5, { moniker: "Eve", timestamp: T });
    folder.pending.set(3, { moniker: "Cy", timestamp: T });
    assert.deepEqual(folder.rowIfKnown(5), { id: 5, moniker: "Eve", timestamp: T });
    assert.equal(folder.full, false);
    await folder.commit();
    assert.deepEqual(await entryNames(dir), [INDEX_FILE]);
    assert.equal(folder.journal.exists, false);
    assert.equal(folder.pending.size, 0);
    const { rows } = parseIndex(await Deno.readTextFile(join(dir, INDEX_FILE)));
    assert.deepEqual(rows.map((r) => r.id), [3, 5]);

    folder.pending.set(3, null);
    assert.equal(folder.rowIfKnown(3), null, "a pending removal hides the committed row");
    for (let id = 10; folder.pending.size < PENDING_LIMIT; id++) {
      folder.pending.set(id, { moniker: "", timestamp: T });
    }
    assert.equal(folder.full, true);
  });
});
