/**
 * The sandbox's v3 per-candidate resources, derived from the same tenant as v1 (no second data
 * set): `/v3/notes` (every item of the v1 activity feed) and `/v3/attachments` (the candidate's
 * v1 `attachments[]`), and the v3 candidate writes (DELETE, PATCH, PATCH …/anonymize) acting as
 * the token's `sub`.
 *
 * The routes follow the READ Endpoint Migration Guide (activity feed → /v3/notes, attachments →
 * /v3/attachments: https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions),
 * writes as the token's `sub` follow https://harvestdocs.greenhouse.io/docs/authentication. The
 * record shapes are the v3 spec's `note` and `attachment` objects (src/schemas/v3_spec.json;
 * tests/unit/sandbox_v3_spec_test.ts holds them to it):
 * - A note: `{id, type, candidate_id, application_id, user_id, subject, body, body_with_tags,
 *   visibility, email_from, email_to, email_cc, email_attachment_file_names, import_hash,
 *   created_at, updated_at}` (the last two before the times null: v1 has no such facts). `type` tells notes
 *   (`NOTE`), logged e-mails (`EMAIL`) and activity entries (`ACTIVITY`) apart; e-mail fields
 *   are set on e-mails only; visibility is `publicly_visible`, `privately_visible` or
 *   `admin_only_visible`. updated_at = created_at until the note is edited (Tenant.editNote).
 * - An attachment: `{id, candidate_id, application_id, type, filename, url, created_at,
 *   updated_at}`: attachments belong to applications (the candidate's first application here;
 *   a candidate without one, which Greenhouse never has, lists none on v3). id = candidate id × 100 + position + 1; only
 *   candidate-level files (as in v1's candidate record), so offer packets are not listed. The
 *   url is a mint link (`/files/m/<token>?Expires&Signature`, valid for the attachment
 *   lifetime) that answers 302 to a fresh signed URL valid for MINTED_LIFETIME_MS (the
 *   reference: "served via a Greenhouse redirect endpoint that issues a fresh short-lived file
 *   URL ... Links expire after seven days").
 * - `candidate_ids` is optional on both lists (every list parameter is, in the v3 spec): without
 *   it, every candidate's records.
 * - Writes need a token issued with `sub` (422 otherwise); PATCH answers the candidate (v3
 *   shape, not wrapped in an array); DELETE answers 204. The bodies accepted (writes.ts): PATCH
 *   with v3 field names only and custom fields as `{name_key, value}`; anonymize as
 *   `{"fields": [names]}` with v1's 44 names.
 */
import type { ApiRecord } from "../entities.ts";
import { DAY_MS, iso } from "./dates.ts";
import { idOf } from "./ids.ts";
import { json, notFound, type Reply } from "./reply.ts";
import type { Tenant } from "./tenant.ts";
import { toV3 } from "./v3_shape.ts";
import { validateV3AnonymizeBody, validateV3Patch } from "./writes.ts";

/** Life of the URL a mint link redirects to. */
export const MINTED_LIFETIME_MS = 60_000;

/** v1 note visibility → v3. */
const VISIBILITY: Record<string, string> = {
  public: "publicly_visible",
  private: "privately_visible",
  admin_only: "admin_only_visible",
};

const userId = (item: ApiRecord): number | null =>
  typeof item.user?.id === "number" ? item.user.id : null;

/** Every item of the candidate's feed as a v3 note, told apart by `type`. */
export function v3Notes(tenant: Tenant, candidateId: number): ApiRecord[] {
  const feed = tenant.activityFeed(candidateId);
  if (!feed) return [];
  const edited = tenant.overlayOf(tenant.slotOf("candidates", candidateId)!)?.editedNote;
  const note = (type: string, item: ApiRecord, extra: ApiRecord) => ({
    id: item.id,
    type,
    candidate_id: candidateId,
    application_id: null,
    user_id: userId(item),
    subject: null,
    body: item.body,
    body_with_tags: item.body,
    visibility: null,
    email_from: null,
    email_to: null,
    email_cc: null,
    email_attachment_file_names: null,
    import_hash: null,
    ...extra,
    created_at: item.created_at,
    updated_at: edited && item.id === edited.id ? iso(edited.at) : item.created_at,
  });
  const list = (key: string): ApiRecord[] => Array.isArray(feed[key]) ? feed[key] : [];
  return [
    ...list("notes").map((n) =>
      note("NOTE", n, { visibility: VISIBILITY[n.visibility] ?? n.visibility })
    ),
    ...list("emails").map((e) =>
      note("EMAIL", e, {
        subject: e.subject,
        email_from: e.from,
        email_to: e.to,
        email_cc: e.cc === null || e.cc === undefined ? [] : [e.cc],
      })
    ),
    ...list("activities").map((a) => note("ACTIVITY", a, { subject: a.subject })),
    ...list("linkedin_notes").map((n) => note("LINKEDIN_NOTE", n, {})),
    ...list("linkedin_inmails").map((n) => note("LINKEDIN_INMAIL", n, {})),
  ];
}

/**
 * The candidate's files as v3 lists them. Every v3 attachment belongs to an application (the
 * spec's `application_id` is never null), so a candidate without one has none on v3.
 */
export function v3Attachments(tenant: Tenant, candidateId: number): ApiRecord[] {
  const slot = tenant.slotOf("candidates", candidateId);
  if (slot === undefined) return [];
  const application = tenant.skeleton.applicationsOf(slot)[0];
  if (application === undefined) return [];
  const list: ApiRecord[] = tenant.get("candidates", candidateId)?.attachments ?? [];
  return list.map((a, n) => ({
    id: candidateId * 100 + n + 1,
    candidate_id: candidateId,
    application_id: idOf("application", application),
    type: a.type,
    filename: a.filename,
    url: String(a.url).replace(/\/files\/(?:r\/)?/, "/files/m/"),
    created_at: a.created_at,
    updated_at: a.created_at,
  }));
}

/**
 * Seeded notes and files are at most this long after their candidate's creation (notes until
 * the seeded updated_at, at most 120 days on; files within 20 days), so a time filter can skip
 * the candidates created long enough before it that were never written to.
 */
const SEEDED_ITEMS_SPAN_MS = 121 * DAY_MS;

/**
 * The candidate ids a listing without `candidate_ids` looks at: every existing candidate, or
 * with a lower time bound `since`, those whose seeded items can be that recent plus those
 * written to (which can have newer items).
 */
export function candidatesInScope(tenant: Tenant, since?: number): number[] {
  const sk = tenant.skeleton;
  const first = since === undefined || !Number.isFinite(since)
    ? 0
    : tenant.lists.candidates.lowerBound(since - SEEDED_ITEMS_SPAN_MS);
  const slots = new Set<number>(tenant.writtenCandidates());
  for (let i = first; i < sk.candidateSlots(); i++) slots.add(i);
  return [...slots].filter((i) => sk.candidateExists(i)).map((i) => tenant.candidateId(i));
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
