/** The plain data `check` produces: the audit fills it, report.ts prints it, repair.ts acts on it. */
import { INDEX_FILE } from "../cache/mod.ts";

export interface Problem {
  /** Entity folder (or "attachments", "cache"). */
  entity: string;
  /** Record id (candidate id for attachments), when the problem concerns one record. */
  id?: number;
  /** Path relative to the cache folder. */
  path: string;
  /** Line in index.csv, for index problems. */
  line?: number;
  detail: string;
  /** A recorded upstream failure whose reason lasts (tried again only with --retry-failed). */
  lasting?: boolean;
}

export type IntegrityKey =
  | "row_without_file"
  | "file_without_row"
  | "invalid_json"
  | "id_mismatch"
  | "duplicate_index_row"
  | "index_unreadable"
  | "index_header"
  | "index_malformed"
  | "uncommitted_journal"
  | "attachment_no_marker"
  | "attachment_size_mismatch"
  | "attachment_sha_mismatch"
  | "attachment_no_file"
  | "orphan_activity_feed"
  | "temp_file"
  | "stale_lock"
  | "unfinished_erasure"
  | "unfinished_repair"
  | "symlink"
  | "failure_record_unreadable";

export interface CategoryInfo<K extends string = string> {
  key: K;
  title: string;
  /** What to do about it. */
  advice: string;
  /**
   * What a complete cache has too (e.g. candidates without applications): listed, never a
   * reason for --strict to fail.
   */
  informational?: boolean;
}

export interface Category extends CategoryInfo {
  problems: Problem[];
  /** How many were found, when more than `problems` keeps (schema problems are capped). */
  total?: number;
}

export type SchemaKey = "schema_violation" | "schema_unknown";

/** Items the upstream did not give (the cache's record of failures): warnings, not damage. */
export type UpstreamKey = "attachment_not_downloaded" | "feed_not_fetched";

/**
 * What `check` reports from the record of failures (`.failures.json`): a file or feed a run could
 * not fetch. Nothing on disk is damaged by them, so they never fail `check` by themselves;
 * `--strict` (the check for a complete cache) fails on them.
 */
export const UPSTREAM_CATEGORIES: CategoryInfo<UpstreamKey>[] = [
  {
    key: "attachment_not_downloaded",
    title: "Attachments not downloaded",
    advice: "the file host refused or failed them; `attachments` and `sync` try the others " +
      "again, `attachments --retry-failed` (or `check --repair --retry-failed`) also those " +
      "refused for a lasting reason",
  },
  {
    key: "feed_not_fetched",
    title: "Activity feeds not fetched",
    advice: "the API failed them; `activity_feeds` or `sync` asks for them again",
  },
];

/** What `check --strict` reports of records against their entity's schema (src/schemas/). */
export const SCHEMA_CATEGORIES: CategoryInfo<SchemaKey>[] = [
  {
    key: "schema_violation",
    title: "Records that break their entity's schema",
    advice: "the API answered a shape the schema does not expect: re-fetch the record with its " +
      "entity command if the file was edited, else report the record's shape (docs/entities.md)",
  },
  {
    key: "schema_unknown",
    title: "Entity folders whose schema.json is missing or not this tool's",
    advice: "run the entity command or `sync` to publish it, then check again",
  },
];

const REPAIR = "run `check --repair`";

