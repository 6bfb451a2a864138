/**
 * The seven Harvest list entities as one table of data. Every entity command is one code path
 * driven by this table; adding an entity means adding a row. Each row also says where the entity
 * comes in a sync (after what it references) and which of its fields name other entities, which
 * `check` cross-references.
 */

import { RunError } from "./errors.ts";
import { parseId, positiveId } from "./ids.ts";

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

/** The Harvest API versions the tool speaks: v1 (Basic auth, Link paging) and v3 (OAuth, cursors). */
export type ApiVersion = "v1" | "v3";
export const API_VERSIONS: readonly ApiVersion[] = ["v1", "v3"];

/** v1 list filters selecting records changed at or after a time. */
export type UpdatedFilter = "updated_after" | "last_activity_after";

/** A field of a record that names a record of another entity by id. */
export interface Reference {
  /** The field as the API names it, e.g. "candidate_id" (v1 `jobs[].id` is v3 `job_id`). */
  field: string;
  /** The entity whose ids the field holds. */
  entity: EntityName;
  /** The ids a record names through the field, in either version's shape (not yet validated). */
  ids: (record: ApiRecord) => unknown[];
  /**
   * Whether `check` also lists the named entity's records that no record names through this
   * field (e.g. candidates without applications). Ids named but not cached are always listed.
   */
  listUnnamed: boolean;
  /**
   * Ids the record's index.csv moniker names, for records that do not carry the field (v3
   * scorecards name no candidate: their moniker is their application's candidate, looked up
   * when they were written; see `monikerVia`).
   */
  fromMoniker?: (moniker: string) => unknown[];
}

/**
 * Where a version's records lack what their moniker needs, the record that has it: v3 scorecards
 * name no candidate, only their application ("application_id: ... use it to look up the
 * candidate via the applications endpoint", the v3 scorecards reference as recorded in
 * github.com/airbytehq/airbyte, airbyte-integrations/connectors/source-greenhouse/manifest.yaml).
 * Writing such a record looks the named record up in the cache (or asks the API for it) and
 * hands the result to `Entity.moniker` as its second argument.
 */
export interface MonikerVia {
  /** The record's field naming the other record, e.g. "application_id". */
  field: string;
  /** The entity of the named record; it comes earlier in a sync. */
  entity: EntityName;
  /** What the moniker takes from the named record's own index.csv moniker (when cached). */
  fromMoniker(moniker: string): string;
  /** The same from the named record itself (when it had to be requested). */
  fromRecord(record: ApiRecord): string;
}

