/**
 * The sandbox's v3 lists of what v1 embeds in other records (a scorecard's answers and ratings, a
 * candidate's educations, an application's rejection and prospect details, an interview's
 * panel, a job's interview plan, a user's e-mails, …) and v3's other lists, each at
 * `/v3/<name>` as Greenhouse's v3 spec lists it (src/schemas/v3_spec.json): `ids` and the
 * parents' `*_ids` filters, `created_at` / `updated_at`, `active` where the record has it, cursors,
 * id-descending order (catalog_routes.ts). Built from the same tenant's v1 records wherever v1
 * embeds the facts (build/*_lists.ts), lazily: no list holds a record in memory, so 100,000
 * candidates still work.
 */
import type { ApiRecord } from "../entities.ts";
import * as A from "./build/application_lists.ts";
import * as P from "./build/interview_plan.ts";
import { jobPostCreated, jobPostExists, PER_JOB } from "./build/job_lists.ts";
import * as O from "./build/org_lists.ts";
import * as C from "./build/person_lists.ts";
import * as S from "./build/scorecard_lists.ts";
import { fixedSeq, lazySeq, type ListDef } from "./list_def.ts";
import type { Tenant } from "./tenant.ts";

type SlotFn<T> = (t: Tenant, slot: number) => T;

/** Owners of lazy lists. */
const jobs = (t: Tenant) => t.skeleton.jobs;
const jobPosts = (t: Tenant) => t.skeleton.jobs;
const candidates = (t: Tenant) => t.skeleton.candidateSlots();
const applications = (t: Tenant) => t.skeleton.applicationSlots();
const scorecards = (t: Tenant) => t.skeleton.applicationSlots() * 2;

/** A small list built whole from the tenant (v3 only). */
function fixedV3(name: string, items: (t: Tenant) => ApiRecord[]): ListDef {
  return { name, fixed: true, seq: (t) => fixedSeq(() => items(t))(t), v3: { dates: true } };
}

/**
 * A lazy v3-only list: `per` slots per owner; `updated` (when given) is each record's
 * `updated_at` without building it, so an incremental listing skips unchanged slots cheaply.
 */
function lazyV3(
  name: string,
  owners: (t: Tenant) => number,
  per: number,
  exists: SlotFn<boolean>,
  created: SlotFn<number>,
  build: SlotFn<ApiRecord>,
  updated?: SlotFn<number>,
): ListDef {
  return {
    name,
    fixed: false,
    seq: lazySeq(owners, per, exists, created, build),
    v3: { dates: true, ...(updated ? { updated } : {}) },
  };
}

// ---------------------------------------------------------------- the job's interview plan

const PLAN = P.PER_JOB_PLAN;
const planList = (
  name: string,
  per: number,
  exists: SlotFn<boolean>,
  build: SlotFn<ApiRecord>,
): ListDef => lazyV3(name, jobs, per, exists, P.planCreated(per), build, P.planCreated(per));

// ---------------------------------------------------------------- per job (organisation)

const perJob = (
  name: string,
  per: number,
  exists: SlotFn<boolean>,
  build: SlotFn<ApiRecord>,
): ListDef => lazyV3(name, jobs, per, exists, O.perJobCreated(per), build);

// ---------------------------------------------------------------- per person

const SCORECARD = S.PER_SCORECARD;
const perScorecard = (name: string, per: number, build: SlotFn<ApiRecord>): ListDef =>
  lazyV3(
    name,
    scorecards,
    per,
    S.scorecardListExists(per),
    S.scorecardListCreated(per),
    build,
    S.scorecardListUpdated(per),
  );

const INTERVIEWS = A.PER_APPLICATION.interviews;

