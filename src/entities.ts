/**
 * The seven Harvest list entities as one table of data. Every entity command is one code path
 * driven by this table; adding an entity means adding a row.
 */

import { RunError } from "./errors.ts";
import { positiveId } from "./ids.ts";

// deno-lint-ignore no-explicit-any
export type ApiRecord = Record<string, any>;

export const ENTITY_NAMES = [
  "applications",
  "candidates",
  "jobs",
  "offers",
  "prospect_pools",
  "scorecards",
  "sources",
] as const;
export type EntityName = typeof ENTITY_NAMES[number];

/** v1 list filters selecting records changed at or after a time. */
export type UpdatedFilter = "updated_after" | "last_activity_after";

export interface Entity {
  name: EntityName;
  /** One line for --help. */
  summary: string;
  /** List endpoint path relative to the base URL (v1). */
  path: string;
  /**
   * List endpoint per API version; undefined where that version has no equivalent. All seven
   * keep their names in v3 (harvestdocs reference; the README records the renamed fields).
   */
  paths: Record<"v1" | "v3", string | undefined>;
  /** Whether the list endpoint takes created_after / created_before. */
  createdFilters: boolean;
  /**
   * The list filter `sync` uses to ask only for records changed since its last run (v1 names;
   * the dialect turns it into the request parameter). null: no such filter, fetched whole.
   */
  updatedFilter: UpdatedFilter | null;
  /** The index.csv moniker, compatible with the existing Python extractor's `check`. */
  moniker: (record: ApiRecord) => string;
}

const idOrEmpty = (
  value: unknown,
): string => (value === null || value === undefined ? "" : String(value));

/** "first last": names as given (not trimmed), nulls skipped, joined by one space. */
export function personName(record: ApiRecord): string {
  return [record.first_name, record.last_name]
    .filter((part) => part !== null && part !== undefined)
    .map(String)
    .join(" ");
}

/** An application's first job id: v1 has `jobs[]`, v3 has `job_id`. Prospects may have none. */
function firstJobId(record: ApiRecord): string {
  if (Array.isArray(record.jobs)) return idOrEmpty(record.jobs[0]?.id);
  return idOrEmpty(record.job_id);
}

export const ENTITIES: Record<EntityName, Entity> = {
  applications: {
    name: "applications",
    summary: "Applications (candidate and prospect), with answers and attachment links",
    path: "/applications",
    paths: { v1: "/applications", v3: "/applications" },
    createdFilters: true,
    updatedFilter: "last_activity_after",
    moniker: (r) => `${idOrEmpty(r.candidate_id)}/${firstJobId(r)}`,
  },
  candidates: {
    name: "candidates",
    summary: "Candidates and prospects, with contact details and attachment links",
    path: "/candidates",
    paths: { v1: "/candidates", v3: "/candidates" },
    createdFilters: true,
    updatedFilter: "updated_after",
    moniker: personName,
  },
  jobs: {
    name: "jobs",
    summary: "Jobs, with departments, offices, hiring team and openings",
    path: "/jobs",
    paths: { v1: "/jobs", v3: "/jobs" },
    createdFilters: true,
    updatedFilter: "updated_after",
    moniker: (r) => idOrEmpty(r.name),
  },
  offers: {
    name: "offers",
    summary: "Offers, every version",
    path: "/offers",
    paths: { v1: "/offers", v3: "/offers" },
    createdFilters: true,
    updatedFilter: "updated_after",
    moniker: (r) => `${idOrEmpty(r.candidate_id)}/${idOrEmpty(r.application_id)}`,
  },
  prospect_pools: {
    name: "prospect_pools",
    summary: "Prospect pools and their stages",
    path: "/prospect_pools",
    paths: { v1: "/prospect_pools", v3: "/prospect_pools" },
    createdFilters: false,
    updatedFilter: null,
    moniker: (r) => idOrEmpty(r.name),
  },
  scorecards: {
    name: "scorecards",
    summary: "Submitted scorecards",
    path: "/scorecards",
    paths: { v1: "/scorecards", v3: "/scorecards" },
    createdFilters: true,
    updatedFilter: "updated_after",
    moniker: (r) => idOrEmpty(r.candidate_id),
  },
  sources: {
    name: "sources",
    summary: "Candidate sources, grouped by strategy",
    path: "/sources",
    paths: { v1: "/sources", v3: "/sources" },
    createdFilters: false,
    updatedFilter: null,
    moniker: (r) => idOrEmpty(r.name),
  },
};

/** The entity's list path for the client's API version, or a RunError when it has none. */
export function entityPath(entity: Entity, dialect: { version: "v1" | "v3" }): string {
  const path = entity.paths[dialect.version];
  if (path === undefined) {
    throw new RunError(
      `${entity.name} is not available in Harvest ${dialect.version}: ` +
        `run it with --api ${dialect.version === "v1" ? "v3" : "v1"} if your tenant allows it`,
    );
  }
  return path;
}

export function isEntityName(name: string): name is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(name);
}

/** A record id that may name a file: a positive safe integer. Anything else is rejected. */
export function recordId(record: ApiRecord): number | undefined {
  return positiveId(record?.id);
}
