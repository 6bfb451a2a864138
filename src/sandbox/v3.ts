/**
 * Harvest v3 in the sandbox: the list endpoints and the candidate writes behind the bearer
 * token of v3_auth.ts, derived from the same lazy tenant as v1 (no second data set). It follows
 * the guides at https://harvestdocs.greenhouse.io/docs/: pagination (the cursor alone, a next
 * link only) and list-endpoints (ids, parent ids, created_at/updated_at with gte|gt|lte|lt).
 *
 * Sandbox choices where those guides give no detail:
 * - Lists are in id-descending order (as the Airbyte connector observes: github.com/airbytehq/
 *   airbyte, airbyte-integrations/connectors/source-greenhouse); the cursor is URL-safe base64
 *   of the first request's query and the position reached, so it can be the only parameter.
 * - Bad filters answer 422 `{"errors":["<param>: <why>"]}`, the shape that connector quotes for
 *   the cursor error.
 * - Records take their v3 shape from v3_shape.ts; children are not embedded (applications,
 *   attachments, hiring team, openings and pool stages have their own v3 endpoints).
 */
import type { ApiRecord } from "../entities.ts";
import { fromBase64Url, toBase64Url } from "./base64url.ts";
import { json, notFound, type Reply } from "./reply.ts";
import { LIST_ENTITIES, type SandboxEntity, type Tenant } from "./tenant.ts";
import { V3Auth, type V3AuthConfig } from "./v3_auth.ts";
import {
  candidatesInScope,
  v3Attachments,
  v3CandidateWrite,
  v3Notes,
} from "./v3_candidate_data.ts";
import { toV3 } from "./v3_shape.ts";

/** Per-candidate v3 lists: optional `?candidate_ids=` (≤ 50), cursor-paginated. */
const CANDIDATE_LISTS: Record<string, (tenant: Tenant, candidateId: number) => ApiRecord[]> = {
  notes: v3Notes,
  attachments: v3Attachments,
};

export type V3Config = Omit<V3AuthConfig, "userIds">;

/** The list paths this module answers (relative to /v3): the seven and users, notes, attachments. */
export const V3_CORE_PATHS: readonly string[] = [
  ...LIST_ENTITIES.map((entity) => `/${entity}`),
  ...Object.keys(CANDIDATE_LISTS).map((name) => `/${name}`),
];

export const CURSOR_WITH_PARAMS = "When passing a cursor, do not include other query params.";
const MAX_IDS = 50;
/** Fixed lists, whose ids do not follow their slots: ordered by id, and a cursor holds an id. */
const FIXED_ORDER: readonly SandboxEntity[] = ["sources", "prospect_pools"];

// ------------------------------------------------------------------------------ filters

/** A parsed pipe-syntax bound set, e.g. `gte|2024-01-01T00:00:00Z|lt|2024-02-01T00:00:00Z`. */
export interface Bounds {
  lo: number;
  hi: number;
}

/** `op|time` pairs → [lo, hi) in epoch ms (integer ms, so gt A is gte A+1 and lte B is lt B+1). */
export function parsePipeFilter(value: string): Bounds | string {
  const parts = value.split("|");
  if (parts.length === 0 || parts.length % 2 !== 0) return "expected op|time pairs";
  const b: Bounds = { lo: -Infinity, hi: Infinity };
  for (let i = 0; i < parts.length; i += 2) {
    const op = parts[i], text = parts[i + 1];
    const t = Date.parse(text);
    if (!/^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(text) || !Number.isFinite(t)) {
      return `"${text}" is not an ISO-8601 time`;
    }
    if (op === "gte") b.lo = Math.max(b.lo, t);
    else if (op === "gt") b.lo = Math.max(b.lo, t + 1);
    else if (op === "lt") b.hi = Math.min(b.hi, t);
    else if (op === "lte") b.hi = Math.min(b.hi, t + 1);
    else return `unknown operator "${op}" (use gte, gt, lte or lt)`;
  }
  return b;
}

