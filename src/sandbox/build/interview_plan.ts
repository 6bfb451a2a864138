/**
 * Each job's interview plan, one story told by both versions: v1 embeds it in job stages (each
 * stage's interview with its kit, kit questions and default interviewer) and in scorecards (the
 * interview step, the answered questions, the rated attributes); v3 lists it in pieces (job
 * interviews, interview kits, default interviewers, scorecard questions and their options,
 * candidate attribute types, job candidate attributes, focus attributes, the attributes a
 * question assesses). Field meanings follow Greenhouse's v3 spec (src/schemas/v3_spec.json;
 * descriptions in the spec's objects).
 *
 * Every job has the stages of V.STAGES; each but the last (Offer) has one interview and one kit.
 * The kits of the schedulable stages (all but the first, Application Review) have the questions
 * of QUESTIONS (one removed: v3 lists it, v1's kit and scorecards no longer show it) and focus on
 * every attribute of ATTRIBUTES. Slots: job j owns slots j × K … j × K + K - 1 of each list (K in
 * PER_JOB_PLAN), created with the job plus the slot's number in milliseconds.
 */
import type { ApiRecord } from "../../entities.ts";
import { iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix } from "../prng.ts";
import * as V from "../vocab.ts";
import type { TenantView } from "./view.ts";

/** Stages with an interview: every one but the last (Offer). */
export const INTERVIEW_STAGES = V.STAGES.length - 1;

/** Whether stage `k`'s interview is scheduled (and scored): all but Application Review. */
export const schedulable = (k: number): boolean => k >= 1 && k < INTERVIEW_STAGES;

/** The candidate attributes every job rates (v1 scorecards' `attributes[]`, by name and type). */
export const ATTRIBUTES = [
  { name: "Communication", type: "Skills" },
  { name: "Adaptable", type: "Personality Traits" },
  { name: "Problem Solver", type: "Skills" },
  { name: "Analytical", type: "Qualifications" },
] as const;

export interface PlanQuestion {
  question: string;
  answer_type: "text" | "single_select" | "yes_no";
  required: boolean;
  /** Removed from the kit: v3 still lists it (`active: false`); v1 shows it nowhere. */
  active: boolean;
  /** single_select: the choices, the last one removed. */
  options: readonly string[];
  /** The ATTRIBUTES index the question assesses, if any. */
  assesses?: number;
}

/** The questions of every schedulable kit, in sort order. */
export const QUESTIONS: readonly PlanQuestion[] = [
  {
    question: "Is this person a good fit?",
    answer_type: "text",
    required: true,
    active: true,
    options: [],
    assesses: 0,
  },
  {
    question: "Does the candidate have experience designing <b>APIs</b>?",
    answer_type: "single_select",
    required: true,
    active: true,
    options: ["Yes", "Somewhat", 'No, "not yet"', "Maybe"],
    assesses: 3,
  },
  {
    question: "Would you work with them again?",
    answer_type: "yes_no",
    required: false,
    active: true,
    options: [],
  },
  {
    question: "Rate their whiteboard skills",
    answer_type: "text",
    required: false,
    active: false,
    options: [],
  },
];

/** The options of a question still offered (the last one of a list was removed). */
export const optionActive = (m: number, question: PlanQuestion): boolean =>
  m < question.options.length - 1;

/** Slots each job owns in each of the plan's v3 lists. */
export const PER_JOB_PLAN = {
  jobInterviews: INTERVIEW_STAGES,
  interviewKits: INTERVIEW_STAGES,
  defaultInterviewers: INTERVIEW_STAGES,
  scorecardQuestions: INTERVIEW_STAGES * QUESTIONS.length,
  questionOptions: INTERVIEW_STAGES * 4,
  focusAttributes: INTERVIEW_STAGES * ATTRIBUTES.length,
  questionAttributes: INTERVIEW_STAGES * 2,
  attributeTypes: ATTRIBUTES.length,
  jobAttributes: ATTRIBUTES.length,
} as const;

// ---------------------------------------------------------------- ids

/** The id of stage `k` (a V.STAGES index) of job `j`. */
export const jobStageId = (j: number, k: number) => idOf("jobStage", j, k);
/** The id of the interview of stage `k` of job `j` (v1 scorecards' `interview_step.id`). */
export const jobInterviewId = (j: number, k: number) => idOf("jobInterview", j, k);
/** The id of the kit of that interview. */
export const interviewKitId = (j: number, k: number) => idOf("interviewKit", j, k);
/** Question `n` of the kit of stage `k` (v1 scorecards' `questions[].id`). */
export const questionId = (j: number, k: number, n: number) =>
  idOf("scorecardQuestion", j, k * 10 + n);
