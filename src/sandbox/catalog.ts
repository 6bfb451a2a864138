/**
 * The sandbox's other list endpoints (besides the seven and users, which tenant.ts, v1.ts and
 * v3.ts serve): where each lives in v1 and v3, how v1 pages it, which filters it honours, and
 * the records it serves. The answering is catalog_routes.ts.
 *
 * Documented per endpoint (https://developers.greenhouse.io/harvest.html):
 * - v1 paging: "pages" lists take `page` and give next/prev/last links; "next" lists are the ones
 *   #pagination names as using the new next-only method (user roles, custom fields, demographic
 *   questions, answer options and answers). Sandbox choice: their next link carries `since_id`
 *   (the id after which the next page starts), as an older revision of #get-list-eeoc documents
 *   for that method; `page` is ignored there.
 * - v1 date filters: created_* / updated_* where the endpoint's section lists them.
 * - v3: as Greenhouse's own v3 spec declares each list (src/schemas/v3_spec.json): `ids` and its
 *   parents' `*_ids` (at most 50 ids each, else 422), `created_at` / `updated_at` (pipe syntax;
 *   none on demographic questions and answer options), cursors, id-descending order
 *   (https://harvestdocs.greenhouse.io/docs/list-endpoints); `active` on lists with that field,
 *   with the spec's defaults (job posts active only unless `active=false`; custom fields, their
 *   options and the demographic lists inactive ones included unless `active=true`),
 *   `custom_field_key` on custom field options, `include_defaults` on rejection reasons.
 */
import type { ApiRecord } from "../entities.ts";
import * as A from "./build/application_lists.ts";
import * as J from "./build/job_lists.ts";
import { idOf } from "./ids.ts";
import * as B from "./build/reference.ts";
import { V3_OWN_LISTS } from "./catalog_v3.ts";
import { fixedSeq, lazySeq, type ListDef, type RecordFilter } from "./list_def.ts";
import * as R from "./reference_data.ts";
import type { Tenant } from "./tenant.ts";

export type { ListDef, RecordFilter } from "./list_def.ts";

const jobs = (t: Tenant) => t.skeleton.jobs;
const applications = (t: Tenant) => t.skeleton.applicationSlots();

/** `flag=true` keeps records whose `field` is true, `flag=false` those whose field is false. */
function flagFilter(param: string, field: string): RecordFilter {
  return (params) => {
    const value = params.get(param);
    if (value !== "true" && value !== "false") return undefined;
    return (record) => record[field] === (value === "true");
  };
}

/** Several filters, all of which must hold. */
function allOf(...filters: RecordFilter[]): RecordFilter {
  return (params) => {
    const preds = filters.map((f) => f(params)).filter((p) => p !== undefined);
    return preds.length === 0 ? undefined : (record) => preds.every((p) => p(record));
  };
}

const DEFAULT_REASON_IDS = new Set(R.DEFAULT_REJECTION_REASONS.map((r) => r.id));
/** Greenhouse's default rejection reasons come only with `include_defaults=true`. */
const includeDefaults: RecordFilter = (params) =>
  params.get("include_defaults") === "true"
    ? undefined
    : (record) => !DEFAULT_REASON_IDS.has(record.id);

/** v1 custom fields: archived ones only with `include_inactive=true`. */
const includeInactive: RecordFilter = (params) =>
  params.get("include_inactive") === "true" ? undefined : (record) => record.active === true;

/** v1 scheduled interviews' starts_after / starts_before (inclusive / exclusive). */
const startsFilter: RecordFilter = (params) => {
  const after = params.get("starts_after"), before = params.get("starts_before");
  if (after === null && before === null) return undefined;
  const lo = after === null ? -Infinity : Date.parse(after);
  const hi = before === null ? Infinity : Date.parse(before);
  return (record) => {
    const start = Date.parse(record.start?.date_time ?? record.start?.date);
    return start >= lo && start < hi;
  };
};

/** v3 custom field options: `custom_field_key` selects the options of one field. */
const customFieldKey: RecordFilter = (params) => {
  const key = params.get("custom_field_key");
  if (key === null) return undefined;
  const field = [...R.EDUCATION_FIELDS, ...R.CUSTOM_FIELDS].find((f) => f.name_key === key);
  return (record) => field !== undefined && record.custom_field_id === field.id;
};

// ---------------------------------------------------------------- the lists

const departments: ListDef = {
  name: "departments",
  fixed: true,
  seq: fixedSeq(B.departmentsV1),
  v1: { paging: "pages", created: false, updated: false },
  v3: { dates: true, shape: (_t, _s, r) => B.departmentV3(r) },
};

const offices: ListDef = {
  name: "offices",
  fixed: true,
  seq: fixedSeq(B.officesV1),
  v1: { paging: "pages", created: false, updated: false },
  v3: { dates: true, shape: (_t, _s, r) => B.officeV3(r) },
};

const userRoles: ListDef = {
  name: "user_roles",
  fixed: true,
  seq: fixedSeq(B.userRolesV1),
  v1: { paging: "next", created: false, updated: false },
  v3: { dates: true, shape: (_t, _s, r) => B.userRoleV3(r) },
};

