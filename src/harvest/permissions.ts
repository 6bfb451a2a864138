/**
 * The permission each Harvest request needs, as Greenhouse names it: the one table the client
 * (a 403 names what to grant), `ping` (what each command needs) and the sandbox (what it refuses)
 * share.
 *
 * - v1: keys are granted endpoint by endpoint in Dev Center, each permission named like the v1
 *   reference's section title: "Get: List Candidates", "Delete: Delete Candidate", "Patch: Edit
 *   Candidate" (https://developers.greenhouse.io/harvest.html#authentication; DataGrail's
 *   Greenhouse page lists them the same way).
 * - v3: OAuth scopes `harvest:<resource>:<action>` (https://harvestdocs.greenhouse.io/docs/
 *   authentication; e.g. `harvest:candidates:list`); actions list, create, update, destroy, and a
 *   named operation (`harvest:candidates:anonymize` for PATCH /v3/candidates/{id}/anonymize).
 */
import type { ApiVersion } from "../entities.ts";

/** Singular and plural of each v1 resource whose list is `/<resource>`, as its permissions spell them. */
const V1_NOUNS: Record<string, [string, string]> = {
  applications: ["Application", "Applications"],
  candidates: ["Candidate", "Candidates"],
  jobs: ["Job", "Jobs"],
  offers: ["Offer", "Offers"],
  prospect_pools: ["Prospect Pool", "Prospect Pools"],
  scorecards: ["Scorecard", "Scorecards"],
  sources: ["Source", "Sources"],
  users: ["User", "Users"],
  departments: ["Department", "Departments"],
  offices: ["Office", "Offices"],
  user_roles: ["User Role", "User Roles"],
  custom_fields: ["Custom Field", "Custom Fields"],
  rejection_reasons: ["Rejection Reason", "Rejection Reasons"],
  close_reasons: ["Close Reason", "Close Reasons"],
  degrees: ["Degree", "Degrees"],
  schools: ["School", "Schools"],
  disciplines: ["Discipline", "Disciplines"],
  email_templates: ["Email Template", "Email Templates"],
  job_posts: ["Job Post", "Job Posts"],
  job_stages: ["Job Stage", "Job Stages"],
  scheduled_interviews: ["Scheduled Interview", "Scheduled Interviews"],
};

/**
 * The v1 lists two segments deep: `/tags/candidate` and the demographic data under
 * `/demographics/`, with the reference's section titles ("GET: List Candidate Tags").
 */
const V1_NESTED_NOUNS: Record<string, [string, string]> = {
  "tags/candidate": ["Candidate Tag", "Candidate Tags"],
  "demographics/question_sets": ["Demographic Question Set", "Demographic Question Sets"],
  "demographics/questions": ["Demographic Question", "Demographic Questions"],
  "demographics/answer_options": ["Demographic Answer Option", "Demographic Answer Options"],
  "demographics/answers": ["Demographic Answer", "Demographic Answers"],
};

/** The v1 permission a request needs (path after `/v1`), or undefined for no known endpoint. */
export function v1Permission(method: string, path: string): string | undefined {
  const all = path.split("/").filter((s) => s !== "");
  const nested = V1_NESTED_NOUNS[all.slice(0, 2).join("/")];
  // A nested list reads like a top-level one from here on: [resource, id?, ...].
  const seg = nested ? [all.slice(0, 2).join("/"), ...all.slice(2)] : all;
  const noun = nested ?? V1_NOUNS[seg[0]];
  if (!noun) return undefined;
  const [one, many] = noun;
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") {
    if (seg.length === 1) return `Get: List ${many}`;
    if (seg.length === 2) return `Get: Retrieve ${one}`;
    if (seg.length === 3 && seg[0] === "candidates" && seg[2] === "activity_feed") {
      return "Get: Retrieve Activity Feed";
    }
    if (seg.length === 3 && seg[0] === "applications" && V1_NOUNS[seg[2]]) {
      return `Get: List ${V1_NOUNS[seg[2]][1]} for Application`;
    }
    // "GET: List Demographic Answers For Application": /applications/{id}/demographics/answers.
    const child = V1_NESTED_NOUNS[seg.slice(2).join("/")];
    if (seg.length === 4 && seg[0] === "applications" && child) {
      return `Get: List ${child[1]} for Application`;
    }
    return undefined;
  }
  if (seg[0] !== "candidates") return undefined;
  if (m === "DELETE" && seg.length === 2) return "Delete: Delete Candidate";
  if (m === "PATCH" && seg.length === 2) return "Patch: Edit Candidate";
  if (m === "PUT" && seg.length === 3 && seg[2] === "anonymize") return "Put: Anonymize Candidate";
  return undefined;
}

/** The v3 scope a request needs (path after `/v3`), or undefined for no known endpoint. */
export function v3Scope(method: string, path: string): string | undefined {
  const seg = path.split("/").filter((s) => s !== "");
  if (seg.length === 0 || !/^[a-z_]+$/.test(seg[0])) return undefined;
  const m = method.toUpperCase();
  if ((m === "GET" || m === "HEAD") && seg.length === 1) return `harvest:${seg[0]}:list`;
  if (m === "POST" && seg.length === 1) return `harvest:${seg[0]}:create`;
  if (m === "DELETE" && seg.length === 2) return `harvest:${seg[0]}:destroy`;
  if (m === "PATCH" && seg.length === 2) return `harvest:${seg[0]}:update`;
  if ((m === "PATCH" || m === "POST") && seg.length === 3 && /^[a-z_]+$/.test(seg[2])) {
    return `harvest:${seg[0]}:${seg[2]}`;
  }
  return undefined;
}

/**
 * The permission (v1) or scope (v3) a request needs, `path` relative to the version's base
 * (`/job_posts`, not `/v1/job_posts`); undefined for a request the table does not know.
 */
export function requiredPermission(
  version: ApiVersion,
  method: string,
  path: string,
): string | undefined {
  return version === "v1" ? v1Permission(method, path) : v3Scope(method, path);
}
