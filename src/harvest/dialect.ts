/**
 * What differs between Harvest API versions, as data plus small pure functions. The client and
 * the commands are written against `Dialect` only; `v1Dialect` (page numbers, 10 s window,
 * created_after/created_before) and `v3Dialect` (cursors, 30 s window, pipe-syntax filters)
 * are the two implementations.
 */
import type { ApiVersion, UpdatedFilter } from "../entities.ts";

export interface Dialect {
  version: ApiVersion;
  /** The environment variables holding this version's credentials, for messages. */
  credentials: string;
  /** The server's rate-limit window. */
  windowMs: number;
  /** Query parameters for the first page of a list (filters go here; later pages follow Link). */
  firstPageParams(params: URLSearchParams): URLSearchParams;
  /** Query parameters selecting records created in [after, before). */
  dateFilters(after?: Date, before?: Date): Record<string, string>;
  /**
   * Query parameters selecting records changed at or after `since`, for an entity whose table row
   * names `filter` (v1 names; v3 maps them to its own syntax).
   */
  updatedSince(filter: UpdatedFilter, since: Date): Record<string, string>;
  /** The URL of the next page, from the parsed Link header. */
  nextUrl(links: Map<string, string>): string | undefined;
  /** The number of the last page, when the API tells it. */
  lastPage(links: Map<string, string>): number | undefined;
  /** Extra advice appended to a fatal error message (e.g. a refused v3 cursor). */
  errorHint?(status: number, body: unknown): string | undefined;
  /**
   * Candidate-dependent data fetched in batches by `candidate_ids` (v3). Undefined in v1, where
   * it is one request per candidate (`/candidates/{id}/activity_feed`, embedded attachments).
   */
  candidateBatch?: CandidateBatch;
  /** How one record is read by id (check --repair, erase, attachment URL refresh). */
  recordQuery(path: string, id: number): RecordQuery;
  /**
   * How a list reads several records by id in one request (v3's documented `ids` filter, at most
   * 50 ids); undefined where the version has none (v1).
   */
  recordsByIds?: { param: string; maxIds: number };
  /** The largest `per_page` a list accepts (v3 answers 422 above it rather than capping). */
  maxPerPage: number;
  /** The candidate writes erase uses, and how the acting user is named. */
  candidateWrites: CandidateWrites;
}

/**
 * One record by id: `GET {path}` with `params`; `list` when the answer is a list to pick the id
 * from (v3's reference has no single-record GET for every resource; its `ids=` filter is sure).
 */
export interface RecordQuery {
  path: string;
  params?: Record<string, string>;
  list: boolean;
}

/**
 * The privacy commands' requests. A missing path means the version has no such write (erase
 * refuses). Reads use list endpoints only (the scopes privacy platforms grant: List Users, List
 * Candidates), never Retrieve User/Candidate/Application.
 */
export interface CandidateWrites {
  /** Path of `DELETE` for a candidate. */
  deletePath?: (id: number) => string;
  /** Path of the anonymising `PATCH` for a candidate. */
  editPath?: (id: number) => string;
  /**
   * Harvest's own anonymize of named fields (attachments, notes, …): v1 `PUT …/anonymize` with
   * the names in `?fields=`, v3 `PATCH …/anonymize` with them in the JSON body.
   */
  anonymize?: { method: "PUT" | "PATCH"; path: (id: number) => string; fieldsIn: "query" | "body" };
  /** v1 names the acting user in this header; v3 in the token's `sub` (no header). */
  actingUserHeader?: string;
  /** What stands for the Authorization header when a request is shown (dry run). */
  authPlaceholder: string;
  /** The candidates list's filter selecting candidates by id. */
  candidateIdsParam: string;
  /** The users list's filter selecting users by id; without one (v1) the list is paged through. */
  userIdsParam?: string;
}

