/**
 * Answers the catalog's lists (catalog.ts) in v1 (page links, or next-only links for the lists
 * the v1 reference names) and v3 (cursors, id-descending), with their filters; and walks a whole
 * listing the way a client does, for tests (`servedListing`).
 */
import type { ApiRecord, ApiVersion } from "../entities.ts";
import {
  type ListDef,
  V1_APPLICATION_LISTS,
  V1_LISTS,
  V1_RECORD_GETS,
  V3_LISTS,
} from "./catalog.ts";
import { parseIsoFilter } from "./dates.ts";
import { json, notFound, type Reply } from "./reply.ts";
import { SlotList } from "./slots.ts";
import type { Tenant } from "./tenant.ts";
import { linkHeader, positiveInt } from "./v1.ts";
import {
  type Bounds,
  idList,
  inBounds,
  isReply,
  nextLink,
  perPageOf,
  resume,
  timeBounds,
} from "./v3.ts";

const validation = (field: string, message: string) =>
  json(422, { message: "Validation error", errors: [{ message, field }] });

/** Whether a v1 filter outcome is the 422 to answer. */
const refused = (v: object): v is Reply => "status" in v;

// ---------------------------------------------------------------- per-tenant lists

interface TenantLists {
  revision: number;
  lists: Map<ListDef, SlotList>;
}

const state = new WeakMap<Tenant, TenantLists>();

/** The tenant's slot list for a definition; cached counts are dropped after any write. */
function listOf(tenant: Tenant, def: ListDef): SlotList {
  let entry = state.get(tenant);
  if (!entry || entry.revision !== tenant.revision) {
    entry = { revision: tenant.revision, lists: new Map() };
    state.set(tenant, entry);
  }
  let list = entry.lists.get(def);
  if (!list) {
    list = new SlotList(def.seq(tenant));
    entry.lists.set(def, list);
  }
  return list;
}

/** A v1 list path without trailing slashes (the docs' curl for email templates has one). */
const trimmed = (path: string) => path.replace(/\/+$/, "") || "/";

// ---------------------------------------------------------------- v1

type SlotPred = (slot: number) => boolean;

/** The v1 filters of a request as one slot predicate, plus the created range, or a 422. */
function v1Filters(
  tenant: Tenant,
  def: ListDef,
  list: SlotList,
  params: URLSearchParams,
  only?: (record: ApiRecord) => boolean,
): { created: { after?: number; before?: number }; pred?: SlotPred } | Reply {
  const spec = def.v1!;
  const dates: Record<string, number | undefined> = {};
  const names = [
    ...(spec.created ? ["created_after", "created_before"] : []),
    ...(spec.updated ? ["updated_after", "updated_before"] : []),
  ];
  for (const name of names) {
    const text = params.get(name);
    if (text === null) continue;
    const time = parseIsoFilter(text);
    if (time === undefined) return validation(name, "Timestamp must be in ISO-8601 format");
    dates[name] = time;
  }
  const preds: SlotPred[] = [];
  const build = (slot: number) => list.seq.build(slot);
  const updatedOf = (slot: number) =>
    def.updated ? def.updated(tenant, slot) : Date.parse(build(slot).updated_at);
  const { updated_after: ua, updated_before: ub } = dates;
  if (ua !== undefined) preds.push((s) => updatedOf(s) >= ua);
  if (ub !== undefined) preds.push((s) => updatedOf(s) < ub);
  const created = { after: dates.created_after, before: dates.created_before };
  if (def.fixed && (created.after !== undefined || created.before !== undefined)) {
    // Fixed lists have their times in the record, not in the slot order.
    const lo = created.after ?? -Infinity, hi = created.before ?? Infinity;
    preds.push((s) => {
      const t = Date.parse(build(s).created_at);
      return t >= lo && t < hi;
    });
    created.after = created.before = undefined;
  }
  const recordPred = spec.filter?.(params);
  if (recordPred) preds.push((s) => recordPred(build(s)));
  if (only) preds.push((s) => only(build(s)));
  const pred = preds.length === 0
    ? undefined
    : preds.length === 1
    ? preds[0]
    : (s: number) => preds.every((p) => p(s));
  return { created, pred };
}