export const inBounds = (b: Bounds | undefined, iso: unknown): boolean =>
  b === undefined || (typeof iso === "string" && Date.parse(iso) >= b.lo && Date.parse(iso) < b.hi);

export interface TimeBounds {
  created?: Bounds;
  updated?: Bounds;
}

/** The created_at / updated_at filters of a query, or the 422 message. */
export function timeBounds(params: URLSearchParams): TimeBounds | string {
  const out: TimeBounds = {};
  for (const name of ["created_at", "updated_at"] as const) {
    const v = params.get(name);
    if (v === null) continue;
    const b = parsePipeFilter(v);
    if (typeof b === "string") return `${name}: ${b}`;
    out[name === "created_at" ? "created" : "updated"] = b;
  }
  return out;
}

/** per_page (default 100), or the 422 message. */
export function perPageOf(params: URLSearchParams): number | string {
  const text = params.get("per_page") ?? "100";
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= 500
    ? n
    : "per_page: must be an integer between 1 and 500";
}

/**
 * The 422 message for a query whose `ids` or `*_ids` filter is malformed or names more than 50
 * ids (every id filter of the v3 spec has maxItems 50), whether or not this list honours it.
 */
export function idFiltersProblem(params: URLSearchParams): string | undefined {
  for (const [key, text] of params) {
    if (key !== "ids" && !key.endsWith("_ids")) continue;
    const list = idList(text);
    if (typeof list === "string") return `${key}: ${list}`;
  }
  return undefined;
}

export function idList(raw: string): number[] | string {
  const out = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (out.length > MAX_IDS) return `at most ${MAX_IDS} ids`;
  if (out.some((s) => !/^\d{1,16}$/.test(s))) return "expected comma-separated ids";
  return out.map(Number);
}

interface ListQuery extends TimeBounds {
  perPage: number;
  /** Slots allowed by ids / candidate_ids / application_ids / email; undefined = all. */
  only?: Set<number>;
  /** Records a default or a filter hides (v3-shaped); undefined = none. */
  hides?: (record: ApiRecord) => boolean;
}

// ------------------------------------------------------------------------------ cursors

/** The query a request stands for: its own, or the first request's with the position reached. */
export interface Resumed {
  params: URLSearchParams;
  /** Exclusive bound of the next page, from the cursor; undefined on a first request. */
  bound?: number;
}

/** A request's query, or the 422 reply when its cursor is invalid or not alone. */
export function resume(url: URL, list: string): Resumed | Reply {
  const params = url.searchParams;
  const cursor = params.get("cursor");
  if (cursor === null) return { params };
  if ([...params.keys()].some((k) => k !== "cursor")) {
    return json(422, { errors: [CURSOR_WITH_PARAMS] });
  }
  const state = decodeCursor(cursor, list);
  if (!state) return json(422, { errors: ["Invalid cursor."] });
  return { params: new URLSearchParams(state.q), bound: state.b };
}

function decodeCursor(cursor: string, list: string): { q: string; b: number } | undefined {
  const text = fromBase64Url(cursor);
  if (text === undefined) return undefined;
  try {
    const c = JSON.parse(text);
    if (c?.e !== list || typeof c.q !== "string" || !Number.isSafeInteger(c.b)) {
      return undefined;
    }
    return { q: c.q, b: c.b };
  } catch {
    return undefined;
  }
}

/** The Link header to the page after `bound`, the cursor carrying the whole first query. */
export function nextLink(url: URL, list: string, params: URLSearchParams, bound: number) {
  const c = toBase64Url(JSON.stringify({ e: list, q: params.toString(), b: bound }));
  return { Link: `<${url.origin}/v3/${list}?cursor=${c}>; rel="next"` };
}

export const isReply = (v: Resumed | Reply): v is Reply => "status" in v;

// ------------------------------------------------------------------------------ the API

export class V3Api {
  readonly auth: V3Auth;
  constructor(readonly config: V3Config, readonly tenant: Tenant) {
    this.auth = new V3Auth({ ...config, userIds: () => tenant.userIds() });
  }

