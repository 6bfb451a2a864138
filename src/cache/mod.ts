/** The cache store: entity folders of `<id>.json` files with an `index.csv`. No HTTP here. */
export {
  type AtomicFile,
  isTempName,
  openAtomic,
  removeTempFiles,
  tempPathFor,
  writeFileAtomic,
} from "./atomic.ts";
export {
  CsvTokenizer,
  formatIndex,
  formatRows,
  INDEX_FILE,
  INDEX_HEADER,
  type IndexProblem,
  type IndexProblemKind,
  type IndexRow,
  isIndexProblem,
  isValidTimestamp,
  parseId,
  parseIndex,
  type ReadIndexOptions,
  readIndexRows,
  RECORD_DELIMITER,
} from "./index_csv.ts";
export {
  acquireLock,
  inspectLock,
  type Lock,
  LOCK_FILE,
  type LockInfo,
  lockPath,
  readLockInfo,
} from "./lock.ts";
export {
  type ApiRecordWithId,
  type Cache,
  type CacheOptions,
  type EntityFolder,
  JOURNAL_FILE,
  openCache,
  type RecoveryReport,
  validateId,
  WRITE_CONCURRENCY,
} from "./store.ts";