/** v3 list paths (relative to /v3) of this module's lists. */
export const V3_OWN_LISTS: Readonly<Record<string, ListDef>> = {
  "/prospect_pool_stages": fixedV3("prospect_pool_stages", O.prospectPoolStagesV3),
  "/referrers": fixedV3("referrers", (t) => O.referrersV3(t.users)),
  "/user_emails": fixedV3("user_emails", (t) => O.userEmailsV3(t.users)),
  "/interviewer_tags": fixedV3("interviewer_tags", O.interviewerTagsV3),
  "/custom_field_departments": fixedV3("custom_field_departments", O.customFieldDepartmentsV3),
  "/custom_field_offices": fixedV3("custom_field_offices", O.customFieldOfficesV3),
  "/job_boards": fixedV3("job_boards", O.jobBoardsV3),
  "/job_board_custom_locations": fixedV3(
    "job_board_custom_locations",
    O.jobBoardCustomLocationsV3,
  ),
  "/future_job_permissions": fixedV3(
    "future_job_permissions",
    (t) => O.futureJobPermissionsV3(t.users),
  ),
  "/pay_inputs": fixedV3("pay_inputs", O.payInputsV3),
  "/blocked_spam_sources": fixedV3("blocked_spam_sources", O.blockedSpamSourcesV3),
  "/user_job_permissions": perJob(
    "user_job_permissions",
    O.PER_JOB_ORG.jobPermissions,
    O.jobPermissionExists,
    O.buildJobPermissionV3,
  ),
  "/job_notes": perJob(
    "job_notes",
    O.PER_JOB_ORG.jobNotes,
    O.jobNoteExists,
    O.buildJobNoteV3,
  ),
  "/approver_groups": perJob(
    "approver_groups",
    O.PER_JOB_ORG.approverGroups,
    O.approverGroupExists,
    O.buildApproverGroupV3,
  ),
  "/approvers": perJob(
    "approvers",
    O.PER_JOB_ORG.approvers,
    O.approverExists,
    O.buildApproverV3,
  ),
  "/tracking_links": perJob(
    "tracking_links",
    O.PER_JOB_ORG.trackingLinks,
    O.trackingLinkExists,
    O.buildTrackingLinkV3,
  ),
  "/candidate_attribute_types": planList(
    "candidate_attribute_types",
    PLAN.attributeTypes,
    P.attributeExists,
    P.buildAttributeTypeV3,
  ),
  "/job_candidate_attributes": planList(
    "job_candidate_attributes",
    PLAN.jobAttributes,
    P.attributeExists,
    P.buildJobAttributeV3,
  ),
  "/job_interviews": planList(
    "job_interviews",
    PLAN.jobInterviews,
    P.jobInterviewExists,
    P.buildJobInterviewV3,
  ),
  "/interview_kits": planList(
    "interview_kits",
    PLAN.interviewKits,
    P.interviewKitExists,
    P.buildInterviewKitV3,
  ),
  "/default_interviewers": planList(
    "default_interviewers",
    PLAN.defaultInterviewers,
    P.defaultInterviewerExists,
    P.buildDefaultInterviewerV3,
  ),
  "/focus_candidate_attributes": planList(
    "focus_candidate_attributes",
    PLAN.focusAttributes,
    P.focusAttributeExists,
    P.buildFocusAttributeV3,
  ),
  "/scorecard_questions": planList(
    "scorecard_questions",
    PLAN.scorecardQuestions,
    P.scorecardQuestionExists,
    P.buildScorecardQuestionV3,
  ),
  "/scorecard_question_options": planList(
    "scorecard_question_options",
    PLAN.questionOptions,
    P.questionOptionExists,
    P.buildQuestionOptionV3,
  ),
  "/scorecard_question_candidate_attributes": planList(
    "scorecard_question_candidate_attributes",
    PLAN.questionAttributes,
    P.questionAttributeExists,
    P.buildQuestionAttributeV3,
  ),
  "/pay_input_ranges": lazyV3(
    "pay_input_ranges",
    jobPosts,
    PER_JOB.jobPosts,
    O.payRangeExists,
    jobPostCreated,
    O.buildPayRangeV3,
    jobPostCreated,
  ),
  "/job_post_locations": lazyV3(
    "job_post_locations",
    jobPosts,
    PER_JOB.jobPosts,
    jobPostExists,
    jobPostCreated,
    O.buildPostLocationV3,
    jobPostCreated,
  ),
  "/job_post_searchable_locations": lazyV3(
    "job_post_searchable_locations",
    jobPosts,
    PER_JOB.jobPosts,
    O.searchableLocationExists,
    jobPostCreated,
    O.buildSearchableLocationV3,
    jobPostCreated,
  ),
  "/candidate_educations": lazyV3(
    "candidate_educations",
    candidates,
    1,
    C.educationExists,
    C.candidateListCreated,
    C.buildEducationV3,
    C.candidateListCreated,
  ),
  "/candidate_employments": lazyV3(
    "candidate_employments",
    candidates,
    1,
    C.employmentExists,
    C.candidateListCreated,
    C.buildEmploymentV3,
    C.candidateListCreated,
  ),
  "/applied_candidate_tags": lazyV3(
    "applied_candidate_tags",
    candidates,
    C.TAGS_PER_CANDIDATE,
    C.appliedTagExists,
    C.appliedTagCreated,
    C.buildAppliedTagV3,
    C.appliedTagUpdated,
  ),
  "/ai_opt_out_statuses": lazyV3(
    "ai_opt_out_statuses",
    applications,
    1,
    C.aiOptOutExists,
    C.aiOptOutCreated,
    C.buildAiOptOutV3,
    (t, s) => C.aiOptOutCreated(t, s) + 86_400_000,
  ),
  "/rejection_details": lazyV3(
    "rejection_details",
    applications,
    1,
    C.rejectionDetailExists,
    C.rejectionDetailCreated,
    C.buildRejectionDetailV3,
  ),
  "/prospect_details": lazyV3(
    "prospect_details",
    applications,
    1,
    C.prospectDetailExists,
    C.prospectDetailCreated,
    C.buildProspectDetailV3,
    C.prospectDetailCreated,
  ),
  "/scorecard_question_answers": perScorecard(
    "scorecard_question_answers",
    SCORECARD.answers,
    S.buildAnswerV3,
  ),
  "/scorecard_question_answer_options": perScorecard(
    "scorecard_question_answer_options",
    SCORECARD.answerOptions,
    S.buildAnswerOptionV3,
  ),
  "/scorecard_candidate_attributes": perScorecard(
    "scorecard_candidate_attributes",
    SCORECARD.attributes,
    S.buildAttributeRatingV3,
  ),
  "/interviewers": lazyV3(
    "interviewers",
    applications,
    INTERVIEWS,
    A.interviewExists,
    A.interviewCreated,
    C.buildInterviewerV3,
    A.interviewUpdated,
  ),
  "/interview_media": lazyV3(
    "interview_media",
    applications,
    INTERVIEWS,
    C.interviewMediumExists,
    C.interviewMediumCreated,
    C.buildInterviewMediumV3,
    C.interviewMediumUpdated,
  ),
};