/** A v1 list with page links (next, prev, last; last omitted with skip_count=true). */
function v1Pages(
  tenant: Tenant,
  def: ListDef,
  url: URL,
  only?: (record: ApiRecord) => boolean,
): Reply {
  const params = url.searchParams;
  const perPage = positiveInt(params.get("per_page"), 100, 500);
  if (perPage === undefined) return validation("per_page", "Must be an integer between 1 and 500");
  const page = positiveInt(params.get("page"), 1, Number.MAX_SAFE_INTEGER);
  if (page === undefined) return validation("page", "Must be a positive integer");
  const list = listOf(tenant, def);
  const filters = v1Filters(tenant, def, list, params, only);
  if (refused(filters)) return filters;
  const skipCount = params.get("skip_count") === "true";
  const result = list.query({
    createdAfter: filters.created.after,
    createdBefore: filters.created.before,
    pred: filters.pred,
    offset: (page - 1) * perPage,
    limit: perPage,
    needCount: !skipCount,
  });
  const records = result.slots.map((s) => list.seq.build(s));
  const link = linkHeader(url, page, perPage, skipCount ? undefined : result.total, result.hasMore);
  return json(200, records, link ? { Link: link } : {});
}

/** The slots of a list in ascending id order. */
function* slotsByIdAsc(def: ListDef, list: SlotList, fromId: number): Generator<number> {
  const size = list.seq.size();
  if (def.fixed) {
    const order = Array.from({ length: size }, (_, s) => s)
      .map((s) => ({ s, id: list.seq.build(s).id as number }))
      .filter((x) => x.id > fromId)
      .sort((a, b) => a.id - b.id);
    for (const { s } of order) yield s;
    return;
  }
  // Ids rise with the slot: find the first slot past `fromId`, then walk up.
  let lo = 0, hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (def.idOfSlot!(mid) <= fromId) lo = mid + 1;
    else hi = mid;
  }
  for (let s = lo; s < size; s++) yield s;
}

/**
 * A v1 list with next-only paging: no `page`; the next link starts after the last id served
 * (`since_id`) and keeps the request's other parameters.
 */
function v1Next(
  tenant: Tenant,
  def: ListDef,
  url: URL,
  only?: (record: ApiRecord) => boolean,
): Reply {
  const params = url.searchParams;
  const perPage = positiveInt(params.get("per_page"), 100, 500);
  if (perPage === undefined) return validation("per_page", "Must be an integer between 1 and 500");
  const since = params.get("since_id");
  const fromId = since === null ? 0 : positiveInt(since, 0, Number.MAX_SAFE_INTEGER);
  if (fromId === undefined) return validation("since_id", "Must be a positive integer");
  const list = listOf(tenant, def);
  const filters = v1Filters(tenant, def, list, params, only);
  if (refused(filters)) return filters;
  const { after, before } = filters.created;
  const records: ApiRecord[] = [];
  let more = false;
  for (const s of slotsByIdAsc(def, list, fromId)) {
    if (!list.seq.exists(s)) continue;
    const created = list.seq.created(s);
    if ((after !== undefined && created < after) || (before !== undefined && created >= before)) {
      continue;
    }
    if (filters.pred && !filters.pred(s)) continue;
    if (records.length === perPage) {
      more = true;
      break;
    }
    records.push(list.seq.build(s));
  }
  if (!more) return json(200, records);
  const kept = [...params].filter(([k]) => !["per_page", "since_id", "page"].includes(k));
  const query = new URLSearchParams([
    ...kept,
    ["per_page", String(perPage)],
    ["since_id", String(records.at(-1)!.id)],
  ]);
  return json(200, records, { Link: `<${url.origin}${url.pathname}?${query}>; rel="next"` });
}

