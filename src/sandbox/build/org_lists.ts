/**
 * v3's organisation lists: small fixed ones (prospect pool stages, referrers, user e-mails,
 * interviewer tags, custom field departments and offices, job boards and their custom locations,
 * future job permissions, pay inputs, blocked spam sources), and per-job or per-post ones (user job
 * permissions, job notes, approver groups and approvers, pay ranges, post locations, tracking
 * links). Where v1 embeds the same facts they are read from the v1 records (prospect pools'
 * stages, users' e-mails, a job's hiring team, a post's location, a job's salary range), so both
 * versions agree. Field meanings: Greenhouse's v3 spec (src/schemas/v3_spec.json).
 *
 * Per-job slots: job j owns slots j × K … j × K + K - 1 (K in PER_JOB_ORG), created with the job
 * plus the slot's number in milliseconds; per-post ones follow the job posts' slots.
 */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix } from "../prng.ts";
import * as R from "../reference_data.ts";
import * as V from "../vocab.ts";
import { approvalExists, buildJobPost, jobPostExists, PER_JOB } from "./job_lists.ts";
import { buildJob } from "./jobs.ts";
import type { TenantView } from "./view.ts";

const T = R.FIXED_TIME;
const stamped = (record: ApiRecord): ApiRecord => ({ ...record, created_at: T, updated_at: T });

// ---------------------------------------------------------------- fixed lists

/** v1 prospect pools embed their stages; v3 lists them. */
export const prospectPoolStagesV3 = (): ApiRecord[] =>
  V.PROSPECT_POOLS.flatMap((pool) =>
    pool.prospect_stages.map((stage, sort_order) =>
      stamped({ id: stage.id, prospect_pool_id: pool.id, name: stage.name, sort_order })
    )
  );

/** One referrer per user: v1 credits an application to a user (`credited_to`). */
export const referrersV3 = (users: readonly ApiRecord[]): ApiRecord[] =>
  users.map((user, u) => ({
    id: idOf("referrer", u),
    user_id: user.id,
    name: user.name,
    created_at: user.created_at,
    updated_at: user.created_at,
  }));

/** Every address v1's users carry (`emails`), the primary one verified. */
export const userEmailsV3 = (users: readonly ApiRecord[]): ApiRecord[] =>
  users.flatMap((user, u) =>
    (user.emails as string[]).map((email, n) => ({
      id: idOf("userEmail", u, n),
      user_id: user.id,
      email,
      verified: n === 0,
      verification_token_sent_at: n === 0 ? null : user.created_at,
      created_at: user.created_at,
      updated_at: user.created_at,
    }))
  );

export const INTERVIEWER_TAGS = [
  { id: 601, name: "Engineering interviewers" },
  { id: 602, name: 'Bar raisers, "senior"' },
];

export const interviewerTagsV3 = (): ApiRecord[] => INTERVIEWER_TAGS.map((tag) => stamped(tag));

/** The job custom fields limited to departments and offices (the rest apply to all). */
export const customFieldDepartmentsV3 = (): ApiRecord[] => [
  stamped({ id: 611, custom_field_id: 5006, department_id: V.DEPARTMENTS[0].id }),
  stamped({ id: 612, custom_field_id: 5006, department_id: V.DEPARTMENTS[1].id }),
];

export const customFieldOfficesV3 = (): ApiRecord[] => [
  stamped({ id: 621, custom_field_id: 5005, office_id: V.OFFICES[1].id }),
];

/** The external board (id 1) and the internal one (id 2) that job posts name. */
export const jobBoardsV3 = (): ApiRecord[] => [
  stamped({
    id: 1,
    company_name: "Sandbox Co",
    url_token: "sandbox",
    internal: false,
    status: "live",
    about: '<p>We make things, "carefully".</p>',
    introduction: null,
    conclusion: null,
  }),
  stamped({
    id: 2,
    company_name: "Sandbox Co",
    url_token: "internal",
    internal: true,
    status: "live",
    about: null,
    introduction: "<p>Internal moves welcome.</p>",
    conclusion: null,
  }),
];

