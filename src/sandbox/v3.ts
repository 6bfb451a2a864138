/**
 * Harvest v3 in the sandbox: the OAuth token endpoint, bearer-token checks and the v3 list
 * endpoints, derived from the same lazy tenant as v1 (no second data set). It follows the guides
 * at https://harvestdocs.greenhouse.io/docs/: authentication (client credentials, optional
 * `sub`, 1 h tokens), pagination (the cursor alone, a next link only) and list-endpoints (ids,
 * parent ids, created_at/updated_at with gte|gt|lte|lt).
 *
 * Sandbox choices where those guides give no detail:
 * - Token answers `{access_token, token_type: "Bearer", expires_at: <ISO>}`; a bad client gives
 *   401 `{"error":"invalid_client"}`, an unknown `sub` 400 `{"error":"invalid_request"}`.
 * - An expired or unknown bearer token gives 401 `{"errors":["Invalid or expired access token."]}`.
 * - Lists are in id-descending order (as the Airbyte connector observes: github.com/airbytehq/
 *   airbyte, airbyte-integrations/connectors/source-greenhouse); the cursor is URL-safe base64
 *   of the first request's query and the position reached, so it can be the only parameter.
 * - Bad filters answer 422 `{"errors":["<param>: <why>"]}`, the shape that connector quotes for
 *   the cursor error.
 * - Records take their v3 shape from v3_shape.ts; children are not embedded (applications,
 *   attachments, hiring team, openings and pool stages have their own v3 endpoints).
 */
import type { Clock } from "../clock.ts";
import type { ApiRecord } from "../entities.ts";
import { json, notFound, type Reply } from "./reply.ts";
import { LIST_ENTITIES, type SandboxEntity, type Tenant } from "./tenant.ts";
import { toV3 } from "./v3_shape.ts";
import { v3Attachments, v3CandidateWrite, v3Notes } from "./v3_candidate_data.ts";

/** Per-candidate v3 lists: `?candidate_ids=` (≤ 50, required in the sandbox), cursor-paginated. */
const CANDIDATE_LISTS: Record<string, (tenant: Tenant, candidateId: number) => ApiRecord[]> = {
  notes: v3Notes,
  attachments: v3Attachments,
};

export interface V3Config {
  clientId: string;
  clientSecret: string;
  /** Access-token life; default 1 h (Greenhouse's documented value). */
  tokenLifetimeMs: number;
  clock: Clock;
}

export const CURSOR_WITH_PARAMS = "When passing a cursor, do not include other query params.";
const MAX_IDS = 50;
/** Lists whose ids rise with the slot, so id-descending order is slot-descending order. */
const FIXED_ORDER: readonly SandboxEntity[] = ["sources", "prospect_pools"];

// ------------------------------------------------------------------------------ tokens

interface Issued {
  expiresAt: number;
  sub?: number;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return "gh3_" + base64Url(String.fromCharCode(...bytes));
}

