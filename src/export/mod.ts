/**
 * The export engine's front door: cache → one NDJSON, CSV or Parquet file per entity. Commands
 * import the export engine through this module only (scripts/check_imports.ts).
 */
export { EXPORT_FORMATS, type ExportFormat } from "./formats.ts";
export {
  type EntityExport,
  type ExportOptions,
  type ExportResult,
  MAX_PROBLEMS,
  requireExportable,
  runExport,
} from "./run.ts";
