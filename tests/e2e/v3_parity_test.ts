/**
 * v1 → v3 parity, end to end: the same sandbox tenant synced on v1 and on v3 gives two caches
 * holding the same facts. Every fact v1 embeds (a scorecard's answers and attribute ratings, a
 * candidate's educations, employments and tags, an application's rejection details, prospect
 * details and referral credit, an interview's interviewers, a user's e-mails, a job stage's
 * interview and kit, a prospect pool's stages, a custom field's options, a job post's location) is
 * read from the v1 cache's files and found in the v3 cache's, joined across v3's lists by id.
 * Facts, not shapes: each side says the same thing as a line of text. docs/api-versions.md has
 * the field-by-field table.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ApiRecord, EntityName } from "../../src/entities.ts";
import { ManualClock } from "../../src/clock.ts";
import { apiEnv, APIS } from "./api.ts";
import { readEntityFolder, runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

type Cache = (entity: EntityName) => Promise<ApiRecord[]>;

/** A cache's records of an entity, read from its files. */
function cacheAt(dir: string): Cache {
  const read = new Map<EntityName, Promise<ApiRecord[]>>();
  return (entity) => {
    let records = read.get(entity);
    if (!records) {
      records = readEntityFolder(join(dir, entity)).then(({ files }) =>
        [...files.values()] as ApiRecord[]
      );
      read.set(entity, records);
    }
    return records;
  };
}

async function byId(cache: Cache, entity: EntityName): Promise<Map<number, ApiRecord>> {
  return new Map((await cache(entity)).map((r) => [r.id, r]));
}

/** Every v1 fact is a v3 fact; there are enough of them for the comparison to mean something. */
function assertCovered(what: string, v1: string[], v3: string[], atLeast = 5) {
  assert.ok(v1.length >= atLeast, `${what}: only ${v1.length} facts in the v1 cache`);
  const found = new Set(v3);
  const missing = v1.filter((fact) => !found.has(fact));
  assert.deepEqual(missing.slice(0, 5), [], `${what}: ${missing.length} v1 facts not in v3`);
}

const line = (...parts: unknown[]) => parts.map((p) => JSON.stringify(p ?? null)).join("|");

// ---------------------------------------------------------------- scorecards

async function scorecardAnswers(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("scorecards")).flatMap((card) =>
    (card.questions as ApiRecord[]).filter((q) => q.id !== null).map((q) =>
      line(card.id, q.id, q.question, q.answer)
    )
  );
  const questions = await byId(v3, "scorecard_questions");
  const options = await byId(v3, "scorecard_question_options");
  const chosen = new Map(
    (await v3("scorecard_question_answer_options")).map((o) => [
      o.scorecard_question_answer_id,
      options.get(o.scorecard_question_option_id)?.name,
    ]),
  );
  const v3Facts = (await v3("scorecard_question_answers")).map((a) => {
    const question = questions.get(a.scorecard_question_id)!;
    const text = question.answer_type === "yes_no"
      ? (a.boolean_value ? "Yes" : "No")
      : question.answer_type === "single_select"
      ? chosen.get(a.id)
      : a.answer;
    return line(a.scorecard_id, a.scorecard_question_id, question.question, text);
  });
  assertCovered("scorecard answers", v1Facts, v3Facts);
}

/** v1's built-in questions are v3 scorecard fields; the interview step is the kit's interview. */
async function scorecardNotes(v1: Cache, v3: Cache) {
  const answerOf = (card: ApiRecord, question: string) =>
    (card.questions as ApiRecord[]).find((q) => q.id === null && q.question === question)?.answer;
  const v1Facts = (await v1("scorecards")).map((card) =>
    line(
      card.id,
      answerOf(card, "Key Take-Aways"),
      answerOf(card, "Private Notes"),
      card.interview_step.id,
      card.interview_step.name,
      card.interviewer.id,
      card.submitted_by.id,
    )
  );
  const kits = await byId(v3, "interview_kits");
  const interviews = await byId(v3, "job_interviews");
  const v3Facts = (await v3("scorecards")).map((card) => {
    const step = kits.get(card.interview_kit_id)?.job_interview_id;
    return line(
      card.id,
      card.notes,
      card.private_notes,
      step,
      interviews.get(step)?.name,
      card.interviewer_id,
      card.submitter_id,
    );
  });
  assertCovered("scorecard notes and steps", v1Facts, v3Facts);
}