export const jobBoardCustomLocationsV3 = (): ApiRecord[] => [
  stamped({ id: 631, value: "Remote, United States", active: true, greenhouse_job_board_id: 1 }),
  stamped({ id: 632, value: 'Anywhere, "really"', active: false, greenhouse_job_board_id: 1 }),
];

/** Roles some users get on every future job, or those of a department or office. */
export const futureJobPermissionsV3 = (users: readonly ApiRecord[]): ApiRecord[] =>
  [
    { user: 1, department_id: V.DEPARTMENTS[0].id, office_id: null, role_id: 4730 },
    { user: 2, department_id: null, office_id: V.OFFICES[0].id, role_id: 4732 },
    { user: 3, department_id: null, office_id: null, role_id: 4731 },
  ].filter((p) => p.user < users.length - 1).map(({ user, ...p }, n) =>
    stamped({ id: 641 + n, user_id: users[user].id, ...p })
  );

/** The salary range custom field (jobs' `salary_range`), the first pay input's source. */
const SALARY_RANGE_FIELD = 5006;

export const PAY_INPUTS = [
  {
    id: 801,
    title: "Base Salary",
    blurb: 'The range for this role, "before" bonus.',
    priority: 0,
    linked_custom_field_id: SALARY_RANGE_FIELD,
    locked: true,
  },
  {
    id: 802,
    title: "Sign-on Bonus",
    blurb: null,
    priority: 1,
    linked_custom_field_id: null,
    locked: false,
  },
];

export const payInputsV3 = (): ApiRecord[] => PAY_INPUTS.map((input) => stamped(input));

export const blockedSpamSourcesV3 = (): ApiRecord[] => [
  stamped({ id: 651, source_type: "email_domain", value: "spam.example.net", note: null }),
  stamped({ id: 652, source_type: "ip_address", value: "203.0.113.7", note: 'Bot, "again"' }),
  stamped({ id: 653, source_type: "email_address", value: "bot@spam.example.org", note: null }),
];

// ---------------------------------------------------------------- per job

/** Slots each job owns in each list. */
export const PER_JOB_ORG = {
  jobPermissions: 8,
  jobNotes: 2,
  approverGroups: 4,
  approvers: 8,
  trackingLinks: 1,
} as const;

const jobOf = (slot: number, per: number) => Math.floor(slot / per);
const jobExists = (t: TenantView, j: number) => j < t.skeleton.jobs;

export const perJobCreated = (per: number) => (t: TenantView, slot: number) =>
  t.skeleton.jobCreated(jobOf(slot, per)) + (slot % per);

/** The role each hiring-team list gets on its job. */
const TEAM_ROLES: Record<string, number> = {
  hiring_managers: 4730,
  recruiters: 4732,
  coordinators: 4732,
  sourcers: 4731,
};

/** Job j's hiring team as distinct users with a role; site admins have no job permissions. */
function jobTeam(t: TenantView, j: number): { user: number; role: number }[] {
  const out: { user: number; role: number }[] = [];
  const team = buildJob(t, j).hiring_team as Record<string, ApiRecord[]>;
  for (const [list, role] of Object.entries(TEAM_ROLES)) {
    for (const member of team[list] ?? []) {
      const admin = t.users.find((u) => u.id === member.id)?.site_admin === true;
      if (!admin && !out.some((x) => x.user === member.id)) out.push({ user: member.id, role });
    }
  }
  return out;
}

export const jobPermissionExists = (t: TenantView, q: number) => {
  const j = jobOf(q, PER_JOB_ORG.jobPermissions);
  return jobExists(t, j) && q % PER_JOB_ORG.jobPermissions < jobTeam(t, j).length;
};

/** v3 user job permission: a member of the v1 job's hiring team, in the team's role. */
export function buildJobPermissionV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_ORG.jobPermissions;
  const j = jobOf(q, per), n = q % per;
  const { user, role } = jobTeam(t, j)[n];
  const at = iso(perJobCreated(per)(t, q));
  return {
    id: idOf("jobPermission", j, n),
    job_id: idOf("job", j),
    user_id: user,
    role_id: role,
    automated: false,
    created_at: at,
    updated_at: at,
  };
}