  /** Every issued token stops working (the next request gets a 401), as after a rotation. */
  revokeTokens(): void {
    this.auth.revokeTokens();
  }

  /** GET /v3/<entity>[?…]: the list endpoints; DELETE/PATCH /v3/candidates/{id}[/anonymize]. */
  route(method: string, url: URL, sub?: number, bodyText?: string): Reply {
    const seg = url.pathname.slice("/v3/".length).split("/").filter((s) => s !== "");
    const entity = seg[0] as SandboxEntity;
    if (
      (method === "DELETE" || method === "PATCH") && (seg.length === 2 || seg.length === 3) &&
      entity === "candidates"
    ) {
      if (!/^\d{1,16}$/.test(seg[1])) return notFound();
      return v3CandidateWrite(this.tenant, method, Number(seg[1]), sub, bodyText, seg[2]);
    }
    if (method !== "GET" || seg.length !== 1) return notFound();
    if (Object.hasOwn(CANDIDATE_LISTS, seg[0])) return this.candidateList(seg[0], url);
    if (!(LIST_ENTITIES as readonly string[]).includes(entity)) return notFound();
    return this.list(entity, url);
  }

  list(entity: SandboxEntity, url: URL): Reply {
    const resumed = resume(url, entity);
    if (isReply(resumed)) return resumed;
    const { params, bound } = resumed;
    const query = this.#query(entity, params);
    if (typeof query === "string") return json(422, { errors: [query] });
    const { records, next } = this.#page(entity, query, bound);
    return json(200, records, next === undefined ? {} : nextLink(url, entity, params, next));
  }

  /** GET /v3/notes or /v3/attachments: the records of up to 50 candidates, id-descending. */
  candidateList(name: string, url: URL): Reply {
    const resumed = resume(url, name);
    if (isReply(resumed)) return resumed;
    const { params, bound: below } = resumed;
    const perPage = perPageOf(params);
    if (typeof perPage === "string") return json(422, { errors: [perPage] });
    const bounds = timeBounds(params);
    if (typeof bounds === "string") return json(422, { errors: [bounds] });
    const idProblem = idFiltersProblem(params);
    if (idProblem) return json(422, { errors: [idProblem] });
    const candText = params.get("candidate_ids");
    let candidates: number[];
    if (candText === null) {
      // No parent filter: every candidate's records (those a time filter can still match).
      const since = Math.max(bounds.created?.lo ?? -Infinity, bounds.updated?.lo ?? -Infinity);
      candidates = candidatesInScope(this.tenant, since);
    } else {
      const list = idList(candText);
      if (typeof list === "string") return json(422, { errors: [`candidate_ids: ${list}`] });
      candidates = [...new Set(list)];
    }
    const records = candidates.flatMap((id) => CANDIDATE_LISTS[name](this.tenant, id))
      .filter((r) => below === undefined || r.id < below)
      .filter((r) => inBounds(bounds.created, r.created_at))
      .filter((r) => inBounds(bounds.updated, r.updated_at))
      .sort((a, b) => b.id - a.id);
    const page = records.slice(0, perPage);
    const more = records.length > perPage;
    return json(200, page, more ? nextLink(url, name, params, page.at(-1)!.id) : {});
  }

  /** Every record of an entity in its v3 shape and v3 order (small tenants; for tests). */
  all(entity: SandboxEntity): ApiRecord[] {
    return this.#page(entity, { perPage: Number.MAX_SAFE_INTEGER }, undefined).records;
  }

