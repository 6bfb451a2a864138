/**
 * The Harvest list entities as one table of data: the seven the tool started with, then every
 * other list endpoint of v1 and v3 a warehouse needs (docs/entities.md lists them with their
 * sources). Every entity command is one code path driven by this table; adding an entity means
 * adding a row. Each row also says where the entity comes in a sync (after what it references)
 * and which of its fields name other entities, which `check` cross-references.
 */

import { RunError } from "./errors.ts";
import { parseId, positiveId } from "./ids.ts";

// deno-lint-ignore no-explicit-any
export type ApiRecord = Record<string, any>;

export const ENTITY_NAMES = [
  "applications",
  "candidates",
  "jobs",
  "offers",
  "prospect_pools",
  "scorecards",
  "sources",
  // Reference data and the other list endpoints (rows in MORE_ENTITIES below).
  "departments",
  "offices",
  "users",
  "user_roles",
  "custom_fields",
  "rejection_reasons",
  "close_reasons",
  "degrees",
  "schools",
  "disciplines",
  "tags",
  "email_templates",
  "job_posts",
  "job_stages",
  "job_openings",
  "job_hiring_managers",
  "job_owners",
  "approvals",
  "scheduled_interviews",
  "application_stages",
  "demographic_question_sets",
  "demographic_questions",
  "demographic_answer_options",
  "demographic_answers",
  "eeoc",
  // The lists v3 has of their own, most of which v1 embeds in the records above (rows in
  // V3_ONLY_LISTS below; docs/entities.md).
  "prospect_pool_stages",
  "referrers",
  "user_emails",
  "interviewer_tags",
  "custom_field_options",
  "custom_field_departments",
  "custom_field_offices",
  "job_boards",
  "job_board_custom_locations",
  "user_job_permissions",
  "future_job_permissions",
  "job_notes",
  "candidate_attribute_types",
  "job_candidate_attributes",
  "job_interviews",
  "interview_kits",
  "default_interviewers",
  "focus_candidate_attributes",
  "scorecard_questions",
  "scorecard_question_options",
  "scorecard_question_candidate_attributes",
  "approver_groups",
  "approvers",
  "pay_inputs",
  "pay_input_ranges",
  "job_post_locations",
  "job_post_searchable_locations",
  "tracking_links",
  "blocked_spam_sources",
  "candidate_educations",
  "candidate_employments",
  "applied_candidate_tags",
  "ai_opt_out_statuses",
  "rejection_details",
  "prospect_details",
  "scorecard_question_answers",
  "scorecard_question_answer_options",
  "scorecard_candidate_attributes",
  "interviewers",
  "interview_media",
] as const;
export type EntityName = typeof ENTITY_NAMES[number];

/** The Harvest API versions the tool speaks: v1 (Basic auth, Link paging) and v3 (OAuth, cursors). */
export type ApiVersion = "v1" | "v3";
export const API_VERSIONS: readonly ApiVersion[] = ["v1", "v3"];

/** v1 list filters selecting records changed at or after a time. */
export type UpdatedFilter = "updated_after" | "last_activity_after";

/** A field of a record that names a record of another entity by id. */
export interface Reference {
  /** The field as the API names it, e.g. "candidate_id" (v1 `jobs[].id` is v3 `job_id`). */
  field: string;
  /** The entity whose ids the field holds. */
  entity: EntityName;
  /** The ids a record names through the field, in either version's shape (not yet validated). */
  ids: (record: ApiRecord) => unknown[];
  /**
   * Whether `check` also lists the named entity's records that no record names through this
   * field (e.g. candidates without applications). Ids named but not cached are always listed.
   */
  listUnnamed: boolean;
  /**
   * Ids the record's index.csv moniker names, for records that do not carry the field (v3
   * scorecards name no candidate: their moniker is their application's candidate, looked up
   * when they were written; see `monikerVia`).
   */
  fromMoniker?: (moniker: string) => unknown[];
  /**
   * The named record is the one this record belongs to: whoever the parent's record concerns,
   * this one does too. A v3 scorecard answer names only its scorecard, which names only its
   * application; the privacy commands follow such references to find a person's records in lists
   * that name no candidate or application (privacy/personal_lists.ts).
   */
  parent?: boolean;
}

/**
 * Where a version's records lack what their moniker needs, the record that has it: v3 scorecards
 * name no candidate, only their application ("application_id: ... use it to look up the
 * candidate via the applications endpoint", the v3 scorecards reference as recorded in
 * github.com/airbytehq/airbyte, airbyte-integrations/connectors/source-greenhouse/manifest.yaml).
 * Writing such a record looks the named record up in the cache (or asks the API for it) and
 * hands the result to `Entity.moniker` as its second argument.
 */
export interface MonikerVia {
  /** The record's field naming the other record, e.g. "application_id". */
  field: string;
  /** The entity of the named record; it comes earlier in a sync. */
  entity: EntityName;
  /** What the moniker takes from the named record's own index.csv moniker (when cached). */
  fromMoniker(moniker: string): string;
  /**
   * The same from the named record itself (when it had to be requested). Absent: the named
   * record's own moniker is computed (through its own `monikerVia` where it has one, so a chain
   * such as answer → scorecard → application resolves) and `fromMoniker` read from it.
   */
  fromRecord?(record: ApiRecord): string;
}

