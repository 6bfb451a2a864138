/**
 * The reference lists (departments, offices, roles, custom fields, reasons, education, tags,
 * email templates, demographic questions) in each version's shape. v1 shapes follow the samples
 * of https://developers.greenhouse.io/harvest.html; v3 shapes are the objects of Greenhouse's own
 * v3 OpenAPI spec (src/schemas/v3_spec.json, which tests/unit/sandbox_v3_spec_test.ts holds them
 * to), with v3's renames (`priority` → `sort_order`, embedded objects → `*_id`) and
 * `created_at`/`updated_at` on every resource (demographic questions and answer options have
 * them too, only no filter on them).
 */
import type { ApiRecord } from "../../entities.ts";
import { clone } from "../clone.ts";
import * as R from "../reference_data.ts";
import * as V from "../vocab.ts";
import { userRef } from "./users.ts";

const T = R.FIXED_TIME;
const stamped = (record: ApiRecord): ApiRecord => ({ ...record, created_at: T, updated_at: T });

// ---------------------------------------------------------------- organisation

export const departmentsV1 = (): ApiRecord[] => clone(V.DEPARTMENTS);

export const departmentV3 = (d: ApiRecord): ApiRecord =>
  stamped({ id: d.id, name: d.name, parent_id: d.parent_id, external_id: d.external_id });

export const officesV1 = (): ApiRecord[] => clone(V.OFFICES);

export const officeV3 = (o: ApiRecord): ApiRecord =>
  stamped({
    id: o.id,
    name: o.name,
    location: o.location?.name ?? null,
    parent_id: o.parent_id,
    primary_in_house_contact_user_id: o.primary_contact_user_id,
    external_id: o.external_id,
  });

export const userRolesV1 = (): ApiRecord[] => clone(R.USER_ROLES);

export const userRoleV3 = (r: ApiRecord): ApiRecord =>
  stamped({
    id: r.id,
    name: r.name,
    role_type: r.type === "interviewer" ? "deprecated_interviewer" : r.type,
  });

// ---------------------------------------------------------------- custom fields

/** v1 custom fields, their options embedded; archived fields only with include_inactive. */
export function customFieldsV1(): ApiRecord[] {
  return R.CUSTOM_FIELDS.map((f, priority) => ({
    id: f.id,
    name: f.name,
    active: f.active,
    field_type: f.field_type,
    priority,
    value_type: f.value_type,
    private: false,
    required: false,
    require_approval: f.field_type === "job",
    trigger_new_version: f.field_type === "offer",
    name_key: f.name_key,
    custom_field_options: f.options.map((name, n) => ({
      id: R.optionId(f.id, n),
      name,
      priority: n,
      external_id: n === 0 ? `${f.name_key}-${n}` : null,
    })),
  }));
}

/** v3 custom fields: v1's (options apart) and the three education fields. */
export function customFieldsV3(): ApiRecord[] {
  return [...R.CUSTOM_FIELDS, ...R.EDUCATION_FIELDS].map((f, sort_order) =>
    stamped({
      id: f.id,
      name: f.name,
      name_key: f.name_key,
      active: f.active,
      field_type: f.field_type,
      value_type: f.value_type,
      sort_order,
      private: false,
      required: false,
      require_approval: f.field_type === "job",
      trigger_new_version: f.field_type === "offer",
      internal_type: f.internal_type,
      description: null,
      updated_by_id: null,
      placeholder: null,
      template_token_string: null,
      default_value: null,
      // The spec's "Job fields only" and "Application fields only" fields: null on the others.
      expose_in_job_board_api: f.field_type === "job",
      api_only: f.field_type === "job" ? false : null,
      use_for_job_approvals: f.field_type === "job" ? false : null,
      use_for_offer_approvals: f.field_type === "job" ? false : null,
      application_type: f.field_type === "application" ? "all_applications" : null,
    })
  );
}

/** The v1 education list whose options a v3 education field has. */
const EDUCATION_LISTS: Record<string, readonly ApiRecord[]> = {
  degree: R.DEGREES,
  school_name: R.SCHOOLS,
  discipline: R.DISCIPLINES,
};

/**
 * GET /v3/custom_field_options: the options of the education fields (v1's degrees, schools and
 * disciplines, same ids), then those v1 embeds in its custom fields (same ids). Each carries its
 * field's `name_key` as `custom_field_key` is matched.
 */
export function customFieldOptionsV3(): { key: string; record: ApiRecord }[] {
  const education = R.EDUCATION_FIELDS.flatMap((f) =>
    EDUCATION_LISTS[f.name_key].map((item) => ({
      key: f.name_key,
      record: stamped({
        id: item.id,
        name: item.name,
        custom_field_id: f.id,
        sort_order: item.priority,
        active: item.id !== R.ARCHIVED_OPTION_ID,
        external_id: null,
      }),
    }))
  );
  const embedded = customFieldsV1().flatMap((f) =>
    (f.custom_field_options as ApiRecord[]).map((o) => ({
      key: f.name_key as string,
      record: stamped({
        id: o.id,
        name: o.name,
        custom_field_id: f.id,
        sort_order: o.priority,
        active: true,
        external_id: o.external_id,
      }),
    }))
  );
  return [...education, ...embedded];
}

