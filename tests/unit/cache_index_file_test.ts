import assert from "node:assert/strict";
import { join } from "node:path";
import { BLOCK_ROWS, type IndexChange, IndexFile } from "../../src/cache/index_file.ts";
import { type IndexRow, parseIndex, scanIndex } from "../../src/cache/index_codec.ts";
import { PENDING_LIMIT } from "../../src/cache/folder_index.ts";
import { openCache } from "../../src/cache/store.ts";
import { withTempDir } from "../support.ts";

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  "plain",
  'a "quoted", name',
  "=SUM(A1)",
  "line\r\nbreak",
  "lone\rcr",
  "Łódź 東京",
  "",
];

async function fileRows(path: string): Promise<IndexRow[]> {
  const { rows, problems } = parseIndex(await Deno.readTextFile(path));
  assert.deepEqual(problems, []);
  return rows;
}

function modelRows(model: Map<number, IndexRow>): IndexRow[] {
  return [...model.values()].sort((a, b) => a.id - b.id);
}

Deno.test("index file: merges match a model across many blocks, and lookups find every row", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "index.csv");
    const next = random(7);
    const model = new Map<number, IndexRow>();
    let index = new IndexFile(path);
    for (let round = 0; round < 12; round++) {
      const changes = new Map<number, IndexChange>();
      const count = Math.floor(next() * 1500);
      for (let i = 0; i < count; i++) {
        // Ids cluster (appends) or scatter (updates), large like Greenhouse's.
        const id = 4_000_000_000 + Math.floor(next() * (round + 1) * 800);
        if (model.has(id) && next() < 0.2) {
          changes.set(id, null);
          continue;
        }
        const change = {
          moniker: `${HOSTILE[Math.floor(next() * HOSTILE.length)]} ${round}`,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, round)).toISOString(),
        };
        changes.set(id, change);
      }
      await index.merge(changes);
      for (const [id, change] of changes) {
        if (change === null) model.delete(id);
        else model.set(id, { id, ...change });
      }
      assert.deepEqual(await fileRows(path), modelRows(model), `round ${round}`);
      assert.equal(index.rows, model.size);

      // The layout a fresh scan measures is the one the merge kept.
      const scanned: IndexRow[] = [];
      const scan = await scanIndex(path, BLOCK_ROWS, (rows) => scanned.push(...rows));
      assert.ok(scan.clean);
      assert.deepEqual(scanned, modelRows(model));
      index = round % 2 === 0 ? new IndexFile(path, scan.layout) : index;

      for (const row of modelRows(model)) assert.deepEqual(await index.find(row.id), row);
      assert.equal(await index.find(1), undefined);
      assert.equal(await index.find(4_000_000_000 + 10_000_000), undefined);
    }
    assert.ok(model.size > 4 * BLOCK_ROWS, `several blocks (${model.size} rows)`);
  });
});

Deno.test("index file: blocks stay at least half full through many small inserts", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "index.csv");
    const index = new IndexFile(path);
    const timestamp = "2026-11-23T00:00:00.000Z";
    const evens = Array.from({ length: 2048 }, (_, i) => 2 * (i + 1));
    await index.merge(new Map(evens.map((id) => [id, { moniker: "even", timestamp }])));
    // One odd id per merge, each landing in a full block.
    for (let id = 1; id < 4096; id += 32) {
      await index.merge(new Map([[id, { moniker: "odd", timestamp }]]));
    }
    const rows = 2048 + 128;
    assert.equal(index.rows, rows);
    assert.ok(index.blocks <= 2 * Math.ceil(rows / BLOCK_ROWS), `${index.blocks} blocks`);
    const scan = await scanIndex(path, BLOCK_ROWS, () => {});
    assert.ok(scan.clean);
    assert.equal(scan.layout.rows, rows);
  });
});

Deno.test("index file: blocks that removals empty are joined to their neighbours", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "index.csv");
    const index = new IndexFile(path);
    const timestamp = "2026-11-23T00:00:00.000Z";
    const all = Array.from({ length: 4096 }, (_, i) => i + 1);
    await index.merge(new Map(all.map((id) => [id, { moniker: "r", timestamp }])));
    // Nine rows in ten removed, a slice per merge, as a prune or purges would.
    const kept = all.filter((id) => id % 10 === 0);
    for (let start = 0; start < all.length; start += 512) {
      const gone = all.slice(start, start + 512).filter((id) => id % 10 !== 0);
      await index.merge(new Map(gone.map((id) => [id, null])));
    }
    assert.equal(index.rows, kept.length);
    assert.ok(index.blocks <= 2 * Math.ceil(kept.length / BLOCK_ROWS), `${index.blocks} blocks`);
    assert.deepEqual((await fileRows(path)).map((r) => r.id), kept);
    for (const id of kept) assert.equal((await index.find(id))?.id, id);
    assert.equal(await index.find(11), undefined);
  });
});

