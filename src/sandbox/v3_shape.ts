/**
 * Records in their Harvest v3 shape: the v1 record renamed as the READ Endpoint Migration Guide
 * (https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions) maps the fields,
 * with embedded children dropped (v3 serves them from endpoints of their own).
 *
 * The fields and their types are Greenhouse's own v3 OpenAPI spec's (src/schemas/v3_spec.json;
 * tests/unit/sandbox_v3_spec_test.ts holds every record to it: no field the spec lacks, every
 * field it has, typed as it says). Where v1 has the fact, the v3 field carries v1's value, so
 * both versions of a tenant say the same; where v1 has none, the value is null (or the empty
 * list or map) where the spec allows it.
 * - jobs: one `department_id`, `office_ids[]`;
 * - applications: `job_id`, `source_id`, `stage_id`/`job_interview_stage_id`/`stage_name` (v1's
 *   `current_stage`), `location_address`, status `in_process` | `rejected` | `hired` |
 *   `converted`; `agency_note_id` and `needs_decision` null (v1 has neither); rejection and
 *   prospect details are lists of their own (/v3/rejection_details, /v3/prospect_details);
 * - offers: `sent_on`/`starts_on` (dates), status `Created` | `Accepted` | `Rejected` |
 *   `Deprecated`;
 * - scorecards: no `candidate_id` ("application_id: use it to look up the candidate via the
 *   applications endpoint"), `candidate_rating` one of strong_no, no, yes, strong_yes,
 *   no_decision; `notes` / `private_notes` are v1's "Key Take-Aways" / "Private Notes" answers,
 *   each `*_with_tags` the same text (the sandbox's notes mention nobody); attributes and
 *   questions are lists of their own;
 * - users: `primary_email`, `deactivated`, no job title, agency or interviewer tags;
 * - `custom_fields` keyed by the field's name_key, each `{name, type, value}` (v1's
 *   `keyed_custom_fields`); there is no separate `keyed_custom_fields`.
 */
import type { ApiRecord } from "../entities.ts";
import { interviewKitId, ofJobInterview } from "./build/interview_plan.ts";
import { referrerIdOf } from "./build/users.ts";
import { DAY_MS, iso } from "./dates.ts";
import type { SandboxEntity } from "./tenant.ts";

/**
 * created_at/updated_at of records that have none in v1 (sources, prospect pools): in v3 every
 * resource has both (https://harvestdocs.greenhouse.io/docs/standardizations). Spread from this
 * date by id (a day per id, modulo 1000), so a created_at filter selects some of them.
 */
const FIXED_T0 = Date.UTC(2014, 0, 1);
const fixedTime = (id: unknown) => iso(FIXED_T0 + (Number(id) % 1000 || 0) * DAY_MS);

const refId = (ref: ApiRecord | null | undefined): number | null =>
  ref && typeof ref.id === "number" ? ref.id : null;
const idsOf = (list: ApiRecord[] | null | undefined): number[] =>
  (list ?? []).map((r) => r.id).filter((id): id is number => typeof id === "number");

/** The kit of the job interview a v1 scorecard names as its `interview_step`. */
function kitOfStep(step: ApiRecord | null | undefined): number | null {
  const at = typeof step?.id === "number" ? ofJobInterview(step.id) : undefined;
  return at ? interviewKitId(at.j, at.k) : refId(step);
}

/** v1 application status → v3 (`active` became `in_process`). */
const APPLICATION_STATUS: Record<string, string> = { active: "in_process" };
/** v1 offer status → v3. */
const OFFER_STATUS: Record<string, string> = {
  unresolved: "Created",
  accepted: "Accepted",
  rejected: "Rejected",
  deprecated: "Deprecated",
};
/** v1 overall_recommendation → v3 candidate_rating. */
const RATING: Record<string, string> = { definitely_not: "strong_no" };

/** v1 `custom_fields` + `keyed_custom_fields` → v3 `custom_fields` (the keyed form). */
function customFields(r: ApiRecord): { custom_fields?: unknown } {
  return "keyed_custom_fields" in r ? { custom_fields: r.keyed_custom_fields } : {};
}

