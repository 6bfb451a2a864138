import assert from "node:assert/strict";
import {
  API_VERSIONS,
  ENTITIES,
  ENTITIES_IN_ORDER,
  ENTITY_NAMES,
  entityListings,
  entityListParams,
  type EntityName,
  entityNamesFor,
  recordId,
} from "../../src/entities.ts";
import { PERSONAL_LISTS } from "../../src/privacy/personal_lists.ts";
import { listPermission } from "../../src/privacy/ping.ts";
import { v3Scope } from "../../src/sandbox/permissions.ts";
import { V3_LISTS as V3_SPEC_LISTS } from "../../src/schemas/mod.ts";

const SEVEN = [
  "applications",
  "candidates",
  "jobs",
  "offers",
  "prospect_pools",
  "scorecards",
  "sources",
];

Deno.test("the table has the seven core entities, then the optional others", () => {
  assert.deepEqual(ENTITY_NAMES.filter((n) => !ENTITIES[n].optional).sort(), SEVEN);
  for (const name of SEVEN) assert.equal(ENTITIES[name as EntityName].path, `/${name}`);
  assert.equal(ENTITY_NAMES.length, 72);
  for (const name of ENTITY_NAMES) {
    const entity = ENTITIES[name];
    assert.equal(entity.name, name);
    // `path` is v1's, or v3's for an entity only v3 lists.
    assert.equal(entity.path, entity.paths.v1 ?? entity.paths.v3, name);
    for (const version of API_VERSIONS) {
      const path = entity.paths[version];
      if (path !== undefined) assert.match(path, /^(\/[a-z_]+)+$/, `${name} ${version}`);
    }
    assert.ok(entity.summary.length > 0 && !entity.summary.endsWith("."), name);
  }
});

Deno.test("paths per version: v1-only none, v3-only where v1 has no top-level list", () => {
  const only = (version: "v1" | "v3") =>
    ENTITY_NAMES.filter((n) => ENTITIES[n].paths[version === "v1" ? "v3" : "v1"] === undefined);
  assert.deepEqual(only("v1"), []);
  assert.deepEqual(only("v3"), [
    "job_openings",
    "job_hiring_managers",
    "job_owners",
    "approvals",
    "application_stages",
    "eeoc",
    // v3's own lists of what v1 embeds, and its configuration lists: each at /v3/<its name>.
    ...ENTITY_NAMES.slice(ENTITY_NAMES.indexOf("prospect_pool_stages")),
  ]);
  for (const name of ENTITY_NAMES.slice(ENTITY_NAMES.indexOf("prospect_pool_stages"))) {
    assert.equal(ENTITIES[name].paths.v3, `/${name}`, name);
  }
  assert.deepEqual(entityNamesFor("v1").length, 26);
  assert.deepEqual(entityNamesFor("v3"), [...ENTITY_NAMES]);
  assert.equal(ENTITIES.scheduled_interviews.paths.v3, "/interviews");
  assert.equal(ENTITIES.job_stages.paths.v3, "/job_interview_stages");
  assert.equal(ENTITIES.tags.paths.v1, "/tags/candidate");
  assert.equal(ENTITIES.tags.paths.v3, "/candidate_tags");
});

Deno.test("list parameters make listings whole: v3 service users, default reasons, education keys", () => {
  const params = (name: EntityName, version: "v1" | "v3") =>
    entityListParams(ENTITIES[name], { version });
  assert.deepEqual(params("users", "v3"), { show_service_accounts: "true" });
  assert.deepEqual(params("users", "v1"), {});
  assert.deepEqual(params("rejection_reasons", "v1"), { include_defaults: "true" });
  assert.deepEqual(params("custom_fields", "v1"), { include_inactive: "true" });
  assert.deepEqual(params("degrees", "v3"), { custom_field_key: "degree" });
  assert.deepEqual(params("schools", "v3"), { custom_field_key: "school_name" });
  assert.deepEqual(params("disciplines", "v3"), { custom_field_key: "discipline" });
  // A copy: callers may add to it.
  params("users", "v3").extra = "1";
  assert.deepEqual(params("users", "v3"), { show_service_accounts: "true" });
});

Deno.test("listing variants: v3 job posts list active and deleted posts, everything else one listing", () => {
  assert.deepEqual(entityListings(ENTITIES.job_posts, { version: "v3" }), [
    { active: "true" },
    { active: "false" },
  ]);
  assert.deepEqual(entityListings(ENTITIES.job_posts, { version: "v1" }), [{}]);
  assert.deepEqual(entityListings(ENTITIES.users, { version: "v3" }), [
    { show_service_accounts: "true" },
  ]);
  for (const name of ENTITY_NAMES) {
    for (const version of ["v1", "v3"] as const) {
      const listings = entityListings(ENTITIES[name], { version });
      assert.ok(listings.length >= 1, `${name} ${version}`);
      // Each variant keeps the fixed parameters.
      const fixed = entityListParams(ENTITIES[name], { version });
      for (const listing of listings) assert.deepEqual({ ...listing, ...fixed }, listing);
    }
  }
});