export interface Entity {
  name: EntityName;
  /** One line for --help. */
  summary: string;
  /** List endpoint path relative to the base URL (v1). */
  path: string;
  /** One record, in prose (for messages): "application". */
  noun: string;
  /**
   * List endpoint per API version; undefined where that version has no equivalent. All seven
   * keep their names in v3 (https://harvestdocs.greenhouse.io/docs/list-endpoints;
   * docs/api-versions.md records the renamed fields).
   */
  paths: Record<ApiVersion, string | undefined>;
  /**
   * Whether the list endpoint takes a creation-date filter, per version: v1's created_after /
   * created_before, v3's `created_at` (which every v3 list has, sources and prospect pools too:
   * https://harvestdocs.greenhouse.io/docs/list-endpoints).
   */
  createdFilters: Record<ApiVersion, boolean>;
  /**
   * The list filter `sync` uses to ask only for records changed since its last run (v1 names;
   * the dialect turns it into the request parameter). null: no such filter, fetched whole.
   */
  updatedFilter: UpdatedFilter | null;
  /**
   * The index.csv moniker, compatible with the existing Python extractor's `check`. `via` is
   * what `monikerVia` looked up for records that lack a field (undefined otherwise).
   */
  moniker: (record: ApiRecord, via?: string) => string;
  /** Per version, where the moniker's missing field is looked up (see MonikerVia). */
  monikerVia?: Partial<Record<ApiVersion, MonikerVia>>;
  /**
   * Where the entity comes in a sync, 1 first: after every entity it references, so a synced
   * record's references are in the cache before it (a unit test holds the table to that).
   */
  order: number;
  /** The fields naming records of other entities. */
  references: readonly Reference[];
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

/** An application's job ids: v1 lists `jobs[]` (prospects may have several or none), v3 has `job_id`. */
function jobIds(record: ApiRecord): unknown[] {
  return Array.isArray(record.jobs)
    ? record.jobs.map((job: ApiRecord) => job?.id)
    : [record.job_id];
}

/** An application's source: v1 embeds `source`, v3 names `source_id`. */
function sourceIds(record: ApiRecord): unknown[] {
  return [record.source_id !== undefined ? record.source_id : record.source?.id];
}

/** The candidate id an index moniker starts with ("123", "123/7"), or nothing. */
function monikerCandidate(moniker: string): unknown[] {
  const id = parseId(moniker.split("/")[0]);
  return id === undefined ? [] : [id];
}

const candidateId: Omit<Reference, "listUnnamed"> = {
  field: "candidate_id",
  entity: "candidates",
  ids: (record) => [record.candidate_id],
};

export const ENTITIES: Record<EntityName, Entity> = {
  applications: {
    name: "applications",
    noun: "application",
    summary: "Applications (candidate and prospect), with answers and attachment links",
    path: "/applications",
    paths: { v1: "/applications", v3: "/applications" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "last_activity_after",
    moniker: (r) => `${idOrEmpty(r.candidate_id)}/${firstJobId(r)}`,
    order: 5,
    references: [
      { ...candidateId, listUnnamed: true },
      { field: "jobs[].id", entity: "jobs", ids: jobIds, listUnnamed: true },
      { field: "source_id", entity: "sources", ids: sourceIds, listUnnamed: false },
    ],
  },
  candidates: {
    name: "candidates",
    noun: "candidate",
    summary: "Candidates and prospects, with contact details and attachment links",
    path: "/candidates",
    paths: { v1: "/candidates", v3: "/candidates" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: personName,
    order: 4,
    references: [],
  },
  jobs: {
    name: "jobs",
    noun: "job",
    summary: "Jobs, with departments, offices, hiring team and openings",
    path: "/jobs",
    paths: { v1: "/jobs", v3: "/jobs" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => idOrEmpty(r.name),
    order: 3,
    references: [],
  },
  offers: {
    name: "offers",
    noun: "offer",
    summary: "Offers, every version",
    path: "/offers",
    paths: { v1: "/offers", v3: "/offers" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    moniker: (r) => `${idOrEmpty(r.candidate_id)}/${idOrEmpty(r.application_id)}`,
    order: 6,
    references: [
      { ...candidateId, listUnnamed: false },
      {
        field: "application_id",
        entity: "applications",
        ids: (record) => [record.application_id],
        listUnnamed: false,
      },
    ],
  },
  prospect_pools: {
    name: "prospect_pools",
    noun: "prospect pool",
    summary: "Prospect pools and their stages",
    path: "/prospect_pools",
    paths: { v1: "/prospect_pools", v3: "/prospect_pools" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: null,
    moniker: (r) => idOrEmpty(r.name),
    order: 2,
    references: [],
  },
  scorecards: {
    name: "scorecards",
    noun: "scorecard",
    summary: "Submitted scorecards",
    path: "/scorecards",
    paths: { v1: "/scorecards", v3: "/scorecards" },
    createdFilters: { v1: true, v3: true },
    updatedFilter: "updated_after",
    // v1 scorecards carry candidate_id; v3 ones only application_id (see MonikerVia).
    moniker: (r, via) => r.candidate_id === undefined ? via ?? "" : idOrEmpty(r.candidate_id),
    monikerVia: {
      v3: {
        field: "application_id",
        entity: "applications",
        fromMoniker: (moniker) => moniker.split("/")[0],
        fromRecord: (application) => idOrEmpty(application.candidate_id),
      },
    },
    order: 7,
    references: [
      { ...candidateId, fromMoniker: monikerCandidate, listUnnamed: true },
      {
        field: "application_id",
        entity: "applications",
        ids: (record) => [record.application_id],
        listUnnamed: false,
      },
    ],
  },
  sources: {
    name: "sources",
    noun: "source",
    summary: "Candidate sources, grouped by strategy",
    path: "/sources",
    paths: { v1: "/sources", v3: "/sources" },
    createdFilters: { v1: false, v3: true },
    updatedFilter: null,
    moniker: (r) => idOrEmpty(r.name),
    order: 1,
    references: [],
  },
};

/** The entity's list path for the client's API version, or a RunError when it has none. */
export function entityPath(entity: Entity, dialect: { version: ApiVersion }): string {
  const path = entity.paths[dialect.version];
  if (path === undefined) {
    throw new RunError(
      `${entity.name} is not available in Harvest ${dialect.version}: ` +
        `run it with --api ${dialect.version === "v1" ? "v3" : "v1"} if your tenant allows it`,
    );
  }
  return path;
}

/** The entity names in sync order: each after every entity it references. */
export const ENTITIES_IN_ORDER: readonly EntityName[] = [...ENTITY_NAMES].sort((a, b) =>
  ENTITIES[a].order - ENTITIES[b].order
);

export function isEntityName(name: string): name is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(name);
}

/** A record id that may name a file: a positive safe integer. Anything else is rejected. */
export function recordId(record: ApiRecord): number | undefined {
  return positiveId(record?.id);
}
