/**
 * The entity table's `createdFilters` says, per API version, which lists take a creation-date
 * filter; the sandbox says it again in the way it answers. These tests ask the sandbox, list by
 * list, and compare.
 */
import assert from "node:assert/strict";
import { sandboxToken } from "../e2e/api.ts";
import { ManualClock } from "../../src/clock.ts";
import {
  type ApiVersion,
  ENTITIES,
  entityListParams,
  type EntityName,
  entityNamesFor,
} from "../../src/entities.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

const T = Date.UTC(2026, 0, 15, 12, 0, 0);
/** Before every sandbox record: a list that honours a created filter answers [] for "before". */
const LONG_AGO = "2000-01-01T00:00:00Z";

async function listLength(url: string, authorization: string): Promise<number> {
  const res = await fetch(url, { headers: { Authorization: authorization } });
  const body = await res.json();
  assert.equal(res.status, 200, `${url}: ${JSON.stringify(body)}`);
  assert.ok(Array.isArray(body), url);
  return body.length;
}

/** An entity's list URL in a version, with its fixed list parameters and per_page=500. */
function listUrl(base: string, version: ApiVersion, entity: EntityName, filter: string): string {
  const params = new URLSearchParams({
    ...entityListParams(ENTITIES[entity], { version }),
    per_page: "500",
  });
  return `${base}${ENTITIES[entity].paths[version]}?${params}${filter}`;
}

/** The lists whose answer a created filter changes, given how to ask for all and for none. */
async function createdFiltered(
  version: ApiVersion,
  query: (entity: EntityName, filter: string) => Promise<number>,
  before: string,
  after: string,
): Promise<EntityName[]> {
  const out: EntityName[] = [];
  for (const entity of entityNamesFor(version)) {
    const all = await query(entity, "");
    assert.ok(
      all > 0,
      `${entity}: the sandbox must have records for the comparison to mean anything`,
    );
    const none = await query(entity, before);
    if (none === all) continue;
    assert.equal(none, 0, `${entity}: a created filter before every record keeps nothing`);
    assert.equal(await query(entity, after), all, `${entity}: its opposite keeps everything`);
    out.push(entity);
  }
  return out;
}

const tableSays = (version: ApiVersion) =>
  entityNamesFor(version).filter((e) => ENTITIES[e].createdFilters[version]);

Deno.test("sandbox v1: exactly the lists the entity table marks take created_after/created_before", async () => {
  const s = await startSandbox({ rateLimit: 0, clock: new ManualClock(T) });
  try {
    const auth = "Basic " + btoa(`${s.apiKey}:`);
    const query = (e: EntityName, filter: string) =>
      listLength(listUrl(s.url, "v1", e, filter), auth);
    const v1 = await createdFiltered(
      "v1",
      query,
      `&created_before=${LONG_AGO}`,
      `&created_after=${LONG_AGO}`,
    );
    assert.deepEqual(v1, tableSays("v1"));
    assert.ok(!v1.includes("sources") && !v1.includes("prospect_pools"));
  } finally {
    await s.close();
  }
});

Deno.test("sandbox v3: created_at filters every list but demographic questions and answer options, as the table says", async () => {
  const s = await startSandbox({ v3RateLimit: 0, clock: new ManualClock(T) });
  try {
    const auth = `Bearer ${await sandboxToken(s)}`;
    const query = (e: EntityName, filter: string) =>
      listLength(listUrl(s.v3Url, "v3", e, filter), auth);
    const v3 = await createdFiltered(
      "v3",
      query,
      `&created_at=lt|${LONG_AGO}`,
      `&created_at=gte|${LONG_AGO}`,
    );
    // v3 gives every resource a created_at and every list a created_at filter
    // (https://harvestdocs.greenhouse.io/docs/list-endpoints), but demographic questions and
    // answer options have none (https://harvestdocs.greenhouse.io/docs/standardizations).
    assert.deepEqual(v3, tableSays("v3"));
    assert.deepEqual(
      v3,
      entityNamesFor("v3").filter((e) =>
        e !== "demographic_questions" && e !== "demographic_answer_options"
      ),
    );
  } finally {
    await s.close();
  }
});
