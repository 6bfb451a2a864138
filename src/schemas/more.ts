/**
 * Schemas of the other lists. v1 from the reference's objects and samples
 * (https://developers.greenhouse.io/harvest.html: #users, #departments, #offices, #user-roles,
 * #custom-fields, #rejection-reasons, #close-reasons, #education, #tags, #email-templates,
 * #job-posts, #job-stages, #scheduled-interviews, #demographic-data); v3 from the v3 reference
 * fields as the Airbyte connector lists them (github.com/airbytehq/airbyte,
 * airbyte-integrations/connectors/source-greenhouse/manifest.yaml), every resource with
 * `created_at` / `updated_at` but demographic questions and answer options
 * (https://harvestdocs.greenhouse.io/docs/standardizations).
 */
import { department, office } from "./core.ts";
import {
  anything,
  array,
  boolean,
  date,
  dateTime,
  integer,
  map,
  named,
  nullable,
  object,
  oneOf,
  record,
  string,
  userRef,
  v3Times,
} from "./dsl.ts";
import type { Schema } from "./validate.ts";

const TIMES = ["created_at", "updated_at"];

// ---------------------------------------------------------------- organisation

const departmentsV1 = record({
  ...department.properties as Record<string, Schema>,
  parent_department_external_id: nullable(string),
  child_department_external_ids: array(nullable(string)),
}, ["name", "parent_id", "child_ids", "external_id"]);

const departmentsV3 = record({
  name: nullable(string),
  parent_id: nullable(integer),
  external_id: nullable(string),
  ...v3Times,
}, ["name", ...TIMES]);

const officesV1 = record({
  ...office.properties as Record<string, Schema>,
  parent_office_external_id: nullable(string),
  child_office_external_ids: array(nullable(string)),
}, ["name", "location", "parent_id", "child_ids", "external_id"]);

const officesV3 = record({
  name: nullable(string),
  location: nullable(string),
  parent_id: nullable(integer),
  primary_in_house_contact_user_id: nullable(integer),
  external_id: nullable(string),
  ...v3Times,
}, ["name", ...TIMES]);

const usersV1 = record({
  name: nullable(string),
  first_name: nullable(string),
  last_name: nullable(string),
  primary_email_address: nullable(string),
  updated_at: dateTime,
  created_at: dateTime,
  disabled: boolean,
  site_admin: boolean,
  emails: array(string),
  employee_id: nullable(string),
  linked_candidate_ids: array(integer),
  offices: array(office),
  departments: array(department),
  custom_fields: map,
  keyed_custom_fields: map,
}, [
  "name",
  "first_name",
  "last_name",
  "primary_email_address",
  "created_at",
  "updated_at",
  "disabled",
  "site_admin",
  "emails",
  "offices",
  "departments",
]);

const usersV3 = record({
  name: nullable(string),
  first_name: nullable(string),
  last_name: nullable(string),
  primary_email: nullable(string),
  emails: nullable(array(string)),
  employee_id: nullable(string),
  deactivated: nullable(boolean),
  site_admin: nullable(boolean),
  job_title: nullable(string),
  agency_id: nullable(integer),
  linked_candidate_ids: nullable(array(integer)),
  office_ids: nullable(array(integer)),
  department_ids: nullable(array(integer)),
  interviewer_tags: nullable(array(named)),
  custom_fields: nullable(map),
  ...v3Times,
}, ["first_name", "last_name", ...TIMES]);

const userRolesV1 = record({ type: string, name: string }, ["type", "name"]);
const userRolesV3 = record({ name: string, role_type: nullable(string), ...v3Times }, [
  "name",
  ...TIMES,
]);

// ---------------------------------------------------------------- configuration

const customFieldsV1 = record({
  name: string,
  active: boolean,
  field_type: string,
  priority: nullable(integer),
  value_type: string,
  private: boolean,
  required: boolean,
  require_approval: nullable(boolean),
  trigger_new_version: nullable(boolean),
  name_key: nullable(string),
  custom_field_options: array(object({
    id: integer,
    name: nullable(string),
    priority: nullable(integer),
    external_id: nullable(string),
  }, ["id", "name"])),
}, ["name", "active", "field_type", "value_type", "name_key"]);

