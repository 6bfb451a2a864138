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
import type { ApiRecord, ApiVersion } from "../entities.ts";

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

/** The PATCH /candidates/{id} body that anonymises this candidate; fresh random names each call. */
export function anonymizeBody(
  candidate: ApiRecord,
  version: ApiVersion = "v1",
): Record<string, unknown> {
  return {
    first_name: randomName(),
    last_name: randomName(),
    company: null,
    title: null,
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
 * The field names Harvest's anonymize endpoint accepts (v1 `PUT /candidates/{id}/anonymize?
 * fields=`, https://developers.greenhouse.io/harvest.html#put-anonymize-candidate, as of
 * September 2025; v3 takes the same names in its JSON body).
 */
export const ANONYMIZE_FIELD_NAMES: readonly string[] = [
  "full_name",
  "current_company",
  "current_title",
  "tags",
  "phone_numbers",
  "emails",
  "social_media_links",
  "websites",
  "addresses",
  "location",
  "custom_candidate_fields",
  "source",
  "recruiter",
  "coordinator",
  "attachments",
  "application_questions",
  "referral_questions",
  "notes",
  "rejection_notes",
  "email_addresses",
  "activity_items",
  "innotes",
  "inmails",
  "rejection_reason",
  "scorecards_and_interviews",
  "offers",
  "credited_to",
  "headline",
  "all_offer_versions",
  "follow_up_reminders",
  "custom_application_fields",
  "education",
  "employment",
  "candidate_stage_data",
  "prospect_owner",
  "custom_rejection_question_fields",
  "touchpoints",
  "prospect_pool_and_stage",
  "prospect_jobs",
  "prospect_offices",
  "prospect_offices_and_departments",
  "match_score_reasoning",
  "identity_verification",
  "third_party_integrations",
];

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