/** How v3 serves notes and attachments for many candidates at once. */
export interface CandidateBatch {
  /** List endpoint of notes (the v3 replacement for the activity feed's notes). */
  notesPath: string;
  /** List endpoint of attachment metadata (id, candidate_id, application_id, type, filename, url…). */
  attachmentsPath: string;
  /** The parent-id filter: a comma-separated list of candidate ids. */
  idsParam: string;
  /** Most ids one request may carry. */
  maxIds: number;
}

/** Harvest v1/v2 list page size: the documented maximum (https://developers.greenhouse.io/harvest.html#pagination). */
export const V1_PER_PAGE = 500;

/**
 * `params` with `per_page` set to `fallback` when absent; a `per_page` above `max` (or not a
 * whole number from 1) is a programming error (cli/options.ts validates the user's --per-page).
 */
function withPerPage(params: URLSearchParams, fallback: number, max: number): URLSearchParams {
  const out = new URLSearchParams(params);
  if (!out.has("per_page")) out.set("per_page", String(fallback));
  const n = Number(out.get("per_page"));
  if (!/^\d+$/.test(out.get("per_page")!) || n < 1 || n > max) {
    throw new RangeError(`per_page ${out.get("per_page")} is not a whole number from 1 to ${max}`);
  }
  return out;
}

/**
 * The dialect with another first-page `per_page` (1 to `dialect.maxPerPage`; `--per-page`). A
 * number outside is a RangeError: cli/options.ts refuses it before anything runs.
 */
export function withPageSize(dialect: Dialect, perPage: number): Dialect {
  if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > dialect.maxPerPage) {
    throw new RangeError(
      `per_page ${perPage} is not a whole number from 1 to ${dialect.maxPerPage}`,
    );
  }
  return Object.freeze({
    ...dialect,
    firstPageParams(params: URLSearchParams): URLSearchParams {
      const out = new URLSearchParams(params);
      if (!out.has("per_page")) out.set("per_page", String(perPage));
      return dialect.firstPageParams(out);
    },
  });
}

function checkDate(name: string, d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new RangeError(`${name} is not a valid date`);
  }
  return d.toISOString();
}

