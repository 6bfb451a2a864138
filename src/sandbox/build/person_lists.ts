/**
 * v3's lists of what v1 embeds in a candidate, an application or a scheduled interview, built
 * from the same v1 records so both versions hold the same facts: a candidate's educations,
 * employments and tags; an application's rejection details and prospect details; an interview's
 * interviewers. Also v3's own per-person lists: AI opt-out decisions and interview recordings.
 * Field meanings: Greenhouse's v3 spec (src/schemas/v3_spec.json and its descriptions).
 *
 * Slots: candidate i owns slot i (educations, employments) or i × K … (tags, K = V.TAGS.length);
 * application s owns slot s; interview slots are the interviews' (application_lists.ts). A
 * record's created time is its owner's plus a constant, so created never decreases with the slot;
 * sandbox choice where v1 gives the embedded record no time of its own (its owner's).
 */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mixf } from "../prng.ts";
import * as R from "../reference_data.ts";
import * as V from "../vocab.ts";
import {
  buildInterview,
  interviewCreated,
  interviewExists,
  interviewUpdated,
  onJob,
  PER_APPLICATION,
} from "./application_lists.ts";
import { buildApplication } from "./applications.ts";
import { currentProfile } from "./candidates.ts";
import type { TenantView } from "./view.ts";

const candidateExists = (t: TenantView, i: number) =>
  i < t.skeleton.candidateSlots() && t.skeleton.candidateExists(i);

const applicationExists = (t: TenantView, s: number) =>
  s < t.skeleton.applicationSlots() && t.skeleton.applicationExists(s);

/** The id of a v1 education name's option (v3's education custom field options share v1's ids). */
function optionOf(list: readonly { id: number; name: string }[], name: unknown): number | null {
  return list.find((item) => item.name === name)?.id ?? null;
}

const month = (text: string) => Number(text.slice(5, 7));
const year = (text: string) => Number(text.slice(0, 4));

// ---------------------------------------------------------------- candidates

/** Every list below that is per candidate starts with the candidate's created time. */
export const candidateListCreated = (t: TenantView, i: number) =>
  t.skeleton.candidateCreated(i) + 1;

export const educationExists = (t: TenantView, i: number) =>
  candidateExists(t, i) && currentProfile(t, i, "educations").length > 0;

/** v3 candidate education: the v1 education, its names as the education fields' option ids. */
export function buildEducationV3(t: TenantView, i: number): ApiRecord {
  const e = currentProfile(t, i, "educations")[0];
  const at = iso(candidateListCreated(t, i));
  return {
    id: e.id,
    candidate_id: idOf("candidate", i),
    school_name_custom_field_option_id: optionOf(R.SCHOOLS, e.school_name),
    degree_custom_field_option_id: optionOf(R.DEGREES, e.degree),
    discipline_custom_field_option_id: optionOf(R.DISCIPLINES, e.discipline),
    start_at: e.start_date,
    end_at: e.end_date,
    latest: true,
    start_date_month: e.start_date === null ? null : month(e.start_date),
    start_date_year: e.start_date === null ? null : year(e.start_date),
    end_date_month: e.end_date === null ? null : month(e.end_date),
    end_date_year: e.end_date === null ? null : year(e.end_date),
    created_at: at,
    updated_at: at,
  };
}

export const employmentExists = (t: TenantView, i: number) =>
  candidateExists(t, i) && currentProfile(t, i, "employments").length > 0;

/** v3 candidate employment: the v1 employment, its dates as dates. */
export function buildEmploymentV3(t: TenantView, i: number): ApiRecord {
  const e = currentProfile(t, i, "employments")[0];
  const at = iso(candidateListCreated(t, i));
  return {
    id: e.id,
    candidate_id: idOf("candidate", i),
    company_name: e.company_name,
    title: e.title,
    start_date: String(e.start_date).slice(0, 10),
    end_date: e.end_date === null ? null : String(e.end_date).slice(0, 10),
    latest: true,
    created_at: at,
    updated_at: at,
  };
}

export const TAGS_PER_CANDIDATE = V.TAGS.length;

export function appliedTagExists(t: TenantView, q: number): boolean {
  const i = Math.floor(q / TAGS_PER_CANDIDATE);
  return candidateExists(t, i) &&
    currentProfile(t, i, "tags").includes(V.TAGS[q % TAGS_PER_CANDIDATE]);
}

export const appliedTagCreated = (t: TenantView, q: number) =>
  candidateListCreated(t, Math.floor(q / TAGS_PER_CANDIDATE)) + (q % TAGS_PER_CANDIDATE);

/** An applied tag's updated time: a write that set the tags changed them when it was made. */
export function appliedTagUpdated(t: TenantView, q: number): number {
  const i = Math.floor(q / TAGS_PER_CANDIDATE);
  const created = appliedTagCreated(t, q);
  const written = t.overlayOf(i)?.fields.tags !== undefined;
  return written ? Math.max(created, t.candidateUpdated(i)) : created;
}