async function attributeRatings(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("scorecards")).flatMap((card) =>
    (card.attributes as ApiRecord[]).map((a) => line(card.id, a.name, a.rating, a.note))
  );
  const attributes = await byId(v3, "job_candidate_attributes");
  const v3Facts = (await v3("scorecard_candidate_attributes")).map((a) =>
    line(
      a.scorecard_id,
      attributes.get(a.job_candidate_attribute_id)?.name,
      a.candidate_attribute_rating,
      a.note,
    )
  );
  assertCovered("attribute ratings", v1Facts, v3Facts);
}

// ---------------------------------------------------------------- candidates

async function educations(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("candidates")).flatMap((c) =>
    (c.educations as ApiRecord[]).map((e) =>
      line(c.id, e.id, e.school_name, e.degree, e.discipline, e.start_date, e.end_date)
    )
  );
  const option = await byId(v3, "custom_field_options");
  const name = (id: number | null) => id === null ? null : option.get(id)?.name;
  const v3Facts = (await v3("candidate_educations")).map((e) =>
    line(
      e.candidate_id,
      e.id,
      name(e.school_name_custom_field_option_id),
      name(e.degree_custom_field_option_id),
      name(e.discipline_custom_field_option_id),
      e.start_at,
      e.end_at,
    )
  );
  assertCovered("educations", v1Facts, v3Facts);
}

async function employments(v1: Cache, v3: Cache) {
  const day = (date: string | null) => date === null ? null : date.slice(0, 10);
  const v1Facts = (await v1("candidates")).flatMap((c) =>
    (c.employments as ApiRecord[]).map((e) =>
      line(c.id, e.id, e.company_name, e.title, day(e.start_date), day(e.end_date))
    )
  );
  const v3Facts = (await v3("candidate_employments")).map((e) =>
    line(e.candidate_id, e.id, e.company_name, e.title, e.start_date, e.end_date)
  );
  assertCovered("employments", v1Facts, v3Facts);
}

async function tags(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("candidates")).flatMap((c) =>
    (c.tags as string[]).map((tag) => line(c.id, tag))
  );
  const names = await byId(v3, "tags");
  const v3Facts = (await v3("applied_candidate_tags")).map((t) =>
    line(t.candidate_id, names.get(t.candidate_tag_id)?.name)
  );
  assertCovered("candidate tags", v1Facts, v3Facts);
}

// ---------------------------------------------------------------- applications

async function rejectionDetails(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("applications")).filter((a) => a.rejection_reason !== null).map((
    a,
  ) =>
    line(
      a.id,
      a.rejection_reason.id,
      a.rejected_at,
      a.rejection_details?.keyed_custom_fields ?? null,
    )
  );
  const v3Facts = (await v3("rejection_details")).map((d) =>
    line(d.application_id, d.rejection_reason_id, d.rejected_at, d.question_custom_fields)
  );
  assertCovered("rejection details", v1Facts, v3Facts);
}

async function prospectDetails(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("applications")).filter((a) => a.prospect).map((a) =>
    line(
      a.id,
      a.prospect_detail.prospect_pool?.id,
      a.prospect_detail.prospect_stage?.id,
      a.prospect_detail.prospect_owner?.id,
      a.prospective_department?.id,
      a.prospective_office?.id,
    )
  );
  const v3Facts = (await v3("prospect_details")).map((d) =>
    line(
      d.application_id,
      d.pool_id,
      d.pool_stage_id,
      d.prospect_owner_id,
      d.department_id,
      d.office_id,
    )
  );
  assertCovered("prospect details", v1Facts, v3Facts);
}

async function referralCredit(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("applications")).filter((a) => a.credited_to).map((a) =>
    line(a.id, a.credited_to.id)
  );
  const referrers = await byId(v3, "referrers");
  const v3Facts = (await v3("applications")).filter((a) => a.referrer_id !== null).map((a) =>
    line(a.id, referrers.get(a.referrer_id)?.user_id)
  );
  assertCovered("referral credit", v1Facts, v3Facts);
}

async function interviewers(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("scheduled_interviews")).flatMap((i) =>
    (i.interviewers as ApiRecord[]).map((x) =>
      line(i.id, x.id, x.scorecard_id, x.email, x.response_status)
    )
  );
  const v3Facts = (await v3("interviewers")).map((x) =>
    line(x.interview_id, x.user_id, x.scorecard_id, x.email, x.response_status)
  );
  assertCovered("interviewers", v1Facts, v3Facts);
}