/** A v1 record in its v3 shape (the guide's renames; embedded children dropped). */
export function toV3(entity: SandboxEntity, r: ApiRecord): ApiRecord {
  switch (entity) {
    case "candidates": {
      const {
        is_private,
        last_activity,
        attachments: _a,
        application_ids: _ai,
        applications: _ap,
        educations: _e,
        employments: _em,
        recruiter: _r,
        coordinator: _c,
        custom_fields: _cf,
        keyed_custom_fields: _k,
        photo_url: _photo,
        ...rest
      } = r;
      return {
        ...rest,
        ...customFields(r),
        // v1 has neither; a v3 PATCH may set them.
        preferred_name: r.preferred_name ?? null,
        time_zone: r.time_zone ?? null,
        last_activity_at: last_activity,
        private: is_private,
      };
    }
    case "applications": {
      const {
        applied_at,
        jobs,
        source,
        credited_to,
        recruiter,
        coordinator,
        current_stage,
        rejection_reason,
        rejection_details: _rd,
        prospective_office: _po,
        prospective_department: _pd,
        prospect_detail: _pdt,
        location,
        status,
        attachments: _a,
        custom_fields: _cf,
        keyed_custom_fields: _k,
        ...rest
      } = r;
      const jobIds = idsOf(jobs);
      return {
        ...rest,
        ...customFields(r),
        created_at: applied_at,
        updated_at: r.last_activity_at,
        status: APPLICATION_STATUS[status] ?? status,
        job_id: jobIds[0] ?? null,
        prospective_job_ids: r.prospect ? jobIds : [],
        source_id: refId(source),
        // The referrer record of the credited user (v3's /referrers), not the user.
        referrer_id: credited_to ? referrerIdOf(credited_to.id) : null,
        recruiter_id: refId(recruiter),
        coordinator_id: refId(coordinator),
        rejection_reason_id: refId(rejection_reason),
        // v1's current_stage is the job's interview stage: v3 names it twice.
        stage_id: refId(current_stage),
        job_interview_stage_id: refId(current_stage),
        stage_name: current_stage?.name ?? null,
        agency_note_id: null,
        needs_decision: null,
        location_address: location?.address ?? null,
      };
    }
    case "jobs": {
      const {
        hiring_team: _h,
        openings: _o,
        departments,
        offices,
        custom_fields: _cf,
        keyed_custom_fields: _k,
        ...rest
      } = r;
      return {
        ...rest,
        ...customFields(r),
        department_id: idsOf(departments)[0] ?? null,
        office_ids: idsOf(offices),
      };
    }
    case "offers": {
      const {
        sent_at,
        starts_at,
        opening,
        status,
        custom_fields: _cf,
        keyed_custom_fields: _k,
        ...rest
      } = r;
      return {
        ...rest,
        ...customFields(r),
        status: OFFER_STATUS[status] ?? status,
        opening_id: refId(opening),
        sent_on: sent_at,
        starts_on: starts_at,
      };
    }
    case "scorecards": {
      const {
        candidate_id: _candidate,
        overall_recommendation,
        submitted_by,
        interviewer,
        interview: _i,
        interview_step,
        attributes: _at,
        ratings: _ra,
        questions,
        ...rest
      } = r;
      const answer = (q: string) =>
        (questions as ApiRecord[] | undefined)?.find((x) => x.question === q)?.answer ?? null;
      const notes = answer("Key Take-Aways");
      const privateNotes = answer("Private Notes");
      return {
        ...rest,
        status: "complete",
        candidate_rating: RATING[overall_recommendation] ?? overall_recommendation,
        submitter_id: refId(submitted_by),
        interviewer_id: refId(interviewer),
        interview_kit_id: kitOfStep(interview_step),
        notes,
        notes_with_tags: notes,
        private_notes: privateNotes,
        private_notes_with_tags: privateNotes,
        public_notes: null,
        public_notes_with_tags: null,
      };
    }
    case "users": {
      const {
        disabled,
        offices,
        departments,
        primary_email_address,
        custom_fields: _cf,
        keyed_custom_fields: _k,
        ...rest
      } = r;
      return {
        ...rest,
        // A service account has no address: v3 says "" ("their primary_email is an empty string").
        primary_email: primary_email_address ?? "",
        deactivated: disabled,
        job_title: null,
        agency_id: null,
        office_ids: idsOf(offices),
        department_ids: idsOf(departments),
        interviewer_tags: [],
        custom_fields: r.keyed_custom_fields ?? {},
      };
    }
    case "prospect_pools": {
      const { prospect_stages: _s, ...rest } = r;
      return {
        ...rest,
        description: null,
        department_ids: [],
        office_ids: [],
        job_ids: [],
        created_at: fixedTime(r.id),
        updated_at: fixedTime(r.id),
      };
    }
    case "sources":
      return { ...r, created_at: fixedTime(r.id), updated_at: fixedTime(r.id) };
  }
}
