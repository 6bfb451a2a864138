/**
 * The tool sends v3's id filters as the spec declares them: every `ids` / `*_ids` filter at most
 * 50 ids, `per_page` from 1 to 500. Every place that builds an id list is run against a tenant
 * whose lists are longer than 50 (scorecard moniker lookups, candidate-batched notes,
 * attachments and applications, the privacy lists by application or candidate ids, one record
 * by id), the request log is audited, and the batch sizes are pinned to the spec's limit. (The
 * sandbox answers 422 beyond 50 on every id filter: tests/unit/sandbox_v3_parameters_test.ts,
 * so every other v3 test would fail too.)
 */
import assert from "node:assert/strict";
import { openCache } from "../../src/cache/mod.ts";
import { REFRESH_BATCH } from "../../src/dependent/attachments.ts";
import { listByCandidate } from "../../src/dependent/batch.ts";
import { ENTITIES, ENTITY_NAMES, entityPath } from "../../src/entities.ts";
import { streamEntity } from "../../src/extract/stream.ts";
import { getRecord, V3_PER_PAGE, v3Dialect } from "../../src/harvest/mod.ts";
import { PERSONAL_LISTS } from "../../src/privacy/personal_lists.ts";
import { owners } from "../../src/privacy/personal_lists.ts";
import { fetchRelated, V3_MAX_IDS, v3OwnerFilter } from "../../src/privacy/related.ts";
import { MAX_FILTER_IDS, PER_PAGE_RANGE, V3_LISTS } from "../../src/schemas/mod.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";
import { quietContext, sandboxV3Client, withTempDir } from "../support.ts";

Deno.test("the batch sizes are the spec's: 50 ids a filter, 500 records a page", () => {
  assert.equal(MAX_FILTER_IDS, 50);
  assert.equal(v3Dialect.recordsByIds!.maxIds, MAX_FILTER_IDS);
  assert.equal(v3Dialect.candidateBatch!.maxIds, MAX_FILTER_IDS);
  assert.equal(V3_MAX_IDS, MAX_FILTER_IDS);
  assert.ok(REFRESH_BATCH <= MAX_FILTER_IDS, "v1's candidate_ids refresh too");
  assert.equal(V3_PER_PAGE, PER_PAGE_RANGE.max);
  assert.equal(v3Dialect.maxPerPage, PER_PAGE_RANGE.max);
});

Deno.test("the filters the tool sends on v3 are ones the spec declares for the list", () => {
  const declared = (path: string) => new Set(V3_LISTS[path].idFilters);
  // One record by id, and moniker lookups: `ids`.
  for (const name of ENTITY_NAMES) {
    const path = ENTITIES[name].paths.v3;
    if (path) assert.ok(declared(path).has(v3Dialect.recordsByIds!.param), name);
  }
  // Candidate-batched lists, and applications by candidate (access).
  const batch = v3Dialect.candidateBatch!;
  for (const path of [batch.notesPath, batch.attachmentsPath, "/applications"]) {
    assert.ok(declared(path).has(batch.idsParam), path);
  }
  assert.ok(declared("/candidates").has(v3Dialect.candidateWrites.candidateIdsParam));
  assert.ok(declared("/users").has(v3Dialect.candidateWrites.userIdsParam!));
  // Every personal list, by its owner's ids (access and erase).
  for (const name of PERSONAL_LISTS) {
    const path = ENTITIES[name].paths.v3;
    if (!path || name === "applications") continue;
    assert.ok(declared(path).has(v3OwnerFilter(name)!), `${name}: ${v3OwnerFilter(name)}`);
  }
});

Deno.test("every id list the tool builds on v3 carries at most 50 ids, whatever it covers", async () => {
  const sandbox = await startSandbox({ candidates: 150, rateLimit: 0, v3RateLimit: 0 });
  const client = sandboxV3Client(sandbox);
  try {
    await withTempDir(async (dir) => {
      const candidates = sandbox.tenant.list("candidates").map((c) => c.id as number);
      const applications = sandbox.tenant.list("applications").map((a) => a.id as number);
      assert.ok(candidates.length > 2 * MAX_FILTER_IDS && applications.length > 2 * MAX_FILTER_IDS);

      // Scorecards into a cache without applications: every page's applications looked up.
      const cache = await openCache(dir);
      try {
        await streamEntity({
          entity: "scorecards",
          client,
          cache,
          ctx: quietContext(),
          quiet: true,
          params: {},
        });
      } finally {
        await cache.close();
      }
      // Notes, attachments and applications of every candidate (sync's dependents, access).
      const batch = v3Dialect.candidateBatch!;
      for (const path of [batch.notesPath, batch.attachmentsPath, "/applications"]) {
        await listByCandidate(client, batch, path, candidates);
      }
      // The privacy lists of "one person" owning every candidate and application.
      const related = await fetchRelated(client, owners(candidates, applications));
      assert.deepEqual(related.unavailable, []);
      assert.ok((related.records.offers?.length ?? 0) > 0);
      // One record by id (check --repair, attachments' refresh).
      const path = entityPath(ENTITIES.applications, v3Dialect);
      assert.ok(await getRecord(client, path, applications[0]));
    });

    const requests = sandbox.log.filter((e) => e.path.startsWith("/v3/"));
    const filters = new Map<string, number>();
    for (const entry of requests) {
      const query = new URL(entry.path, "http://x").searchParams;
      assert.ok(entry.status < 400, `${entry.path}: ${entry.status}`);
      for (const [key, value] of query) {
        if (key === "per_page") {
          const n = Number(value);
          assert.ok(n >= PER_PAGE_RANGE.min && n <= PER_PAGE_RANGE.max, entry.path);
        }
        if (key !== "ids" && !key.endsWith("_ids")) continue;
        const count = value.split(",").length;
        assert.ok(count <= MAX_FILTER_IDS, `${entry.path.split("?")[0]} ${key}: ${count} ids`);
        filters.set(key, Math.max(filters.get(key) ?? 0, count));
      }
    }
    // Each kind of list went out full: the limit was reached, never passed.
    assert.equal(filters.get("ids"), MAX_FILTER_IDS, "moniker lookups");
    assert.equal(filters.get("candidate_ids"), MAX_FILTER_IDS, "by candidate");
    assert.equal(filters.get("application_ids"), MAX_FILTER_IDS, "by application");
  } finally {
    await sandbox.close();
  }
});
