/**
 * The anonymisation rules (DataGrail's:
 * https://docs.datagrail.io/docs/integrations/api-documentation/greenhouse): clear the contact
 * and profile fields and replace the names with random strings. Array fields get `[]`, which
 * the reference documents as clearing them
 * (https://developers.greenhouse.io/harvest.html#patch-edit-candidate); it says nothing of null,
 * which the sandbox refuses. An empty `custom_fields` array changes nothing, so every custom field
 * the candidate carries, under either spelling the API returns (`custom_fields` and
 * `keyed_custom_fields`, whose keys may differ), is cleared by name: on v1 with
 * `delete_value: "true"` (the v1 reference's custom field parameters), on v3 with `value: null`.
 */
import type { ApiRecord, ApiVersion, EntityName } from "../entities.ts";
import { PERSONAL_LISTS } from "./personal_lists.ts";

/** Random letters from a cryptographic source (Web Crypto), unbiased. */
export function randomName(length = 12): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz";
  const out: string[] = [];
  const byte = new Uint8Array(1);
  while (out.length < length) {
    crypto.getRandomValues(byte);
    // 26 × 9 = 234: reject bytes above that so every letter is equally likely.
    if (byte[0] < 234) out.push(alphabet[byte[0] % 26]);
  }
  return out[0].toUpperCase() + out.slice(1).join("");
}

function keysOf(value: unknown): string[] {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.keys(value)
    : [];
}

/**
 * Every custom field key the candidate carries: the keys of `custom_fields` and of
 * `keyed_custom_fields`, each once, in that order. Either may be empty or missing while the
 * other has values, so neither can stand for both.
 */
export function customFieldKeys(candidate: ApiRecord): string[] {
  return [
    ...new Set([...keysOf(candidate?.custom_fields), ...keysOf(candidate?.keyed_custom_fields)]),
  ];
}

/**
 * The PATCH /candidates/{id} body that anonymises this candidate; fresh random names each call.
 * v1 clears company and title with null; v3's body takes strings only there (the v3 spec's
 * request body), so they are emptied with "".
 */
export function anonymizeBody(
  candidate: ApiRecord,
  version: ApiVersion = "v1",
): Record<string, unknown> {
  const cleared = version === "v3" ? "" : null;
  return {
    first_name: randomName(),
    last_name: randomName(),
    company: cleared,
    title: cleared,
    addresses: [],
    email_addresses: [],
    phone_numbers: [],
    social_media_addresses: [],
    website_addresses: [],
    tags: [],
    custom_fields: customFieldKeys(candidate).map((key) =>
      version === "v3" ? { name_key: key, value: null } : { name_key: key, delete_value: "true" }
    ),
  };
}

/**
 * `--anonymize-fields default`: what the profile PATCH cannot reach, the candidate's files and
 * activity: attachments, notes, e-mails, activity items, LinkedIn notes and InMails.
 */
export const DEFAULT_ANONYMIZE_FIELDS: readonly string[] = [
  "attachments",
  "notes",
  "emails",
  "activity_items",
  "innotes",
  "inmails",
];

/**
 * The anonymize field names that reach a candidate's records in each list holding personal data,
 * as the tool reads the names (neither reference says what each clears), per version:
 * applications by the answers, custom fields, referral, rejection, source and credit fields;
 * offers by `offers` and `all_offer_versions`; scorecards, scheduled interviews and v3's lists of
 * what they embed (answers, attribute ratings, interviewers) by `scorecards_and_interviews`; v3's
 * lists of what v1 embeds in candidates and applications by the names that clear those fields
 * there (`education`, `employment`, `tags`, the rejection and prospect fields); on v3 also
 * demographic answers by `demographic_question_responses`, EEOC responses by `eeoc_responses`, AI
 * opt-out decisions by `ai_opt_out` and interview recordings by `notetaking_recording` and
 * `notetaking_transcript` (names v1 lacks). A list missing here (application stages; on v1
 * demographic answers and v3's AI opt-outs and recordings) is reached by none: Greenhouse keeps an
 * anonymized candidate's records in it as they are (`candidate_stage_data` may concern
 * application stages; unsure, the tool assumes not).
 */
const LIST_ANONYMIZE_FIELDS_V1: Readonly<Partial<Record<EntityName, readonly string[]>>> = {
  applications: [
    "application_questions",
    "custom_application_fields",
    "referral_questions",
    "rejection_reason",
    "rejection_notes",
    "custom_rejection_question_fields",
    "source",
    "credited_to",
  ],
  offers: ["offers", "all_offer_versions"],
  scorecards: ["scorecards_and_interviews"],
  scheduled_interviews: ["scorecards_and_interviews"],
  candidate_educations: ["education"],
  candidate_employments: ["employment"],
  applied_candidate_tags: ["tags"],
  rejection_details: ["rejection_reason", "rejection_notes", "custom_rejection_question_fields"],
  prospect_details: [
    "prospect_owner",
    "prospect_pool_and_stage",
    "prospect_offices_and_departments",
  ],
  scorecard_question_answers: ["scorecards_and_interviews"],
  scorecard_question_answer_options: ["scorecards_and_interviews"],
  scorecard_candidate_attributes: ["scorecards_and_interviews"],
  interviewers: ["scorecards_and_interviews"],
};

export const LIST_ANONYMIZE_FIELDS: Readonly<
  Record<ApiVersion, Readonly<Partial<Record<EntityName, readonly string[]>>>>
> = {
  v1: LIST_ANONYMIZE_FIELDS_V1,
  v3: {
    ...LIST_ANONYMIZE_FIELDS_V1,
    demographic_answers: ["demographic_question_responses"],
    eeoc: ["eeoc_responses"],
    ai_opt_out_statuses: ["ai_opt_out"],
    interview_media: ["notetaking_recording", "notetaking_transcript"],
  },
};

/** A list in which Greenhouse keeps an anonymized candidate's records with their personal data. */
export interface KeptList {
  list: EntityName;
  /** The anonymize fields that would reach it and were not given; empty when none would. */
  missingFields: string[];
}

/**
 * The personal lists (personal_lists.ts) in which Greenhouse still holds an anonymized
 * candidate's records as they were, given the fields anonymized upstream (`--anonymize-fields`)
 * and the API version that anonymized them:
 * those no anonymize field reaches first, then those whose fields were not all given.
 */
export function keptUpstream(
  fields: readonly string[] = [],
  version: ApiVersion = "v1",
): KeptList[] {
  const given = new Set(fields);
  const reaching = LIST_ANONYMIZE_FIELDS[version];
  const kept = PERSONAL_LISTS.map((list) => ({
    list,
    missingFields: (reaching[list] ?? []).filter((field) => !given.has(field)),
  })).filter((k) => k.missingFields.length > 0 || (reaching[k.list] ?? []).length === 0);
  const reachable = (k: KeptList) => k.missingFields.length > 0 ? 1 : 0;
  return kept.sort((a, b) => reachable(a) - reachable(b));
}
