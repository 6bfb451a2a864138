/**
 * Per-credential endpoint permissions, so tests can run with exactly the permissions a real key
 * would have. What each request needs comes from the client's own table (harvest/permissions.ts).
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

export { v1Permission, v3Scope } from "../harvest/permissions.ts";

/** Whether a granted list (undefined: everything) includes `needed` (undefined: no endpoint). */
export function granted(list: readonly string[] | undefined, needed: string | undefined): boolean {
  if (list === undefined || needed === undefined) return true;
  const want = needed.toLowerCase();
  return list.some((name) => name.trim().toLowerCase() === want);
}
