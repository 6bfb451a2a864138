/**
 * What differs between Harvest API versions, as data plus small pure functions. The client is
 * written against `Dialect` only; a v3 dialect (cursor pagination, 30 s window, pipe-syntax
 * date filters) can be added beside `v1Dialect` without touching the client.
 */
import type { UpdatedFilter } from "../entities.ts";

export interface Dialect {
  version: "v1" | "v3";
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
}

/** Harvest v1/v2 list page size: the documented maximum. */
export const V1_PER_PAGE = 500;

function checkDate(name: string, d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new RangeError(`${name} is not a valid date`);
  }
  return d.toISOString();
}

export const v1Dialect: Dialect = Object.freeze({
  version: "v1" as const,
  windowMs: 10_000,
  firstPageParams(params: URLSearchParams): URLSearchParams {
    const out = new URLSearchParams(params);
    if (!out.has("per_page")) out.set("per_page", String(V1_PER_PAGE));
    return out;
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
});