export const jobNoteExists = (t: TenantView, q: number) => {
  const j = jobOf(q, PER_JOB_ORG.jobNotes);
  return jobExists(t, j) && q % PER_JOB_ORG.jobNotes < mix(t.seed, 107, j) % 3;
};

export function buildJobNoteV3(t: TenantView, q: number): ApiRecord {
  const per = PER_JOB_ORG.jobNotes;
  const j = jobOf(q, per), n = q % per;
  const created = perJobCreated(per)(t, q);
  const user = t.users[mix(t.seed, 108, q) % Math.max(1, t.users.length - 1)];
  return {
    id: idOf("jobNote", j, n),
    job_id: idOf("job", j),
    user_id: user.id,
    body: n === 0
      ? "<p>Hiring manager prefers candidates who can start in Q3.</p>"
      : 'Budget approved, "finally"',
    visibility: n === 0 ? "admin_only_visible" : "privately_visible",
    created_at: iso(created),
    updated_at: iso(created + (mix(t.seed, 109, q) % 30) * DAY_MS),
  };
}

/** Approval flow f of job j (its slot in the approvals list). */
const flowSlot = (j: number, f: number) => j * PER_JOB.approvals + f;

/** An approval flow's groups (one or two). */
const groupCount = (t: TenantView, j: number, f: number) => 1 + mix(t.seed, 110, j, f) % 2;

export const approverGroupExists = (t: TenantView, q: number) => {
  const j = jobOf(q, PER_JOB_ORG.approverGroups);
  const f = Math.floor((q % 4) / 2), g = q % 2;
  return jobExists(t, j) && approvalExists(t, flowSlot(j, f)) && g < groupCount(t, j, f);
};

/** Whether the job's flows were approved (every flow of a job not in draft is). */
const approved = (t: TenantView, j: number) => t.skeleton.jobStatus(j) !== "draft";

export function buildApproverGroupV3(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB_ORG.approverGroups);
  const f = Math.floor((q % 4) / 2), g = q % 2;
  const created = perJobCreated(PER_JOB_ORG.approverGroups)(t, q);
  const resolved = approved(t, j) ? created + DAY_MS : null;
  return {
    id: idOf("approverGroup", j, f * 2 + g),
    approval_flow_id: idOf("approval", j, f),
    approvals_required: 1,
    sort_order: g,
    required_for_exception: g === 0,
    resolved_at: resolved === null ? null : iso(resolved),
    created_at: iso(created),
    updated_at: iso(resolved ?? created),
  };
}

export const approverExists = (t: TenantView, q: number) => {
  const j = jobOf(q, PER_JOB_ORG.approvers);
  const group = Math.floor((q % 8) / 2), a = q % 2;
  return approverGroupExists(t, j * PER_JOB_ORG.approverGroups + group) &&
    a < 1 + mix(t.seed, 111, j, group) % 2;
};

export function buildApproverV3(t: TenantView, q: number): ApiRecord {
  const j = jobOf(q, PER_JOB_ORG.approvers);
  const group = Math.floor((q % 8) / 2), a = q % 2;
  const created = perJobCreated(PER_JOB_ORG.approvers)(t, q);
  const user = t.users[mix(t.seed, 112, q) % Math.max(1, t.users.length - 1)];
  const done = approved(t, j);
  const requested = iso(created + 60_000);
  return {
    id: idOf("approver", j, group * 2 + a),
    sort_order: a,
    user_id: user.id,
    status: done ? "approved" : a === 0 ? "due" : "waiting",
    resolved_by_id: done ? user.id : null,
    resolved_at: done ? iso(created + DAY_MS) : null,
    request_sent_at: done || a === 0 ? requested : null,
    version_sent: done || a === 0 ? 1 : null,
    reminder_sent_at: null,
    reminder_sent_by_id: null,
    reminders_sent: 0,
    approver_group_id: idOf("approverGroup", j, group),
    added_by_custom_field_id: null,
    send_auto_reminder_at: null,
    auto_reminders_sent: 0,
    created_at: iso(created),
    updated_at: iso(done ? created + DAY_MS : created),
  };
}

