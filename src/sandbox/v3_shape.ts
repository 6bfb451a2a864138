/**
 * Records in their Harvest v3 shape: the v1 record renamed as the READ Endpoint Migration Guide
 * (https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions) maps the fields,
 * with embedded children dropped (v3 serves them from endpoints of their own).
 */
import type { ApiRecord } from "../entities.ts";
import type { SandboxEntity } from "./tenant.ts";

/**
 * created_at/updated_at of records that have none in v1 (sources, prospect pools); in v3 every
 * resource has both (https://harvestdocs.greenhouse.io/docs/standardizations).
 */
const FIXED_TIME = "2014-01-01T00:00:00.000Z";
const refId = (ref: ApiRecord | null | undefined): number | null =>
  ref && typeof ref.id === "number" ? ref.id : null;
const idsOf = (list: ApiRecord[] | null | undefined): number[] =>
  (list ?? []).map((r) => r.id).filter((id): id is number => typeof id === "number");

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
        ...rest
      } = r;
      return { ...rest, last_activity_at: last_activity, private: is_private };
    }
    case "applications": {
      const {
        applied_at,
        jobs,
        source,
        credited_to,
        recruiter,
        coordinator,
        current_stage: _cs,
        rejection_reason,
        prospective_office,
        prospective_department,
        prospect_detail,
        attachments: _a,
        ...rest
      } = r;
      return {
        ...rest,
        created_at: applied_at,
        updated_at: r.last_activity_at,
        job_id: refId(jobs?.[0]),
        source_id: refId(source),
        referrer_id: refId(credited_to),
        recruiter_id: refId(recruiter),
        coordinator_id: refId(coordinator),
        rejection_reason_id: refId(rejection_reason),
        prospective_office_id: refId(prospective_office),
        prospective_department_id: refId(prospective_department),
        prospect_pool_id: refId(prospect_detail?.prospect_pool),
        prospect_stage_id: refId(prospect_detail?.prospect_stage),
        prospect_owner_id: refId(prospect_detail?.prospect_owner),
      };
    }
    case "jobs": {
      const { hiring_team: _h, openings: _o, departments, offices, ...rest } = r;
      return { ...rest, department_ids: idsOf(departments), office_ids: idsOf(offices) };
    }
    case "offers": {
      const { sent_at, starts_at, opening, ...rest } = r;
      return { ...rest, opening_id: refId(opening), sent_on: sent_at, starts_on: starts_at };
    }
    case "scorecards": {
      const { overall_recommendation, submitted_by, interviewer, interview_step, ...rest } = r;
      return {
        ...rest,
        candidate_rating: overall_recommendation,
        submitter_id: refId(submitted_by),
        interviewer_id: refId(interviewer),
        interview_step_id: refId(interview_step),
      };
    }
    case "users": {
      const { disabled, offices, departments, ...rest } = r;
      return {
        ...rest,
        deactivated: disabled,
        office_ids: idsOf(offices),
        department_ids: idsOf(departments),
      };
    }
    case "prospect_pools": {
      const { prospect_stages: _s, ...rest } = r;
      return {
        ...rest,
        department_ids: [],
        office_ids: [],
        created_at: FIXED_TIME,
        updated_at: FIXED_TIME,
      };
    }
    case "sources":
      return { ...r, created_at: FIXED_TIME, updated_at: FIXED_TIME };
  }
}