const customFieldsV3 = record({
  name: string,
  name_key: nullable(string),
  active: nullable(boolean),
  field_type: nullable(string),
  value_type: nullable(string),
  sort_order: nullable(integer),
  private: nullable(boolean),
  required: nullable(boolean),
  require_approval: nullable(boolean),
  trigger_new_version: nullable(boolean),
  internal_type: nullable(string),
  description: nullable(string),
  default_value: anything,
  ...v3Times,
}, ["name", ...TIMES]);

const reasonType = nullable(object({ id: integer, name: nullable(string) }, ["id"]));

const rejectionReasonsV1 = record({ name: string, type: reasonType }, ["name", "type"]);
const rejectionReasonsV3 = record({
  name: string,
  type: nullable(object({ id: integer, key: nullable(string), name: nullable(string) }, ["id"])),
  ...v3Times,
}, ["name", ...TIMES]);

const namedV1 = record({ name: string }, ["name"]);
const namedV3 = record({ name: string, ...v3Times }, ["name", ...TIMES]);

const educationV1 = record({ name: string, priority: nullable(integer) }, ["name"]);

/** v3 degrees, schools and disciplines: custom field options of the education fields. */
const customFieldOptionV3 = record({
  name: string,
  custom_field_id: integer,
  sort_order: nullable(integer),
  active: nullable(boolean),
  external_id: nullable(string),
  ...v3Times,
}, ["name", "custom_field_id", ...TIMES]);

const emailTemplatesV1 = record({
  name: string,
  description: nullable(string),
  default: boolean,
  updated_at: dateTime,
  created_at: dateTime,
  type: string,
  from: nullable(string),
  cc: array(string),
  body: nullable(string),
  html_body: nullable(string),
  user: nullable(userRef),
}, ["name", "default", "created_at", "updated_at", "type", "user"]);

const emailTemplatesV3 = record({
  name: string,
  description: nullable(string),
  default: nullable(boolean),
  email_type: nullable(string),
  from_type: nullable(string),
  cc_recruiter: nullable(boolean),
  cc_coordinator: nullable(boolean),
  recipients: nullable(string),
  subject: nullable(string),
  body: nullable(string),
  html_body: nullable(string),
  office_anywhere: nullable(boolean),
  user_id: nullable(integer),
  ...v3Times,
}, ["name", ...TIMES]);

// ---------------------------------------------------------------- jobs

const jobPostQuestionV1 = object({
  required: nullable(boolean),
  private: nullable(boolean),
  label: nullable(string),
  name: string,
  type: string,
  values: array(object({ value: anything, label: nullable(string) })),
  description: nullable(string),
}, ["label", "name", "type"]);

const jobPostsV1 = record({
  title: nullable(string),
  location: nullable(object({
    id: nullable(integer),
    name: nullable(string),
    office_id: nullable(integer),
    job_post_custom_location_id: nullable(integer),
    job_post_location_type: nullable(object({ id: integer, name: nullable(string) })),
  })),
  internal: boolean,
  external: boolean,
  active: boolean,
  live: boolean,
  first_published_at: nullable(dateTime),
  job_id: nullable(integer),
  content: nullable(string),
  internal_content: nullable(string),
  updated_at: dateTime,
  created_at: dateTime,
  demographic_question_set_id: nullable(integer),
  questions: array(jobPostQuestionV1),
}, ["title", "active", "live", "job_id", "created_at", "updated_at"]);

const jobPostsV3 = record({
  title: nullable(string),
  job_id: nullable(integer),
  active: nullable(boolean),
  live: nullable(boolean),
  internal: nullable(boolean),
  featured: nullable(boolean),
  content: nullable(string),
  internal_content: nullable(string),
  first_published_at: nullable(dateTime),
  demographic_question_set_id: nullable(integer),
  job_board_id: nullable(integer),
  language: nullable(string),
  public_url: nullable(string),
  questions: nullable(array(object({
    id: nullable(integer),
    label: nullable(string),
    name: nullable(string),
    answer_type: nullable(string),
    required: nullable(boolean),
    private: nullable(boolean),
    description: nullable(string),
    options: nullable(array(object({ id: nullable(integer), label: nullable(string) }))),
  }))),
  ...v3Times,
}, ["title", "job_id", ...TIMES]);

