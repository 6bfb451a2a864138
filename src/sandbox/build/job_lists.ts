/**
 * The per-job lists: job posts, job stages (v1 with their interview steps; v3 job interview
 * stages), and, v3 only, openings, hiring managers, job owners and approval flows. Openings and
 * the hiring team are read from the job as v1 embeds it (buildJob), so both versions tell the
 * same story. Slots: job j owns slots j × K … j × K + K - 1 of each list (K per list below), and
 * a record's created time is its job's plus its number in milliseconds, so created never
 * decreases with the slot.
 *
 * Shapes: v1 follows https://developers.greenhouse.io/harvest.html (#the-job-post-object,
 * #the-job-stage-object); v3 the objects of Greenhouse's own v3 OpenAPI spec
 * (src/schemas/v3_spec.json; tests/unit/sandbox_v3_spec_test.ts holds the records to it).
 */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, mixf, Rng } from "../prng.ts";
import * as R from "../reference_data.ts";
import * as V from "../vocab.ts";
import { buildJob, jobName } from "./jobs.ts";
import * as P from "./interview_plan.ts";
import { randomUserRef, userRef } from "./users.ts";
import type { TenantView } from "./view.ts";

/** Slots each job owns in each list. */
export const PER_JOB = {
  jobPosts: 2,
  jobStages: V.STAGES.length,
  openings: 2,
  hiringManagers: 2,
  jobOwners: 6,
  approvals: 2,
} as const;

const jobOf = (slot: number, per: number) => Math.floor(slot / per);

/** A created time `n` ms after the job's. */
const createdAt = (t: TenantView, slot: number, per: number) =>
  t.skeleton.jobCreated(jobOf(slot, per)) + (slot % per);

// ---------------------------------------------------------------- job posts

/** Every job has an external post; 40% also an internal one, half of those deleted. */
export function jobPostExists(t: TenantView, q: number): boolean {
  const j = jobOf(q, PER_JOB.jobPosts);
  return j < t.skeleton.jobs && (q % 2 === 0 || mixf(t.seed, 61, j) < 0.4);
}

export const jobPostCreated = (t: TenantView, q: number) => createdAt(t, q, PER_JOB.jobPosts);

export function jobPostUpdated(t: TenantView, q: number): number {
  return jobPostCreated(t, q) + Math.floor(mixf(t.seed, 63, q) * 90 * DAY_MS);
}

const QUESTIONS = [
  { label: "First Name", name: "first_name", type: "short_text", required: true },
  { label: "Last Name", name: "last_name", type: "short_text", required: true },
  { label: "Email", name: "email", type: "short_text", required: true },
  { label: "Resume", name: "resume", type: "attachment", required: true },
  { label: "Cover Letter", name: "cover_letter", type: "attachment", required: false },
] as const;

/** v1 job post q. */
export function buildJobPost(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB.jobPosts);
  const internal = q % 2 === 1;
  const job = buildJob(t, j);
  const office = job.offices[0];
  const status = t.skeleton.jobStatus(j);
  const active = !internal || mixf(t.seed, 62, j) >= 0.5;
  const created = jobPostCreated(t, q);
  const questions: ApiRecord[] = QUESTIONS.map((x) => ({
    required: x.required,
    private: false,
    label: x.label,
    name: x.name,
    type: x.type,
    values: [],
    description: null,
  }));
  questions.push({
    required: false,
    private: internal,
    label: 'Have you worked for us before? ("yes", "no")',
    name: `question_${idOf("jobPost", j, 900)}`,
    type: "multi_select",
    values: [{ value: 862, label: "Yes" }, { value: 863, label: "No" }],
    description: "<p>Please select one.</p>",
  });
  return {
    id: idOf("jobPost", j, q % 2),
    title: internal ? `${jobName(j)} (internal)` : jobName(j),
    // v3 lists it as the post's job post location, with this id.
    location: office
      ? {
        id: idOf("jobPostLocation", j, q % 2),
        name: office.location?.name ?? office.name,
        office_id: office.id,
        job_post_custom_location_id: null,
        job_post_location_type: { id: 2, name: "Office" },
      }
      : {
        id: idOf("jobPostLocation", j, q % 2),
        name: 'Remote, "anywhere"',
        office_id: null,
        job_post_custom_location_id: null,
        job_post_location_type: { id: 1, name: "Free Text" },
      },
    internal,
    external: !internal,
    active,
    live: active && status === "open",
    first_published_at: status === "draft" ? null : iso(created + DAY_MS),
    job_id: idOf("job", j),
    content: '<p>We’re looking for the next big innovator, "really".</p>',
    internal_content: internal ? "<p>Apply today!</p>" : null,
    updated_at: iso(jobPostUpdated(t, q)),
    created_at: iso(created),
    demographic_question_set_id: internal ? null : R.DEMOGRAPHIC_QUESTION_SETS[0].id,
    questions,
  };
}

