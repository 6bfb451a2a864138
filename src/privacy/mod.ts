/**
 * The privacy engine's front door: subject access, erasure (and its look-up), ping. Commands
 * import the privacy engine through this module only (scripts/check_imports.ts).
 */
export { type AccessOptions, type AccessResult, runAccess } from "./access_run.ts";
export type { AccessBundle } from "./access.ts";
export { accessStep, cacheOnlyCount, formatAccessLine, NO_MATCH } from "./access_text.ts";
export {
  type CacheOnly,
  type EraseReport,
  type ErasureOptions,
  type ErasurePreview,
  type ErasureResult,
  lookupErasuresOf,
  type Match,
  runErasure,
} from "./erasure.ts";
export {
  confirmPrompt,
  erasureStep,
  formatDryRun,
  formatErasureJson,
  formatLookup,
  formatLookupJson,
  formatMatches,
  formatOutcomes,
  noCacheNote,
  unverifiableNote,
} from "./erase_text.ts";
export type { EraseMode } from "./erase.ts";
export { DEFAULT_ANONYMIZE_FIELDS, keptUpstream } from "./anonymize.ts";
export { ANONYMIZE_FIELD_NAMES } from "../harvest/mod.ts";
export { PRIVACY_LOG_FILE } from "../cache/mod.ts";
export { listTitle } from "./personal_lists.ts";
export { finishInterruptedErasures } from "./finish.ts";
export { formatPing, ping, type PingReport } from "./ping.ts";