const customFieldsV1: ListDef = {
  name: "custom_fields",
  fixed: true,
  seq: fixedSeq(B.customFieldsV1),
  v1: { paging: "next", created: false, updated: false, filter: includeInactive },
};

const customFieldsV3: ListDef = {
  name: "custom_fields",
  fixed: true,
  seq: fixedSeq(B.customFieldsV3),
  v3: { dates: true },
};

const customFieldOptions: ListDef = {
  name: "custom_field_options",
  fixed: true,
  seq: fixedSeq(() => B.customFieldOptionsV3().map((o) => o.record)),
  v3: { dates: true, filter: customFieldKey },
};

const rejectionReasons: ListDef = {
  name: "rejection_reasons",
  fixed: true,
  seq: fixedSeq(() => B.rejectionReasonsV1(true)),
  v1: { paging: "pages", created: false, updated: false, filter: includeDefaults },
  v3: { dates: true, shape: (_t, _s, r) => B.rejectionReasonV3(r), filter: includeDefaults },
};

const named = (name: string, items: () => ApiRecord[]): ListDef => ({
  name,
  fixed: true,
  seq: fixedSeq(items),
  v1: { paging: "pages", created: false, updated: false },
  v3: { dates: true, shape: (_t, _s, r) => B.namedV3(r) },
});

const closeReasons = named("close_reasons", B.closeReasonsV1);
const tags = named("candidate_tags", B.tagsV1);
const degrees: ListDef = { ...named("degrees", B.degreesV1), v3: undefined };
const schools: ListDef = { ...named("schools", B.schoolsV1), v3: undefined };
const disciplines: ListDef = { ...named("disciplines", B.disciplinesV1), v3: undefined };

const emailTemplates: ListDef = {
  name: "email_templates",
  fixed: true,
  seq: (t) => fixedSeq(() => B.emailTemplatesV1(t.users))(t),
  v1: { paging: "pages", created: true, updated: true },
  v3: { dates: true, shape: (_t, _s, r) => B.emailTemplateV3(r) },
};

const questionSets: ListDef = {
  name: "demographic_question_sets",
  fixed: true,
  seq: fixedSeq(B.demographicQuestionSetsV1),
  v1: { paging: "pages", created: false, updated: false },
  v3: { dates: true, shape: (_t, _s, r) => B.demographicQuestionSetV3(r) },
};

const questions: ListDef = {
  name: "demographic_questions",
  fixed: true,
  seq: fixedSeq(B.demographicQuestionsV1),
  v1: { paging: "next", created: false, updated: false },
  v3: { dates: false, shape: (_t, _s, r) => B.demographicQuestionV3(r) },
};

const answerOptions: ListDef = {
  name: "demographic_answer_options",
  fixed: true,
  seq: fixedSeq(B.demographicAnswerOptionsV1),
  v1: { paging: "next", created: false, updated: false },
  v3: { dates: false, shape: (_t, _s, r) => B.demographicAnswerOptionV3(r) },
};

const jobPosts: ListDef = {
  name: "job_posts",
  fixed: false,
  seq: lazySeq(jobs, J.PER_JOB.jobPosts, J.jobPostExists, J.jobPostCreated, J.buildJobPost),
  idOfSlot: (q) => idOf("jobPost", Math.floor(q / 2), q % 2),
  updated: J.jobPostUpdated,
  v1: {
    paging: "pages",
    created: true,
    updated: true,
    filter: allOf(
      flagFilter("active", "active"),
      flagFilter("live", "live"),
      flagFilter("internal", "internal"),
    ),
  },
  v3: {
    dates: true,
    shape: (_t, _s, r) => J.jobPostV3(r),
    defaults: { active: "true" },
    filter: flagFilter("live", "live"),
  },
};

const jobStages: ListDef = {
  name: "job_interview_stages",
  fixed: false,
  seq: lazySeq(
    jobs,
    J.PER_JOB.jobStages,
    J.jobStageExists,
    J.jobStageCreated,
    J.buildJobStage,
  ),
  idOfSlot: (q) => J.jobStageId(Math.floor(q / J.PER_JOB.jobStages), q % J.PER_JOB.jobStages),
  updated: J.jobStageCreated,
  v1: { paging: "pages", created: true, updated: true },
  v3: { dates: true, shape: (_t, _s, r) => J.jobStageV3(r) },
};

/** A v3-only per-job list. */
const jobListV3 = (
  name: string,
  per: number,
  exists: (t: Tenant, q: number) => boolean,
  created: (t: Tenant, q: number) => number,
  build: (t: Tenant, q: number) => ApiRecord,
): ListDef => ({
  name,
  fixed: false,
  seq: lazySeq(jobs, per, exists, created, build),
  v3: { dates: true },
});