/** v3 applied candidate tag q: one of the v1 candidate's tag names, as the tag's id. */
export function buildAppliedTagV3(t: TenantView, q: number): ApiRecord {
  const i = Math.floor(q / TAGS_PER_CANDIDATE), k = q % TAGS_PER_CANDIDATE;
  return {
    id: idOf("appliedTag", i, k),
    candidate_tag_id: R.TAGS[k].id,
    candidate_id: idOf("candidate", i),
    created_at: iso(appliedTagCreated(t, q)),
    updated_at: iso(appliedTagUpdated(t, q)),
  };
}

// ---------------------------------------------------------------- applications

export const applicationListCreated = (offset: number) => (t: TenantView, s: number) =>
  t.skeleton.applicationCreated(s) + offset;

/**
 * An eighth of applicants on a job decided on AI-assisted review (v3 only): every eighth slot, so
 * even a tenant of a dozen candidates has some.
 */
export const aiOptOutExists = (t: TenantView, s: number) => onJob(t, s) && s % 8 === 0;

export const aiOptOutCreated = applicationListCreated(180_000);

export function buildAiOptOutV3(t: TenantView, s: number): ApiRecord {
  const created = aiOptOutCreated(t, s);
  return {
    id: idOf("aiOptOut", s),
    job_id: idOf("job", t.skeleton.applicationJobs(s)[0]),
    candidate_ids: [idOf("candidate", t.skeleton.candidateOf(s))],
    opted_out: mixf(t.seed, 104, s) < 0.7,
    feature: "ai_assisted_review",
    confirmed_at: iso(created + DAY_MS),
    created_at: iso(created),
    updated_at: iso(created + DAY_MS),
  };
}

export const rejectionDetailExists = (t: TenantView, s: number) =>
  applicationExists(t, s) && t.skeleton.applicationStatus(s) === "rejected";

export const rejectionDetailCreated = applicationListCreated(240_000);

/** v3 rejection detail: what the v1 application says of its rejection. */
export function buildRejectionDetailV3(t: TenantView, s: number): ApiRecord {
  const a = buildApplication(t, s, true);
  const created = iso(rejectionDetailCreated(t, s));
  return {
    id: idOf("rejectionDetail", s),
    application_id: a.id,
    rejected_by_id: a.recruiter?.id ?? null,
    rejection_note_id: null,
    rejection_reason_id: a.rejection_reason?.id ?? null,
    rejected_at: a.rejected_at,
    question_custom_fields: a.rejection_details?.keyed_custom_fields ?? null,
    created_at: created,
    updated_at: a.rejected_at ?? created,
  };
}

export const prospectDetailExists = (t: TenantView, s: number) =>
  applicationExists(t, s) && t.skeleton.isProspect(s);

export const prospectDetailCreated = applicationListCreated(300_000);

/** v3 prospect detail: the v1 application's prospect_detail and prospective place. */
export function buildProspectDetailV3(t: TenantView, s: number): ApiRecord {
  const a = buildApplication(t, s, true);
  const d = a.prospect_detail;
  const at = iso(prospectDetailCreated(t, s));
  return {
    id: idOf("prospectDetail", s),
    application_id: a.id,
    pool_id: d.prospect_pool?.id ?? null,
    pool_stage_id: d.prospect_stage?.id ?? null,
    prospect_owner_id: d.prospect_owner?.id ?? null,
    department_id: a.prospective_department.id,
    office_id: a.prospective_office.id,
    created_at: at,
    updated_at: at,
  };
}

// ---------------------------------------------------------------- interviews

const interviewSlot = (q: number) => ({
  s: Math.floor(q / PER_APPLICATION.interviews),
  n: q % PER_APPLICATION.interviews,
});

/** v3 interviewer q: the v1 interview's panel member (one per interview). */
export function buildInterviewerV3(t: TenantView, q: number): ApiRecord {
  const interview = buildInterview(t, q);
  const member = interview.interviewers[0];
  const { s, n } = interviewSlot(q);
  return {
    id: idOf("interviewer", s, n),
    interview_id: interview.id,
    user_id: member.id,
    scorecard_id: member.scorecard_id,
    email: member.email,
    response_status: member.response_status,
    created_at: interview.created_at,
    updated_at: interview.updated_at,
  };
}

/** Four in ten interviews that produced a scorecard were recorded (v3 only). */
export function interviewMediumExists(t: TenantView, q: number): boolean {
  const { s, n } = interviewSlot(q);
  return interviewExists(t, q) && t.skeleton.scorecardExists(2 * s + n) && n < 2 &&
    mixf(t.seed, 105, q) < 0.4;
}

export const interviewMediumCreated = (t: TenantView, q: number) => interviewCreated(t, q) + 1;

export const interviewMediumUpdated = (t: TenantView, q: number) =>
  Math.max(interviewMediumCreated(t, q), interviewUpdated(t, q));

export function buildInterviewMediumV3(t: TenantView, q: number): ApiRecord {
  const { s, n } = interviewSlot(q);
  const interview = idOf("interview", s, n);
  const base = `https://media.example.com/interviews/${interview}`;
  return {
    id: idOf("interviewMedium", s, n),
    interview_id: interview,
    application_id: idOf("application", s),
    video_url: `${base}/recording.mp4?expires_in=604800`,
    transcript_url: mixf(t.seed, 106, q) < 0.8 ? `${base}/transcript.json?expires_in=604800` : null,
    created_at: iso(interviewMediumCreated(t, q)),
    updated_at: iso(interviewMediumUpdated(t, q)),
  };
}
