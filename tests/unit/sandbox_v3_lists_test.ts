/**
 * The sandbox's v3 lists of what v1 embeds (catalog_v3.ts) are lazy slot lists; the v3 answering
 * (catalog_routes.ts) relies on each slot's created time never decreasing, on ids rising with the
 * slot (v3 pages are id-descending), and on the times a list gives without building a record
 * (`v3.updated`, skipping unchanged records) being the records' own. A deleted candidate's records
 * go with them.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { V3_OWN_LISTS } from "../../src/sandbox/catalog_v3.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

Deno.test("v3's own lists: created never decreases, ids rise with the slot, times given unbuilt are the records'", async () => {
  const sandbox = await startSandbox({
    candidates: 40,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
  });
  try {
    const t = sandbox.tenant;
    // A written candidate: its tags' times come from the write.
    const [first] = sandbox.served("v3", "candidates");
    t.patchCandidate(first.id, { tags: ["Go"] });
    for (const [path, def] of Object.entries(V3_OWN_LISTS)) {
      if (def.fixed) continue;
      const seq = def.seq(t);
      let lastCreated = -Infinity, lastId = -Infinity, existing = 0;
      for (let slot = 0; slot < seq.size(); slot++) {
        const created = seq.created(slot);
        assert.ok(created >= lastCreated, `${path} slot ${slot}: created went back`);
        lastCreated = created;
        if (!seq.exists(slot)) continue;
        existing++;
        const record = seq.build(slot);
        assert.ok(record.id > lastId, `${path} slot ${slot}: id ${record.id} after ${lastId}`);
        lastId = record.id;
        assert.equal(Date.parse(record.created_at), created, `${path} slot ${slot} created_at`);
        if (def.v3?.updated) {
          assert.equal(
            Date.parse(record.updated_at),
            def.v3.updated(t, slot),
            `${path} slot ${slot} updated_at`,
          );
        }
        assert.ok(record.updated_at >= record.created_at, `${path} slot ${slot}`);
      }
      assert.ok(existing > 0, `${path}: no records to check`);
    }
  } finally {
    await sandbox.close();
  }
});

Deno.test("a deleted candidate's educations, tags, answers, interviewers and details go with them", async () => {
  const sandbox = await startSandbox({ candidates: 60, rateLimit: 0, v3RateLimit: 0 });
  try {
    const applications = sandbox.served("v1", "applications");
    const scorecard = sandbox.served("v1", "scorecards")[0];
    const candidate = scorecard.candidate_id;
    const apps = new Set(
      applications.filter((a) => a.candidate_id === candidate).map((a) => a.id),
    );
    const cards = new Set(
      sandbox.served("v3", "scorecards").filter((c) => apps.has(c.application_id)).map((c) => c.id),
    );
    const lists = [
      "candidate_educations",
      "candidate_employments",
      "applied_candidate_tags",
      "scorecard_question_answers",
      "scorecard_candidate_attributes",
      "interviewers",
      "rejection_details",
      "prospect_details",
    ] as const;
    const theirs = (list: typeof lists[number]) =>
      sandbox.served("v3", list).filter((r) =>
        r.candidate_id === candidate || apps.has(r.application_id) || cards.has(r.scorecard_id)
      ).length;
    assert.ok(theirs("scorecard_question_answers") > 0 && theirs("interviewers") > 0);
    sandbox.tenant.deleteCandidate(candidate);
    for (const list of lists) assert.equal(theirs(list), 0, list);
  } finally {
    await sandbox.close();
  }
});
