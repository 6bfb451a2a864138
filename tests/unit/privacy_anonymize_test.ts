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
  // v3's body takes strings only for them (the v3 spec's PATCH body): emptied, never null.
  const v3 = anonymizeBody({ id: 1 }, "v3");
  assert.equal(v3.company, "");
  assert.equal(v3.title, "");
  assert.match(String(body.first_name), /^[A-Z][a-z]{11}$/);
  assert.notEqual(anonymizeBody({ id: 1 }).first_name, body.first_name);
  assert.match(randomName(5), /^[A-Z][a-z]{4}$/);
});

Deno.test("keptUpstream: the personal lists no anonymize field given reaches, unreachable ones first", () => {
  const kept = (fields?: string[]) =>
    keptUpstream(fields, "v1").map((k) => `${k.list}:${k.missingFields.join(",")}`);
  const fields = LIST_ANONYMIZE_FIELDS.v1;
  const applications = fields.applications!.join(",");
  // No v1 name reaches these (v3's AI opt-outs and recordings have names on v3 only).
  const unreachable = [
    "application_stages:",
    "demographic_answers:",
    "eeoc:",
    "ai_opt_out_statuses:",
    "interview_media:",
  ];
  const scored = [
    "scorecard_question_answers",
    "scorecard_question_answer_options",
    "scorecard_candidate_attributes",
    "interviewers",
  ];
  assert.deepEqual(kept(), [
    ...unreachable,
    "applications:" + applications,
    "offers:offers,all_offer_versions",
    "scorecards:scorecards_and_interviews",
    "scheduled_interviews:scorecards_and_interviews",
    "candidate_educations:education",
    "candidate_employments:employment",
    "applied_candidate_tags:tags",
    "rejection_details:" + fields.rejection_details!.join(","),
    "prospect_details:" + fields.prospect_details!.join(","),
    ...scored.map((list) => `${list}:scorecards_and_interviews`),
  ]);
  // Every field a list needs must be given for it to count as anonymized upstream.
  const given = ["scorecards_and_interviews", "offers", "education", "employment", "tags"];
  assert.deepEqual(kept([...given, ...DEFAULT_ANONYMIZE_FIELDS]), [
    ...unreachable,
    "applications:" + applications,
    "offers:all_offer_versions",
    "rejection_details:" + fields.rejection_details!.join(","),
    "prospect_details:" + fields.prospect_details!.join(","),
  ]);
  assert.deepEqual(kept([...ANONYMIZE_FIELD_NAMES.v1]), unreachable);
});

Deno.test("keptUpstream on v3: demographic answers and EEOC responses have names of their own", () => {
  const kept = (fields?: string[]) =>
    keptUpstream(fields, "v3").map((k) => `${k.list}:${k.missingFields.join(",")}`);
  assert.deepEqual(kept().slice(0, 3), [
    "application_stages:",
    "applications:" + LIST_ANONYMIZE_FIELDS.v3.applications!.join(","),
    "offers:offers,all_offer_versions",
  ]);
  assert.ok(kept().includes("demographic_answers:demographic_question_responses"));
  assert.ok(kept().includes("eeoc:eeoc_responses"));
  assert.ok(kept().includes("ai_opt_out_statuses:ai_opt_out"));
  assert.ok(kept().includes("interview_media:notetaking_recording,notetaking_transcript"));
  // Everything v3 takes: only the list no name reaches is kept.
  assert.deepEqual(kept([...ANONYMIZE_FIELD_NAMES.v3]), ["application_stages:"]);
});

Deno.test("anonymize field names per version: v3's are the spec's enum, v1's 44 all among them", async () => {
  const spec = JSON.parse(
    await Deno.readTextFile(new URL("../../src/schemas/v3_spec.json", import.meta.url)),
  );
  assert.deepEqual(ANONYMIZE_FIELD_NAMES.v3, spec.anonymize.fields);
  assert.equal(ANONYMIZE_FIELD_NAMES.v1.length, 44);
  for (const name of ANONYMIZE_FIELD_NAMES.v1) assert.ok(ANONYMIZE_FIELD_NAMES.v3.includes(name));
  assert.ok(!ANONYMIZE_FIELD_NAMES.v1.includes("eeoc_responses"));
  assert.equal(new Set(ANONYMIZE_FIELD_NAMES.v3).size, ANONYMIZE_FIELD_NAMES.v3.length);
  for (const name of DEFAULT_ANONYMIZE_FIELDS) {
    assert.ok(ANONYMIZE_FIELD_NAMES.v1.includes(name) && ANONYMIZE_FIELD_NAMES.v3.includes(name));
  }
});

Deno.test("LIST_ANONYMIZE_FIELDS names only personal lists and the version's field names", () => {
  for (const version of ["v1", "v3"] as const) {
    for (const [list, fields] of Object.entries(LIST_ANONYMIZE_FIELDS[version])) {
      assert.ok(PERSONAL_LISTS.includes(list as EntityName), list);
      for (const field of fields!) {
        assert.ok(ANONYMIZE_FIELD_NAMES[version].includes(field), `${version} ${field}`);
      }
    }
  }
});
