/** Static vocabulary for the synthetic tenant: plain values and deliberately awkward ones. */

export const FIRST_NAMES = [
  "John",
  "Kate",
  "Jack",
  "Sawyer",
  "Hugo",
  "Sun",
  "Jin",
  "Claire",
  "Charlie",
  "Desmond",
  "Penny",
  "Ben",
  "Juliet",
  "Miles",
  "Daniel",
  "Charlotte",
  "Frank",
  "Ana Lucia",
  "Libby",
  "Walt",
  "Michael",
  "Shannon",
  "Boone",
  "Rose",
  "Bernard",
  "Richard",
  "Eloise",
  "Ilana",
  "Nikki",
  "Paulo",
];
export const LAST_NAMES = [
  "Locke",
  "Austen",
  "Shephard",
  "Ford",
  "Reyes",
  "Kwon",
  "Littleton",
  "Pace",
  "Hume",
  "Widmore",
  "Linus",
  "Burke",
  "Straume",
  "Faraday",
  "Lewis",
  "Lapidus",
  "Cortez",
  "Smith",
  "Lloyd",
  "Dawson",
  "Carlyle",
  "Nadler",
  "Alpert",
  "Hawking",
  "Verdansky",
  "Fernandez",
  "O'Brien",
  "van der Berg",
];

/**
 * Names that break naive CSV, spreadsheet, path and trimming code. `[first, last]`; null means
 * the API sends `null` for that part.
 */
export const AWKWARD_NAMES: ReadonlyArray<readonly [string | null, string | null]> = [
  ["Anne, Marie", 'O"Neil'],
  ["Line\nBreak", "Smith, Jr."],
  ['=HYPERLINK("http://example.com")', "Formula"],
  ["李", "小龙"],
  ["Ørjan", "Ødegård"],
  ["Zoë", "Saldaña"],
  ["عمر", "الفاروق"],
  [null, "Onlylast"],
  ["Onlyfirst", null],
  ["  Padded ", " Name  "],
  ["+SUM(1,2)", "-@cmd"],
  ["Tab\tName", "Semi;colon"],
  ['"Quoted"', "Back\\slash"],
  ["Émilie", "Dvořák"],
];

export const COMPANIES = [
  "The Tustin Box Company",
  "Oceanic Airlines",
  "Dharma Initiative",
  "Widmore Industries",
  "Mr. Cluck's Chicken",
  "Paik Heavy Industries",
  "Hanso Foundation",
  "Acme, Inc.",
  'The "Other" Company',
  null,
];
export const TITLES = [
  "Customer Success Representative",
  "Engineer",
  "Senior Engineer",
  "Data Scientist",
  "Product Manager",
  "Designer, UX",
  "Accountant",
  null,
];
export const TAGS = [
  "Python",
  "Ruby",
  "Go",
  "Referral",
  "Boomerang",
  "Relocation, maybe",
  "Senior",
];
export const SCHOOLS = [
  "University of Michigan - Ann Arbor",
  "MIT",
  "Université de Montréal",
  "Oxford, Brookes",
];
export const DEGREES = ["Bachelor's Degree", "Master's Degree", "PhD", null];
export const DISCIPLINES = ["Computer Science", "Physics", "Economics", null];

export const JOB_NAMES = [
  "Accounting Manager",
  "DevOps Engineer",
  "Data Scientist - BK",
  "Head of Product",
  "Web Developer ",
  "Product Manager ",
  'Engineer, Backend "Platform"',
  "Sales Rep, EMEA",
  'Designer "Senior", UX',
  "Archaeologist",
  "Support Engineer\n(Night shift)",
  "=Analyst",
];

export const STAGES = [
  "Application Review",
  "Recruiter Phone Screen",
  "Take Home Test",
  "Face to Face",
  "Reference Check",
  "Offer",
];