/** v3 job post: questions with `answer_type` and `options`. */
export function jobPostV3(r: ApiRecord): ApiRecord {
  return {
    id: r.id,
    title: r.title,
    job_id: r.job_id,
    active: r.active,
    live: r.live,
    internal: r.internal,
    featured: false,
    // v3 has no internal_content: the internal board's post is a post of its own.
    content: r.content,
    first_published_at: r.first_published_at,
    demographic_question_set_id: r.demographic_question_set_id,
    job_board_id: r.internal ? 2 : 1,
    language: "en",
    public_url: r.internal
      ? null
      : `https://boards.example.com/sandbox/jobs/${r.id}?gh_jid=${r.id}`,
    questions: (r.questions as ApiRecord[]).map((x, n) => ({
      id: x.name.startsWith("question_") ? r.id * 10 + n : null,
      label: x.label,
      name: x.name,
      answer_type: x.type,
      required: x.required,
      private: x.private,
      description: x.description,
      options: (x.values as ApiRecord[]).map((v) => ({ id: v.value, label: v.label })),
    })),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

// ---------------------------------------------------------------- job stages

export const jobStageExists = (t: TenantView, q: number) =>
  jobOf(q, PER_JOB.jobStages) < t.skeleton.jobs;

export const jobStageCreated = (t: TenantView, q: number) => createdAt(t, q, PER_JOB.jobStages);

export { jobInterviewId, jobStageId } from "./interview_plan.ts";

/** v1 job stage q, with its interview step (none on the Offer stage): the job's interview plan. */
export function buildJobStage(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB.jobStages);
  const k = q % PER_JOB.jobStages;
  const name = V.STAGES[k];
  const created = iso(jobStageCreated(t, q));
  const scheduled = P.schedulable(k);
  const interviews: ApiRecord[] = k >= P.INTERVIEW_STAGES ? [] : [{
    id: P.jobInterviewId(j, k),
    name,
    schedulable: scheduled,
    ...(scheduled ? { estimated_minutes: P.estimatedMinutes(t, j, k) } : {}),
    default_interviewer_users: scheduled ? [userRef(P.defaultInterviewer(t, j, k))] : [],
    interview_kit: {
      id: P.interviewKitId(j, k),
      content: P.kitContent(k),
      questions: P.kitQuestionsV1(j, k),
    },
  }];
  return {
    id: P.jobStageId(j, k),
    name,
    created_at: created,
    updated_at: created,
    active: true,
    job_id: idOf("job", j),
    priority: k,
    interviews,
  };
}

/** v3 job interview stage. */
export const jobStageV3 = (r: ApiRecord): ApiRecord => ({
  id: r.id,
  name: r.name,
  job_id: r.job_id,
  active: r.active,
  sort_order: r.priority,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

// ---------------------------------------------------------------- v3: openings

/** The openings job j embeds in v1 (one or two). */
function openingsOf(t: TenantView, j: number): ApiRecord[] {
  return j < t.skeleton.jobs ? buildJob(t, j).openings : [];
}

export function openingExists(t: TenantView, q: number): boolean {
  return q % PER_JOB.openings < openingsOf(t, jobOf(q, PER_JOB.openings)).length;
}

/** An opening's created time: the time it opened (the job's + n seconds, as buildJob has it). */
export function openingCreated(t: TenantView, q: number): number {
  return t.skeleton.jobCreated(jobOf(q, PER_JOB.openings)) + (q % PER_JOB.openings) * 1000;
}

/** v3 opening q: the v1 embedded opening with `open` and `close_reason_id`. */
export function buildOpeningV3(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB.openings);
  const o = openingsOf(t, j)[q % PER_JOB.openings];
  return {
    id: o.id,
    job_id: idOf("job", j),
    opening_id: o.opening_id,
    open: o.status === "open",
    opened_at: o.opened_at,
    closed_at: o.closed_at,
    application_id: o.application_id,
    close_reason_id: o.close_reason?.id ?? null,
    sort_order: q % PER_JOB.openings,
    target_start_on: null,
    custom_fields: {},
    created_at: o.opened_at,
    updated_at: o.closed_at ?? o.opened_at,
  };
}

// ---------------------------------------------------------------- v3: hiring team

/** The hiring team job j embeds in v1. */
const teamOf = (t: TenantView, j: number): ApiRecord =>
  j < t.skeleton.jobs ? buildJob(t, j).hiring_team : {};

/** v3 job owner types, in slot order (two slots each). */
const OWNER_TYPES = [["recruiters", "recruiter"], ["coordinators", "coordinator"], [
  "sourcers",
  "sourcer",
]] as const;

export function hiringManagerExists(t: TenantView, q: number): boolean {
  const team = teamOf(t, jobOf(q, PER_JOB.hiringManagers));
  return q % PER_JOB.hiringManagers < (team.hiring_managers?.length ?? 0);
}

export const hiringManagerCreated = (t: TenantView, q: number) =>
  createdAt(t, q, PER_JOB.hiringManagers);

export function buildHiringManagerV3(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB.hiringManagers);
  const n = q % PER_JOB.hiringManagers;
  const user = teamOf(t, j).hiring_managers[n];
  const at = iso(hiringManagerCreated(t, q));
  return {
    id: idOf("hiringManager", j, n),
    job_id: idOf("job", j),
    user_id: user.id,
    created_at: at,
    updated_at: at,
  };
}

function ownerAt(t: TenantView, q: number): ApiRecord | undefined {
  const [list] = OWNER_TYPES[Math.floor((q % PER_JOB.jobOwners) / 2)];
  return teamOf(t, jobOf(q, PER_JOB.jobOwners))[list]?.[q % 2];
}

export const jobOwnerExists = (t: TenantView, q: number) => ownerAt(t, q) !== undefined;

export const jobOwnerCreated = (t: TenantView, q: number) => createdAt(t, q, PER_JOB.jobOwners);

export function buildJobOwnerV3(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB.jobOwners);
  const [, type] = OWNER_TYPES[Math.floor((q % PER_JOB.jobOwners) / 2)];
  const user = ownerAt(t, q)!;
  const at = iso(jobOwnerCreated(t, q));
  return {
    id: idOf("jobOwner", j, q % PER_JOB.jobOwners),
    job_id: idOf("job", j),
    user_id: user.id,
    type,
    responsible: type === "sourcer" ? false : user.responsible === true,
    created_at: at,
    updated_at: at,
  };
}

// ---------------------------------------------------------------- v3: approval flows

/** Every job has an approval to open it; half also one for making offers. */
export function approvalExists(t: TenantView, q: number): boolean {
  const j = jobOf(q, PER_JOB.approvals);
  return j < t.skeleton.jobs && (q % 2 === 0 || mixf(t.seed, 66, j) < 0.5);
}

export const approvalCreated = (t: TenantView, q: number) => createdAt(t, q, PER_JOB.approvals);

export function buildApprovalV3(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB.approvals);
  const r = new Rng(mix(t.seed, 67, q));
  const created = approvalCreated(t, q);
  const draft = t.skeleton.jobStatus(j) === "draft";
  const requester = randomUserRef(r, t.users);
  return {
    id: idOf("approval", j, q % 2),
    job_id: idOf("job", j),
    offer_id: null,
    approval_type: q % 2 === 0 ? "open_job" : "offer_job",
    approval_status: draft ? "pending" : "approved",
    sequential: r.chance(0.5),
    version: 1 + r.int(2),
    requested_by_id: draft && r.chance(0.5) ? null : requester.id,
    created_at: iso(created),
    updated_at: iso(created + (draft ? 0 : DAY_MS)),
  };
}