Deno.test("monikers of the other lists: names, and owner ids first where privacy requests need them", () => {
  const m = (name: EntityName, record: Record<string, unknown>) => ENTITIES[name].moniker(record);
  assert.equal(m("departments", { name: 'R&D, "lab"' }), 'R&D, "lab"');
  assert.equal(m("users", { first_name: "Kate", last_name: null }), "Kate");
  assert.equal(m("custom_fields", { field_type: "job", name: "Cost" }), "job/Cost");
  assert.equal(m("job_stages", { job_id: 4, name: "Offer" }), "4/Offer");
  assert.equal(m("job_owners", { job_id: 4, type: "recruiter", user_id: 9 }), "4/recruiter/9");
  assert.equal(
    m("scheduled_interviews", { application_id: 5, start: { date_time: "2020-01-01T10:00:00Z" } }),
    "5/2020-01-01T10:00:00Z",
  );
  assert.equal(
    m("scheduled_interviews", { application_id: 5, start: { date: "2020-01-01" } }),
    "5/2020-01-01",
  );
  assert.equal(m("scheduled_interviews", { application_id: 5, starts_at: null }), "5/");
  assert.equal(m("eeoc", { candidate_id: 1, application_id: 2 }), "1/2");
  assert.equal(m("demographic_answers", { application_id: 2, demographic_question_id: 3 }), "2/3");
  for (const name of ENTITY_NAMES) {
    const owner = ENTITIES[name].monikerOwner;
    if (!owner) continue;
    // The moniker starts with the owner's id, whatever else the record holds.
    const field = owner === "candidates" ? "candidate_id" : "application_id";
    assert.match(ENTITIES[name].moniker({ [field]: 77, id: 1 }), /^77(\/|$)/, name);
  }
  // v3 scorecards name no candidate: the moniker is the one their application's lookup gave.
  assert.equal(ENTITIES.scorecards.moniker({ application_id: 5, id: 1 }, "77"), "77");
});

Deno.test("the personal lists are those referencing candidates or applications, or a parent record in one; each says its moniker's owner", () => {
  assert.deepEqual(PERSONAL_LISTS, [
    "applications",
    "offers",
    "scorecards",
    "scheduled_interviews",
    "application_stages",
    "demographic_answers",
    "eeoc",
    "candidate_educations",
    "candidate_employments",
    "applied_candidate_tags",
    "ai_opt_out_statuses",
    "rejection_details",
    "prospect_details",
    "scorecard_question_answers",
    "scorecard_question_answer_options",
    "scorecard_candidate_attributes",
    "interviewers",
    "interview_media",
  ]);
  for (const name of ENTITY_NAMES) {
    const entity = ENTITIES[name];
    const owner = entity.monikerOwner;
    const named = entity.references.map((r) => r.entity);
    if (!PERSONAL_LISTS.includes(name)) {
      assert.equal(owner, undefined, name);
      continue;
    }
    // A new row naming candidates or applications must say how its index names them.
    assert.ok(owner, `${name} declares no monikerOwner`);
    if (named.includes(owner)) continue;
    // Else its owner is its parent's: the moniker is looked up through the parent record.
    const via = entity.monikerVia?.v3;
    assert.ok(via, `${name}: its moniker owner is not one it references, and no parent gives it`);
    const parent = entity.references.find((r) => r.field === via.field);
    assert.equal(parent?.parent, true, `${name}.${via.field} is not a parent reference`);
    assert.ok(PERSONAL_LISTS.includes(via.entity), name);
    assert.equal(ENTITIES[via.entity].monikerOwner, owner, `${name}: its parent's owner differs`);
  }
});

Deno.test("lists naming only a parent take their owner from the parent's moniker, chains included", () => {
  const answers = ENTITIES.scorecard_question_answers;
  assert.equal(answers.monikerVia?.v3?.entity, "scorecards");
  // A scorecard's moniker is its candidate: the answer's begins with it.
  assert.equal(answers.monikerVia!.v3!.fromMoniker("77"), "77");
  assert.equal(answers.moniker({ scorecard_id: 5, scorecard_question_id: 9 }, "77"), "77/5/9");
  assert.equal(answers.moniker({ scorecard_id: 5, scorecard_question_id: 9 }), "/5/9");
  // An answer option's parent is the answer, whose moniker begins with the candidate.
  const options = ENTITIES.scorecard_question_answer_options;
  assert.equal(options.monikerVia!.v3!.entity, "scorecard_question_answers");
  assert.equal(options.monikerVia!.v3!.fromMoniker("77/5/9"), "77");
  // An interviewer's parent is the interview, whose moniker begins with the application.
  const interviewers = ENTITIES.interviewers;
  assert.equal(interviewers.monikerOwner, "applications");
  assert.equal(interviewers.monikerVia!.v3!.fromMoniker("12/2020-01-01T10:00:00Z"), "12");
  // No fromRecord: a parent asked for by id gets its own moniker (through its own lookup).
  for (const name of ["scorecard_question_answers", "interviewers"] as const) {
    assert.equal(ENTITIES[name].monikerVia!.v3!.fromRecord, undefined, name);
  }
  assert.equal(
    ENTITIES.ai_opt_out_statuses.moniker({ candidate_ids: [3, 4], job_id: 8 }),
    "3/8",
  );
  assert.deepEqual(
    ENTITIES.ai_opt_out_statuses.references[0].ids({ candidate_ids: [3, 4] }),
    [3, 4],
  );
});