function base64Url(binary: string): string {
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------ filters

/** A parsed pipe-syntax bound set, e.g. `gte|2024-01-01T00:00:00Z|lt|2024-02-01T00:00:00Z`. */
interface Bounds {
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

const inBounds = (b: Bounds | undefined, iso: unknown): boolean =>
  b === undefined || (typeof iso === "string" && Date.parse(iso) >= b.lo && Date.parse(iso) < b.hi);

interface ListQuery {
  perPage: number;
  created?: Bounds;
  updated?: Bounds;
  /** Slots allowed by ids / candidate_ids / email; undefined = all. */
  only?: Set<number>;
}

function idList(raw: string): number[] | string {
  const out = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (out.length > MAX_IDS) return `at most ${MAX_IDS} ids`;
  if (out.some((s) => !/^\d{1,16}$/.test(s))) return "expected comma-separated ids";
  return out.map(Number);
}

// ------------------------------------------------------------------------------ the API

export class V3Api {
  #tokens = new Map<string, Issued>();
  constructor(readonly config: V3Config, readonly tenant: Tenant) {}

  /** Every issued token stops working (the next request gets a 401), as after a rotation. */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** POST /token: client credentials in HTTP Basic, form grant_type (and optional sub). */
  async token(req: Request): Promise<Reply> {
    const body = await req.text();
    if (req.method.toUpperCase() !== "POST") {
      return json(405, { error: "invalid_request", error_description: "Use POST." });
    }
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    let decoded = "";
    try {
      decoded = m ? atob(m[1]) : "";
    } catch { /* bad base64: rejected below */ }
    const colon = decoded.indexOf(":");
    if (
      colon < 0 || decoded.slice(0, colon) !== this.config.clientId ||
      decoded.slice(colon + 1) !== this.config.clientSecret
    ) {
      return json(401, { error: "invalid_client" });
    }
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "client_credentials") {
      return json(400, { error: "unsupported_grant_type" });
    }
    const subText = form.get("sub");
    let sub: number | undefined;
    if (subText !== null) {
      sub = Number(subText);
      if (!/^\d+$/.test(subText) || !this.tenant.userIds().includes(sub)) {
        return json(400, { error: "invalid_request", error_description: "Unknown user (sub)." });
      }
    }
    const now = this.config.clock.now();
    const expiresAt = now + this.config.tokenLifetimeMs;
    const token = randomToken();
    this.#tokens.set(token, { expiresAt, sub });
    return json(200, {
      access_token: token,
      token_type: "Bearer",
      expires_at: new Date(expiresAt).toISOString(),
    });
  }

  /** undefined when the bearer token is valid now, else the 401 reply. */
  authorize(req: Request): Reply | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    const issued = m ? this.#tokens.get(m[1]) : undefined;
    if (issued && this.config.clock.now() < issued.expiresAt) return undefined;
    return json(401, { errors: ["Invalid or expired access token."] });
  }

  /** The user a valid bearer token acts as (its `sub`), if it was issued with one. */
  subOf(req: Request): number | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    return m ? this.#tokens.get(m[1])?.sub : undefined;
  }

  /** GET /v3/<entity>[?…]: the list endpoints; DELETE/PATCH /v3/candidates/{id}. */
  route(method: string, url: URL, sub?: number, bodyText?: string): Reply {
    const seg = url.pathname.slice("/v3/".length).split("/").filter((s) => s !== "");
    const entity = seg[0] as SandboxEntity;
    if (
      (method === "DELETE" || method === "PATCH") && seg.length === 2 && entity === "candidates"
    ) {
      if (!/^\d{1,16}$/.test(seg[1])) return notFound();
      return v3CandidateWrite(this.tenant, method, Number(seg[1]), sub, bodyText);
    }
    if (method !== "GET" || seg.length !== 1) return notFound();
    if (Object.hasOwn(CANDIDATE_LISTS, seg[0])) return this.candidateList(seg[0], url);
    if (!(LIST_ENTITIES as readonly string[]).includes(entity)) return notFound();
    return this.list(entity, url);
  }

  list(entity: SandboxEntity, url: URL): Reply {
    let params = url.searchParams;
    let start: number | undefined;
    const cursor = params.get("cursor");
    if (cursor !== null) {
      if ([...params.keys()].some((k) => k !== "cursor")) {
        return json(422, { errors: [CURSOR_WITH_PARAMS] });
      }
      const state = this.#decodeCursor(cursor, entity);
      if (!state) return json(422, { errors: ["Invalid cursor."] });
      params = new URLSearchParams(state.q);
      start = state.b;
    }
    const query = this.#query(entity, params);
    if (typeof query === "string") return json(422, { errors: [query] });
    const { records, next } = this.#page(entity, query, start);
    const headers: Record<string, string> = {};
    if (next !== undefined) {
      const c = base64Url(JSON.stringify({ e: entity, q: params.toString(), b: next }));
      headers.Link = `<${url.origin}/v3/${entity}?cursor=${c}>; rel="next"`;
    }
    return json(200, records, headers);
  }

  /** GET /v3/notes or /v3/attachments: the records of up to 50 candidates, id-descending. */
  candidateList(name: string, url: URL): Reply {
    let params = url.searchParams;
    let below: number | undefined;
    const cursor = params.get("cursor");
    if (cursor !== null) {
      if ([...params.keys()].some((k) => k !== "cursor")) {
        return json(422, { errors: [CURSOR_WITH_PARAMS] });
      }
      const state = this.#decodeCursor(cursor, name);
      if (!state) return json(422, { errors: ["Invalid cursor."] });
      params = new URLSearchParams(state.q);
      below = state.b;
    }
    const perText = params.get("per_page") ?? "100";
    const perPage = Number(perText);
    if (!/^\d+$/.test(perText) || perPage < 1 || perPage > 500) {
      return json(422, { errors: ["per_page: must be an integer between 1 and 500"] });
    }
    const candText = params.get("candidate_ids");
    if (candText === null) {
      return json(422, { errors: ["candidate_ids: required by the sandbox for this endpoint"] });
    }
    const list = idList(candText);
    if (typeof list === "string") return json(422, { errors: [`candidate_ids: ${list}`] });
    const bounds: Partial<Record<"created_at" | "updated_at", Bounds>> = {};
    for (const key of ["created_at", "updated_at"] as const) {
      const v = params.get(key);
      if (v === null) continue;
      const b = parsePipeFilter(v);
      if (typeof b === "string") return json(422, { errors: [`${key}: ${b}`] });
      bounds[key] = b;
    }
    const records = [...new Set(list)].flatMap((id) => CANDIDATE_LISTS[name](this.tenant, id))
      .filter((r) => below === undefined || r.id < below)
      .filter((r) => inBounds(bounds.created_at, r.created_at))
      .filter((r) => inBounds(bounds.updated_at, r.updated_at))
      .sort((a, b) => b.id - a.id);
    const page = records.slice(0, perPage);
    const headers: Record<string, string> = {};
    if (records.length > perPage) {
      const c = base64Url(JSON.stringify({ e: name, q: params.toString(), b: page.at(-1)!.id }));
      headers.Link = `<${url.origin}/v3/${name}?cursor=${c}>; rel="next"`;
    }
    return json(200, page, headers);
  }

  /** Every record of an entity in its v3 shape and v3 order (small tenants; for tests). */
  all(entity: SandboxEntity): ApiRecord[] {
    return this.#page(entity, { perPage: Number.MAX_SAFE_INTEGER }, undefined).records;
  }

  #decodeCursor(cursor: string, entity: string): { q: string; b: number } | undefined {
    const text = fromBase64Url(cursor);
    if (text === undefined) return undefined;
    try {
      const c = JSON.parse(text);
      if (c?.e !== entity || typeof c.q !== "string" || !Number.isSafeInteger(c.b)) {
        return undefined;
      }
      return { q: c.q, b: c.b };
    } catch {
      return undefined;
    }
  }

  #query(entity: SandboxEntity, params: URLSearchParams): ListQuery | string {
    const t = this.tenant;
    const perText = params.get("per_page");
    const perPage = perText === null ? 100 : Number(perText);
    if (!/^\d+$/.test(perText ?? "100") || perPage < 1 || perPage > 500) {
      return "per_page: must be an integer between 1 and 500";
    }
    const q: ListQuery = { perPage };
    for (const name of ["created_at", "updated_at"] as const) {
      const v = params.get(name);
      if (v === null) continue;
      const b = parsePipeFilter(v);
      if (typeof b === "string") return `${name}: ${b}`;
      q[name === "created_at" ? "created" : "updated"] = b;
    }
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
    const email = params.get("email");
    if (email !== null && entity === "candidates") restrict(t.candidatesWithEmail(email));
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
      if (records.length === q.perPage) {
        return { records, next: FIXED_ORDER.includes(entity) ? records.at(-1)!.id : last };
      }
      records.push(rec);
      last = s;
    }
    return { records };
  }
}