const openings = jobListV3(
  "openings",
  J.PER_JOB.openings,
  J.openingExists,
  J.openingCreated,
  J.buildOpeningV3,
);
const hiringManagers = jobListV3(
  "job_hiring_managers",
  J.PER_JOB.hiringManagers,
  J.hiringManagerExists,
  J.hiringManagerCreated,
  J.buildHiringManagerV3,
);
const jobOwners = jobListV3(
  "job_owners",
  J.PER_JOB.jobOwners,
  J.jobOwnerExists,
  J.jobOwnerCreated,
  J.buildJobOwnerV3,
);
const approvals = jobListV3(
  "approval_flows",
  J.PER_JOB.approvals,
  J.approvalExists,
  J.approvalCreated,
  J.buildApprovalV3,
);

const interviews: ListDef = {
  name: "interviews",
  fixed: false,
  seq: lazySeq(
    applications,
    A.PER_APPLICATION.interviews,
    A.interviewExists,
    A.interviewCreated,
    A.buildInterview,
  ),
  idOfSlot: (q) => idOf("interview", Math.floor(q / 3), q % 3),
  updated: A.interviewUpdated,
  v1: { paging: "pages", created: true, updated: true, filter: startsFilter },
  v3: { dates: true, shape: A.interviewV3 },
};

const applicationStages: ListDef = {
  name: "application_stages",
  fixed: false,
  seq: lazySeq(
    applications,
    A.PER_APPLICATION.applicationStages,
    A.applicationStageExists,
    A.applicationStageCreated,
    A.buildApplicationStageV3,
  ),
  v3: { dates: true },
};

const demographicAnswers: ListDef = {
  name: "demographic_answers",
  fixed: false,
  seq: lazySeq(
    applications,
    A.PER_APPLICATION.demographicAnswers,
    A.demographicAnswerExists,
    A.demographicAnswerCreated,
    A.buildDemographicAnswer,
  ),
  idOfSlot: (q) =>
    idOf(
      "demographicAnswer",
      Math.floor(q / A.PER_APPLICATION.demographicAnswers),
      q % A.PER_APPLICATION.demographicAnswers,
    ),
  updated: A.demographicAnswerCreated,
  v1: { paging: "next", created: true, updated: true },
  v3: { dates: true },
};

const eeoc: ListDef = {
  name: "eeoc",
  fixed: false,
  seq: lazySeq(applications, 1, A.eeocExists, A.eeocCreated, A.buildEeocV3),
  v3: { dates: true },
};

/** v1 list paths (relative to /v1) and the lists they serve. */
export const V1_LISTS: Readonly<Record<string, ListDef>> = {
  "/departments": departments,
  "/offices": offices,
  "/user_roles": userRoles,
  "/custom_fields": customFieldsV1,
  "/rejection_reasons": rejectionReasons,
  "/close_reasons": closeReasons,
  "/degrees": degrees,
  "/schools": schools,
  "/disciplines": disciplines,
  "/tags/candidate": tags,
  "/email_templates": emailTemplates,
  "/job_posts": jobPosts,
  "/job_stages": jobStages,
  "/scheduled_interviews": interviews,
  "/demographics/question_sets": questionSets,
  "/demographics/questions": questions,
  "/demographics/answer_options": answerOptions,
  "/demographics/answers": demographicAnswers,
};

/**
 * v1 lists the reference also lists per application, at `/applications/{id}<path>` with the
 * list's paging ("List Scheduled Interviews for Application", "List Demographic Answers For
 * Application"); v1.ts answers offers and scorecards per application.
 */
export const V1_APPLICATION_LISTS: ReadonlySet<string> = new Set([
  "/scheduled_interviews",
  "/demographics/answers",
]);

/**
 * v1 lists with a documented single-record GET at `<path>/{id}` (the others, e.g. rejection
 * reasons and tags, have none and answer 404).
 */
export const V1_RECORD_GETS: ReadonlySet<string> = new Set([
  "/departments",
  "/offices",
  "/email_templates",
  "/job_posts",
  "/job_stages",
  "/scheduled_interviews",
  "/demographics/question_sets",
  "/demographics/questions",
  "/demographics/answer_options",
  "/demographics/answers",
]);

/** v3 list paths (relative to /v3) and the lists they serve. */
export const V3_LISTS: Readonly<Record<string, ListDef>> = {
  "/departments": departments,
  "/offices": offices,
  "/user_roles": userRoles,
  "/custom_fields": customFieldsV3,
  "/custom_field_options": customFieldOptions,
  "/rejection_reasons": rejectionReasons,
  "/close_reasons": closeReasons,
  "/candidate_tags": tags,
  "/email_templates": emailTemplates,
  "/job_posts": jobPosts,
  "/job_interview_stages": jobStages,
  "/openings": openings,
  "/job_hiring_managers": hiringManagers,
  "/job_owners": jobOwners,
  "/approval_flows": approvals,
  "/interviews": interviews,
  "/application_stages": applicationStages,
  "/demographic_question_sets": questionSets,
  "/demographic_questions": questions,
  "/demographic_answer_options": answerOptions,
  "/demographic_answers": demographicAnswers,
  "/eeoc": eeoc,
  ...V3_OWN_LISTS,
};