// ---------------------------------------------------------------- reasons, education, tags

/** v1 rejection reasons: the organisation's (vocab), and Greenhouse's defaults when asked. */
export function rejectionReasonsV1(includeDefaults: boolean): ApiRecord[] {
  return clone([...V.REJECTION_REASONS, ...(includeDefaults ? R.DEFAULT_REJECTION_REASONS : [])]);
}

const REASON_TYPE_KEYS: Record<string, string> = {
  "We rejected them": "WE_REJECTED_THEM",
  "They rejected us": "THEY_REJECTED_US",
  "None specified": "NONE_SPECIFIED",
};

export const rejectionReasonV3 = (r: ApiRecord): ApiRecord =>
  stamped({
    id: r.id,
    name: r.name,
    type: { id: r.type.id, key: REASON_TYPE_KEYS[r.type.name] ?? null, name: r.type.name },
  });

export const closeReasonsV1 = (): ApiRecord[] => clone(R.CLOSE_REASONS);
export const degreesV1 = (): ApiRecord[] => clone(R.DEGREES);
export const schoolsV1 = (): ApiRecord[] => clone(R.SCHOOLS);
export const disciplinesV1 = (): ApiRecord[] => clone(R.DISCIPLINES);
export const tagsV1 = (): ApiRecord[] => clone(R.TAGS);

/** Close reasons and tags: v1's `{id, name}` with v3's timestamps. */
export const namedV3 = (r: ApiRecord): ApiRecord => stamped({ id: r.id, name: r.name });

// ---------------------------------------------------------------- email templates

/** v1 email templates; the personal one belongs to the second user. */
export function emailTemplatesV1(users: readonly ApiRecord[]): ApiRecord[] {
  return R.EMAIL_TEMPLATES.map((t, n) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    default: n === 0,
    updated_at: `2018-06-0${1 + n}T17:04:13.598Z`,
    created_at: "2015-11-18T22:26:32.154Z",
    type: t.type,
    from: t.from,
    cc: n === 1 ? ["example.user@example.com", "second, user@example.com"] : [],
    body: null,
    html_body: t.html,
    user: t.personal ? userRef(users[1 % users.length]) : null,
  }));
}

export const emailTemplateV3 = (t: ApiRecord): ApiRecord => {
  const spec = R.EMAIL_TEMPLATES.find((s) => s.id === t.id);
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    default: t.default,
    email_type: t.type,
    from_type: spec?.fromType ?? "not_applicable",
    cc_recruiter: false,
    cc_coordinator: false,
    recipients: t.cc.length ? t.cc.join(",") : null,
    subject: "Regarding {{JOB_NAME}}",
    body: t.body,
    html_body: t.html_body,
    office_anywhere: true,
    user_id: t.user?.id ?? null,
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
};

// ---------------------------------------------------------------- demographics

export const demographicQuestionSetsV1 = (): ApiRecord[] => clone(R.DEMOGRAPHIC_QUESTION_SETS);

export const demographicQuestionSetV3 = (s: ApiRecord): ApiRecord =>
  stamped({
    id: s.id,
    title: s.title,
    description: s.description,
    active: s.active,
    enabled: s.active,
  });

export function demographicQuestionsV1(): ApiRecord[] {
  return R.DEMOGRAPHIC_QUESTIONS.map((q) => ({
    id: q.id,
    demographic_question_set_id: q.setId,
    name: q.name,
    translations: [{ language: "en", name: q.name }],
    active: true,
    required: false,
  }));
}

export const demographicQuestionV3 = (q: ApiRecord): ApiRecord => {
  const spec = R.DEMOGRAPHIC_QUESTIONS.find((s) => s.id === q.id)!;
  return stamped({
    id: q.id,
    demographic_question_set_id: q.demographic_question_set_id,
    name: q.name,
    active: q.active,
    required: q.required,
    answer_type: spec.multi ? "multi_value_multi_select" : "multi_value_single_select",
    sort_order: R.DEMOGRAPHIC_QUESTIONS.indexOf(spec),
  });
};

export function demographicAnswerOptionsV1(): ApiRecord[] {
  return R.DEMOGRAPHIC_QUESTIONS.flatMap((q) =>
    q.options.map((name, n) => ({
      id: R.answerOptionId(q.id, n),
      free_form: R.isFreeForm(name),
      active: true,
      name,
      demographic_question_id: q.id,
      translations: [{ language: "en", name }],
    }))
  );
}

export const demographicAnswerOptionV3 = (o: ApiRecord): ApiRecord =>
  stamped({
    id: o.id,
    demographic_question_id: o.demographic_question_id,
    name: o.name,
    active: o.active,
    free_form: o.free_form,
    decline_to_answer: R.isDecline(o.name),
    sort_order: o.id % 100,
  });