export const trackingLinkExists = (t: TenantView, j: number) =>
  jobExists(t, j) && t.skeleton.jobStatus(j) !== "draft";

export function buildTrackingLinkV3(t: TenantView, j: number): ApiRecord {
  const at = iso(t.skeleton.jobCreated(j));
  const post = idOf("jobPost", j, 0);
  const source = V.SOURCES[mix(t.seed, 113, j) % V.SOURCES.length];
  return {
    id: idOf("trackingLink", j),
    job_id: idOf("job", j),
    token: (mix(t.seed, 114, j).toString(16) + mix(t.seed, 115, j).toString(16)).padStart(16, "0"),
    source_id: source.id,
    related_post_id: post,
    related_post_type: "JobPost",
    referrer_id: null,
    job_board_id: 1,
    job_post_id: post,
    created_at: at,
    updated_at: at,
  };
}

// ---------------------------------------------------------------- per job post

/** The job posts' slots: job j's external post is slot 2j, its internal one 2j + 1. */
const postJob = (q: number) => Math.floor(q / PER_JOB.jobPosts);

/** v3 job post location: the location v1 embeds in the post. */
export function buildPostLocationV3(t: TenantView, q: number): ApiRecord {
  const post = buildJobPost(t, q);
  const location = post.location;
  const office = location.office_id !== null;
  return {
    id: location.id,
    plain_text_location: office ? null : location.name,
    office_id: location.office_id,
    type: office ? "office" : "free_text",
    job_post_id: post.id,
    custom_location_id: location.job_post_custom_location_id,
    created_at: post.created_at,
    updated_at: post.created_at,
  };
}

/** Where the offices are, for the job boards' location search. */
const GEOCODES: Record<number, ApiRecord> = {
  [V.OFFICES[0].id]: {
    location: "New York, NY, United States",
    city: "New York",
    region_short_name: "NY",
    region_long_name: "New York",
    postal_code: null,
    county: null,
    country_short_name: "US",
    country_long_name: "United States",
    latitude: 40.7128,
    longitude: -74.006,
  },
  [V.OFFICES[1].id]: {
    location: "Zürich, ZH, Switzerland",
    city: "Zürich",
    region_short_name: "ZH",
    region_long_name: "Zürich",
    postal_code: "8001",
    county: null,
    country_short_name: "CH",
    country_long_name: "Switzerland",
    latitude: 47.3769,
    longitude: 8.5417,
  },
};

/** Posts of a job whose office the boards can place get a searchable location. */
export function searchableLocationExists(t: TenantView, q: number): boolean {
  if (!jobPostExists(t, q)) return false;
  const office = buildJob(t, postJob(q)).offices[0];
  return office !== undefined && GEOCODES[office.id] !== undefined;
}

export function buildSearchableLocationV3(t: TenantView, q: number): ApiRecord {
  const j = postJob(q);
  const office = buildJob(t, j).offices[0];
  const at = iso(t.skeleton.jobCreated(j) + (q % PER_JOB.jobPosts));
  return {
    id: idOf("searchableLocation", j, q % PER_JOB.jobPosts),
    job_post_id: idOf("jobPost", j, q % PER_JOB.jobPosts),
    ...GEOCODES[office.id],
    created_at: at,
    updated_at: at,
  };
}

/** External posts show the job's salary range as their base salary. */
export const payRangeExists = (t: TenantView, q: number) =>
  jobPostExists(t, q) && q % PER_JOB.jobPosts === 0;

export function buildPayRangeV3(t: TenantView, q: number): ApiRecord {
  const j = postJob(q);
  const range = buildJob(t, j).custom_fields.salary_range;
  const at = iso(t.skeleton.jobCreated(j) + (q % PER_JOB.jobPosts));
  return {
    id: idOf("payInputRange", j),
    pay_input_id: PAY_INPUTS[0].id,
    currency_type: range.unit,
    min_cents: range.min_value * 100,
    max_cents: range.max_value * 100,
    job_post_id: idOf("jobPost", j, 0),
    created_at: at,
    updated_at: at,
  };
}
