/**
 * The anonymising PATCH body: every custom field of either spelling is cleared by name. And
 * which personal lists an anonymized candidate's records stay in upstream, per the fields given.
 */
import assert from "node:assert/strict";
import { ANONYMIZE_FIELD_NAMES } from "../../src/harvest/anonymize_fields.ts";
import {
  anonymizeBody,
  customFieldKeys,
  DEFAULT_ANONYMIZE_FIELDS,
  keptUpstream,
  LIST_ANONYMIZE_FIELDS,
  randomName,
} from "../../src/privacy/anonymize.ts";
import type { EntityName } from "../../src/entities.ts";
import { PERSONAL_LISTS } from "../../src/privacy/personal_lists.ts";

Deno.test("custom fields are cleared from custom_fields when keyed_custom_fields is empty", () => {
  const candidate = {
    id: 1,
    custom_fields: { desired_salary: "$42k", work_remotely: true },
    keyed_custom_fields: {},
  };
  assert.deepEqual(anonymizeBody(candidate).custom_fields, [
    { name_key: "desired_salary", delete_value: "true" },
    { name_key: "work_remotely", delete_value: "true" },
  ]);
});

Deno.test("custom field keys are the union of both spellings, each once", () => {
  const candidate = {
    custom_fields: { desired_salary: "$42k", graduation_year: 2020 },
    keyed_custom_fields: {
      desired_salary: { name: "Desired salary", type: "short_text", value: "$42k" },
      graduation_year_1: { name: "Graduation year", type: "number", value: 2020 },
    },
  };
  assert.deepEqual(customFieldKeys(candidate), [
    "desired_salary",
    "graduation_year",
    "graduation_year_1",
  ]);
  assert.deepEqual(customFieldKeys({ custom_fields: null, keyed_custom_fields: { a: {} } }), ["a"]);
  assert.deepEqual(customFieldKeys({ custom_fields: [], keyed_custom_fields: "x" }), []);
  assert.deepEqual(customFieldKeys({}), []);
});

Deno.test("v3 clears a custom field with value null, v1 with delete_value", () => {
  const candidate = { custom_fields: { a: 1 }, keyed_custom_fields: { b: { value: 2 } } };
  assert.deepEqual(anonymizeBody(candidate, "v3").custom_fields, [
    { name_key: "a", value: null },
    { name_key: "b", value: null },
  ]);
  assert.deepEqual(anonymizeBody(candidate, "v1").custom_fields, [
    { name_key: "a", delete_value: "true" },
    { name_key: "b", delete_value: "true" },
  ]);
});

Deno.test("the body clears every contact field and draws new names each call", () => {
  const body = anonymizeBody({ id: 1 });
  for (
    const key of [
      "addresses",
      "email_addresses",
      "phone_numbers",
      "social_media_addresses",
      "website_addresses",
      "tags",
      "custom_fields",
    ]
  ) {
    assert.deepEqual(body[key], [], key);
  }
  assert.equal(body.company, null);
  assert.equal(body.title, null);
  assert.match(String(body.first_name), /^[A-Z][a-z]{11}$/);
  assert.notEqual(anonymizeBody({ id: 1 }).first_name, body.first_name);
  assert.match(randomName(5), /^[A-Z][a-z]{4}$/);
});

Deno.test("keptUpstream: the personal lists no anonymize field given reaches, unreachable ones first", () => {
  const kept = (fields?: string[]) =>
    keptUpstream(fields).map((k) => `${k.list}:${k.missingFields.join(",")}`);
  const unreachable = [
    "application_stages:",
    "demographic_answers:",
    "eeoc:",
    "ai_opt_out_statuses:",
  ];
  const scored = [
    "scorecard_question_answers",
    "scorecard_question_answer_options",
    "scorecard_candidate_attributes",
    "interviewers",
    "interview_media",
  ];
  assert.deepEqual(kept(), [
    ...unreachable,
    "applications:" + LIST_ANONYMIZE_FIELDS.applications!.join(","),
    "offers:offers,all_offer_versions",
    "scorecards:scorecards_and_interviews",
    "scheduled_interviews:scorecards_and_interviews",
    "candidate_educations:education",
    "candidate_employments:employment",
    "applied_candidate_tags:tags",
    "rejection_details:" + LIST_ANONYMIZE_FIELDS.rejection_details!.join(","),
    "prospect_details:" + LIST_ANONYMIZE_FIELDS.prospect_details!.join(","),
    ...scored.map((list) => `${list}:scorecards_and_interviews`),
  ]);
  // Every field a list needs must be given for it to count as anonymized upstream.
  const given = ["scorecards_and_interviews", "offers", "education", "employment", "tags"];
  assert.deepEqual(kept([...given, ...DEFAULT_ANONYMIZE_FIELDS]), [
    ...unreachable,
    "applications:" + LIST_ANONYMIZE_FIELDS.applications!.join(","),
    "offers:all_offer_versions",
    "rejection_details:" + LIST_ANONYMIZE_FIELDS.rejection_details!.join(","),
    "prospect_details:" + LIST_ANONYMIZE_FIELDS.prospect_details!.join(","),
  ]);
  assert.deepEqual(kept([...ANONYMIZE_FIELD_NAMES]), unreachable);
});

Deno.test("LIST_ANONYMIZE_FIELDS names only personal lists and the endpoint's field names", () => {
  for (const [list, fields] of Object.entries(LIST_ANONYMIZE_FIELDS)) {
    assert.ok(PERSONAL_LISTS.includes(list as EntityName), list);
    for (const field of fields!) assert.ok(ANONYMIZE_FIELD_NAMES.includes(field), field);
  }
});