Deno.test("every GET list of Greenhouse's v3 spec that holds data is an entity; the two left out are named", () => {
  const extracted = new Set(ENTITY_NAMES.map((name) => ENTITIES[name].paths.v3));
  // Read by the candidate-dependent steps (notes as activity feeds, attachments' files).
  const dependent = ["/notes", "/attachments"];
  // Not data: docs/entities.md gives the reason of each.
  const leftOut = ["/bulk_requests", "/webhooks"];
  for (const path of Object.keys(V3_SPEC_LISTS)) {
    assert.ok(
      extracted.has(path) || dependent.includes(path) || leftOut.includes(path),
      `${path} is neither extracted nor given a reason`,
    );
  }
  for (const path of leftOut) assert.ok(!extracted.has(path), path);
  // Every entity's v3 path is a list of the spec.
  for (const path of extracted) assert.ok(path && V3_SPEC_LISTS[path], String(path));
});

Deno.test("the v3-only lists: by updated_at unless small configuration read whole; all optional", () => {
  const whole = ENTITY_NAMES.slice(ENTITY_NAMES.indexOf("prospect_pool_stages")).filter((name) =>
    ENTITIES[name].updatedFilter === null
  );
  assert.deepEqual(whole, [
    "prospect_pool_stages",
    "referrers",
    "user_emails",
    "interviewer_tags",
    "custom_field_options",
    "custom_field_departments",
    "custom_field_offices",
    "job_boards",
    "job_board_custom_locations",
    "future_job_permissions",
    "pay_inputs",
    "blocked_spam_sources",
  ]);
  for (const name of ENTITY_NAMES.slice(ENTITY_NAMES.indexOf("prospect_pool_stages"))) {
    assert.equal(ENTITIES[name].optional, true, name);
    // The spec gives every one of them both date filters.
    assert.equal(V3_SPEC_LISTS[ENTITIES[name].paths.v3!].dates, true, name);
  }
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
  assert.equal(via.fromRecord!({ candidate_id: 5, job_id: 7 }), "5");
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
  assert.deepEqual(ENTITIES_IN_ORDER.slice(0, 7), [
    "sources",
    "prospect_pools",
    "jobs",
    "candidates",
    "applications",
    "offers",
    "scorecards",
  ]);
  assert.equal(ENTITIES_IN_ORDER.length, ENTITY_NAMES.length);
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

Deno.test("the seven have a list path for both API versions", () => {
  for (const name of SEVEN as EntityName[]) {
    for (const version of API_VERSIONS) {
      assert.ok(ENTITIES[name].paths[version], `${name} ${version}`);
    }
  }
});

Deno.test("references read both versions' shapes: v1 embedded objects, v3 ids", () => {
  const [departments, offices] = ENTITIES.users.references;
  assert.deepEqual(departments.ids({ departments: [{ id: 1 }, { id: 2 }] }), [1, 2]);
  assert.deepEqual(departments.ids({ department_ids: [3] }), [3]);
  assert.deepEqual(offices.ids({ offices: [] }), []);
  const [, organizer] = ENTITIES.scheduled_interviews.references;
  assert.deepEqual(organizer.ids({ organizer: { id: 5 } }), [5]);
  assert.deepEqual(organizer.ids({ organizer: null }), [undefined]);
  assert.deepEqual(organizer.ids({ organizer_id: 6 }), [6]);
});

Deno.test("creation-date filters per version: v3 has one on every list but demographic questions and answer options", () => {
  assert.deepEqual(
    entityNamesFor("v3").filter((name) => !ENTITIES[name].createdFilters.v3),
    ["demographic_questions", "demographic_answer_options"],
  );
  // v1: the lists whose reference documents created_after/created_before (docs/entities.md).
  assert.deepEqual(
    entityNamesFor("v1").filter((name) => !ENTITIES[name].createdFilters.v1),
    [
      "prospect_pools",
      "sources",
      "departments",
      "offices",
      "user_roles",
      "custom_fields",
      "rejection_reasons",
      "close_reasons",
      "degrees",
      "schools",
      "disciplines",
      "tags",
      "demographic_question_sets",
      "demographic_questions",
      "demographic_answer_options",
    ],
  );
  // A list v1 does not have takes no v1 filter either.
  for (const name of ENTITY_NAMES) {
    if (!ENTITIES[name].paths.v1) assert.equal(ENTITIES[name].createdFilters.v1, false, name);
  }
});

Deno.test("the scope ping names and the sandbox demands for each v3 list is the spec's", () => {
  for (const name of entityNamesFor("v3")) {
    const path = ENTITIES[name].paths.v3!;
    const scope = V3_SPEC_LISTS[path].scope;
    assert.equal(listPermission("v3", name), scope, name);
    assert.equal(v3Scope("GET", path), scope, name);
  }
});
