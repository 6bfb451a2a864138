import assert from "node:assert/strict";
import { CROSS_REFERENCES, crossReferenceGaps } from "../../src/check/references.ts";
import { CROSS_REFERENCE_CATEGORIES } from "../../src/check/report_types.ts";
import { ENTITIES } from "../../src/entities.ts";

Deno.test("every cross-reference the entity table asks for is a report category, and back", () => {
  assert.deepEqual(
    CROSS_REFERENCES.map((c) => c.key).sort(),
    CROSS_REFERENCE_CATEGORIES.map((c) => c.key).sort(),
  );
});

Deno.test("cross-references: ids named but not cached, and cached records nothing names", () => {
  const [appCandidates, appJobs] = ENTITIES.applications.references;
  const [offerCandidates, offerApplications] = ENTITIES.offers.references;
  const [scorecardCandidates] = ENTITIES.scorecards.references;
  const gaps = crossReferenceGaps({
    cached: new Map([
      ["candidates", new Set([1, 2, 3])],
      ["applications", new Set([10])],
    ]),
    named: new Map([
      [appCandidates, new Set([1, 4])],
      [appJobs, new Set([7])],
      [offerCandidates, new Set([5])],
      [offerApplications, new Set([10, 11])],
      [scorecardCandidates, new Set([3])],
    ]),
  });
  const ids = (key: string) => gaps.get(key)?.map((p) => p.id);
  assert.deepEqual(ids("candidates_missing"), [4, 5]);
  assert.deepEqual(ids("candidates_without_applications"), [2, 3]);
  assert.deepEqual(ids("candidates_without_scorecards"), [1, 2]);
  assert.deepEqual(ids("applications_missing"), [11]);
  // No jobs folder: neither "jobs missing" nor "jobs without applications" can be said.
  assert.equal(gaps.has("jobs_missing"), false);
  assert.equal(gaps.has("jobs_without_applications"), false);
  assert.deepEqual(gaps.get("candidates_missing")![0], {
    entity: "candidates",
    id: 4,
    path: "candidates/4.json",
    detail: "named by an application, offer or scorecard, but not in the cache",
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
