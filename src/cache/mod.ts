/** The cache store: entity folders of `<id>.json` files with an `index.csv`. No HTTP here. */
export {
  ACTIVITY_FEEDS_FOLDER,
  attachmentsFolderName,
  attachmentsOwnerOf,
  candidateAttachmentsDir,
  CANDIDATES_FOLDER,
  CHANGES_FOLDER,
  changesFileName,
  changesFileTime,
  FAILURES_FILE,
  INDEX_FILE,
  isTempName,
  JOURNAL_FILE,
  LOCK_FILE,
  MARKER_FILE,
  PENDING_ERASURES_FILE,
  PRIVACY_FILES,
  PRIVACY_KEY_FILE,
  PRIVACY_LOG_FILE,
  type ProgressStep,
  recordFileName,
  recordIdOf,
  removeTempFiles,
  removeTempFolders,
  REPAIR_FILE,
  ROOT_FILES,
  SCHEMA_FILE,
  STATE_FILE,
  stepProgressFile,
  tempPathFor,
  TOMBSTONES_FILE,
} from "./layout.ts";
export { type AtomicFile, openAtomic, writeFileAtomic } from "./atomic.ts";
export {
  CHANGE_KINDS,
  type ChangeCounts,
  type ChangeKind,
  type ChangeLog,
  CHANGES_FORMAT,
  CHANGES_VERSION,
  openChangeLog,
  removeChangeLogsBefore,
} from "./changes.ts";
export { addTombstones, readTombstones } from "./tombstones.ts";
export { sha256File, sha256Hex } from "./hash.ts";
export {
  type CsvRecord,
  CsvTokenizer,
  formatCsv,
  formatIndex,
  formatRows,
  INDEX_HEADER,
  type IndexProblem,
  type IndexProblemKind,
  type IndexRow,
  isIndexProblem,
  isValidTimestamp,
  parseIndex,
  readIndexBatches,
  type ReadIndexOptions,
  readIndexRows,
  RECORD_DELIMITER,
} from "./index_codec.ts";
export {
  acquireLock,
  inspectLock,
  type Lock,
  type LockInfo,
  lockPath,
  readLockInfo,
} from "./lock.ts";
export {
  type Cache,
  cacheFolderExists,
  type CacheOptions,
  type EntityFolder,
  openCache,
} from "./store.ts";
export {
  type ApiRecordWithId,
  type EncodedRecords,
  type Entry,
  type MonikerOf,
  validateId,
} from "./encode.ts";
export { JOURNAL_HEADER } from "./journal.ts";
export { type RecoveryReport } from "./recovery.ts";
export { WRITE_CONCURRENCY } from "./concurrency.ts";
export {
  ensureFolder,
  isRealFolder,
  lstatOrUndefined,
  openNoFollow,
  readNoFollow,
  readTextNoFollow,
  refuseLinks,
  symlinkError,
} from "./no_follow.ts";
export {
  attachmentFolderNames,
  type AttachmentFolderState,
  type AttachmentProblem,
  checkAttachmentFolder,
  isAttachmentFolderName,
  makeAttachmentFolder,
  type Marker,
  readMarker,
  sanitizeFileName,
  writeMarker,
} from "./attachments.ts";
export {
  type FailedItem,
  FailureRecord,
  failuresPath,
  type FailureStep,
  forgetCandidates,
  lastingNote,
  MAX_ITEMS as MAX_RECORDED_FAILURES,
  readFailures,
  recordedReason,
} from "./failures.ts";
