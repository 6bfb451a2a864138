import assert from "node:assert/strict";
import {
  API_VERSIONS,
  ENTITIES,
  ENTITIES_IN_ORDER,
  ENTITY_NAMES,
  recordId,
} from "../../src/entities.ts";

Deno.test("the table has the seven entities, each with a path and a moniker", () => {
  assert.deepEqual([...ENTITY_NAMES].sort(), [
    "applications",
    "candidates",
    "jobs",
    "offers",
    "prospect_pools",
    "scorecards",
    "sources",
  ]);
  for (const name of ENTITY_NAMES) assert.equal(ENTITIES[name].path, `/${name}`);
});

Deno.test("application moniker is candidate_id/first job id, empty for prospects", () => {
  const m = ENTITIES.applications.moniker;
  assert.equal(m({ candidate_id: 123, jobs: [{ id: 7 }, { id: 8 }] }), "123/7");
  assert.equal(m({ candidate_id: 123, jobs: [] }), "123/");
  assert.equal(m({ candidate_id: 123, job_id: 9 }), "123/9");
  assert.equal(m({ candidate_id: 123, job_id: null }), "123/");
});

Deno.test("candidate moniker keeps names as given, skips nulls, joins with one space", () => {
  const m = ENTITIES.candidates.moniker;
  assert.equal(m({ first_name: "Zoë", last_name: 'O\'Brien, "Jr"' }), 'Zoë O\'Brien, "Jr"');
  assert.equal(m({ first_name: " Ann ", last_name: "Lee" }), " Ann  Lee");
  assert.equal(m({ first_name: null, last_name: "李" }), "李");
  assert.equal(m({ first_name: "Solo", last_name: null }), "Solo");
  assert.equal(m({ first_name: null, last_name: null }), "");
});

Deno.test("other monikers follow the existing extractor", () => {
  assert.equal(ENTITIES.jobs.moniker({ name: "=SUM(A1)" }), "=SUM(A1)");
  assert.equal(ENTITIES.offers.moniker({ candidate_id: 1, application_id: 2 }), "1/2");
  assert.equal(ENTITIES.scorecards.moniker({ candidate_id: 5 }), "5");
  // v3 scorecards name no candidate: the moniker is what was looked up through the application.
  assert.equal(ENTITIES.scorecards.moniker({ application_id: 9 }, "5"), "5");
  assert.equal(ENTITIES.scorecards.moniker({ application_id: 9 }), "");
  const via = ENTITIES.scorecards.monikerVia!.v3!;
  assert.equal(via.field, "application_id");
  assert.equal(via.entity, "applications");
  assert.equal(via.fromMoniker("5/7"), "5");
  assert.equal(via.fromMoniker("5/"), "5");
  assert.equal(via.fromRecord({ candidate_id: 5, job_id: 7 }), "5");
  assert.equal(ENTITIES.scorecards.monikerVia!.v1, undefined);
  assert.equal(ENTITIES.prospect_pools.moniker({ name: "Pool" }), "Pool");
  assert.equal(ENTITIES.sources.moniker({ name: "Other" }), "Other");
});

Deno.test("only positive safe integers are record ids", () => {
  assert.equal(recordId({ id: 4200000559 }), 4200000559);
  for (const id of ["12", "../x", -1, 0, 1.5, 2 ** 53, null, undefined]) {
    assert.equal(recordId({ id }), undefined, String(id));
  }
});

Deno.test("each entity comes after every entity it references, in a fixed order", () => {
  assert.deepEqual(ENTITIES_IN_ORDER, [
    "sources",
    "prospect_pools",
    "jobs",
    "candidates",
    "applications",
    "offers",
    "scorecards",
  ]);
  const orders = ENTITY_NAMES.map((name) => ENTITIES[name].order);
  assert.equal(new Set(orders).size, orders.length, "no two entities share a place");
  for (const name of ENTITY_NAMES) {
    for (const reference of ENTITIES[name].references) {
      assert.ok(
        ENTITIES[reference.entity].order < ENTITIES[name].order,
        `${name}.${reference.field} names ${reference.entity}, which must come first`,
      );
    }
  }
});

Deno.test("references read both versions' shapes", () => {
  const [candidate, jobs] = ENTITIES.applications.references;
  assert.deepEqual(candidate.ids({ candidate_id: 5 }), [5]);
  assert.deepEqual(jobs.ids({ jobs: [{ id: 7 }, { id: 8 }] }), [7, 8]);
  assert.deepEqual(jobs.ids({ job_id: 9 }), [9]);
  assert.deepEqual(
    ENTITIES.offers.references.map((r) => r.ids({ candidate_id: 1, application_id: 2 })),
    [[1], [2]],
  );
});

Deno.test("every entity has a list path for both API versions", () => {
  for (const name of ENTITY_NAMES) {
    for (const version of API_VERSIONS) {
      assert.ok(ENTITIES[name].paths[version], `${name} ${version}`);
    }
  }
});

Deno.test("creation-date filters per version: v3 has one on every list, v1 not on sources and pools", () => {
  for (const name of ENTITY_NAMES) assert.equal(ENTITIES[name].createdFilters.v3, true, name);
  assert.deepEqual(
    ENTITY_NAMES.filter((name) => !ENTITIES[name].createdFilters.v1),
    ["prospect_pools", "sources"],
  );
});