export const INTEGRITY_CATEGORIES: CategoryInfo<IntegrityKey>[] = [
  {
    key: "row_without_file",
    title: "Index rows without their record file",
    advice: `${REPAIR} to re-fetch the records (rows of records gone upstream are removed)`,
  },
  {
    key: "file_without_row",
    title: "Record files without an index row",
    advice: `${REPAIR} to add their rows`,
  },
  {
    key: "invalid_json",
    title: "Record files that are not valid JSON",
    advice: `${REPAIR} to re-fetch them`,
  },
  {
    key: "id_mismatch",
    title: "Record files whose id differs from their file name",
    advice: `${REPAIR} to re-fetch them`,
  },
  {
    key: "duplicate_index_row",
    title: "Duplicate index rows",
    advice: `${REPAIR} to rewrite the index`,
  },
  {
    key: "index_unreadable",
    title: `Missing or unreadable ${INDEX_FILE}`,
    advice: `${REPAIR} to rebuild it from the record files`,
  },
  {
    key: "index_header",
    title: `${INDEX_FILE} with a wrong header`,
    advice: `${REPAIR} to rewrite the index`,
  },
  {
    key: "index_malformed",
    title: `Malformed ${INDEX_FILE} lines`,
    advice: `${REPAIR} to rewrite the index from the record files`,
  },
  {
    key: "uncommitted_journal",
    title: "Index journals of interrupted runs",
    advice: `${REPAIR} (or the next run of that entity) replays them`,
  },
  {
    key: "attachment_no_marker",
    title: "Attachment folders without a valid completion marker",
    advice: `${REPAIR} to re-download them`,
  },
  {
    key: "attachment_size_mismatch",
    title: "Attachments whose size differs from their marker",
    advice: `${REPAIR} to re-download them`,
  },
  {
    key: "attachment_sha_mismatch",
    title: "Attachments whose SHA-256 differs from their marker",
    advice: `${REPAIR} to re-download them`,
  },
  {
    key: "attachment_no_file",
    title: "Attachment folders without their file",
    advice: `${REPAIR} to re-download them`,
  },
  {
    key: "orphan_activity_feed",
    title: "Activity feeds of candidates not in the cache",
    advice: `${REPAIR}: it re-fetches the candidates and removes only the feeds of those gone ` +
      "upstream",
  },
  {
    key: "temp_file",
    title: "Temporary files left behind",
    advice: `${REPAIR} to remove them (the next run also does)`,
  },
  {
    key: "stale_lock",
    title: "Stale lock",
    advice: `${REPAIR} to remove it (the next run also takes it over)`,
  },
  {
    key: "unfinished_erasure",
    title: "Erasures an interrupted `erase` left unfinished",
    advice: "run `erase` (any address) or `sync`: they ask Greenhouse what happened and purge " +
      "the cached copy",
  },
  {
    key: "unfinished_repair",
    title: "Records an interrupted `check --repair` has still to re-fetch",
    advice: `${REPAIR} again: it re-fetches them (until then they are out of the index)`,
  },
  {
    key: "symlink",
    title: "Symbolic links inside the cache",
    advice: `${REPAIR} to remove each link (never what it points to) and fetch the data ` +
      "again; a link in place of a privacy file is left to you: replace it with the file it " +
      "points to",
  },
  {
    key: "failure_record_unreadable",
    title: "The record of failed downloads cannot be read",
    advice: `${REPAIR} to remove it: the next full \`activity_feeds\` and \`attachments\` ` +
      "runs ask for what it listed",
  },
];

export interface FolderSummary {
  name: string;
  /** Record files in the folder. */
  records: number;
  /** Oldest and newest extraction timestamps in index.csv (null when it has none). */
  oldest: string | null;
  newest: string | null;
}

export interface Report {
  cacheDir: string;
  checkedAt: string;
  verify: boolean;
  /** "held": another run is writing the cache now (its results may be in flux). */
  lock: "none" | "held" | "stale";
  folders: FolderSummary[];
  /** `notDownloaded`: files the record of failures lists (no folder is on disk for them). */
  attachments: { candidates: number; complete: number; incomplete: number; notDownloaded: number };
  activityFeeds: number;
  integrityProblems: number;
  crossReferenceGaps: number;
  integrity: Category[];
  crossReferences: Category[];
  /** Whether records were validated against their schemas (`check --strict`). */
  schemasChecked: boolean;
  /** Schema problems found (all of them, even past the ones `schema` lists). */
  schemaProblems: number;
  schema: Category[];
  /** Items the upstream did not give (warnings; `--strict` fails on them). */
  upstreamFailures: number;
  upstream: Category[];
}

/**
 * 0: trustworthy; 1: integrity problems, or with `strict` references to records not in the
 * cache (informational categories aside), records that break their schema, or items the
 * upstream did not give.
 */
export function exitCodeOf(report: Report, strict: boolean): 0 | 1 {
  if (report.integrityProblems > 0) return 1;
  if (!strict) return 0;
  const dangling = report.crossReferences.some((c) => !c.informational && c.problems.length > 0);
  return dangling || report.schemaProblems > 0 || report.upstreamFailures > 0 ? 1 : 0;
}
