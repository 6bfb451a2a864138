/**
 * The sync engine's front door: the steps and their order, a sync from start to end, and its
 * summary formats. Commands import the sync engine through this module only
 * (scripts/check_imports.ts).
 */
export {
  DELETIONS_STEP,
  type DependentStep,
  isSyncStep,
  type StepReport,
  SYNC_STEPS,
  type SyncDependents,
  type SyncStep,
} from "./run.ts";
export {
  appendStepSummary,
  type BindDependents,
  syncCache,
  type SyncResources,
  type SyncSession,
  type SyncSessionOptions,
} from "./session.ts";
export {
  formatJson,
  formatMarkdown,
  formatTable,
  summaryLine,
  totals,
  writeJsonWithChanges,
} from "./summary.ts";
/** Names on disk `sync --help` describes. */
export { CHANGES_FOLDER, STATE_FILE } from "../cache/mod.ts";
