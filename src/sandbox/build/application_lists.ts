/**
 * The per-application lists: scheduled interviews (v1; v3 interviews), demographic answers, and,
 * v3 only, application stages and EEOC responses. They follow their application: a deleted
 * candidate's go with it, and an interview that produced a scorecard names that scorecard and
 * its interviewer. Slots: application s owns slots s × K … s × K + K - 1 of each list, and a
 * record's created time is its application's plus a constant offset plus its number in
 * milliseconds, so created never decreases with the slot.
 *
 * Shapes: v1 follows https://developers.greenhouse.io/harvest.html
 * (#the-scheduled-interview-object, #the-demographic-answer-object); v3 the objects of
 * Greenhouse's own v3 OpenAPI spec (src/schemas/v3_spec.json; tests/unit/sandbox_v3_spec_test.ts
 * holds the records to it).
 */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso, isoDate } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, mixf, Rng } from "../prng.ts";
import * as R from "../reference_data.ts";
import * as V from "../vocab.ts";
import { jobInterviewId, jobStageId } from "./job_lists.ts";
import { buildScorecard } from "./scorecards.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

/** Slots each application owns in each list. */
export const PER_APPLICATION = {
  interviews: 3,
  applicationStages: V.STAGES.length,
  demographicAnswers: R.DEMOGRAPHIC_QUESTIONS.length,
  eeoc: 1,
} as const;

const applicationOf = (slot: number, per: number) => Math.floor(slot / per);

/** An application on a job (prospects have none of these records). */
export function onJob(t: TenantView, s: number): boolean {
  const sk = t.skeleton;
  return s < sk.applicationSlots() && sk.applicationExists(s) && !sk.isProspect(s) &&
    sk.applicationJobs(s).length > 0;
}

// ---------------------------------------------------------------- scheduled interviews

/** Interviews of application s: one per scorecard, and a scheduled one for half the active. */
function interviewCount(t: TenantView, s: number): number {
  if (!onJob(t, s)) return 0;
  const sk = t.skeleton;
  const done = (sk.scorecardExists(2 * s) ? 1 : 0) + (sk.scorecardExists(2 * s + 1) ? 1 : 0);
  const upcoming = sk.applicationStatus(s) === "active" && mixf(t.seed, 70, s) < 0.5 ? 1 : 0;
  return done + upcoming;
}

export function interviewExists(t: TenantView, q: number): boolean {
  const s = applicationOf(q, PER_APPLICATION.interviews);
  return q % PER_APPLICATION.interviews < interviewCount(t, s);
}

export function interviewCreated(t: TenantView, q: number): number {
  const s = applicationOf(q, PER_APPLICATION.interviews);
  return t.skeleton.applicationCreated(s) + 5 * DAY_MS + (q % PER_APPLICATION.interviews);
}

/** When an interview starts and ends, its status, and the scorecard it produced. */
function interviewPlan(t: TenantView, q: number) {
  const s = applicationOf(q, PER_APPLICATION.interviews);
  const m = q % PER_APPLICATION.interviews;
  const sk = t.skeleton;
  if (sk.scorecardExists(2 * s + m)) {
    const scorecard = buildScorecard(t, 2 * s + m);
    const start = Date.parse(scorecard.interviewed_at);
    return {
      start,
      allDay: false,
      status: "complete",
      scorecard,
      step: String(scorecard.interview_step.name),
      updated: Date.parse(scorecard.submitted_at),
    };
  }
  const start = t.applicationLastActivity(s) + 3 * DAY_MS;
  return {
    start,
    allDay: mixf(t.seed, 71, q) < 0.1,
    status: "scheduled",
    scorecard: undefined,
    step: V.STAGES[3],
    updated: interviewCreated(t, q),
  };
}

export const interviewUpdated = (t: TenantView, q: number) => interviewPlan(t, q).updated;

const userEmail = (t: TenantView, id: unknown): string | null =>
  t.users.find((u) => u.id === id)?.primary_email_address ?? null;