const jobStagesV1 = record({
  name: string,
  created_at: dateTime,
  updated_at: dateTime,
  active: boolean,
  job_id: integer,
  priority: nullable(integer),
  interviews: array(object({
    id: integer,
    name: nullable(string),
    schedulable: nullable(boolean),
    estimated_minutes: nullable(integer),
    default_interviewer_users: array(userRef),
    interview_kit: nullable(object({
      id: integer,
      content: nullable(string),
      questions: array(object({ id: integer, question: nullable(string) }, ["id"])),
    }, ["id"])),
  }, ["id", "name"])),
}, ["name", "job_id", "created_at", "updated_at", "interviews"]);

const jobStagesV3 = record({
  name: string,
  job_id: integer,
  active: nullable(boolean),
  sort_order: nullable(integer),
  ...v3Times,
}, ["name", "job_id", ...TIMES]);

const openingsV3 = record({
  job_id: integer,
  opening_id: nullable(string),
  open: nullable(boolean),
  opened_at: nullable(dateTime),
  closed_at: nullable(dateTime),
  application_id: nullable(integer),
  close_reason_id: nullable(integer),
  sort_order: nullable(integer),
  target_start_on: nullable(date),
  custom_fields: nullable(map),
  ...v3Times,
}, ["job_id", ...TIMES]);

const hiringManagersV3 = record({ job_id: integer, user_id: integer, ...v3Times }, [
  "job_id",
  "user_id",
  ...TIMES,
]);

const jobOwnersV3 = record({
  job_id: integer,
  user_id: integer,
  type: oneOf(["recruiter", "coordinator", "sourcer"]),
  responsible: nullable(boolean),
  ...v3Times,
}, ["job_id", "user_id", "type", ...TIMES]);

const approvalsV3 = record({
  job_id: integer,
  offer_id: nullable(integer),
  approval_type: oneOf(["open_job", "offer_job", "offer_candidate"]),
  approval_status: oneOf(["pending", "approved", "rejected"]),
  sequential: nullable(boolean),
  version: nullable(integer),
  requested_by_id: nullable(integer),
  ...v3Times,
}, ["job_id", "approval_type", ...TIMES]);

// ---------------------------------------------------------------- interviews

/** A scheduled interview's start or end: a time, or a date for all-day events. */
const moment = object({ date_time: dateTime, date: date });

const scheduledInterviewsV1 = record({
  application_id: integer,
  external_event_id: nullable(string),
  start: nullable(moment),
  end: nullable(moment),
  location: nullable(string),
  video_conferencing_url: nullable(string),
  status: nullable(string),
  created_at: dateTime,
  updated_at: dateTime,
  interview: nullable(named),
  organizer: nullable(userRef),
  interviewers: array(object({
    id: nullable(integer),
    employee_id: nullable(string),
    name: nullable(string),
    email: nullable(string),
    response_status: nullable(oneOf(["needs_action", "declined", "tentative", "accepted"])),
    scorecard_id: nullable(integer),
  })),
}, ["application_id", "start", "end", "status", "interviewers"]);

const interviewsV3 = record({
  application_id: integer,
  job_id: nullable(integer),
  job_interview_id: nullable(integer),
  status: nullable(string),
  starts_at: nullable(dateTime),
  ends_at: nullable(dateTime),
  all_day_start_on: nullable(date),
  all_day_end_on: nullable(date),
  location: nullable(string),
  video_conferencing_url: nullable(string),
  organizer_id: nullable(integer),
  external_event_id: nullable(string),
  scheduled_at: nullable(dateTime),
  availability_received_at: nullable(dateTime),
  ...v3Times,
}, ["application_id", ...TIMES]);

const applicationStagesV3 = record({
  application_id: integer,
  job_interview_stage_id: nullable(integer),
  entered_at: nullable(dateTime),
  exited_at: nullable(dateTime),
  current: nullable(boolean),
  days_in_stage: nullable(integer),
  ...v3Times,
}, ["application_id", ...TIMES]);

// ---------------------------------------------------------------- demographics and EEOC

const translations = array(object({ language: nullable(string), name: nullable(string) }));

