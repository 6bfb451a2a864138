/**
 * Schemas of the seven entities the tool began with. v1 from the reference's objects and samples
 * (https://developers.greenhouse.io/harvest.html#applications, #candidates, #jobs, #offers,
 * #prospect-pools, #scorecards, #sources). The v3 schemas are not written here: v3.ts derives
 * each from Greenhouse's own v3 OpenAPI spec (v3_spec.json).
 */
import {
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

const attachment = object({
  filename: nullable(string),
  url: string,
  type: string,
  created_at: nullable(dateTime),
}, ["filename", "url", "type"]);

const typedValue = object({ value: nullable(string), type: nullable(string) }, ["value"]);

const department = object({
  id: integer,
  name: nullable(string),
  parent_id: nullable(integer),
  child_ids: array(integer),
  external_id: nullable(string),
  // Real v1 answers carry these too (Airbyte's v1 expected records, 2023).
  parent_department_external_id: nullable(string),
  child_department_external_ids: array(nullable(string)),
}, ["id", "name"]);

const office = object({
  id: integer,
  name: nullable(string),
  location: nullable(object({ name: nullable(string) })),
  primary_contact_user_id: nullable(integer),
  parent_id: nullable(integer),
  child_ids: array(integer),
  external_id: nullable(string),
  parent_office_external_id: nullable(string),
  child_office_external_ids: array(nullable(string)),
}, ["id", "name"]);

const opening = object({
  id: integer,
  opening_id: nullable(string),
  status: nullable(string),
  opened_at: nullable(dateTime),
  closed_at: nullable(dateTime),
  application_id: nullable(integer),
  close_reason: nullable(named),
}, ["id"]);

const applicationProperties = {
  candidate_id: integer,
  prospect: boolean,
  applied_at: dateTime,
  rejected_at: nullable(dateTime),
  last_activity_at: dateTime,
  location: nullable(object({ address: nullable(string) })),
  source: nullable(object({ id: integer, public_name: nullable(string) }, ["id"])),
  credited_to: nullable(userRef),
  recruiter: nullable(userRef),
  coordinator: nullable(userRef),
  rejection_reason: nullable(object({
    id: integer,
    name: nullable(string),
    type: nullable(named),
  }, ["id"])),
  rejection_details: nullable(object({ custom_fields: map, keyed_custom_fields: map })),
  jobs: array(named),
  job_post_id: nullable(integer),
  status: oneOf(["active", "rejected", "hired", "converted"]),
  current_stage: nullable(named),
  answers: array(object({ question: nullable(string), answer: nullable(string) })),
  // The whole office and department, as the reference's prospect application shows them.
  prospective_office: nullable(office),
  prospective_department: nullable(department),
  prospect_detail: nullable(object({
    prospect_pool: nullable(named),
    prospect_stage: nullable(named),
    prospect_owner: nullable(named),
  })),
  custom_fields: map,
  keyed_custom_fields: map,
  attachments: array(attachment),
};
const applicationRequired = [
  "candidate_id",
  "prospect",
  "applied_at",
  "rejected_at",
  "last_activity_at",
  "jobs",
  "status",
];

const applicationsV1 = record(applicationProperties, applicationRequired);

const candidatesV1 = record({
  first_name: nullable(string),
  last_name: nullable(string),
  company: nullable(string),
  title: nullable(string),
  created_at: dateTime,
  updated_at: dateTime,
  last_activity: nullable(dateTime),
  is_private: boolean,
  photo_url: nullable(string),
  attachments: array(attachment),
  application_ids: array(integer),
  phone_numbers: array(typedValue),
  addresses: array(typedValue),
  email_addresses: array(typedValue),
  website_addresses: array(typedValue),
  social_media_addresses: array(object({ value: nullable(string) })),
  recruiter: nullable(userRef),
  coordinator: nullable(userRef),
  can_email: nullable(boolean),
  tags: array(string),
  applications: array(record(applicationProperties, applicationRequired)),
  educations: array(object({
    id: integer,
    school_name: nullable(string),
    degree: nullable(string),
    discipline: nullable(string),
    start_date: nullable(dateTime),
    end_date: nullable(dateTime),
  }, ["id"])),
  employments: array(object({
    id: integer,
    company_name: nullable(string),
    title: nullable(string),
    start_date: nullable(dateTime),
    end_date: nullable(dateTime),
  }, ["id"])),
  linked_user_ids: array(integer),
  custom_fields: map,
  keyed_custom_fields: map,
}, [
  "first_name",
  "last_name",
  "created_at",
  "updated_at",
  "is_private",
  "attachments",
  "application_ids",
  "email_addresses",
  "tags",
]);

const teamMember = object({
  id: integer,
  first_name: nullable(string),
  last_name: nullable(string),
  name: nullable(string),
  employee_id: nullable(string),
  responsible: boolean,
}, ["id"]);

const jobsV1 = record({
  name: nullable(string),
  requisition_id: nullable(string),
  notes: nullable(string),
  confidential: boolean,
  status: oneOf(["open", "closed", "draft"]),
  created_at: dateTime,
  opened_at: nullable(dateTime),
  closed_at: nullable(dateTime),
  updated_at: dateTime,
  is_template: nullable(boolean),
  copied_from_id: nullable(integer),
  departments: array(department),
  offices: array(office),
  custom_fields: map,
  keyed_custom_fields: map,
  hiring_team: object({
    hiring_managers: array(userRef),
    recruiters: array(teamMember),
    coordinators: array(teamMember),
    sourcers: array(userRef),
  }),
  openings: array(opening),
}, ["name", "status", "created_at", "departments", "offices", "openings"]);

const offersV1 = record({
  version: integer,
  application_id: integer,
  job_id: nullable(integer),
  candidate_id: integer,
  opening: nullable(opening),
  created_at: dateTime,
  updated_at: dateTime,
  sent_at: nullable(date),
  resolved_at: nullable(dateTime),
  starts_at: nullable(date),
  status: oneOf(["unresolved", "accepted", "rejected", "deprecated"]),
  custom_fields: map,
  keyed_custom_fields: map,
}, ["version", "application_id", "candidate_id", "created_at", "status"]);

const prospectPoolsV1 = record({
  name: nullable(string),
  active: boolean,
  prospect_stages: array(named),
}, ["name", "active", "prospect_stages"]);

const rating = oneOf(["definitely_not", "no", "mixed", "yes", "strong_yes", "no_decision"]);

const scorecardsV1 = record({
  updated_at: dateTime,
  created_at: dateTime,
  interview: nullable(string),
  interview_step: nullable(named),
  candidate_id: integer,
  application_id: integer,
  interviewed_at: nullable(dateTime),
  submitted_by: nullable(userRef),
  interviewer: nullable(userRef),
  submitted_at: nullable(dateTime),
  overall_recommendation: nullable(
    oneOf(["definitely_not", "no", "yes", "strong_yes", "no_decision"]),
  ),
  attributes: array(object({
    name: nullable(string),
    type: nullable(string),
    note: nullable(string),
    rating: nullable(rating),
  })),
  ratings: object({
    definitely_not: array(string),
    no: array(string),
    mixed: array(string),
    yes: array(string),
    strong_yes: array(string),
  }),
  questions: array(object({
    id: nullable(integer),
    question: nullable(string),
    answer: nullable(string),
  })),
}, ["updated_at", "created_at", "candidate_id", "application_id"]);

const sourceType = nullable(object({ id: integer, name: nullable(string) }, ["id"]));

const sourcesV1 = record({ name: nullable(string), type: sourceType }, ["name"]);

/** v1 schemas of the seven (v3's are derived from the spec: v3.ts). */
export const CORE_SCHEMAS = {
  applications: applicationsV1,
  candidates: candidatesV1,
  jobs: jobsV1,
  offers: offersV1,
  prospect_pools: prospectPoolsV1,
  scorecards: scorecardsV1,
  sources: sourcesV1,
} satisfies Record<string, Schema>;

/** Shared with the other lists' schemas: the department and office objects v1 embeds. */
export { department, office };