/** v1 scheduled interview q. */
export function buildInterview(t: TenantView, q: number): ApiRecord {
  const s = applicationOf(q, PER_APPLICATION.interviews);
  const r = new Rng(mix(t.seed, 72, q));
  const plan = interviewPlan(t, q);
  const j = t.skeleton.applicationJobs(s)[0];
  const k = Math.max(0, V.STAGES.indexOf(plan.step));
  const end = plan.start + r.pick([30, 45, 60]) * 60_000;
  const interviewer = plan.scorecard?.interviewer ?? randomUserRef(r, t.users);
  const organizer = randomUserRef(r, t.users);
  const id = idOf("interview", s, q % PER_APPLICATION.interviews);
  return {
    id,
    application_id: idOf("application", s),
    external_event_id: r.chance(0.8) ? `event-${id}` : null,
    start: plan.allDay ? { date: isoDate(plan.start) } : { date_time: iso(plan.start) },
    end: plan.allDay ? { date: isoDate(plan.start + DAY_MS) } : { date_time: iso(end) },
    location: r.chance(0.6) ? 'Big Conference Room, "3rd floor"' : null,
    video_conferencing_url: r.chance(0.5) ? `https://meet.example.com/${id}` : null,
    status: plan.status,
    created_at: iso(interviewCreated(t, q)),
    updated_at: iso(plan.updated),
    interview: { id: jobInterviewId(j, k), name: plan.step },
    organizer,
    interviewers: [{
      id: interviewer.id,
      employee_id: interviewer.employee_id,
      name: interviewer.name,
      email: userEmail(t, interviewer.id),
      response_status: plan.scorecard ? "accepted" : r.pick(["needs_action", "tentative"]),
      scorecard_id: plan.scorecard?.id ?? null,
    }],
  };
}

