import assert from "node:assert/strict";
import {
  CROSS_REFERENCE_CATEGORIES,
  CROSS_REFERENCES,
  crossReferenceGaps,
  referenceCollector,
  type ReferenceIds,
} from "../../src/check/references.ts";
import { exitCodeOf, type Report } from "../../src/check/report_types.ts";
import { ENTITIES } from "../../src/entities.ts";

Deno.test("every cross-reference the entity table asks for is a report category, and back", () => {
  assert.deepEqual(
    CROSS_REFERENCES.map((c) => c.key).sort(),
    CROSS_REFERENCE_CATEGORIES.map((c) => c.key).sort(),
  );
  const keys = CROSS_REFERENCE_CATEGORIES.map((c) => c.key);
  assert.equal(new Set(keys).size, keys.length, "one category per key");
});

Deno.test("category titles are derived from the table; records nothing names are informational", () => {
  const category = (key: string) => CROSS_REFERENCE_CATEGORIES.find((c) => c.key === key)!;
  assert.equal(
    category("candidates_missing").title,
    "Candidates named by applications, offers, scorecards, EEOC responses, candidate educations, " +
      "candidate employments, applied candidate tags or AI opt-out decisions but missing",
  );
  assert.equal(category("candidates_missing").informational, undefined);
  assert.equal(category("jobs_without_applications").title, "Jobs without applications");
  assert.equal(category("jobs_without_applications").informational, true);
  assert.equal(
    category("candidates_without_applications").advice,
    "normal for prospects; or extract applications",
  );
  assert.equal(
    CROSS_REFERENCES.find((c) => c.key === "departments_missing")!.detail,
    "named by a user, custom field department, future job permission or prospect detail, " +
      "but not in the cache",
  );
  // Every "without" category is informational, every "missing" one is not.
  for (const c of CROSS_REFERENCE_CATEGORIES) {
    assert.equal(c.informational === true, c.key.includes("_without_"), c.key);
  }
});

Deno.test("--strict fails on references to records not in the cache and on files not downloaded, never on informational gaps", () => {
  const report = (key: string, schemaProblems = 0, upstreamFailures = 0): Report => ({
    cacheDir: "c",
    checkedAt: "",
    verify: false,
    lock: "none",
    folders: [],
    attachments: { candidates: 0, complete: 0, incomplete: 0, notDownloaded: upstreamFailures },
    activityFeeds: 0,
    integrityProblems: 0,
    crossReferenceGaps: 1,
    integrity: [],
    crossReferences: CROSS_REFERENCE_CATEGORIES.map((c) => ({
      ...c,
      problems: c.key === key ? [{ entity: "x", path: "x", detail: "x" }] : [],
    })),
    schemasChecked: true,
    schemaProblems,
    schema: [],
    upstreamFailures,
    upstream: [],
  });
  assert.equal(exitCodeOf(report("candidates_without_applications"), true), 0);
  assert.equal(exitCodeOf(report("candidates_missing"), true), 1);
  assert.equal(exitCodeOf(report("candidates_missing"), false), 0);
  assert.equal(exitCodeOf(report("none", 1), true), 1);
  assert.equal(exitCodeOf(report("none", 1), false), 0);
  // A file the upstream did not give is a warning; --strict (a complete cache) fails on it.
  assert.equal(exitCodeOf(report("none", 0, 1), false), 0);
  assert.equal(exitCodeOf(report("none", 0, 1), true), 1);
});

Deno.test("cross-references: ids named but not cached, and cached records nothing names", () => {
  const [appCandidates, appJobs, appSources] = ENTITIES.applications.references;
  const [offerCandidates, offerApplications] = ENTITIES.offers.references;
  const [scorecardCandidates, scorecardApplications] = ENTITIES.scorecards.references;
  const gaps = crossReferenceGaps({
    cached: new Map([
      ["candidates", new Set([1, 2, 3])],
      ["applications", new Set([10])],
      ["sources", new Set([16])],
    ]),
    named: new Map([
      [appCandidates, new Set([1, 4])],
      [appJobs, new Set([7])],
      [offerCandidates, new Set([5])],
      [offerApplications, new Set([10, 11])],
      [scorecardCandidates, new Set([3])],
      [scorecardApplications, new Set([12])],
      [appSources, new Set([16, 17])],
    ]),
  });
  const ids = (key: string) => gaps.get(key)?.map((p) => p.id);
  assert.deepEqual(ids("candidates_missing"), [4, 5]);
  assert.deepEqual(ids("candidates_without_applications"), [2, 3]);
  assert.deepEqual(ids("candidates_without_scorecards"), [1, 2]);
  assert.deepEqual(ids("applications_missing"), [11, 12]);
  assert.deepEqual(ids("sources_missing"), [17]);
  // No jobs folder: neither "jobs missing" nor "jobs without applications" can be said.
  assert.equal(gaps.has("jobs_missing"), false);
  assert.equal(gaps.has("jobs_without_applications"), false);
  assert.deepEqual(gaps.get("candidates_missing")![0], {
    entity: "candidates",
    id: 4,
    path: "candidates/4.json",
    detail: "named by an application, offer, scorecard, EEOC response, candidate education, " +
      "candidate employment, applied candidate tag or AI opt-out decision, but not in the cache",
  });
  assert.equal(
    gaps.get("candidates_without_applications")![0].detail,
    "no application names this candidate",
  );
});

Deno.test("cross-references: without the naming folder, nothing is unnamed", () => {
  const gaps = crossReferenceGaps({
    cached: new Map([["candidates", new Set([1])]]),
    named: new Map(),
  });
  assert.deepEqual(gaps.get("candidates_missing"), []);
  assert.equal(gaps.has("candidates_without_applications"), false);
});

Deno.test("scorecards name their candidate through the record (v1) or the index moniker (v3)", () => {
  const refs: ReferenceIds = { cached: new Map(), named: new Map() };
  const collect = referenceCollector("scorecards", refs)!;
  // v1: candidate_id in the record (its moniker says the same).
  collect.row("5");
  collect.record(100, { id: 100, candidate_id: 5, application_id: 50 });
  // v3: no candidate_id; the moniker is the application's candidate, looked up when written.
  collect.row("6");
  collect.record(101, { id: 101, application_id: 51 });
  // v3, the application could not be found when written: the moniker names nobody.
  collect.row("");
  collect.record(102, { id: 102, application_id: 52 });
  const [byCandidate, byApplication] = ENTITIES.scorecards.references;
  assert.deepEqual([...refs.named.get(byCandidate)!].sort(), [5, 6]);
  assert.deepEqual([...refs.named.get(byApplication)!].sort(), [50, 51, 52]);
});

Deno.test("applications name their source in either version's shape", () => {
  const [, , sources] = ENTITIES.applications.references;
  assert.deepEqual(sources.ids({ source: { id: 16, public_name: "LinkedIn" } }), [16]);
  assert.deepEqual(sources.ids({ source_id: 17 }), [17]);
  assert.deepEqual(sources.ids({ source_id: null }), [null]);
});
