/**
 * Schemas of the other lists. v1 from the reference's objects and samples
 * (https://developers.greenhouse.io/harvest.html: #users, #departments, #offices, #user-roles,
 * #custom-fields, #rejection-reasons, #close-reasons, #education, #tags, #email-templates,
 * #job-posts, #job-stages, #scheduled-interviews, #demographic-data). The v3 schemas are not
 * written here: v3.ts derives each from Greenhouse's own v3 OpenAPI spec (v3_spec.json).
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
} from "./dsl.ts";
import type { Schema } from "./validate.ts";

// ---------------------------------------------------------------- organisation

const departmentsV1 = record({
  ...department.properties as Record<string, Schema>,
  parent_department_external_id: nullable(string),
  child_department_external_ids: array(nullable(string)),
}, ["name", "parent_id", "child_ids", "external_id"]);

const officesV1 = record({
  ...office.properties as Record<string, Schema>,
  parent_office_external_id: nullable(string),
  child_office_external_ids: array(nullable(string)),
}, ["name", "location", "parent_id", "child_ids", "external_id"]);

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

const userRolesV1 = record({ type: string, name: string }, ["type", "name"]);
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

const reasonType = nullable(object({ id: integer, name: nullable(string) }, ["id"]));

const rejectionReasonsV1 = record({ name: string, type: reasonType }, ["name", "type"]);
const namedV1 = record({ name: string }, ["name"]);
const educationV1 = record({ name: string, priority: nullable(integer) }, ["name"]);

/** v3 degrees, schools and disciplines: custom field options of the education fields. */
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

// ---------------------------------------------------------------- demographics and EEOC

const translations = array(object({ language: nullable(string), name: nullable(string) }));

const questionSetsV1 = record({
  title: nullable(string),
  description: nullable(string),
  active: boolean,
}, ["title", "active"]);

const questionsV1 = record({
  demographic_question_set_id: nullable(integer),
  name: nullable(string),
  translations,
  active: nullable(boolean),
  required: nullable(boolean),
}, ["demographic_question_set_id", "name"]);

const answerOptionsV1 = record({
  free_form: boolean,
  active: boolean,
  name: nullable(string),
  demographic_question_id: integer,
  translations,
}, ["free_form", "active", "name", "demographic_question_id"]);

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

/** v1 schemas of the other lists v1 has (v3's are derived from the spec: v3.ts). */
export const MORE_SCHEMAS = {
  departments: departmentsV1,
  offices: officesV1,
  users: usersV1,
  user_roles: userRolesV1,
  custom_fields: customFieldsV1,
  rejection_reasons: rejectionReasonsV1,
  close_reasons: namedV1,
  degrees: educationV1,
  schools: educationV1,
  disciplines: educationV1,
  tags: namedV1,
  email_templates: emailTemplatesV1,
  job_posts: jobPostsV1,
  job_stages: jobStagesV1,
  scheduled_interviews: scheduledInterviewsV1,
  demographic_question_sets: questionSetsV1,
  demographic_questions: questionsV1,
  demographic_answer_options: answerOptionsV1,
  demographic_answers: answersV1,
} satisfies Record<string, Schema>;