/** v3 interview q (`r`: as v1 has it): start and end as times or all-day dates, people as ids. */
export function interviewV3(t: TenantView, q: number, r: ApiRecord): ApiRecord {
  const j = t.skeleton.applicationJobs(applicationOf(q, PER_APPLICATION.interviews))[0];
  return {
    id: r.id,
    application_id: r.application_id,
    job_id: idOf("job", j),
    job_interview_id: r.interview.id,
    status: r.status,
    starts_at: r.start.date_time ?? null,
    ends_at: r.end.date_time ?? null,
    all_day_start_on: r.start.date ?? null,
    all_day_end_on: r.end.date ?? null,
    location: r.location,
    video_conferencing_url: r.video_conferencing_url,
    organizer_id: r.organizer.id,
    external_event_id: r.external_event_id,
    scheduled_at: r.created_at,
    availability_received_at: null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

// ---------------------------------------------------------------- v3: application stages

/** The last stage (V.STAGES index) application s reached. */
function reachedStage(t: TenantView, s: number): number {
  const status = t.skeleton.applicationStatus(s);
  if (status === "hired") return V.STAGES.length - 1;
  if (status === "rejected") return 1 + mix(t.seed, 73, s) % 3;
  return mix(t.seed, 74, s) % (V.STAGES.length - 1);
}

export function applicationStageExists(t: TenantView, q: number): boolean {
  const s = applicationOf(q, PER_APPLICATION.applicationStages);
  return onJob(t, s) && q % PER_APPLICATION.applicationStages <= reachedStage(t, s);
}

export function applicationStageCreated(t: TenantView, q: number): number {
  const s = applicationOf(q, PER_APPLICATION.applicationStages);
  return t.skeleton.applicationCreated(s) + (q % PER_APPLICATION.applicationStages);
}

function stageTimes(t: TenantView, q: number) {
  const s = applicationOf(q, PER_APPLICATION.applicationStages);
  const k = q % PER_APPLICATION.applicationStages;
  const applied = t.skeleton.applicationCreated(s);
  const entered = applied + k * 3 * DAY_MS;
  const reached = reachedStage(t, s);
  const status = t.skeleton.applicationStatus(s);
  const exited = k < reached
    ? applied + (k + 1) * 3 * DAY_MS
    : status === "active"
    ? null
    : entered + (status === "hired" ? 1 : 2) * DAY_MS;
  return { s, k, entered, exited, current: k === reached && status === "active" };
}

export function applicationStageUpdated(t: TenantView, q: number): number {
  const { entered, exited } = stageTimes(t, q);
  return Math.max(exited ?? entered, applicationStageCreated(t, q));
}

export function buildApplicationStageV3(t: TenantView, q: number): ApiRecord {
  const { s, k, entered, exited, current } = stageTimes(t, q);
  const j = t.skeleton.applicationJobs(s)[0];
  return {
    id: idOf("applicationStage", s, k),
    application_id: idOf("application", s),
    job_interview_stage_id: jobStageId(j, k),
    entered_at: iso(entered),
    exited_at: exited === null ? null : iso(exited),
    current,
    // "exited_at - entered_at"; for the stage the application is in, until its last activity.
    days_in_stage: Math.max(
      0,
      Math.floor(((exited ?? t.applicationLastActivity(s)) - entered) / DAY_MS),
    ),
    created_at: iso(applicationStageCreated(t, q)),
    updated_at: iso(applicationStageUpdated(t, q)),
  };
}

// ---------------------------------------------------------------- demographic answers

/** 40% of applicants on a job answer every demographic question. */
export function demographicAnswerExists(t: TenantView, q: number): boolean {
  const s = applicationOf(q, PER_APPLICATION.demographicAnswers);
  return onJob(t, s) && mixf(t.seed, 80, s) < 0.4;
}

export function demographicAnswerCreated(t: TenantView, q: number): number {
  const s = applicationOf(q, PER_APPLICATION.demographicAnswers);
  return t.skeleton.applicationCreated(s) + 60_000 + (q % PER_APPLICATION.demographicAnswers);
}

/** v1 (and v3: the same fields) demographic answer q. */
export function buildDemographicAnswer(t: TenantView, q: number): ApiRecord {
  const s = applicationOf(q, PER_APPLICATION.demographicAnswers);
  const k = q % PER_APPLICATION.demographicAnswers;
  const question = R.DEMOGRAPHIC_QUESTIONS[k];
  const n = mix(t.seed, 81, q) % question.options.length;
  const at = iso(demographicAnswerCreated(t, q));
  return {
    id: idOf("demographicAnswer", s, k),
    free_form_text: R.isFreeForm(question.options[n]) ? 'Prefer "not" to say, really' : null,
    application_id: idOf("application", s),
    demographic_question_id: question.id,
    demographic_answer_option_id: R.answerOptionId(question.id, n),
    created_at: at,
    updated_at: at,
  };
}

// ---------------------------------------------------------------- v3: EEOC

/** A third of applicants on a job submit the EEOC questionnaire. */
export function eeocExists(t: TenantView, s: number): boolean {
  return onJob(t, s) && mixf(t.seed, 85, s) < 0.35;
}

export const eeocCreated = (t: TenantView, s: number) => t.skeleton.applicationCreated(s) + 120_000;

export function buildEeocV3(t: TenantView, s: number): ApiRecord {
  const r = new Rng(mix(t.seed, 86, s));
  const answer = (list: readonly string[]) => {
    if (r.chance(0.1)) return { id: null, description: null };
    const n = r.int(list.length);
    return { id: n + 1, description: list[n] };
  };
  const at = iso(eeocCreated(t, s));
  return {
    id: idOf("eeoc", s),
    application_id: idOf("application", s),
    candidate_id: idOf("candidate", t.skeleton.candidateOf(s)),
    race: answer(R.EEOC.race),
    gender: answer(R.EEOC.gender),
    veteran_status: answer(R.EEOC.veteran_status),
    disability_status: answer(R.EEOC.disability_status),
    submitted_at: at,
    created_at: at,
    updated_at: at,
  };
}