Deno.test("index file: a snapshot streams the rows as they were, whatever merges follow", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "index.csv");
    const index = new IndexFile(path);
    const timestamp = "2026-11-23T00:00:00.000Z";
    await index.merge(
      new Map(Array.from({ length: 1000 }, (_, i) => [i + 1, { moniker: `r${i + 1}`, timestamp }])),
    );
    using snapshot = await index.snapshot();
    await index.merge(new Map([[5, null], [2000, { moniker: "late", timestamp }]]));
    const seen: number[] = [];
    for await (const rows of snapshot.batches()) {
      assert.ok(rows.length <= BLOCK_ROWS);
      seen.push(...rows.map((r) => r.id));
    }
    assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.equal(await index.find(5), undefined);
    assert.equal((await index.find(2000))?.moniker, "late");
  });
});

Deno.test("scanIndex: anything but a clean, sorted index is reported unclean", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "index.csv");
    const header = "id,moniker,timestamp\r\n";
    const ts = "2026-11-23T00:00:00.000Z";
    const cases: [string, string][] = [
      ["unsorted", `${header}2,b,${ts}\r\n1,a,${ts}\r\n`],
      ["duplicate", `${header}1,a,${ts}\r\n1,b,${ts}\r\n`],
      ["torn last line", `${header}1,a,${ts}\r\n2,b,2026`],
      ["bad timestamp", `${header}1,a,yesterday\r\n`],
      ["no header", `1,a,${ts}\r\n`],
      ["empty", ""],
      ["stray quote", `${header}1,a"b,${ts}\r\n`],
    ];
    for (const [name, text] of cases) {
      await Deno.writeTextFile(path, text);
      assert.equal((await scanIndex(path, BLOCK_ROWS, () => {})).clean, false, name);
    }
    const first = `1,"multi\r\nline ""x"" Łódź",${ts}\r\n`;
    await Deno.writeTextFile(path, `${header}${first}2,b,${ts}\r\n`);
    const scan = await scanIndex(path, 1, () => {});
    assert.ok(scan.clean);
    const bytes = (text: string) => new TextEncoder().encode(text).length;
    assert.deepEqual(scan.layout.offsets, [bytes(header), bytes(header + first)]);
  });
});

Deno.test("store: a damaged index is rebuilt sorted from its usable rows", async () => {
  await withTempDir(async (dir) => {
    const moniker = (r: unknown) => String((r as { name?: unknown }).name ?? "");
    const folderDir = join(dir, "jobs");
    await Deno.mkdir(folderDir);
    for (const id of [1, 2, 3, 4]) {
      await Deno.writeTextFile(
        join(folderDir, `${id}.json`),
        JSON.stringify({ id, name: `f${id}` }),
      );
    }
    const ts = "2026-11-23T00:00:00.000Z";
    await Deno.writeTextFile(
      join(folderDir, "index.csv"),
      `id,moniker,timestamp\r\n3,kept 3,${ts}\r\n1,kept 1,${ts}\r\n9,no file,${ts}\r\nx,bad,${ts}\r\n`,
    );
    const cache = await openCache(dir);
    const folder = await cache.folder("jobs", moniker);
    assert.equal(folder.recovery.badLines, 1);
    assert.deepEqual(folder.recovery.adopted, [2, 4]);
    const rows = await fileRows(join(folderDir, "index.csv"));
    assert.deepEqual(rows.map((r) => [r.id, r.moniker]), [
      [1, "kept 1"],
      [2, "f2"],
      [3, "kept 3"],
      [4, "f4"],
    ]);
    await cache.close();
  });
});

Deno.test("store: rows written without a commit are merged once the pending limit is reached", async () => {
  // The limit is PENDING_LIMIT (10,000) unless the cache is opened with another: 250 here, so the
  // test writes 250 record files rather than 10,000.
  assert.ok(PENDING_LIMIT >= 1_000);
  const limit = 250;
  await withTempDir(async (dir) => {
    const cache = await openCache(dir, { pendingLimit: limit });
    const folder = await cache.folder("jobs", () => "j");
    const at = new Date("2026-11-23T00:00:00Z");
    const page = 50;
    for (let start = 1; start <= limit; start += page) {
      await folder.writeRecords(Array.from({ length: page }, (_, i) => ({ id: start + i })), at);
    }
    assert.equal(folder.size(), limit, "committed without being asked");
    await assert.rejects(Deno.stat(join(dir, "jobs", ".index-journal.csv")), Deno.errors.NotFound);
    await folder.writeRecords([{ id: limit + 1 }], at);
    assert.equal(folder.size(), limit, "one row pending");
    assert.ok(await folder.has(limit + 1));
    await cache.close();
  });
});
