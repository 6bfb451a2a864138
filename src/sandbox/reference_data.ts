/**
 * Static reference lists of the synthetic tenant (v1 shape where v1 has the list), next to the
 * vocabulary the seeded records use: the names candidates carry (tags, schools, degrees,
 * disciplines) and the ids records embed (rejection and close reasons) all appear here, so
 * `check` finds every reference. Awkward values are deliberate, as in vocab.ts.
 */
import * as V from "./vocab.ts";

/** The fixed created_at / updated_at v3 gives records whose v1 shape has none. */
export const FIXED_TIME = "2014-01-01T00:00:00.000Z";

/** GET /v1/user_roles (https://developers.greenhouse.io/harvest.html#get-list-user-roles). */
export const USER_ROLES = [
  { id: 4729, type: "interviewer", name: "Interviewer" },
  { id: 4730, type: "job_admin", name: "Standard" },
  { id: 4731, type: "job_admin", name: "Private" },
  { id: 4732, type: "job_admin", name: 'Recruiter, "senior"' },
];

/** Rejection reasons every account has besides its own (`include_defaults=true`). */
export const DEFAULT_REJECTION_REASONS = [
  { id: 1, name: "Spam", type: { id: 3, name: "None specified" } },
  { id: 2, name: "Wasn't interested", type: { id: 2, name: "They rejected us" } },
];

/** GET /v1/close_reasons; jobs' openings close with the first (vocab's `{ id: 689 }`). */
export const CLOSE_REASONS = [
  { id: 689, name: "Hired" },
  { id: 690, name: "Backfill" },
  { id: 691, name: 'Cancelled, "budget"' },
];

/** Names → education list records `{id, name, priority}` (ids follow `base`). */
function educationList(base: number, names: readonly (string | null)[]) {
  return names.filter((name): name is string => name !== null).map((name, priority) => ({
    id: base + priority,
    name,
    priority,
  }));
}

/** GET /v1/degrees, /v1/schools, /v1/disciplines: the names candidates' educations carry. */
export const DEGREES = educationList(76_001, V.DEGREES);
export const SCHOOLS = educationList(77_001, V.SCHOOLS);
export const DISCIPLINES = educationList(78_001, V.DISCIPLINES);
/**
 * The option archived in Greenhouse: the last school. v1's /schools lists it (v1 shows no
 * state); v3's custom field options list it with `active: false`, as the spec says they do by
 * default ("Default (active omitted) includes archived (soft-deleted) options").
 */
export const ARCHIVED_OPTION_ID: number = SCHOOLS[SCHOOLS.length - 1].id;

/** GET /v1/tags/candidate: the tags candidates carry. */
export const TAGS = V.TAGS.map((name, i) => ({ id: 365 + i, name }));

interface CustomFieldSpec {
  id: number;
  name: string;
  name_key: string;
  field_type: string;
  value_type: string;
  active: boolean;
  options: string[];
  /** v3's Greenhouse-managed role (the education fields), else null. */
  internal_type: string | null;
}

/**
 * Custom fields: those the seeded records fill (candidates, applications, jobs, offers), one
 * archived field, and (v3 only) the three education fields whose options are v3's degrees,
 * schools and disciplines.
 */
export const CUSTOM_FIELDS: readonly CustomFieldSpec[] = [
  field(5001, "Desired Salary", "desired_salary", "candidate", "short_text"),
  field(5002, "Work Remotely", "work_remotely", "candidate", "yes_no"),
  field(5003, "Graduation Year", "graduation_year_1", "candidate", "single_select", [
    "2021",
    "2022",
    "2023, or later",
  ]),
  field(
    5004,
    "Application Custom Test",
    "application_custom_test",
    "application",
    "single_select",
    [
      "Option 1",
      "Option 2",
    ],
  ),
  field(5005, "Time type", "employment_type", "job", "single_select", ["Full-Time", "Part-Time"]),
  field(5006, "Salary Range", "salary_range", "job", "currency_range"),
  field(5007, "Best seasons", "best_seasons", "offer", "multi_select", ["Season 1", "Season 2"]),
  field(5008, "Salary", "salary", "offer", "currency"),
  {
    ...field(
      5009,
      "Old Referral Question",
      "old_referral_question",
      "referral_question",
      "long_text",
    ),
    active: false,
  },
];

