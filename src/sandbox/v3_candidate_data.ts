/**
 * The sandbox's v3 per-candidate resources, derived from the same tenant as v1 (no second data
 * set): `/v3/notes` (the notes of the v1 activity feed) and `/v3/attachments` (the candidate's
 * v1 `attachments[]`), and the v3 candidate writes (DELETE, PATCH, PATCH …/anonymize) acting as
 * the token's `sub`.
 *
 * The routes follow the READ Endpoint Migration Guide (activity feed → /v3/notes, attachments →
 * /v3/attachments: https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions),
 * writes as the token's `sub` follow https://harvestdocs.greenhouse.io/docs/authentication. The
 * record shapes are sandbox choices, not checked against the v3 reference pages:
 * - A note: `{id, candidate_id, application_id: null, user_id, body, visibility, private,
 *   created_at, updated_at}` (updated_at = created_at: sandbox notes are never edited).
 * - An attachment: `{id, candidate_id, application_id: null, type, filename, url, created_at,
 *   updated_at}`; id = candidate id × 100 + position + 1; only candidate-level files (as in v1's
 *   candidate record). The url is a mint link (`/files/m/<token>?Expires&Signature`, valid for
 *   the attachment lifetime) that answers 302 to a fresh signed URL valid for MINTED_LIFETIME_MS.
 * - Writes need a token issued with `sub` (422 otherwise); PATCH answers the candidate (v3
 *   shape, not wrapped in an array); DELETE answers 204. The bodies accepted (writes.ts): PATCH
 *   with v3 field names only and custom fields as `{name_key, value}`; anonymize as
 *   `{"fields": [names]}` with v1's 44 names.
 */
import type { ApiRecord } from "../entities.ts";
import { json, notFound, type Reply } from "./reply.ts";
import type { Tenant } from "./tenant.ts";
import { toV3 } from "./v3_shape.ts";
import { validateV3AnonymizeBody, validateV3Patch } from "./writes.ts";

/** Life of the URL a mint link redirects to. */
export const MINTED_LIFETIME_MS = 60_000;

export function v3Notes(tenant: Tenant, candidateId: number): ApiRecord[] {
  const feed = tenant.activityFeed(candidateId);
  const notes: ApiRecord[] = Array.isArray(feed?.notes) ? feed.notes : [];
  return notes.map((n) => ({
    id: n.id,
    candidate_id: candidateId,
    application_id: null,
    user_id: typeof n.user?.id === "number" ? n.user.id : null,
    body: n.body,
    visibility: n.visibility,
    private: n.private,
    created_at: n.created_at,
    updated_at: n.created_at,
  }));
}

export function v3Attachments(tenant: Tenant, candidateId: number): ApiRecord[] {
  const list: ApiRecord[] = tenant.get("candidates", candidateId)?.attachments ?? [];
  return list.map((a, n) => ({
    id: candidateId * 100 + n + 1,
    candidate_id: candidateId,
    application_id: null,
    type: a.type,
    filename: a.filename,
    url: String(a.url).replace(/\/files\/(?:r\/)?/, "/files/m/"),
    created_at: a.created_at,
    updated_at: a.created_at,
  }));
}

/**
 * DELETE / PATCH /v3/candidates/{id} and PATCH /v3/candidates/{id}/anonymize as the token's
 * user (`sub`). `operation` is the path's third segment, if any.
 */
export function v3CandidateWrite(
  tenant: Tenant,
  method: string,
  id: number,
  sub: number | undefined,
  bodyText: string | undefined,
  operation?: string,
): Reply {
  if (operation !== undefined && (operation !== "anonymize" || method !== "PATCH")) {
    return notFound();
  }
  if (sub === undefined) {
    return json(422, {
      errors: ["Writes need an access token issued for a user: request it with sub=<user id>."],
    });
  }
  if (tenant.slotOf("candidates", id) === undefined) return notFound();
  if (method === "DELETE") {
    tenant.deleteCandidate(id);
    return { status: 204, body: null, headers: {} };
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText ?? "");
  } catch {
    return json(422, { errors: ["body: must be valid JSON"] });
  }
  const errors = (list: { field: string; message: string }[]) =>
    json(422, { errors: list.map((e) => `${e.field}: ${e.message}`) });
  if (operation === "anonymize") {
    const fields = validateV3AnonymizeBody(body);
    if (!fields.ok) return errors(fields.errors);
    return json(200, toV3("candidates", tenant.anonymizeCandidate(id, fields.value)));
  }
  const v = validateV3Patch(body, tenant.get("candidates", id)!, tenant.list("users"));
  if (!v.ok) return errors(v.errors);
  return json(200, toV3("candidates", tenant.patchCandidate(id, v.value)));
}
