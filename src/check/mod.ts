/**
 * The check engine's front door: the audit, the repair (and what it fetches again), the report
 * and the `--json` document. Commands import the check engine through this module only
 * (scripts/check_imports.ts).
 */
export { audit, type AuditOptions, repair, type RepairRun, requireCache } from "./run.ts";
export { formatReport } from "./report.ts";
export { exitCodeOf, type Report } from "./report_types.ts";
export type { RepairAction } from "./repair.ts";
export { checkJson, interruptedJson, verdict } from "./summary.ts";
