/**
 * The deletions step's proof (src/sync/deletions.ts): a cached candidate the listing lacks is
 * removed only once the list's id filter confirms Greenhouse no longer has them; one it still
 * finds is kept (a page-numbered listing can skip a living candidate); a filter the server
 * ignores proves nothing and removes nothing. What goes, goes with every record naming them.
 */
import assert from "node:assert/strict";
import { type Cache, openCache, openChangeLog } from "../../src/cache/mod.ts";
import { type ApiRecord, ENTITIES, type EntityName } from "../../src/entities.ts";
import { RunError } from "../../src/errors.ts";
import type { HarvestClient } from "../../src/harvest/mod.ts";
import { removeDeletedCandidates } from "../../src/sync/deletions.ts";
import { emptyState } from "../../src/sync/state.ts";
import { quietContext, withTempDir } from "../support.ts";

const [ALIVE, SKIPPED, GONE] = [4100000003, 4100001003, 4100002003];
const AT = new Date("2026-12-01T00:00:00Z");

async function write(cache: Cache, entity: EntityName, records: ApiRecord[]) {
  const folder = await cache.folder(entity, ENTITIES[entity].moniker);
  await folder.writeRecords(records as (ApiRecord & { id: number })[], AT);
  await folder.commit();
}

/** Three candidates, an application and an offer each (v3 shapes). */
async function seed(cache: Cache) {
  const people = [ALIVE, SKIPPED, GONE];
  await write(cache, "candidates", people.map((id) => ({ id, first_name: "A", last_name: "B" })));
  await write(
    cache,
    "applications",
    people.map((id, i) => ({ id: 9000 + i, candidate_id: id, job_id: 7 })),
  );
  await write(
    cache,
    "offers",
    people.map((id, i) => ({ id: 8000 + i, candidate_id: id, application_id: 9000 + i })),
  );
}

/** A client whose candidates list, asked by ids, answers `answer` (v3 spelling: `ids`). */
function stubClient(answer: (ids: number[]) => ApiRecord[], asked: string[][]): HarvestClient {
  return {
    dialect: { version: "v3", candidateWrites: { candidateIdsParam: "ids" } },
    getJson(_path: string, params: Record<string, string>) {
      asked.push(params.ids.split(","));
      return Promise.resolve(answer(params.ids.split(",").map(Number)));
    },
  } as unknown as HarvestClient;
}

async function ids(cache: Cache, entity: EntityName) {
  return (await cache.folder(entity, ENTITIES[entity].moniker)).ids();
}

Deno.test("deletions: only candidates the id filter confirms gone are purged, with their records", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    try {
      await seed(cache);
      const asked: string[][] = [];
      // The listing skipped SKIPPED (it moved while read): the filter still finds them.
      const client = stubClient(
        (wanted) => wanted.filter((id) => id === SKIPPED).map((id) => ({ id })),
        asked,
      );
      const changes = openChangeLog(dir, "sync", AT);
      const state = emptyState();
      state.pending.attachments = [ALIVE, GONE];
      const result = await removeDeletedCandidates(
        { client, cache, ctx: quietContext(), changes },
        state,
        new Set([ALIVE]),
      );
      await changes.close(AT);
      assert.deepEqual(asked, [[String(SKIPPED), String(GONE)]], "one request confirms both");
      assert.equal(result.removed, 1);
      assert.equal(result.kept, 1);
      assert.deepEqual(result.removedWith, { applications: 1, offers: 1 });
      assert.deepEqual(await ids(cache, "candidates"), [ALIVE, SKIPPED]);
      assert.deepEqual(await ids(cache, "applications"), [9000, 9001]);
      assert.deepEqual(await ids(cache, "offers"), [8000, 8001]);
      assert.deepEqual(state.pending.attachments, [ALIVE], "nothing is owed to the deleted");
      assert.deepEqual(changes.counts(), {
        offers: { added: 0, changed: 0, removed: 1 },
        applications: { added: 0, changed: 0, removed: 1 },
        candidates: { added: 0, changed: 0, removed: 1 },
      });
    } finally {
      await cache.close();
    }
  });
});

Deno.test("deletions: a server that ignores the id filter proves nothing; nothing is removed", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    try {
      await seed(cache);
      const client = stubClient(() => [{ id: 4199999003 }], []);
      await assert.rejects(
        removeDeletedCandidates({ client, cache, ctx: quietContext() }, emptyState(), new Set()),
        (error) => error instanceof RunError && /cannot be trusted/.test(error.message),
      );
      assert.deepEqual(await ids(cache, "candidates"), [ALIVE, SKIPPED, GONE]);
      assert.deepEqual(await ids(cache, "applications"), [9000, 9001, 9002]);
    } finally {
      await cache.close();
    }
  });
});

Deno.test("deletions: an empty cache costs no request", async () => {
  await withTempDir(async (dir) => {
    const cache = await openCache(dir);
    try {
      const client = {} as HarvestClient; // any request would throw
      const result = await removeDeletedCandidates(
        { client, cache, ctx: quietContext() },
        emptyState(),
        undefined,
      );
      assert.equal(result.checked, 0);
      assert.equal(result.removed, 0);
    } finally {
      await cache.close();
    }
  });
});