export interface Entity {
  name: EntityName;
  /** One line for --help. */
  summary: string;
  /** List endpoint path relative to the base URL: v1's, or v3's for an entity only v3 lists. */
  path: string;
  /** One record, in prose (for messages): "application". */
  noun: string;
  /**
   * List endpoint per API version; undefined where that version has no equivalent. The seven
   * keep their names in v3 (https://harvestdocs.greenhouse.io/docs/list-endpoints;
   * docs/api-versions.md records the renamed fields); docs/entities.md has the others.
   */
  paths: Record<ApiVersion, string | undefined>;
  /**
   * Query parameters every listing of the entity sends on its first page, per version: what
   * makes the list whole (v3 users hide service accounts unless asked) or selects the records
   * (v3 degrees are the custom field options of the `degree` field).
   */
  listParams?: Partial<Record<ApiVersion, Record<string, string>>>;
  /**
   * Where a version's list hides records by default, the queries that together list them all,
   * per version: a whole listing of the entity runs once per variant (each merged into
   * `listParams`), one after the other into the same folder. v3 job posts list active posts
   * only unless `active=false` ("Deleted posts are excluded by default", the v3 spec), so v3
   * lists both states as v1 did. Absent: one listing.
   */
  listVariants?: Partial<Record<ApiVersion, readonly Record<string, string>[]>>;
  /**
   * Not one of the seven the tool began with. A `sync` that runs it by default (not named in
   * --only) reports a 403 as "unavailable" with a warning instead of failing: keys made for the
   * seven lack these endpoints' permissions, and a scheduled sync must not start failing when
   * the tool learns a new endpoint.
   */
  optional?: boolean;
  /**
   * v1 has no `GET <path>/{id}` for it (or has one elsewhere): `check --repair` finds a record
   * by listing the entity (small lists only).
   */
  listLookup?: boolean;
  /**
   * The record's moniker begins with the id of the candidate ("candidates") or the application
   * ("applications") it belongs to: `<id>` or `<id>/…`. The privacy commands find a person's
   * records in index.csv by it, without reading every record; every entity referencing candidates
   * or applications declares it (a unit test holds the table to that).
   */
  monikerOwner?: "candidates" | "applications";
  /**
   * Whether the list endpoint takes a creation-date filter, per version: v1's created_after /
   * created_before, v3's `created_at` (which every v3 list has, sources and prospect pools too:
   * https://harvestdocs.greenhouse.io/docs/list-endpoints).
   */
  createdFilters: Record<ApiVersion, boolean>;
  /**
   * The list filter `sync` uses to ask only for records changed since its last run (v1 names;
   * the dialect turns it into the request parameter). null: no such filter, fetched whole.
   */
  updatedFilter: UpdatedFilter | null;
  /**
   * The index.csv moniker, compatible with the existing Python extractor's `check`. `via` is
   * what `monikerVia` looked up for records that lack a field (undefined otherwise).
   */
  moniker: (record: ApiRecord, via?: string) => string;
  /**
   * A v3 list of what v1 embeds in another entity's records (v3's candidate educations are v1
   * candidates' `educations`): that entity. A v1 cache holds these facts inside its records;
   * docs/api-versions.md maps them field by field.
   */
  embeddedInV1?: EntityName;
  /** Per version, where the moniker's missing field is looked up (see MonikerVia). */
  monikerVia?: Partial<Record<ApiVersion, MonikerVia>>;
  /**
   * Where the entity comes in a sync, 1 first: after every entity it references, so a synced
   * record's references are in the cache before it (a unit test holds the table to that).
   */
  order: number;
  /** The fields naming records of other entities. */
  references: readonly Reference[];
}

const idOrEmpty = (
  value: unknown,
): string => (value === null || value === undefined ? "" : String(value));

/** "first last": names as given (not trimmed), nulls skipped, joined by one space. */
export function personName(record: ApiRecord): string {
  return [record.first_name, record.last_name]
    .filter((part) => part !== null && part !== undefined)
    .map(String)
    .join(" ");
}

/** An application's first job id: v1 has `jobs[]`, v3 has `job_id`. Prospects may have none. */
function firstJobId(record: ApiRecord): string {
  if (Array.isArray(record.jobs)) return idOrEmpty(record.jobs[0]?.id);
  return idOrEmpty(record.job_id);
}

/** An application's job ids: v1 lists `jobs[]` (prospects may have several or none), v3 has `job_id`. */
function jobIds(record: ApiRecord): unknown[] {
  return Array.isArray(record.jobs)
    ? record.jobs.map((job: ApiRecord) => job?.id)
    : [record.job_id];
}

/** An application's source: v1 embeds `source`, v3 names `source_id`. */
function sourceIds(record: ApiRecord): unknown[] {
  return [record.source_id !== undefined ? record.source_id : record.source?.id];
}

/** The candidate id an index moniker starts with ("123", "123/7"), or nothing. */
function monikerCandidate(moniker: string): unknown[] {
  const id = parseId(moniker.split("/")[0]);
  return id === undefined ? [] : [id];
}

const candidateId: Omit<Reference, "listUnnamed"> = {
  field: "candidate_id",
  entity: "candidates",
  ids: (record) => [record.candidate_id],
};

/** The seven entities the tool began with (every key has their permissions). */
type CoreEntityName =
  | "applications"
  | "candidates"
  | "jobs"
  | "offers"
  | "prospect_pools"
  | "scorecards"
  | "sources";

/** A field's value as a moniker part ("" for null or absent). */
const part = (record: ApiRecord, field: string): string => idOrEmpty(record?.[field]);

/** A reference held in one plain field (v1 and v3 alike). */
function fieldRef(field: string, entity: EntityName): Reference {
  return { field, entity, ids: (record) => [record[field]], listUnnamed: false };
}

/**
 * A reference v1 embeds as an object (or a list of objects) and v3 gives as an id (or ids):
 * e.g. v1 `organizer.id`, v3 `organizer_id`.
 */
function embeddedRef(
  v1Field: string,
  v3Field: string,
  entity: EntityName,
  list = false,
): Reference {
  return {
    field: `${v1Field}${list ? "[]" : ""}.id`,
    entity,
    ids(record) {
      const embedded = record[v1Field];
      if (Array.isArray(embedded)) return embedded.map((item: ApiRecord) => item?.id);
      if (embedded !== undefined) return [embedded?.id];
      const ids = record[v3Field];
      return Array.isArray(ids) ? ids : [ids];
    },
    listUnnamed: false,
  };
}

/**
 * A small list everyone reads whole, listed in full by every sync: v1 has no date filter for it,
 * v3 its `created_at` as on every list.
 */
const referenceList = {
  createdFilters: { v1: false, v3: true },
  updatedFilter: null,
  references: [],
  optional: true,
} as const;

/** An interview's start: v1 `start.date_time` or `start.date` (all-day), v3 `starts_at`/`all_day_start_on`. */
function interviewStart(record: ApiRecord): string {
  const start = record.start;
  return idOrEmpty(
    start?.date_time ?? start?.date ?? record.starts_at ?? record.all_day_start_on,
  );
}

/**
 * Every list endpoint besides the seven that a warehouse needs, where the version has one.
 * Sources, paging style and filters per endpoint: docs/entities.md.
 */