/** Option `m` of the select question of the kit of stage `k`. */
export const optionId = (j: number, k: number, m: number) => idOf("questionOption", j, k * 10 + m);
export const attributeTypeId = (j: number, a: number) => idOf("attributeType", j, a);
export const jobAttributeId = (j: number, a: number) => idOf("jobAttribute", j, a);
const focusId = (j: number, k: number, a: number) => idOf("focusAttribute", j, k * 10 + a);

/** The job and stage of a job interview id, or undefined for another id. */
export function ofJobInterview(id: number): { j: number; k: number } | undefined {
  const base = jobInterviewId(0, 0);
  const d = id - base;
  if (!Number.isSafeInteger(d) || d < 0) return undefined;
  const j = Math.floor(d / 1000), k = d % 1000;
  return k < INTERVIEW_STAGES ? { j, k } : undefined;
}

// ---------------------------------------------------------------- facts both versions read

/** The user index stage `k`'s kit suggests as interviewer (never the last, maybe disabled, user). */
export function defaultInterviewer(t: TenantView, j: number, k: number): ApiRecord {
  return t.users[mix(t.seed, 100, j, k) % Math.max(1, t.users.length - 1)];
}

/** How long stage `k`'s interview is planned to take, in minutes. */
export const estimatedMinutes = (t: TenantView, j: number, k: number): number =>
  [30, 45, 60][mix(t.seed, 101, j, k) % 3];

/** The kit's instructions (v1 `interview_kit.content`, v3 `exercises`). */
export const kitContent = (k: number): string | null =>
  schedulable(k) ? `<h5>Purpose</h5><span>${V.STAGES[k]}, "structured".</span>` : null;

/** v1's kit questions of stage `k` (`interview_kit.questions`): the active ones. */
export function kitQuestionsV1(j: number, k: number): ApiRecord[] {
  if (!schedulable(k)) return [];
  return QUESTIONS.flatMap((q, n) =>
    q.active ? [{ id: questionId(j, k, n), question: q.question }] : []
  );
}

// ---------------------------------------------------------------- v3 lists

const jobOf = (slot: number, per: number) => Math.floor(slot / per);
const jobExists = (t: TenantView, j: number) => j < t.skeleton.jobs;

/** A created time `n` ms after the job's (constant: the plan does not change). */
export const planCreated = (per: number) => (t: TenantView, slot: number) =>
  t.skeleton.jobCreated(jobOf(slot, per)) + (slot % per);

const stamps = (t: TenantView, slot: number, per: number) => {
  const at = iso(planCreated(per)(t, slot));
  return { created_at: at, updated_at: at };
};

export const jobInterviewExists = (t: TenantView, q: number) =>
  jobExists(t, jobOf(q, PER_JOB_PLAN.jobInterviews));

export function buildJobInterviewV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_PLAN.jobInterviews;
  const j = jobOf(q, per), k = q % per;
  return {
    id: jobInterviewId(j, k),
    job_interview_stage_id: jobStageId(j, k),
    job_id: idOf("job", j),
    sort_order: 0,
    scheduling_type: k === 0 ? "none" : k === 2 ? "take_home_test" : "needs_scheduling",
    duration: schedulable(k) ? estimatedMinutes(t, j, k) : null,
    summary: null,
    instructions: kitContent(k),
    name: V.STAGES[k],
    active: true,
    require_scorecard: schedulable(k),
    ...stamps(t, q, per),
  };
}

export const interviewKitExists = (t: TenantView, q: number) =>
  jobExists(t, jobOf(q, PER_JOB_PLAN.interviewKits));

export function buildInterviewKitV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_PLAN.interviewKits;
  const j = jobOf(q, per), k = q % per;
  return {
    id: interviewKitId(j, k),
    job_id: idOf("job", j),
    job_interview_id: jobInterviewId(j, k),
    exercises: kitContent(k),
    anonymize_candidate: false,
    anonymize_resumes: false,
    ...stamps(t, q, per),
  };
}

export const defaultInterviewerExists = (t: TenantView, q: number) =>
  jobExists(t, jobOf(q, PER_JOB_PLAN.defaultInterviewers)) &&
  schedulable(q % PER_JOB_PLAN.defaultInterviewers);

