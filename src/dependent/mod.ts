/**
 * The dependent engine's front door: per-candidate data (activity feeds or notes, attachments)
 * and the runner the candidate-dependent commands share. Commands import the dependent engine
 * through this module only (scripts/check_imports.ts).
 */
export { fetchActivityFeeds } from "./activity_feeds.ts";
export { DEFAULT_MAX_ATTACHMENT_BYTES, downloadAttachments, formatBytes } from "./attachments.ts";
export { DEFAULT_DOWNLOAD_LIMITS, type DownloadLimits } from "./deadline.ts";
export { FileHostPolicy } from "./file_fetch.ts";
export type { DependentRun } from "./run.ts";
export type { DependentResult } from "../dependent_result.ts";
export type { FailureStep } from "../cache/mod.ts";
/** Names on disk the dependent commands' help describes. */
export { ACTIVITY_FEEDS_FOLDER, CANDIDATES_FOLDER, INDEX_FILE, MARKER_FILE } from "../cache/mod.ts";
export {
  CANDIDATES_INDEX,
  DEFAULT_CONCURRENCY,
  type DependentOutcome,
  plural,
  runDependent,
  type RunnerOptions,
} from "./runner.ts";
export { dependentJson, dependentStep, formatApiFigures, reportFailures } from "./report.ts";