/** One record of a v1 list by id, where v1 documents `GET <path>/{id}`. */
function v1Record(tenant: Tenant, path: string, def: ListDef, id: number): Reply {
  if (!V1_RECORD_GETS.has(path)) return notFound();
  const list = listOf(tenant, def);
  for (const s of slotsByIdAsc(def, list, id - 1)) {
    if (!list.seq.exists(s)) continue;
    const record = list.seq.build(s);
    return record.id === id ? json(200, record) : notFound();
  }
  return notFound();
}

/**
 * A GET under /v1 for a catalog list or one of its records, or for a list's records of one
 * application where the v1 reference has that endpoint (`/applications/{id}/<list>`); undefined
 * when the path is not the catalog's (the caller answers it).
 */
export function routeCatalogV1(tenant: Tenant, url: URL): Reply | undefined {
  const path = trimmed(url.pathname.slice("/v1".length));
  const def = V1_LISTS[path];
  if (def) return def.v1!.paging === "next" ? v1Next(tenant, def, url) : v1Pages(tenant, def, url);
  const perApplication = /^\/applications\/(\d{1,16})(\/.+)$/.exec(path);
  const child = perApplication && V1_APPLICATION_LISTS.has(perApplication[2])
    ? V1_LISTS[perApplication[2]]
    : undefined;
  if (perApplication && child) {
    const id = Number(perApplication[1]);
    if (tenant.slotOf("applications", id) === undefined) return notFound();
    const only = (record: ApiRecord) => record.application_id === id;
    return child.v1!.paging === "next"
      ? v1Next(tenant, child, url, only)
      : v1Pages(tenant, child, url, only);
  }
  const match = /^(.*)\/(\d{1,16})$/.exec(path);
  const parent = match ? V1_LISTS[match[1]] : undefined;
  if (match && parent) return v1Record(tenant, match[1], parent, Number(match[2]));
  return undefined;
}

// ---------------------------------------------------------------- v3

/** The v3 record of a slot, or undefined when the request's filters drop it. */
type V3Pick = (slot: number) => ApiRecord | undefined;

function v3Picker(
  tenant: Tenant,
  def: ListDef,
  list: SlotList,
  params: URLSearchParams,
): { pick: V3Pick; created?: Bounds } | string {
  const spec = def.v3!;
  const withDefaults = new URLSearchParams(params);
  for (const [k, v] of Object.entries(spec.defaults ?? {})) {
    if (!withDefaults.has(k)) withDefaults.set(k, v);
  }
  const bounds = spec.dates ? timeBounds(withDefaults) : {};
  if (typeof bounds === "string") return bounds;
  const preds: ((r: ApiRecord) => boolean)[] = [];
  for (const [key, text] of withDefaults) {
    if (key === "ids" || (key.endsWith("_ids") && key !== "ids")) {
      const ids = idList(text);
      if (typeof ids === "string") return `${key}: ${ids}`;
      const wanted = new Set(ids);
      const field = key === "ids" ? "id" : key.slice(0, -1);
      // A parent filter matches the record's `<parent>_id`, or any id of an array of them
      // (AI opt-out decisions name `candidate_ids`).
      preds.push((r) =>
        Array.isArray(r[key]) ? r[key].some((id: number) => wanted.has(id)) : wanted.has(r[field])
      );
    } else if (key === "active" && (text === "true" || text === "false")) {
      preds.push((r) => r.active === undefined || r.active === (text === "true"));
    }
  }
  const extra = spec.filter?.(withDefaults);
  if (extra) preds.push(extra);
  const updatedOf = spec.updated;
  const pick: V3Pick = (slot) => {
    if (!list.seq.exists(slot)) return undefined;
    // Unchanged records are skipped before they are built, where the list knows their times.
    if (updatedOf && bounds.updated) {
      const updated = updatedOf(tenant, slot);
      if (updated < bounds.updated.lo || updated >= bounds.updated.hi) return undefined;
    }
    const raw = list.seq.build(slot);
    const record = spec.shape ? spec.shape(tenant, slot, raw) : raw;
    if (!inBounds(bounds.created, record.created_at)) return undefined;
    if (!inBounds(bounds.updated, record.updated_at)) return undefined;
    return preds.every((p) => p(record)) ? record : undefined;
  };
  return { pick, created: bounds.created };
}