export const v1Dialect: Dialect = Object.freeze({
  version: "v1" as const,
  credentials: "GREENHOUSE_API_KEY",
  windowMs: 10_000,
  firstPageParams(params: URLSearchParams): URLSearchParams {
    return withPerPage(params, V1_PER_PAGE, V1_PER_PAGE);
  },
  dateFilters(after?: Date, before?: Date): Record<string, string> {
    const out: Record<string, string> = {};
    if (after) out.created_after = checkDate("created_after", after);
    if (before) out.created_before = checkDate("created_before", before);
    return out;
  },
  updatedSince(filter: UpdatedFilter, since: Date): Record<string, string> {
    return { [filter]: checkDate(filter, since) };
  },
  nextUrl(links: Map<string, string>): string | undefined {
    return links.get("next") || undefined;
  },
  lastPage(links: Map<string, string>): number | undefined {
    const last = links.get("last");
    if (!last) return undefined;
    try {
      const page = new URL(last, "https://placeholder.invalid/").searchParams.get("page");
      if (page === null || !/^\d+$/.test(page)) return undefined;
      const n = Number(page);
      return Number.isSafeInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  },
  recordQuery: (path: string, id: number): RecordQuery => ({ path: `${path}/${id}`, list: false }),
  maxPerPage: V1_PER_PAGE,
  // https://developers.greenhouse.io/harvest.html#delete-delete-candidate, #patch-edit-candidate,
  // #put-anonymize-candidate; candidate_ids is a documented filter of #get-list-candidates.
  candidateWrites: Object.freeze({
    deletePath: (id: number) => `/candidates/${id}`,
    editPath: (id: number) => `/candidates/${id}`,
    anonymize: Object.freeze({
      method: "PUT" as const,
      path: (id: number) => `/candidates/${id}/anonymize`,
      fieldsIn: "query" as const,
    }),
    actingUserHeader: "On-Behalf-Of",
    authPlaceholder: "Basic <API key, not shown>",
    candidateIdsParam: "candidate_ids",
  }),
});

/**
 * Harvest v3 list page size: the maximum (https://harvestdocs.greenhouse.io/docs/pagination).
 * Above it v3 answers 422 instead of capping ("per_page outside 1-500", the Airbyte connector's
 * v3 error handler: github.com/airbytehq/airbyte, source-greenhouse/manifest.yaml).
 */
export const V3_PER_PAGE = 500;

/** v3 date filter value: `gte|A`, `lt|B` or `gte|A|lt|B` (inclusive start, exclusive end). */
export function pipeRange(after?: Date, before?: Date, name = "created_at"): string | undefined {
  const parts: string[] = [];
  if (after) parts.push("gte", checkDate(`${name} start`, after));
  if (before) parts.push("lt", checkDate(`${name} end`, before));
  return parts.length ? parts.join("|") : undefined;
}

export const v3Dialect: Dialect = Object.freeze({
  version: "v3" as const,
  credentials: "GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET",
  windowMs: 30_000,
  /**
   * Never `created_at` and `updated_at` together: Greenhouse's reference says to choose one
   * (the Airbyte connector's v3 notes, source-greenhouse/AGENTS.md). A caller combining them is
   * a programming error.
   */
  firstPageParams(params: URLSearchParams): URLSearchParams {
    if (params.has("created_at") && params.has("updated_at")) {
      throw new RangeError("a v3 list takes created_at or updated_at, never both in one request");
    }
    return withPerPage(params, V3_PER_PAGE, V3_PER_PAGE);
  },
  dateFilters(after?: Date, before?: Date): Record<string, string> {
    const value = pipeRange(after, before);
    return value === undefined ? {} : { created_at: value };
  },
  /** v3 gives every resource an `updated_at` (an application's activity moves it too). */
  updatedSince(_filter: UpdatedFilter, since: Date): Record<string, string> {
    return { updated_at: pipeRange(since, undefined, "updated_at")! };
  },
  /** The next link exactly as given: its cursor must be the only parameter, so nothing is added. */
  nextUrl(links: Map<string, string>): string | undefined {
    return links.get("next") || undefined;
  },
  lastPage(): number | undefined {
    return undefined;
  },
  errorHint(status: number, body: unknown): string | undefined {
    if (status !== 422 || !/cursor/i.test(JSON.stringify(body ?? ""))) return undefined;
    return "Greenhouse refused the pagination cursor (it may have expired); run the command " +
      "again to start the listing over";
  },
  candidateBatch: Object.freeze({
    notesPath: "/notes",
    attachmentsPath: "/attachments",
    idsParam: "candidate_ids",
    maxIds: 50,
  }),
  recordQuery: (path: string, id: number): RecordQuery => ({
    path,
    params: { ids: String(id) },
    list: true,
  }),
  recordsByIds: Object.freeze({ param: "ids", maxIds: 50 }),
  maxPerPage: V3_PER_PAGE,
  // DELETE and PATCH /v3/candidates/{id}, PATCH /v3/candidates/{id}/anonymize: Greenhouse's own
  // v3 client (github.com/grnhse/greenhouse-tools-php, README and src/Services/HarvestService.php
  // `patchAnonymizeCandidate`, linking https://harvestdocs.greenhouse.io/reference/
  // patch_v3-candidates-id-anonymize) and the WRITE Endpoint Migration Guide
  // (https://harvestdocs.greenhouse.io/docs/write-endpoint-migration-guide); the acting user is
  // the token's `sub` (https://harvestdocs.greenhouse.io/docs/authentication), so no header.
  candidateWrites: Object.freeze({
    deletePath: (id: number) => `/candidates/${id}`,
    editPath: (id: number) => `/candidates/${id}`,
    anonymize: Object.freeze({
      method: "PATCH" as const,
      path: (id: number) => `/candidates/${id}/anonymize`,
      fieldsIn: "body" as const,
    }),
    authPlaceholder: "Bearer <access token issued for the acting user (sub), not shown>",
    candidateIdsParam: "ids",
    userIdsParam: "ids",
  }),
});

export const DIALECTS = { v1: v1Dialect, v3: v3Dialect } as const;
