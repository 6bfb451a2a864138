/**
 * Harvest v1 in the sandbox: the list endpoints with their documented filters and page links,
 * single records, the activity feed, and the candidate writes (DELETE, PATCH, anonymize).
 *
 * Sandbox choices where the v1 reference (https://developers.greenhouse.io/harvest.html) is
 * silent:
 * - `email=` matches case-insensitively and exactly against any of a candidate's email_addresses
 *   (#get-list-candidates says only "matching e-mail address").
 * - A page past the end answers `200 []` with Link prev (page-1) and last (#pagination).
 * - Invalid per_page/page/ISO dates answer 422 `{"message":"Validation error","errors":[…]}`,
 *   the shape of #validation.
 * - Writes without On-Behalf-Of answer 422 naming the header; an unknown user id answers 404, as
 *   recorded in Greenhouse's own client (github.com/grnhse/greenhouse_io, spec/fixtures).
 * - PATCH answers the updated candidate wrapped in an array (as #patch-edit-candidate shows);
 *   `null` for an array field is refused with 422 ("send [] to clear").
 * - Attachment URL paths (`/files/<token>`) are stable; `Expires`/`Signature` are computed when
 *   the record is served (like real S3 presigned URLs), so compare URLs by path.
 */
import type { ApiRecord } from "../entities.ts";
import { parseIsoFilter } from "./dates.ts";
import { idOf } from "./ids.ts";
import { json, notFound, type Reply } from "./reply.ts";
import type { SlotQuery } from "./slots.ts";
import { LIST_ENTITIES, type SandboxEntity, type Tenant } from "./tenant.ts";
import { type FieldError, validateAnonymizeFields, validatePatch } from "./writes.ts";

const validation = (errors: FieldError[]) => json(422, { message: "Validation error", errors });

/** Link header like the real API: comma without space, order next, prev, last. */
export function linkHeader(
  url: URL,
  page: number,
  perPage: number,
  total: number | undefined,
  hasMore: boolean,
): string | undefined {
  const kept = url.search.slice(1).split("&").filter((p) => {
    if (p === "") return false;
    const key = decodeURIComponent(p.split("=")[0].replaceAll("+", " "));
    return key !== "page" && key !== "per_page";
  });
  const base = `${url.origin}${url.pathname}?${kept.length ? kept.join("&") + "&" : ""}`;
  const link = (p: number, rel: string) => `<${base}page=${p}&per_page=${perPage}>; rel="${rel}"`;
  const parts: string[] = [];
  if (hasMore) parts.push(link(page + 1, "next"));
  if (page > 1) parts.push(link(page - 1, "prev"));
  if (total !== undefined) parts.push(link(Math.max(1, Math.ceil(total / perPage)), "last"));
  return parts.length ? parts.join(",") : undefined;
}

/**
 * Lists whose v1 endpoint takes created_after / created_before (the GET: List sections of
 * https://developers.greenhouse.io/harvest.html, e.g. #get-list-applications). Sources and
 * prospect pools have no created_at in v1.
 */
const CREATED_FILTERED: readonly SandboxEntity[] = [
  "applications",
  "candidates",
  "jobs",
  "offers",
  "scorecards",
  "users",
];

type Filter = { query: Omit<SlotQuery, "offset" | "limit" | "needCount">; empty?: boolean };