const MORE_ENTITIES: { [N in Exclude<EntityName, CoreEntityName | V3ListName>]: Entity } = {
  departments: {
    ...referenceList,
    name: "departments",
    noun: "department",
    summary: "Departments (flat list, with parent and child ids)",
    path: "/departments",
    paths: { v1: "/departments", v3: "/departments" },
    moniker: (r) => part(r, "name"),
    order: 8,
  },
  offices: {
    ...referenceList,
    name: "offices",
    noun: "office",
    summary: "Offices (flat list, with parent and child ids)",
    path: "/offices",
    paths: { v1: "/offices", v3: "/offices" },
    moniker: (r) => part(r, "name"),
    order: 9,
  },
  users: {
    name: "users",
    noun: "user",
    summary: "Greenhouse users (recruiters, interviewers, admins), deactivated ones included",
    path: "/users",
    paths: { v1: "/users", v3: "/users" },
    listParams: { v3: { show_service_accounts: "true" } },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: personName,
    order: 10,
    references: [
      embeddedRef("departments", "department_ids", "departments", true),
      embeddedRef("offices", "office_ids", "offices", true),
    ],
    optional: true,
  },
  user_roles: {
    ...referenceList,
    listLookup: true,
    name: "user_roles",
    noun: "user role",
    summary: "The roles a user can be given",
    path: "/user_roles",
    paths: { v1: "/user_roles", v3: "/user_roles" },
    moniker: (r) => part(r, "name"),
    order: 11,
  },
  custom_fields: {
    ...referenceList,
    listLookup: true,
    name: "custom_fields",
    noun: "custom field",
    summary: "Custom field definitions of every type, inactive ones included",
    path: "/custom_fields",
    paths: { v1: "/custom_fields", v3: "/custom_fields" },
    listParams: { v1: { include_inactive: "true" } },
    moniker: (r) => `${part(r, "field_type")}/${part(r, "name")}`,
    order: 12,
  },
  rejection_reasons: {
    ...referenceList,
    listLookup: true,
    name: "rejection_reasons",
    noun: "rejection reason",
    summary: "Rejection reasons, Greenhouse's defaults included",
    path: "/rejection_reasons",
    paths: { v1: "/rejection_reasons", v3: "/rejection_reasons" },
    listParams: { v1: { include_defaults: "true" }, v3: { include_defaults: "true" } },
    moniker: (r) => part(r, "name"),
    order: 13,
  },
  close_reasons: {
    ...referenceList,
    listLookup: true,
    name: "close_reasons",
    noun: "close reason",
    summary: "Reasons a job opening was closed",
    path: "/close_reasons",
    paths: { v1: "/close_reasons", v3: "/close_reasons" },
    moniker: (r) => part(r, "name"),
    order: 14,
  },
  degrees: {
    ...referenceList,
    listLookup: true,
    name: "degrees",
    noun: "degree",
    summary: "Degree levels for candidates' education",
    path: "/degrees",
    paths: { v1: "/degrees", v3: "/custom_field_options" },
    listParams: { v3: { custom_field_key: "degree" } },
    moniker: (r) => part(r, "name"),
    order: 15,
  },
  schools: {
    ...referenceList,
    listLookup: true,
    name: "schools",
    noun: "school",
    summary: "Schools for candidates' education",
    path: "/schools",
    paths: { v1: "/schools", v3: "/custom_field_options" },
    listParams: { v3: { custom_field_key: "school_name" } },
    moniker: (r) => part(r, "name"),
    order: 16,
  },
  disciplines: {
    ...referenceList,
    listLookup: true,
    name: "disciplines",
    noun: "discipline",
    summary: "Disciplines for candidates' education",
    path: "/disciplines",
    paths: { v1: "/disciplines", v3: "/custom_field_options" },
    listParams: { v3: { custom_field_key: "discipline" } },
    moniker: (r) => part(r, "name"),
    order: 17,
  },
  tags: {
    ...referenceList,
    listLookup: true,
    name: "tags",
    noun: "candidate tag",
    summary: "Candidate tags",
    path: "/tags/candidate",
    paths: { v1: "/tags/candidate", v3: "/candidate_tags" },
    moniker: (r) => part(r, "name"),
    order: 18,
  },
  email_templates: {
    ...referenceList,
    name: "email_templates",
    noun: "email template",
    summary: "Email templates, organisation-wide and personal",
    path: "/email_templates",
    paths: { v1: "/email_templates", v3: "/email_templates" },
    createdFilters: { v1: true, v3: true },
    moniker: (r) => part(r, "name"),
    order: 19,
    references: [embeddedRef("user", "user_id", "users")],
  },
  job_posts: {
    name: "job_posts",
    noun: "job post",
    summary: "Job posts (job board listings), with their application questions, deleted ones too",
    path: "/job_posts",
    paths: { v1: "/job_posts", v3: "/job_posts" },
    // v1 lists both states; v3 hides deleted posts unless asked (docs/entities.md#job-posts).
    listVariants: { v3: [{ active: "true" }, { active: "false" }] },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => part(r, "title"),
    order: 20,
    references: [fieldRef("job_id", "jobs")],
    optional: true,
  },
  job_stages: {
    name: "job_stages",
    noun: "job stage",
    summary: "The interview stages of every job (v3: job interview stages)",
    path: "/job_stages",
    paths: { v1: "/job_stages", v3: "/job_interview_stages" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "job_id")}/${part(r, "name")}`,
    order: 21,
    references: [fieldRef("job_id", "jobs")],
    optional: true,
  },
  job_openings: {
    name: "job_openings",
    noun: "job opening",
    summary: "Job openings (v3 only; v1 embeds them in jobs)",
    path: "/openings",
    paths: { v1: undefined, v3: "/openings" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "job_id")}/${part(r, "opening_id")}`,
    order: 22,
    references: [fieldRef("job_id", "jobs")],
    optional: true,
  },
  job_hiring_managers: {
    name: "job_hiring_managers",
    noun: "job hiring manager",
    summary: "Hiring managers of every job (v3 only; v1 embeds the hiring team in jobs)",
    path: "/job_hiring_managers",
    paths: { v1: undefined, v3: "/job_hiring_managers" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "job_id")}/${part(r, "user_id")}`,
    order: 23,
    references: [fieldRef("job_id", "jobs"), fieldRef("user_id", "users")],
    optional: true,
  },
  job_owners: {
    name: "job_owners",
    noun: "job owner",
    summary: "Recruiters, coordinators and sourcers of every job (v3 only)",
    path: "/job_owners",
    paths: { v1: undefined, v3: "/job_owners" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "job_id")}/${part(r, "type")}/${part(r, "user_id")}`,
    order: 24,
    references: [fieldRef("job_id", "jobs"), fieldRef("user_id", "users")],
    optional: true,
  },
  approvals: {
    name: "approvals",
    noun: "approval flow",
    summary: "Approval flows of jobs and offers (v3 only; v1 lists them per job)",
    path: "/approval_flows",
    paths: { v1: undefined, v3: "/approval_flows" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "job_id")}/${part(r, "approval_type")}`,
    order: 25,
    references: [fieldRef("job_id", "jobs")],
    optional: true,
  },
  scheduled_interviews: {
    name: "scheduled_interviews",
    noun: "scheduled interview",
    summary: "Scheduled interviews (v3: interviews), with organizer and interviewers",
    path: "/scheduled_interviews",
    paths: { v1: "/scheduled_interviews", v3: "/interviews" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "application_id")}/${interviewStart(r)}`,
    order: 26,
    references: [
      fieldRef("application_id", "applications"),
      embeddedRef("organizer", "organizer_id", "users"),
    ],
    optional: true,
    monikerOwner: "applications",
  },
  application_stages: {
    name: "application_stages",
    noun: "application stage",
    summary: "Every stage each application entered and left (v3 only)",
    path: "/application_stages",
    paths: { v1: undefined, v3: "/application_stages" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "application_id")}/${part(r, "job_interview_stage_id")}`,
    order: 27,
    references: [
      fieldRef("application_id", "applications"),
      fieldRef("job_interview_stage_id", "job_stages"),
    ],
    optional: true,
    monikerOwner: "applications",
  },
  demographic_question_sets: {
    ...referenceList,
    name: "demographic_question_sets",
    noun: "demographic question set",
    summary: "Demographic question sets",
    path: "/demographics/question_sets",
    paths: { v1: "/demographics/question_sets", v3: "/demographic_question_sets" },
    moniker: (r) => part(r, "title"),
    order: 28,
  },
  demographic_questions: {
    ...referenceList,
    name: "demographic_questions",
    noun: "demographic question",
    summary: "Demographic questions",
    path: "/demographics/questions",
    paths: { v1: "/demographics/questions", v3: "/demographic_questions" },
    // v3 gives them no created_at (https://harvestdocs.greenhouse.io/docs/standardizations)
    createdFilters: { v1: false, v3: false },
    moniker: (r) => part(r, "name"),
    order: 29,
    references: [fieldRef("demographic_question_set_id", "demographic_question_sets")],
  },
  demographic_answer_options: {
    ...referenceList,
    name: "demographic_answer_options",
    noun: "demographic answer option",
    summary: "The answers a demographic question offers",
    path: "/demographics/answer_options",
    paths: { v1: "/demographics/answer_options", v3: "/demographic_answer_options" },
    // v3 gives them no created_at (https://harvestdocs.greenhouse.io/docs/standardizations)
    createdFilters: { v1: false, v3: false },
    moniker: (r) => part(r, "name"),
    order: 30,
    references: [fieldRef("demographic_question_id", "demographic_questions")],
  },
  demographic_answers: {
    name: "demographic_answers",
    noun: "demographic answer",
    summary: "Applicants' answers to demographic questions",
    path: "/demographics/answers",
    paths: { v1: "/demographics/answers", v3: "/demographic_answers" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "application_id")}/${part(r, "demographic_question_id")}`,
    order: 31,
    references: [
      fieldRef("application_id", "applications"),
      fieldRef("demographic_question_id", "demographic_questions"),
      fieldRef("demographic_answer_option_id", "demographic_answer_options"),
    ],
    optional: true,
    monikerOwner: "applications",
  },
  eeoc: {
    name: "eeoc",
    noun: "EEOC response",
    summary: "EEOC self-identification responses (v3 only: v1's records carry no id)",
    path: "/eeoc",
    paths: { v1: undefined, v3: "/eeoc" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${part(r, "candidate_id")}/${part(r, "application_id")}`,
    order: 32,
    references: [
      { ...candidateId, listUnnamed: false },
      fieldRef("application_id", "applications"),
    ],
    optional: true,
    monikerOwner: "candidates",
  },
};

/** The lists of V3_ONLY_LISTS below: v3's own lists of what v1 embeds, and its configuration lists. */
type V3ListName =
  & typeof ENTITY_NAMES[number]
  & (
    | "prospect_pool_stages"
    | "referrers"
    | "user_emails"
    | "interviewer_tags"
    | "custom_field_options"
    | "custom_field_departments"
    | "custom_field_offices"
    | "job_boards"
    | "job_board_custom_locations"
    | "user_job_permissions"
    | "future_job_permissions"
    | "job_notes"
    | "candidate_attribute_types"
    | "job_candidate_attributes"
    | "job_interviews"
    | "interview_kits"
    | "default_interviewers"
    | "focus_candidate_attributes"
    | "scorecard_questions"
    | "scorecard_question_options"
    | "scorecard_question_candidate_attributes"
    | "approver_groups"
    | "approvers"
    | "pay_inputs"
    | "pay_input_ranges"
    | "job_post_locations"
    | "job_post_searchable_locations"
    | "tracking_links"
    | "blocked_spam_sources"
    | "candidate_educations"
    | "candidate_employments"
    | "applied_candidate_tags"
    | "ai_opt_out_statuses"
    | "rejection_details"
    | "prospect_details"
    | "scorecard_question_answers"
    | "scorecard_question_answer_options"
    | "scorecard_candidate_attributes"
    | "interviewers"
    | "interview_media"
  );

/** A reference to the record this one belongs to (see `Reference.parent`). */
function parentRef(field: string, entity: EntityName): Reference {
  return { ...fieldRef(field, entity), parent: true };
}

/**
 * The owner id of a v3 record that names only its parent: the first part of the parent's
 * moniker (a scorecard's is its candidate's id, an interview's begins with its application's).
 */
function viaParent(field: string, entity: EntityName): MonikerVia {
  return { field, entity, fromMoniker: (moniker) => moniker.split("/")[0] };
}

/** `owner/field/…`: the owner's id looked up through the parent (`via`), then the fields. */
function ownedMoniker(ownerField: string, ...fields: string[]): Entity["moniker"] {
  return (r, via) => [via ?? part(r, ownerField), ...fields.map((f) => part(r, f))].join("/");
}

interface V3ListRow {
  noun: string;
  summary: string;
  order: number;
  moniker: Entity["moniker"];
  references?: Reference[];
  /** A small organisation-wide list, listed whole by every sync (else by `updated_at`). */
  whole?: boolean;
  monikerOwner?: Entity["monikerOwner"];
  monikerVia?: MonikerVia;
  embeddedInV1?: EntityName;
}

/**
 * A list only v3 has, at `/v3/<name>`. Every v3 list takes `created_at` and `updated_at`
 * (src/schemas/v3_spec.json, the facts of Greenhouse's own v3 spec), so each is synced by
 * `updated_at` unless it is small configuration read whole. All are optional: keys made for the
 * seven lack their scopes.
 */
function v3List(name: V3ListName, row: V3ListRow): Entity {
  const path = `/${name}`;
  return {
    name,
    noun: row.noun,
    summary: row.summary,
    path,
    paths: { v1: undefined, v3: path },
    createdFilters: { v1: false, v3: true },
    updatedFilter: row.whole ? null : "updated_after",
    moniker: row.moniker,
    order: row.order,
    references: row.references ?? [],
    optional: true,
    ...(row.monikerOwner ? { monikerOwner: row.monikerOwner } : {}),
    ...(row.monikerVia ? { monikerVia: { v3: row.monikerVia } } : {}),
    ...(row.embeddedInV1 ? { embeddedInV1: row.embeddedInV1 } : {}),
  };
}

/**
 * Every other GET list of Greenhouse's v3 spec that holds data (docs/entities.md says why
 * `bulk_requests` and `webhooks` are not among them). Fields and their meaning:
 * src/schemas/v3_spec.json and the spec's descriptions.
 */
const V3_ONLY_LISTS: { [N in V3ListName]: Entity } = {
  prospect_pool_stages: v3List("prospect_pool_stages", {
    noun: "prospect pool stage",
    summary: "The stages of every prospect pool (v1 embeds them in prospect pools)",
    embeddedInV1: "prospect_pools",
    order: 33,
    whole: true,
    moniker: (r) => `${part(r, "prospect_pool_id")}/${part(r, "name")}`,
    references: [fieldRef("prospect_pool_id", "prospect_pools")],
  }),
  referrers: v3List("referrers", {
    noun: "referrer",
    summary: "Referrers applications credit (v1 embeds the user as credited_to)",
    embeddedInV1: "applications",
    order: 34,
    whole: true,
    moniker: (r) => part(r, "name"),
    references: [fieldRef("user_id", "users")],
  }),
  user_emails: v3List("user_emails", {
    noun: "user e-mail",
    summary: "Every e-mail address of every user (v1 embeds them in users)",
    embeddedInV1: "users",
    order: 35,
    whole: true,
    moniker: (r) => `${part(r, "user_id")}/${part(r, "email")}`,
    references: [fieldRef("user_id", "users")],
  }),
  interviewer_tags: v3List("interviewer_tags", {
    noun: "interviewer tag",
    summary: "Interviewer tags (interviewer groups)",
    order: 36,
    whole: true,
    moniker: (r) => part(r, "name"),
  }),
  custom_field_options: v3List("custom_field_options", {
    noun: "custom field option",
    summary: "The options of every custom field, archived ones included (v1 embeds them)",
    embeddedInV1: "custom_fields",
    order: 37,
    whole: true,
    moniker: (r) => `${part(r, "custom_field_id")}/${part(r, "name")}`,
    references: [fieldRef("custom_field_id", "custom_fields")],
  }),
  custom_field_departments: v3List("custom_field_departments", {
    noun: "custom field department",
    summary: "The departments a custom field is limited to",
    order: 38,
    whole: true,
    moniker: (r) => `${part(r, "custom_field_id")}/${part(r, "department_id")}`,
    references: [
      fieldRef("custom_field_id", "custom_fields"),
      fieldRef("department_id", "departments"),
    ],
  }),
  custom_field_offices: v3List("custom_field_offices", {
    noun: "custom field office",
    summary: "The offices a custom field is limited to",
    order: 39,
    whole: true,
    moniker: (r) => `${part(r, "custom_field_id")}/${part(r, "office_id")}`,
    references: [fieldRef("custom_field_id", "custom_fields"), fieldRef("office_id", "offices")],
  }),
  job_boards: v3List("job_boards", {
    noun: "job board",
    summary: "Job boards (external and internal)",
    order: 40,
    whole: true,
    moniker: (r) => part(r, "url_token"),
  }),
  job_board_custom_locations: v3List("job_board_custom_locations", {
    noun: "job board custom location",
    summary: "The locations a job board offers its posts, removed ones included",
    order: 41,
    whole: true,
    moniker: (r) => `${part(r, "greenhouse_job_board_id")}/${part(r, "value")}`,
    references: [fieldRef("greenhouse_job_board_id", "job_boards")],
  }),
  user_job_permissions: v3List("user_job_permissions", {
    noun: "user job permission",
    summary: "Which users may see which job, in which role (v1 lists them per user)",
    order: 42,
    moniker: (r) => `${part(r, "job_id")}/${part(r, "user_id")}`,
    references: [
      fieldRef("job_id", "jobs"),
      fieldRef("user_id", "users"),
      fieldRef("role_id", "user_roles"),
    ],
  }),
  future_job_permissions: v3List("future_job_permissions", {
    noun: "future job permission",
    summary: "The roles users get on future jobs of a department or office",
    order: 43,
    whole: true,
    moniker: (r) => `${part(r, "user_id")}/${part(r, "department_id")}/${part(r, "office_id")}`,
    references: [
      fieldRef("user_id", "users"),
      fieldRef("department_id", "departments"),
      fieldRef("office_id", "offices"),
      fieldRef("role_id", "user_roles"),
    ],
  }),
  job_notes: v3List("job_notes", {
    noun: "job note",
    summary: "Notes left on jobs",
    order: 44,
    moniker: (r) => `${part(r, "job_id")}/${part(r, "user_id")}`,
    references: [fieldRef("job_id", "jobs"), fieldRef("user_id", "users")],
  }),
  candidate_attribute_types: v3List("candidate_attribute_types", {
    noun: "candidate attribute type",
    summary: "The attributes each job rates candidates on",
    order: 45,
    moniker: (r) => `${part(r, "job_id")}/${part(r, "name")}`,
    references: [fieldRef("job_id", "jobs")],
  }),
  job_candidate_attributes: v3List("job_candidate_attributes", {
    noun: "job candidate attribute",
    summary: "The candidate attributes of each job's scorecards",
    order: 46,
    moniker: (r) => `${part(r, "job_id")}/${part(r, "name")}`,
    references: [
      fieldRef("job_id", "jobs"),
      fieldRef("candidate_attribute_type_id", "candidate_attribute_types"),
    ],
  }),
  job_interviews: v3List("job_interviews", {
    noun: "job interview",
    summary: "The interviews of each job's interview plan (v1 embeds them in job stages)",
    embeddedInV1: "job_stages",
    order: 47,
    moniker: (r) => `${part(r, "job_id")}/${part(r, "name")}`,
    references: [
      fieldRef("job_id", "jobs"),
      fieldRef("job_interview_stage_id", "job_stages"),
    ],
  }),
  interview_kits: v3List("interview_kits", {
    noun: "interview kit",
    summary: "The interview kit of each job interview (v1 embeds them in job stages)",
    embeddedInV1: "job_stages",
    order: 48,
    moniker: (r) => `${part(r, "job_id")}/${part(r, "job_interview_id")}`,
    references: [
      fieldRef("job_id", "jobs"),
      fieldRef("job_interview_id", "job_interviews"),
    ],
  }),
  default_interviewers: v3List("default_interviewers", {
    noun: "default interviewer",
    summary: "The interviewers an interview kit suggests (v1 embeds them in job stages)",
    embeddedInV1: "job_stages",
    order: 49,
    moniker: (r) => `${part(r, "interview_kit_id")}/${part(r, "user_id")}`,
    references: [
      fieldRef("user_id", "users"),
      fieldRef("interview_kit_id", "interview_kits"),
    ],
  }),
  focus_candidate_attributes: v3List("focus_candidate_attributes", {
    noun: "focus candidate attribute",
    summary: "The candidate attributes each interview kit focuses on",
    order: 50,
    moniker: (r) => `${part(r, "interview_kit_id")}/${part(r, "job_candidate_attribute_id")}`,
    references: [
      fieldRef("interview_kit_id", "interview_kits"),
      fieldRef("job_candidate_attribute_id", "job_candidate_attributes"),
    ],
  }),
  scorecard_questions: v3List("scorecard_questions", {
    noun: "scorecard question",
    summary: "The questions of each interview kit's scorecard, removed ones included",
    embeddedInV1: "job_stages",
    order: 51,
    moniker: (r) => `${part(r, "interview_kit_id")}/${part(r, "sort_order")}`,
    references: [fieldRef("interview_kit_id", "interview_kits")],
  }),
  scorecard_question_options: v3List("scorecard_question_options", {
    noun: "scorecard question option",
    summary: "The choices of select-type scorecard questions",
    order: 52,
    moniker: (r) => `${part(r, "scorecard_question_id")}/${part(r, "name")}`,
    references: [fieldRef("scorecard_question_id", "scorecard_questions")],
  }),
  scorecard_question_candidate_attributes: v3List("scorecard_question_candidate_attributes", {
    noun: "scorecard question candidate attribute",
    summary: "The focus attributes each scorecard question assesses",
    order: 53,
    moniker: (r) =>
      `${part(r, "scorecard_question_id")}/${part(r, "focus_candidate_attribute_id")}`,
    references: [
      fieldRef("scorecard_question_id", "scorecard_questions"),
      fieldRef("focus_candidate_attribute_id", "focus_candidate_attributes"),
    ],
  }),
  approver_groups: v3List("approver_groups", {
    noun: "approver group",
    summary: "The groups of approvers of each approval flow",
    order: 54,
    moniker: (r) => `${part(r, "approval_flow_id")}/${part(r, "sort_order")}`,
    references: [fieldRef("approval_flow_id", "approvals")],
  }),
  approvers: v3List("approvers", {
    noun: "approver",
    summary: "The approvers of each approver group and their answers",
    order: 55,
    moniker: (r) => `${part(r, "approver_group_id")}/${part(r, "user_id")}`,
    references: [
      fieldRef("approver_group_id", "approver_groups"),
      fieldRef("user_id", "users"),
      fieldRef("resolved_by_id", "users"),
      fieldRef("reminder_sent_by_id", "users"),
      fieldRef("added_by_custom_field_id", "custom_fields"),
    ],
  }),
  pay_inputs: v3List("pay_inputs", {
    noun: "pay input",
    summary: "The pay components job posts show (pay transparency)",
    order: 56,
    whole: true,
    moniker: (r) => part(r, "title"),
    references: [fieldRef("linked_custom_field_id", "custom_fields")],
  }),
  pay_input_ranges: v3List("pay_input_ranges", {
    noun: "pay input range",
    summary: "The pay range each job post shows per pay input",
    order: 57,
    moniker: (r) => `${part(r, "job_post_id")}/${part(r, "pay_input_id")}`,
    references: [fieldRef("pay_input_id", "pay_inputs"), fieldRef("job_post_id", "job_posts")],
  }),
  job_post_locations: v3List("job_post_locations", {
    noun: "job post location",
    summary: "The location of each job post (v1 embeds it in job posts)",
    embeddedInV1: "job_posts",
    order: 58,
    moniker: (r) => `${part(r, "job_post_id")}/${part(r, "type")}`,
    references: [
      fieldRef("job_post_id", "job_posts"),
      fieldRef("office_id", "offices"),
      fieldRef("custom_location_id", "job_board_custom_locations"),
    ],
  }),
  job_post_searchable_locations: v3List("job_post_searchable_locations", {
    noun: "job post searchable location",
    summary: "The geocoded locations job boards search job posts by",
    order: 59,
    moniker: (r) => `${part(r, "job_post_id")}/${part(r, "location")}`,
    references: [fieldRef("job_post_id", "job_posts")],
  }),
  tracking_links: v3List("tracking_links", {
    noun: "tracking link",
    summary: "Tracking links that credit a source to applications",
    order: 60,
    moniker: (r) => part(r, "token"),
    references: [
      fieldRef("job_id", "jobs"),
      fieldRef("source_id", "sources"),
      fieldRef("referrer_id", "referrers"),
      fieldRef("job_board_id", "job_boards"),
      fieldRef("job_post_id", "job_posts"),
    ],
  }),
  blocked_spam_sources: v3List("blocked_spam_sources", {
    noun: "blocked spam source",
    summary: "Addresses and domains whose applications are rejected as spam",
    order: 61,
    whole: true,
    moniker: (r) => `${part(r, "source_type")}/${part(r, "value")}`,
  }),
  candidate_educations: v3List("candidate_educations", {
    noun: "candidate education",
    summary: "Candidates' educations (v1 embeds them in candidates)",
    embeddedInV1: "candidates",
    order: 62,
    moniker: (r) => part(r, "candidate_id"),
    monikerOwner: "candidates",
    references: [
      { ...candidateId, listUnnamed: false },
      fieldRef("school_name_custom_field_option_id", "custom_field_options"),
      fieldRef("degree_custom_field_option_id", "custom_field_options"),
      fieldRef("discipline_custom_field_option_id", "custom_field_options"),
    ],
  }),
  candidate_employments: v3List("candidate_employments", {
    noun: "candidate employment",
    summary: "Candidates' employments (v1 embeds them in candidates)",
    embeddedInV1: "candidates",
    order: 63,
    moniker: (r) => `${part(r, "candidate_id")}/${part(r, "company_name")}`,
    monikerOwner: "candidates",
    references: [{ ...candidateId, listUnnamed: false }],
  }),
  applied_candidate_tags: v3List("applied_candidate_tags", {
    noun: "applied candidate tag",
    summary: "The tags on each candidate (v1 embeds their names in candidates)",
    embeddedInV1: "candidates",
    order: 64,
    moniker: (r) => `${part(r, "candidate_id")}/${part(r, "candidate_tag_id")}`,
    monikerOwner: "candidates",
    references: [{ ...candidateId, listUnnamed: false }, fieldRef("candidate_tag_id", "tags")],
  }),
  ai_opt_out_statuses: v3List("ai_opt_out_statuses", {
    noun: "AI opt-out decision",
    summary: "Candidates' decisions on AI-assisted review, per job",
    order: 65,
    moniker: (r) =>
      `${idOrEmpty(Array.isArray(r.candidate_ids) ? r.candidate_ids[0] : r.candidate_id)}/${
        part(r, "job_id")
      }`,
    monikerOwner: "candidates",
    references: [
      {
        field: "candidate_ids[]",
        entity: "candidates",
        ids: (record) => Array.isArray(record.candidate_ids) ? record.candidate_ids : [],
        listUnnamed: false,
      },
      fieldRef("job_id", "jobs"),
    ],
  }),
  rejection_details: v3List("rejection_details", {
    noun: "rejection detail",
    summary: "Why and when each rejected application was rejected (v1 embeds it)",
    embeddedInV1: "applications",
    order: 66,
    moniker: (r) => part(r, "application_id"),
    monikerOwner: "applications",
    references: [
      fieldRef("application_id", "applications"),
      fieldRef("rejected_by_id", "users"),
      fieldRef("rejection_reason_id", "rejection_reasons"),
    ],
  }),
  prospect_details: v3List("prospect_details", {
    noun: "prospect detail",
    summary: "Each prospect's pool, stage, owner and prospective place (v1 embeds it)",
    embeddedInV1: "applications",
    order: 67,
    moniker: (r) => part(r, "application_id"),
    monikerOwner: "applications",
    references: [
      fieldRef("application_id", "applications"),
      fieldRef("pool_id", "prospect_pools"),
      fieldRef("pool_stage_id", "prospect_pool_stages"),
      fieldRef("prospect_owner_id", "users"),
      fieldRef("department_id", "departments"),
      fieldRef("office_id", "offices"),
    ],
  }),
  scorecard_question_answers: v3List("scorecard_question_answers", {
    noun: "scorecard question answer",
    summary: "Interviewers' answers to scorecard questions (v1 embeds them in scorecards)",
    embeddedInV1: "scorecards",
    order: 68,
    moniker: ownedMoniker("candidate_id", "scorecard_id", "scorecard_question_id"),
    monikerOwner: "candidates",
    monikerVia: viaParent("scorecard_id", "scorecards"),
    references: [
      parentRef("scorecard_id", "scorecards"),
      fieldRef("scorecard_question_id", "scorecard_questions"),
    ],
  }),
  scorecard_question_answer_options: v3List("scorecard_question_answer_options", {
    noun: "scorecard question answer option",
    summary: "The options chosen in answers to select-type scorecard questions",
    embeddedInV1: "scorecards",
    order: 69,
    moniker: ownedMoniker(
      "candidate_id",
      "scorecard_question_answer_id",
      "scorecard_question_option_id",
    ),
    monikerOwner: "candidates",
    monikerVia: viaParent("scorecard_question_answer_id", "scorecard_question_answers"),
    references: [
      parentRef("scorecard_question_answer_id", "scorecard_question_answers"),
      fieldRef("scorecard_question_option_id", "scorecard_question_options"),
    ],
  }),
  scorecard_candidate_attributes: v3List("scorecard_candidate_attributes", {
    noun: "scorecard candidate attribute",
    summary: "Interviewers' ratings of candidate attributes (v1 embeds them in scorecards)",
    embeddedInV1: "scorecards",
    order: 70,
    moniker: ownedMoniker("candidate_id", "scorecard_id", "job_candidate_attribute_id"),
    monikerOwner: "candidates",
    monikerVia: viaParent("scorecard_id", "scorecards"),
    references: [
      parentRef("scorecard_id", "scorecards"),
      fieldRef("job_candidate_attribute_id", "job_candidate_attributes"),
    ],
  }),
  interviewers: v3List("interviewers", {
    noun: "interviewer",
    summary: "The panel of each scheduled interview (v1 embeds it in scheduled interviews)",
    embeddedInV1: "scheduled_interviews",
    order: 71,
    moniker: ownedMoniker("application_id", "interview_id", "user_id"),
    monikerOwner: "applications",
    monikerVia: viaParent("interview_id", "scheduled_interviews"),
    references: [
      parentRef("interview_id", "scheduled_interviews"),
      fieldRef("user_id", "users"),
      fieldRef("scorecard_id", "scorecards"),
    ],
  }),
  interview_media: v3List("interview_media", {
    noun: "interview recording",
    summary: "Recordings and transcripts of interviews (links that expire after 7 days)",
    order: 72,
    moniker: (r) => `${part(r, "application_id")}/${part(r, "interview_id")}`,
    monikerOwner: "applications",
    references: [
      fieldRef("application_id", "applications"),
      parentRef("interview_id", "scheduled_interviews"),
    ],
  }),
};

export const ENTITIES: Record<EntityName, Entity> = {
  applications: {
    name: "applications",
    noun: "application",
    summary: "Applications (candidate and prospect), with answers and attachment links",
    path: "/applications",
    paths: { v1: "/applications", v3: "/applications" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "last_activity_after",
    moniker: (r) => `${idOrEmpty(r.candidate_id)}/${firstJobId(r)}`,
    monikerOwner: "candidates",
    order: 5,
    references: [
      { ...candidateId, listUnnamed: true },
      { field: "jobs[].id", entity: "jobs", ids: jobIds, listUnnamed: true },
      { field: "source_id", entity: "sources", ids: sourceIds, listUnnamed: false },
    ],
  },
  candidates: {
    name: "candidates",
    noun: "candidate",
    summary: "Candidates and prospects, with contact details and attachment links",
    path: "/candidates",
    paths: { v1: "/candidates", v3: "/candidates" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: personName,
    order: 4,
    references: [],
  },
  jobs: {
    name: "jobs",
    noun: "job",
    summary: "Jobs, with departments, offices, hiring team and openings",
    path: "/jobs",
    paths: { v1: "/jobs", v3: "/jobs" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => idOrEmpty(r.name),
    order: 3,
    references: [],
  },
  offers: {
    name: "offers",
    noun: "offer",
    summary: "Offers, every version",
    path: "/offers",
    paths: { v1: "/offers", v3: "/offers" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${idOrEmpty(r.candidate_id)}/${idOrEmpty(r.application_id)}`,
    monikerOwner: "candidates",
    order: 6,
    references: [
      { ...candidateId, listUnnamed: false },
      {
        field: "application_id",
        entity: "applications",
        ids: (record) => [record.application_id],
        listUnnamed: false,
      },
    ],
  },
  prospect_pools: {
    name: "prospect_pools",
    noun: "prospect pool",
    summary: "Prospect pools and their stages",
    path: "/prospect_pools",
    paths: { v1: "/prospect_pools", v3: "/prospect_pools" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: null,
    moniker: (r) => idOrEmpty(r.name),
    order: 2,
    references: [],
  },
  scorecards: {
    name: "scorecards",
    noun: "scorecard",
    summary: "Submitted scorecards",
    path: "/scorecards",
    paths: { v1: "/scorecards", v3: "/scorecards" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    // v1 scorecards carry candidate_id; v3 ones only application_id (see MonikerVia).
    moniker: (r, via) => r.candidate_id === undefined ? via ?? "" : idOrEmpty(r.candidate_id),
    monikerOwner: "candidates",
    monikerVia: {
      v3: {
        field: "application_id",
        entity: "applications",
        fromMoniker: (moniker) => moniker.split("/")[0],
        fromRecord: (application) => idOrEmpty(application.candidate_id),
      },
    },
    order: 7,
    references: [
      { ...candidateId, fromMoniker: monikerCandidate, listUnnamed: true },
      {
        field: "application_id",
        entity: "applications",
        ids: (record) => [record.application_id],
        listUnnamed: false,
      },
    ],
  },
  sources: {
    name: "sources",
    noun: "source",
    summary: "Candidate sources, grouped by strategy",
    path: "/sources",
    paths: { v1: "/sources", v3: "/sources" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: null,
    moniker: (r) => idOrEmpty(r.name),
    order: 1,
    references: [],
  },
  ...MORE_ENTITIES,
  ...V3_ONLY_LISTS,
};

/** Whether the API version lists the entity. */
export function availableIn(entity: Entity, version: ApiVersion): boolean {
  return entity.paths[version] !== undefined;
}

/** The entities a version lists, in table order. */
export function entityNamesFor(version: ApiVersion): EntityName[] {
  return ENTITY_NAMES.filter((name) => availableIn(ENTITIES[name], version));
}

/** The fixed first-page parameters of an entity's listing in a version (see `listParams`). */
export function entityListParams(
  entity: Entity,
  dialect: { version: ApiVersion },
): Record<string, string> {
  return { ...entity.listParams?.[dialect.version] };
}

/**
 * The first-page parameters of each listing that together make the entity's list whole in a
 * version: `listParams` merged with each of `listVariants` (one listing without variants).
 */
export function entityListings(
  entity: Entity,
  dialect: { version: ApiVersion },
): Record<string, string>[] {
  const fixed = entityListParams(entity, dialect);
  const variants = entity.listVariants?.[dialect.version];
  return variants?.length ? variants.map((variant) => ({ ...fixed, ...variant })) : [fixed];
}

/** The entity's list path for the client's API version, or a RunError when it has none. */
export function entityPath(entity: Entity, dialect: { version: ApiVersion }): string {
  const path = entity.paths[dialect.version];
  if (path === undefined) {
    throw new RunError(
      `${entity.name} is not available in Harvest ${dialect.version}: ` +
        `run it with --api ${dialect.version === "v1" ? "v3" : "v1"} if your tenant allows it`,
    );
  }
  return path;
}

/** The entity names in sync order: each after every entity it references. */
export const ENTITIES_IN_ORDER: readonly EntityName[] = [...ENTITY_NAMES].sort((a, b) =>
  ENTITIES[a].order - ENTITIES[b].order
);

export function isEntityName(name: string): name is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(name);
}

/** A record id that may name a file: a positive safe integer. Anything else is rejected. */
export function recordId(record: ApiRecord): number | undefined {
  return positiveId(record?.id);
}