/** One page of a v3 list below a cursor bound (an id for fixed lists, a slot for lazy ones). */
function v3Page(
  def: ListDef,
  list: SlotList,
  pick: V3Pick,
  created: Bounds | undefined,
  perPage: number,
  bound: number | undefined,
): { records: ApiRecord[]; next?: number } {
  const records: ApiRecord[] = [];
  if (def.fixed) {
    const all = Array.from({ length: list.seq.size() }, (_, s) => pick(s))
      .filter((r): r is ApiRecord => r !== undefined && (bound === undefined || r.id < bound))
      .sort((a, b) => b.id - a.id);
    const page = all.slice(0, perPage);
    return { records: page, next: all.length > perPage ? page.at(-1)!.id : undefined };
  }
  let hi = list.seq.size();
  let lo = 0;
  if (created && created.hi !== Infinity) hi = list.lowerBound(created.hi);
  if (created && created.lo !== -Infinity) lo = list.lowerBound(created.lo);
  if (bound !== undefined) hi = Math.min(hi, bound);
  let last: number | undefined;
  for (let s = hi - 1; s >= lo; s--) {
    const record = pick(s);
    if (!record) continue;
    if (records.length === perPage) return { records, next: last };
    records.push(record);
    last = s;
  }
  return { records };
}

/** A GET /v3/<list> of the catalog; undefined when the path is not the catalog's. */
export function routeCatalogV3(tenant: Tenant, url: URL): Reply | undefined {
  const path = trimmed(url.pathname.slice("/v3".length));
  const def = V3_LISTS[path];
  if (!def) return undefined;
  const name = path.slice(1);
  const resumed = resume(url, name);
  if (isReply(resumed)) return resumed;
  const { params, bound } = resumed;
  const perPage = perPageOf(params);
  if (typeof perPage === "string") return json(422, { errors: [perPage] });
  const list = listOf(tenant, def);
  const picker = v3Picker(tenant, def, list, params);
  if (typeof picker === "string") return json(422, { errors: [picker] });
  const { records, next } = v3Page(def, list, picker.pick, picker.created, perPage, bound);
  return json(200, records, next === undefined ? {} : nextLink(url, name, params, next));
}

// ---------------------------------------------------------------- whole listings, for tests

/**
 * Every record a client gets listing `path` with `params` (first page only; then the Link
 * header's next URL), or undefined when the path is not the catalog's.
 */
export function servedListing(
  tenant: Tenant,
  version: ApiVersion,
  path: string,
  params: Record<string, string>,
): ApiRecord[] | undefined {
  const route = version === "v1" ? routeCatalogV1 : routeCatalogV3;
  let url: URL | undefined = new URL(
    `http://sandbox.invalid/${version}${path}?${new URLSearchParams({
      ...params,
      per_page: "500",
    })}`,
  );
  const out: ApiRecord[] = [];
  for (let pages = 0; url && pages < 10_000; pages++) {
    const reply = route(tenant, url);
    if (!reply) return undefined;
    if (reply.status !== 200) throw new Error(`${url}: ${reply.status} ${reply.body}`);
    out.push(...JSON.parse(reply.body as string));
    const next = /<([^>]+)>;\s*rel="next"/.exec(reply.headers.Link ?? "")?.[1];
    url = next ? new URL(next) : undefined;
  }
  return out;
}