/** The documented filters of each list endpoint (as for CREATED_FILTERED); others are ignored. */
function buildFilter(
  entity: SandboxEntity,
  params: URLSearchParams,
  tenant: Tenant,
): Filter | FieldError[] {
  const sk = tenant.skeleton;
  const jobIds = (s: number) => sk.applicationJobs(s).map((j) => idOf("job", j));
  const errors: FieldError[] = [];
  const date = (name: string): number | undefined => {
    const v = params.get(name);
    if (v === null) return undefined;
    const t = parseIsoFilter(v);
    if (t === undefined) {
      errors.push({ message: "Timestamp must be in ISO-8601 format", field: name });
    }
    return t;
  };
  const preds: ((slot: number) => boolean)[] = [];
  const q: Filter["query"] = {};
  let empty = false;
  if (CREATED_FILTERED.includes(entity)) {
    q.createdAfter = date("created_after");
    q.createdBefore = date("created_before");
  }
  const updated = (fn: (slot: number) => number, beforeInclusive = false) => {
    const after = date("updated_after"), before = date("updated_before");
    if (after !== undefined) preds.push((s) => fn(s) >= after);
    if (before !== undefined) {
      preds.push(beforeInclusive ? (s) => fn(s) <= before : (s) => fn(s) < before);
    }
  };
  switch (entity) {
    case "candidates": {
      updated((i) => tenant.candidateUpdated(i));
      const email = params.get("email");
      const jobId = params.get("job_id");
      if (email !== null) {
        const matches = tenant.candidatesWithEmail(email);
        preds.push((i) => matches.has(i));
      } else if (params.get("candidate_ids") !== null) {
        const ids = new Set(
          params.get("candidate_ids")!.split(",").map((s) => Number(s.trim())).filter((n) =>
            Number.isSafeInteger(n)
          ).slice(0, 50),
        );
        preds.push((i) => ids.has(tenant.candidateId(i)));
      }
      if (jobId !== null) {
        const id = Number(jobId);
        preds.push((i) =>
          sk.applicationsOf(i).some((s) => !sk.isProspect(s) && jobIds(s).includes(id))
        );
      }
      break;
    }
    case "applications": {
      const after = date("last_activity_after");
      if (after !== undefined) preds.push((s) => tenant.applicationLastActivity(s) >= after);
      const jobId = params.get("job_id");
      if (jobId !== null) {
        const id = Number(jobId);
        preds.push((s) => jobIds(s).includes(id));
      }
      const status = params.get("status");
      if (status !== null) {
        if (!["active", "converted", "hired", "rejected"].includes(status)) empty = true;
        else preds.push((s) => sk.applicationStatus(s) === status);
      }
      break;
    }
    case "jobs": {
      updated((j) => sk.jobUpdated(j));
      const status = params.get("status");
      if (status !== null) preds.push((j) => sk.jobStatus(j) === status);
      break;
    }
    case "offers": {
      // Offers document updated_before as "at or before", unlike the other lists.
      updated((s) => sk.offerUpdated(s), true);
      const status = params.get("status");
      if (status !== null) preds.push((s) => sk.offerStatus(s) === status);
      break;
    }
    case "scorecards":
      updated((q) => sk.scorecardUpdated(q));
      break;
    case "users":
      // #get-list-users: created_*, updated_* (and email, employee_id, not served here).
      updated((u) => Date.parse(tenant.users[u].updated_at));
      break;
    default:
      break;
  }
  if (errors.length) return errors;
  if (preds.length === 1) q.pred = preds[0];
  else if (preds.length > 1) q.pred = (s) => preds.every((p) => p(s));
  return { query: q, empty };
}

export function positiveInt(raw: string | null, fallback: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw.trim())) return undefined;
  const n = Number(raw.trim());
  return n >= 1 && n <= max ? n : undefined;
}