// ---------------------------------------------------------------- organisation

async function userEmails(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("users")).flatMap((u) =>
    (u.emails as string[]).map((email) => line(u.id, email))
  );
  const v3Facts = (await v3("user_emails")).map((e) => line(e.user_id, e.email));
  assertCovered("user e-mails", v1Facts, v3Facts);
}

/** A job stage's interview, its kit, kit questions and default interviewers. */
async function interviewPlans(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("job_stages")).flatMap((stage) =>
    (stage.interviews as ApiRecord[]).flatMap((i) => [
      line(
        stage.id,
        i.id,
        i.name,
        i.estimated_minutes,
        i.interview_kit.id,
        i.interview_kit.content,
      ),
      ...(i.interview_kit.questions as ApiRecord[]).map((q) =>
        line(i.interview_kit.id, q.id, q.question)
      ),
      ...(i.default_interviewer_users as ApiRecord[]).map((u) => line(i.interview_kit.id, u.id)),
    ])
  );
  const kitOf = new Map((await v3("interview_kits")).map((k) => [k.job_interview_id, k]));
  const v3Facts = [
    ...(await v3("job_interviews")).map((i) =>
      line(
        i.job_interview_stage_id,
        i.id,
        i.name,
        i.duration ?? undefined,
        kitOf.get(i.id)?.id,
        kitOf.get(i.id)?.exercises,
      )
    ),
    // v1's kit shows the questions in use; v3 lists the removed ones too.
    ...(await v3("scorecard_questions")).filter((q) => q.active).map((q) =>
      line(q.interview_kit_id, q.id, q.question)
    ),
    ...(await v3("default_interviewers")).map((d) => line(d.interview_kit_id, d.user_id)),
  ];
  assertCovered("interview plans", v1Facts, v3Facts);
}

async function poolStages(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("prospect_pools")).flatMap((pool) =>
    (pool.prospect_stages as ApiRecord[]).map((s) => line(pool.id, s.id, s.name))
  );
  const v3Facts = (await v3("prospect_pool_stages")).map((s) =>
    line(s.prospect_pool_id, s.id, s.name)
  );
  assertCovered("prospect pool stages", v1Facts, v3Facts);
}

async function customFieldOptions(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("custom_fields")).flatMap((f) =>
    (f.custom_field_options as ApiRecord[]).map((o) => line(f.id, o.id, o.name, o.priority))
  );
  const v3Facts = (await v3("custom_field_options")).map((o) =>
    line(o.custom_field_id, o.id, o.name, o.sort_order)
  );
  assertCovered("custom field options", v1Facts, v3Facts);
}

async function postLocations(v1: Cache, v3: Cache) {
  const v1Facts = (await v1("job_posts")).map((p) =>
    line(p.id, p.location.id, p.location.office_id, p.location.office_id ? null : p.location.name)
  );
  const v3Facts = (await v3("job_post_locations")).map((l) =>
    line(l.job_post_id, l.id, l.office_id, l.plain_text_location)
  );
  assertCovered("job post locations", v1Facts, v3Facts);
}

Deno.test("the same tenant synced on v1 and on v3: every fact the v1 cache holds is in the v3 cache", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 50,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(Date.now()),
  });
  await withTempDir(async (root) => {
    const caches = {} as Record<(typeof APIS)[number], Cache>;
    for (const api of APIS) {
      const dir = join(root, api);
      const synced = await runCli(
        ["sync", "-q", "--skip", "activity_feeds,attachments", "--cache-dir", dir],
        { root, env: apiEnv(api, sandbox) },
      );
      assert.equal(synced.code, 0, synced.stderr);
      caches[api] = cacheAt(dir);
    }
    const { v1, v3 } = caches;
    for (
      const compare of [
        scorecardAnswers,
        scorecardNotes,
        attributeRatings,
        educations,
        employments,
        tags,
        rejectionDetails,
        prospectDetails,
        referralCredit,
        interviewers,
        userEmails,
        interviewPlans,
        poolStages,
        customFieldOptions,
        postLocations,
      ]
    ) {
      await compare(v1, v3);
    }
  });
});
