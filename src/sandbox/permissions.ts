/**
 * Per-credential endpoint permissions, so tests can run with exactly the permissions a real key
 * would have.
 *
 * - v1: "each key is granted endpoints one by one in Dev Center … access is binary per endpoint"
 *   (https://developers.greenhouse.io/harvest.html#authentication). Permissions are named the way
 *   Dev Center and privacy platforms list them, e.g. "Get: List Candidates", "Delete: Delete
 *   Candidate", "Patch: Edit Candidate" (DataGrail's Greenhouse page); compared case-insensitively.
 * - v3: OAuth scopes `harvest:<resource>:<action>` (https://harvestdocs.greenhouse.io/docs/
 *   authentication; e.g. `harvest:candidates:list`); actions list, create, update, destroy, and a
 *   named operation (`harvest:candidates:anonymize` for PATCH /v3/candidates/{id}/anonymize).
 *
 * Sandbox choices where the docs are silent: a request outside the key's permissions answers 403,
 * v1 `{"message": "This API key does not have permission to access this endpoint."}`, v3
 * `{"errors": ["Missing required scope: <scope>."]}`; the check comes after authentication and
 * the rate limit, before the route (so an unknown id still answers 403, not 404).
 */

/** Singular and plural of each v1 resource, as its permission names spell them. */
const V1_NOUNS: Record<string, [string, string]> = {
  applications: ["Application", "Applications"],
  candidates: ["Candidate", "Candidates"],
  jobs: ["Job", "Jobs"],
  offers: ["Offer", "Offers"],
  prospect_pools: ["Prospect Pool", "Prospect Pools"],
  scorecards: ["Scorecard", "Scorecards"],
  sources: ["Source", "Sources"],
  users: ["User", "Users"],
};

/** The v1 permission a request needs (path after `/v1`), or undefined for no known endpoint. */
export function v1Permission(method: string, path: string): string | undefined {
  const seg = path.split("/").filter((s) => s !== "");
  const noun = V1_NOUNS[seg[0]];
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

/** Whether a granted list (undefined: everything) includes `needed` (undefined: no endpoint). */
export function granted(list: readonly string[] | undefined, needed: string | undefined): boolean {
  if (list === undefined || needed === undefined) return true;
  const want = needed.toLowerCase();
  return list.some((name) => name.trim().toLowerCase() === want);
}
