/**
 * A fact of the API that both sides need: the client validates `--anonymize-fields` against it and
 * the sandbox refuses anything else, as Harvest does.
 */

/**
 * The field names Harvest's anonymize endpoint accepts (v1 `PUT /candidates/{id}/anonymize?
 * fields=`, https://developers.greenhouse.io/harvest.html#put-anonymize-candidate, as of
 * September 2025; v3 takes the same names in its JSON body).
 */
export const ANONYMIZE_FIELD_NAMES: readonly string[] = Object.freeze([
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
]);