function listReply(
  entity: SandboxEntity,
  url: URL,
  tenant: Tenant,
  extra?: (slot: number) => boolean,
): Reply {
  const params = url.searchParams;
  const perPage = positiveInt(params.get("per_page"), 100, 500);
  if (perPage === undefined) {
    return validation([{ message: "Must be an integer between 1 and 500", field: "per_page" }]);
  }
  const page = positiveInt(params.get("page"), 1, Number.MAX_SAFE_INTEGER);
  if (page === undefined) {
    return validation([{ message: "Must be a positive integer", field: "page" }]);
  }
  const filter = buildFilter(entity, params, tenant);
  if (Array.isArray(filter)) return validation(filter);
  const skipCount = params.get("skip_count") === "true";
  const list = tenant.lists[entity];
  if (extra) {
    const p = filter.query.pred;
    filter.query.pred = p ? (s) => extra(s) && p(s) : extra;
  }
  const result = filter.empty ? { slots: [], total: 0, hasMore: false } : list.query({
    ...filter.query,
    offset: (page - 1) * perPage,
    limit: perPage,
    needCount: !skipCount,
  });
  const records: ApiRecord[] = result.slots.map((s) => list.seq.build(s));
  const link = linkHeader(url, page, perPage, skipCount ? undefined : result.total, result.hasMore);
  return json(200, records, link ? { Link: link } : {});
}

function parseId(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d{1,16}$/.test(raw) ? Number(raw) : undefined;
}

/** A /v1 request (past auth, rate limit and faults): its answer, after any write it makes. */
export function routeV1(
  tenant: Tenant,
  method: string,
  url: URL,
  headers: Headers,
  bodyText: string | undefined,
): Reply {
  const seg = url.pathname.slice("/v1/".length).split("/").filter((s) => s !== "");
  const entity = seg[0] as SandboxEntity;
  if (!(LIST_ENTITIES as readonly string[]).includes(entity)) return notFound();
  const id = parseId(seg[1]);
  if (method === "GET") {
    if (seg.length === 1) return listReply(entity, url, tenant);
    if (id === undefined) return notFound();
    if (seg.length === 2) {
      const rec = tenant.get(entity, id);
      return rec ? json(200, rec) : notFound();
    }
    if (seg.length === 3 && entity === "candidates" && seg[2] === "activity_feed") {
      const feed = tenant.activityFeed(id);
      return feed ? json(200, feed) : notFound();
    }
    if (seg.length === 3 && entity === "applications") {
      const s = tenant.slotOf("applications", id);
      if (s === undefined) return notFound();
      if (seg[2] === "offers") {
        return listReply("offers", url, tenant, (o) => o === s);
      }
      if (seg[2] === "scorecards") {
        const list = tenant.lists.scorecards;
        const recs = [2 * s, 2 * s + 1].filter((q) => list.seq.exists(q)).map((q) =>
          list.seq.build(q)
        );
        return json(200, recs);
      }
    }
    return notFound();
  }
  if (entity !== "candidates" || id === undefined) return notFound();
  const isDelete = method === "DELETE" && seg.length === 2;
  const isPatch = method === "PATCH" && seg.length === 2;
  const isAnon = method === "PUT" && seg.length === 3 && seg[2] === "anonymize";
  if (!isDelete && !isPatch && !isAnon) return notFound();
  const obo = headers.get("on-behalf-of");
  if (obo === null || obo.trim() === "") {
    return validation([{
      message: "Missing required header: On-Behalf-Of",
      field: "On-Behalf-Of",
    }]);
  }
  if (!tenant.userIds().includes(Number(obo.trim()))) return notFound();
  if (tenant.slotOf("candidates", id) === undefined) return notFound();
  if (isDelete) {
    tenant.deleteCandidate(id);
    return json(200, { message: `Person ${id} has been deleted.` });
  }
  if (isPatch) {
    let body: unknown;
    try {
      body = JSON.parse(bodyText ?? "");
    } catch {
      return validation([{ message: "Body must be valid JSON", field: "body" }]);
    }
    const current = tenant.get("candidates", id)!;
    const v = validatePatch(body, current, tenant.list("users"));
    if (!v.ok) return validation(v.errors);
    // The updated candidate wrapped in an array, as in #patch-edit-candidate of the v1 reference.
    return json(200, [tenant.patchCandidate(id, v.value)]);
  }
  const v = validateAnonymizeFields(url.searchParams.get("fields"), "v1");
  if (!v.ok) return validation(v.errors);
  return json(200, tenant.anonymizeCandidate(id, v.value));
}