  #query(entity: SandboxEntity, params: URLSearchParams): ListQuery | string {
    const t = this.tenant;
    const perPage = perPageOf(params);
    if (typeof perPage === "string") return perPage;
    const idProblem = idFiltersProblem(params);
    if (idProblem) return idProblem;
    const bounds = timeBounds(params);
    if (typeof bounds === "string") return bounds;
    const q: ListQuery = { perPage, ...bounds };
    const restrict = (slots: Iterable<number>) => {
      const set = new Set(slots);
      q.only = q.only ? new Set([...q.only].filter((s) => set.has(s))) : set;
    };
    const idsText = params.get("ids");
    if (idsText !== null) {
      const list = idList(idsText);
      if (typeof list === "string") return `ids: ${list}`;
      restrict(list.map((id) => t.slotOf(entity, id)).filter((s) => s !== undefined));
    }
    const candText = params.get("candidate_ids");
    if (candText !== null && ["applications", "offers", "scorecards"].includes(entity)) {
      const list = idList(candText);
      if (typeof list === "string") return `candidate_ids: ${list}`;
      const apps = list.map((id) => t.slotOf("candidates", id)).filter((i) => i !== undefined)
        .flatMap((i) => t.skeleton.applicationsOf(i));
      restrict(entity === "scorecards" ? apps.flatMap((s) => [2 * s, 2 * s + 1]) : apps);
    }
    // The parent filter by application (the list-endpoints guide's "parent resource(s)").
    const appText = params.get("application_ids");
    if (appText !== null && ["offers", "scorecards"].includes(entity)) {
      const list = idList(appText);
      if (typeof list === "string") return `application_ids: ${list}`;
      const apps = list.map((id) => t.slotOf("applications", id)).filter((s) => s !== undefined);
      restrict(entity === "scorecards" ? apps.flatMap((s) => [2 * s, 2 * s + 1]) : apps);
    }
    const email = params.get("email");
    if (email !== null && entity === "candidates") restrict(t.candidatesWithEmail(email));
    // The spec's defaults: service accounts hidden unless asked; private candidates listed
    // unless `private=false`.
    if (entity === "users" && params.get("show_service_accounts") !== "true") {
      q.hides = (record) => t.isServiceUser(record.id);
    }
    if (entity === "candidates" && params.get("private") === "false") {
      q.hides = (record) => record.private === true;
    }
    return q;
  }

  /** Slots in id-descending order, below position bound `b` (exclusive). */
  *#slotsDesc(entity: SandboxEntity, q: ListQuery, b: number | undefined): Generator<number> {
    const list = this.tenant.lists[entity];
    if (FIXED_ORDER.includes(entity)) {
      // Small static lists: order by id, and the cursor bound is an id.
      const order = Array.from({ length: list.seq.size() }, (_, s) => s)
        .map((s) => ({ s, id: list.seq.build(s).id as number }))
        .sort((x, y) => y.id - x.id);
      for (const { s, id } of order) if (b === undefined || id < b) yield s;
      return;
    }
    // Ids rise with the slot: walk slots downwards, skipping what the created_at bounds exclude.
    let hi = list.seq.size();
    let lo = 0;
    if (q.created) {
      if (q.created.hi !== Infinity) hi = list.lowerBound(q.created.hi);
      if (q.created.lo !== -Infinity) lo = list.lowerBound(q.created.lo);
    }
    if (b !== undefined) hi = Math.min(hi, b);
    if (q.only) {
      for (const s of [...q.only].sort((x, y) => y - x)) if (s >= lo && s < hi) yield s;
      return;
    }
    for (let s = hi - 1; s >= lo; s--) yield s;
  }

  #page(
    entity: SandboxEntity,
    q: ListQuery,
    b: number | undefined,
  ): { records: ApiRecord[]; next?: number } {
    const seq = this.tenant.lists[entity].seq;
    const records: ApiRecord[] = [];
    let last: number | undefined;
    for (const s of this.#slotsDesc(entity, q, b)) {
      if (!seq.exists(s) || (q.only && !q.only.has(s))) continue;
      const rec = toV3(entity, seq.build(s));
      if (!inBounds(q.created, rec.created_at) || !inBounds(q.updated, rec.updated_at)) continue;
      if (q.hides?.(rec)) continue;
      if (records.length === q.perPage) {
        return { records, next: FIXED_ORDER.includes(entity) ? records.at(-1)!.id : last };
      }
      records.push(rec);
      last = s;
    }
    return { records };
  }
}
