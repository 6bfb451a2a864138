/**
 * The entity table's `createdFilters` says, per API version, which lists take a creation-date
 * filter; the sandbox says it again in the way it answers. These tests ask the sandbox, list by
 * list, and compare.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { ENTITIES, ENTITY_NAMES, type EntityName } from "../../src/entities.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

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

async function v3Token(s: Sandbox): Promise<string> {
  const res = await fetch(s.authUrl, {
    method: "POST",
    headers: {
      Authorization: "Basic " + btoa(`${s.clientId}:${s.clientSecret}`),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  return (await res.json()).access_token;
}

/** The lists whose answer a created filter changes, given how to ask for all and for none. */
async function createdFiltered(
  query: (entity: EntityName, filter: string) => Promise<number>,
  before: string,
  after: string,
): Promise<EntityName[]> {
  const out: EntityName[] = [];
  for (const entity of ENTITY_NAMES) {
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

const tableSays = (version: "v1" | "v3") =>
  ENTITY_NAMES.filter((e) => ENTITIES[e].createdFilters[version]);

Deno.test("sandbox v1: exactly the lists the entity table marks take created_after/created_before", async () => {
  const s = await startSandbox({ rateLimit: 0, clock: new ManualClock(T) });
  try {
    const auth = "Basic " + btoa(`${s.apiKey}:`);
    const query = (e: EntityName, filter: string) =>
      listLength(`${s.url}/${e}?per_page=500${filter}`, auth);
    const v1 = await createdFiltered(
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

Deno.test("sandbox v3: created_at filters every list, sources and prospect pools too, as the table says", async () => {
  const s = await startSandbox({ v3RateLimit: 0, clock: new ManualClock(T) });
  try {
    const auth = `Bearer ${await v3Token(s)}`;
    const query = (e: EntityName, filter: string) =>
      listLength(`${s.v3Url}/${e}?per_page=500${filter}`, auth);
    const v3 = await createdFiltered(
      query,
      `&created_at=lt|${LONG_AGO}`,
      `&created_at=gte|${LONG_AGO}`,
    );
    // v3 gives every resource a created_at and every list a created_at filter
    // (https://harvestdocs.greenhouse.io/docs/list-endpoints).
    assert.deepEqual(v3, tableSays("v3"));
    assert.deepEqual(v3, [...ENTITY_NAMES]);
  } finally {
    await s.close();
  }
});