/** v3's education fields (v1 lists their options at /degrees, /schools, /disciplines). */
export const EDUCATION_FIELDS: readonly CustomFieldSpec[] = [
  {
    ...field(5101, "School Name", "school_name", "candidate", "single_select"),
    internal_type: "school_name",
  },
  { ...field(5102, "Degree", "degree", "candidate", "single_select"), internal_type: "degree" },
  {
    ...field(5103, "Discipline", "discipline", "candidate", "single_select"),
    internal_type: "discipline",
  },
];

function field(
  id: number,
  name: string,
  name_key: string,
  field_type: string,
  value_type: string,
  options: string[] = [],
): CustomFieldSpec {
  return { id, name, name_key, field_type, value_type, active: true, options, internal_type: null };
}

/** A custom field option's id: the field id × 100 + its position. */
export const optionId = (fieldId: number, position: number): number => fieldId * 100 + position;

/** GET /v1/demographics/question_sets. */
export const DEMOGRAPHIC_QUESTION_SETS = [
  {
    id: 1991,
    title: "Voluntary Self-Identification (US)",
    description: "<p>Answers are <b>optional</b> and kept apart from your application.</p>",
    active: true,
  },
  { id: 1992, title: 'Old set, "retired"', description: null, active: false },
];

/** Questions with their answer options; one option per question invites free text. */
export const DEMOGRAPHIC_QUESTIONS = [
  {
    id: 123,
    setId: 1991,
    name: "How would you describe your gender identity?",
    multi: false,
    options: ["Woman", "Man", "Non-binary", "I prefer to self-describe", "I don't wish to answer"],
  },
  {
    id: 124,
    setId: 1991,
    name: "Which of these describe you? (select all that apply)",
    multi: true,
    options: ["Asian", "Black", "Hispanic, Latinx or Spanish origin", "White", "Other"],
  },
  {
    id: 125,
    setId: 1991,
    name: "Do you identify as a person with a disability?",
    multi: false,
    options: ["Yes", "No", "I don't wish to answer"],
  },
] as const;

/** An answer option's id: the question id × 100 + its position. */
export const answerOptionId = (questionId: number, position: number): number =>
  questionId * 100 + position;

/** Options that ask for free text ("self-describe", "Other"). */
export const isFreeForm = (name: string): boolean => /self-describe|^Other$/.test(name);

/** An option whose choice declines to answer. */
export const isDecline = (name: string): boolean => /don't wish to answer/.test(name);

/** EEOC categories and descriptions (https://developers.greenhouse.io/harvest.html#eeoc). */
export const EEOC = {
  race: [
    "American Indian or Alaskan Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino",
    "White",
    "Native Hawaiian or Other Pacific Islander",
    "Two or More Races",
    "Decline To Self Identify",
  ],
  gender: ["Male", "Female", "Decline To Self Identify"],
  veteran_status: [
    "I am not a protected veteran",
    "I identify as one or more of the classifications of a protected veteran",
    "I don't wish to answer",
  ],
  disability_status: [
    "Yes, I have a disability, or have a history/record of having a disability",
    "No, I don’t have a disability, or a history/record of having a disability",
    "I don't wish to answer",
  ],
} as const;

/** Email template kinds the sandbox has, with the v3 `from_type` each is sent with. */
export const EMAIL_TEMPLATES = [
  {
    id: 48765,
    name: "Default Scorecard Reminder",
    description: "To be sent to an interviewer when their scorecard is due.",
    type: "scorecard_reminder",
    from: null,
    fromType: "organizer",
    html: "<p>Hello,</p>\r\n<p>Send in your feedback for {{CANDIDATE_NAME}}.</p>",
    personal: false,
  },
  {
    id: 48766,
    name: 'Reject - "Phone Screen"',
    description: "Rejection after a phone screen, with a comma, and a quote",
    type: "candidate_rejection",
    from: "{{MY_EMAIL_ADDRESS}}",
    fromType: "my_email_address",
    html: "Hi&nbsp;{{CANDIDATE_FIRST_NAME}},<br />Thank you for your time.",
    personal: false,
  },
  {
    id: 200008,
    name: "Personal Candidate Email Template",
    description: "To email candidates",
    type: "candidate_email",
    from: "{{MY_EMAIL_ADDRESS}}",
    fromType: "my_email_address",
    html: "Hi&nbsp;{{CANDIDATE_FIRST_NAME}},<br /><br />Still interested in {{JOB_NAME}}?",
    personal: true,
  },
] as const;