export const REJECTION_REASONS = [
  { id: 8, name: "Lacking skill(s)/qualification(s)", type: { id: 1, name: "We rejected them" } },
  { id: 9504, name: "Hired another candidate", type: { id: 1, name: "We rejected them" } },
  { id: 12, name: "Went with another offer", type: { id: 2, name: "They rejected us" } },
];

export const SOURCES = [
  { id: 16, name: "LinkedIn (Prospecting)", type: { id: 5, name: "Prospecting" } },
  { id: 12, name: "Meetups", type: { id: 1, name: "Attend Events" } },
  { id: 7, name: "Indeed", type: { id: 3, name: "Third-party boards" } },
  { id: 1871, name: "Happy Hour", type: { id: 1, name: "Attend Events" } },
  { id: 100674, name: "Campus Job Fair", type: { id: 1, name: "Attend Events" } },
  { id: 632, name: "Other", type: { id: 5, name: "Prospecting" } },
  { id: 928, name: "Destiny", type: { id: 7, name: "Supernatural Means" } },
  { id: 2001, name: 'Referral, "Employee"', type: { id: 2, name: "Referrals" } },
  { id: 2002, name: "Agency: Smith & Co.", type: { id: 8, name: "Agencies" } },
];

export const PROSPECT_POOLS = [
  {
    id: 25,
    name: "Cold Outreach: Sourced",
    active: true,
    prospect_stages: [
      { id: 85, name: "Discussed" },
      { id: 86, name: "Had email listed on their business card" },
      { id: 87, name: "Had email listed on their blog" },
      { id: 88, name: "Not Contacted" },
    ],
  },
  {
    id: 26,
    name: "Opted In: Referral",
    active: false,
    prospect_stages: [
      { id: 90, name: "1st. Follow Up Sent" },
      { id: 92, name: "In Discussion" },
    ],
  },
  {
    id: 227,
    name: "Opted In: In-Person Event",
    active: true,
    prospect_stages: [{ id: 826, name: "In Discussion" }, { id: 827, name: 'Cold, "maybe"' }],
  },
  { id: 228, name: "Empty pool", active: true, prospect_stages: [] },
];

export const DEPARTMENTS = [
  {
    id: 25907,
    name: "Engineering",
    parent_id: null,
    child_ids: [25908],
    external_id: "12345",
    parent_department_external_id: null,
    child_department_external_ids: ["12346"],
  },
  {
    id: 25908,
    name: "Second-Level department",
    parent_id: 25907,
    child_ids: [],
    external_id: "12346",
    parent_department_external_id: "12345",
    child_department_external_ids: [],
  },
  {
    id: 9024,
    name: "Marketing, Growth",
    parent_id: null,
    child_ids: [],
    external_id: null,
    parent_department_external_id: null,
    child_department_external_ids: [],
  },
];

export const OFFICES = [
  {
    id: 47012,
    name: "New York",
    location: { name: "New York, United States" },
    primary_contact_user_id: null,
    parent_id: null,
    child_ids: [],
    external_id: "15679",
    parent_office_external_id: null,
    child_office_external_ids: [],
  },
  {
    id: 59213,
    name: "Zürich",
    location: { name: null },
    primary_contact_user_id: null,
    parent_id: null,
    child_ids: [],
    external_id: null,
    parent_office_external_id: null,
    child_office_external_ids: [],
  },
];

export const USER_NAMES: ReadonlyArray<readonly [string, string]> = [
  ["Greenhouse", "Admin"],
  ["Jane", "Smith"],
  ["Bob", "Smith"],
  ["Kate", "Austen"],
  ["Boone", "Carlyle"],
  ["Sayid", "Jarrah"],
  ["Joel", "Job Admin"],
  ["Samuel", "Skateboard"],
  ["Teddy", "Pizzazz"],
  ["Mirandella", "Lager"],
  ["Kaylee", "Prime"],
  ["Hank", "Hollandaise"],
  ["Ærin", "Ó Súilleabháin"],
  ["Disabled", "User"],
];