const questionSetsV1 = record({
  title: nullable(string),
  description: nullable(string),
  active: boolean,
}, ["title", "active"]);

const questionSetsV3 = record({
  title: nullable(string),
  description: nullable(string),
  active: nullable(boolean),
  enabled: nullable(boolean),
  ...v3Times,
}, ["title", ...TIMES]);

const questionsV1 = record({
  demographic_question_set_id: nullable(integer),
  name: nullable(string),
  translations,
  active: nullable(boolean),
  required: nullable(boolean),
}, ["demographic_question_set_id", "name"]);

const questionsV3 = record({
  demographic_question_set_id: nullable(integer),
  name: nullable(string),
  active: nullable(boolean),
  required: nullable(boolean),
  answer_type: nullable(string),
  sort_order: nullable(integer),
  created_at: dateTime,
  updated_at: dateTime,
}, ["demographic_question_set_id"]);

const answerOptionsV1 = record({
  free_form: boolean,
  active: boolean,
  name: nullable(string),
  demographic_question_id: integer,
  translations,
}, ["free_form", "active", "name", "demographic_question_id"]);

const answerOptionsV3 = record({
  demographic_question_id: integer,
  name: nullable(string),
  active: nullable(boolean),
  free_form: nullable(boolean),
  decline_to_answer: nullable(boolean),
  sort_order: nullable(integer),
  created_at: dateTime,
  updated_at: dateTime,
}, ["demographic_question_id"]);

const answerProperties = {
  free_form_text: nullable(string),
  application_id: integer,
  demographic_question_id: integer,
  demographic_answer_option_id: nullable(integer),
  created_at: dateTime,
  updated_at: dateTime,
};

const answersV1 = record(answerProperties, [
  "application_id",
  "demographic_question_id",
  "demographic_answer_option_id",
  "created_at",
]);

const answersV3 = record(answerProperties, ["application_id", "demographic_question_id", ...TIMES]);

const eeocAnswer = nullable(object({ id: nullable(integer), description: nullable(string) }));

const eeocV3 = record({
  application_id: integer,
  candidate_id: integer,
  race: eeocAnswer,
  gender: eeocAnswer,
  veteran_status: eeocAnswer,
  disability_status: eeocAnswer,
  submitted_at: nullable(dateTime),
  ...v3Times,
}, ["application_id", "candidate_id", ...TIMES]);

export const MORE_SCHEMAS = {
  departments: { v1: departmentsV1, v3: departmentsV3 },
  offices: { v1: officesV1, v3: officesV3 },
  users: { v1: usersV1, v3: usersV3 },
  user_roles: { v1: userRolesV1, v3: userRolesV3 },
  custom_fields: { v1: customFieldsV1, v3: customFieldsV3 },
  rejection_reasons: { v1: rejectionReasonsV1, v3: rejectionReasonsV3 },
  close_reasons: { v1: namedV1, v3: namedV3 },
  degrees: { v1: educationV1, v3: customFieldOptionV3 },
  schools: { v1: educationV1, v3: customFieldOptionV3 },
  disciplines: { v1: educationV1, v3: customFieldOptionV3 },
  tags: { v1: namedV1, v3: namedV3 },
  email_templates: { v1: emailTemplatesV1, v3: emailTemplatesV3 },
  job_posts: { v1: jobPostsV1, v3: jobPostsV3 },
  job_stages: { v1: jobStagesV1, v3: jobStagesV3 },
  job_openings: { v3: openingsV3 },
  job_hiring_managers: { v3: hiringManagersV3 },
  job_owners: { v3: jobOwnersV3 },
  approvals: { v3: approvalsV3 },
  scheduled_interviews: { v1: scheduledInterviewsV1, v3: interviewsV3 },
  application_stages: { v3: applicationStagesV3 },
  demographic_question_sets: { v1: questionSetsV1, v3: questionSetsV3 },
  demographic_questions: { v1: questionsV1, v3: questionsV3 },
  demographic_answer_options: { v1: answerOptionsV1, v3: answerOptionsV3 },
  demographic_answers: { v1: answersV1, v3: answersV3 },
  eeoc: { v3: eeocV3 },
} satisfies Record<string, { v1?: Schema; v3?: Schema }>;