export function buildDefaultInterviewerV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_PLAN.defaultInterviewers;
  const j = jobOf(q, per), k = q % per;
  return {
    id: idOf("defaultInterviewer", j, k),
    user_id: defaultInterviewer(t, j, k).id,
    interview_kit_id: interviewKitId(j, k),
    ...stamps(t, q, per),
  };
}

/** Slot q of a per-kit list with `each` records per kit: job, stage, and the record's number. */
function perKit(q: number, each: number) {
  const per = INTERVIEW_STAGES * each;
  const j = jobOf(q, per);
  const k = Math.floor((q % per) / each);
  return { j, k, n: q % each, per };
}

export const scorecardQuestionExists = (t: TenantView, q: number) => {
  const { j, k } = perKit(q, QUESTIONS.length);
  return jobExists(t, j) && schedulable(k);
};

export function buildScorecardQuestionV3(t: TenantView, q: number): ApiRecord {
  const { j, k, n, per } = perKit(q, QUESTIONS.length);
  const question = QUESTIONS[n];
  return {
    id: questionId(j, k, n),
    interview_kit_id: interviewKitId(j, k),
    question: question.question,
    sort_order: n,
    active: question.active,
    answer_type: question.answer_type,
    required: question.required,
    ...stamps(t, q, per),
  };
}

/** The kit's one select question (its QUESTIONS index). */
export const SELECT_QUESTION = QUESTIONS.findIndex((q) => q.answer_type === "single_select");

export const questionOptionExists = (t: TenantView, q: number) => {
  const { j, k, n } = perKit(q, 4);
  return jobExists(t, j) && schedulable(k) && n < QUESTIONS[SELECT_QUESTION].options.length;
};

export function buildQuestionOptionV3(t: TenantView, q: number): ApiRecord {
  const { j, k, n, per } = perKit(q, 4);
  const question = QUESTIONS[SELECT_QUESTION];
  return {
    id: optionId(j, k, n),
    scorecard_question_id: questionId(j, k, SELECT_QUESTION),
    name: question.options[n],
    sort_order: n,
    active: optionActive(n, question),
    ...stamps(t, q, per),
  };
}

export const focusAttributeExists = (t: TenantView, q: number) => {
  const { j, k } = perKit(q, ATTRIBUTES.length);
  return jobExists(t, j) && schedulable(k);
};

export function buildFocusAttributeV3(t: TenantView, q: number): ApiRecord {
  const { j, k, n, per } = perKit(q, ATTRIBUTES.length);
  return {
    id: focusId(j, k, n),
    interview_kit_id: interviewKitId(j, k),
    job_candidate_attribute_id: jobAttributeId(j, n),
    ...stamps(t, q, per),
  };
}

/** The questions that assess an attribute, in order (slot n of a kit is the n-th of them). */
const ASSESSING = QUESTIONS.flatMap((q, n) => q.assesses === undefined ? [] : [n]);

export const questionAttributeExists = (t: TenantView, q: number) => {
  const { j, k, n } = perKit(q, 2);
  return jobExists(t, j) && schedulable(k) && n < ASSESSING.length;
};

export function buildQuestionAttributeV3(t: TenantView, q: number): ApiRecord {
  const { j, k, n, per } = perKit(q, 2);
  const question = ASSESSING[n];
  return {
    id: idOf("questionAttribute", j, k * 10 + n),
    scorecard_question_id: questionId(j, k, question),
    focus_candidate_attribute_id: focusId(j, k, QUESTIONS[question].assesses!),
    ...stamps(t, q, per),
  };
}

export const attributeExists = (t: TenantView, q: number) =>
  jobExists(t, jobOf(q, ATTRIBUTES.length));

export function buildAttributeTypeV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_PLAN.attributeTypes;
  const j = jobOf(q, per), a = q % per;
  return {
    id: attributeTypeId(j, a),
    name: ATTRIBUTES[a].name,
    job_id: idOf("job", j),
    sort_order: a,
    active: true,
    is_draft: t.skeleton.jobStatus(j) === "draft",
    ...stamps(t, q, per),
  };
}

export function buildJobAttributeV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_PLAN.jobAttributes;
  const j = jobOf(q, per), a = q % per;
  return {
    id: jobAttributeId(j, a),
    job_id: idOf("job", j),
    candidate_attribute_type_id: attributeTypeId(j, a),
    active: true,
    sort_order: a,
    name: ATTRIBUTES[a].name,
    ...stamps(t, q, per),
  };
}
