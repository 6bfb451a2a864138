/**
 * `export`: the cache's records as one file per entity for warehouse loaders (NDJSON, CSV or
 * Parquet). Reads the cache only (no credentials, no request); the work is in src/export/.
 */
import { isAbsolute, relative, resolve, sep as SEP } from "node:path";
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  cacheDir,
  cacheHelp,
  cacheOptions,
  type OptionValues,
  outputHelp,
  outputOptions,
  quiet,
} from "../cli/options.ts";
import { parseIsoDate } from "../cli/dates.ts";
import { ENTITY_NAMES, type EntityName, isEntityName } from "../entities.ts";
import { RunError, UsageError } from "../errors.ts";
import { formatSummaryJson } from "../summary.ts";
import {
  type EntityExport,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportResult,
  MAX_PROBLEMS,
  requireExportable,
  runExport,
} from "../export/mod.ts";

/** Where files go without --out (the binary may write there: scripts/permissions.ts). */
export const DEFAULT_EXPORT_DIR = "./greenhouse-export";

export interface ExportCommand {
  kind: "export";
  format: ExportFormat;
  outDir: string;
  since?: Date;
  entities: EntityName[];
  /** Whether --only named the entities (then each must be in the cache). */
  named: boolean;
  json: boolean;
  cacheDir: string;
  quiet: boolean;
}

function entityList(values: OptionValues, name: "only" | "skip"): EntityName[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const texts = (Array.isArray(raw) ? raw : [raw]).map(String);
  const names = texts.flatMap((text) => text.split(",")).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) {
    throw new UsageError(`--${name} needs a comma-separated list of entities`);
  }
  for (const entity of names) {
    if (!isEntityName(entity)) {
      throw new UsageError(
        `--${name}: unknown entity "${entity}"; the entities are ${ENTITY_NAMES.join(", ")}`,
      );
    }
  }
  return names as EntityName[];
}

function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === "string" ? last : undefined;
}

export const exportSpec: CommandSpec<ExportCommand> = {
  name: "export",
  summary: "Write the cache as one NDJSON, CSV or Parquet file per entity, for warehouse loaders",
  usage: "export --format ndjson|csv|parquet [--out DIR] [--since TIME] [--only|--skip LIST]",
  description: "Reads the cache only (no credentials, no request) and writes " +
    "<out>/<entity>.<format> for every entity the cache holds, each replaced whole (written " +
    "under a temporary name, then renamed). NDJSON: one record per line, the cached JSON. " +
    "CSV: a header row, nested objects flattened into dotted columns (recruiter.name), arrays " +
    "as JSON text. Parquet: one column per top-level field, typed; arrays and objects as JSON " +
    "text. docs/commands.md has the exact rules. Can run while a sync does: it exports the " +
    "records as of each folder's last commit. Exit 1 if a record could not be exported.",
  options: {
    format: { type: "string" },
    out: { type: "string" },
    since: { type: "string" },
    only: { type: "string", multiple: true },
    skip: { type: "string", multiple: true },
    json: { type: "boolean" },
    ...cacheOptions,
    ...outputOptions,
  },
  help: [
    ["--format FORMAT", `One of ${EXPORT_FORMATS.join(", ")} (required)`],
    ["--out DIR", `Folder for the files (default ${DEFAULT_EXPORT_DIR}); made if missing`],
    [
      "--since TIME",
      "Only records the cache wrote at or after TIME (ISO-8601; their index.csv timestamp)",
    ],
    ["--only LIST", "Export only these entities (comma-separated)"],
    ["--skip LIST", "Export every entity but these (comma-separated)"],
    ["--json", "Print the summary as JSON"],
    ...cacheHelp,
    ...outputHelp,
  ],
  parse(values, _positionals, env) {
    const format = stringOption(values, "format");
    if (format === undefined) {
      throw new UsageError(`export needs --format: one of ${EXPORT_FORMATS.join(", ")}`);
    }
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(
        `--format "${format}" is not a format; use one of ${EXPORT_FORMATS.join(", ")}`,
      );
    }
    const sinceText = stringOption(values, "since");
    const since = sinceText === undefined ? undefined : parseIsoDate(sinceText, "--since");
    const only = entityList(values, "only");
    const skip = entityList(values, "skip") ?? [];
    const entities = ENTITY_NAMES.filter((name) => (only ?? ENTITY_NAMES).includes(name))
      .filter((name) => !skip.includes(name));
    if (entities.length === 0) throw new UsageError("--only and --skip leave no entity to export");
    const outDir = stringOption(values, "out") ?? DEFAULT_EXPORT_DIR;
    if (outDir.trim() === "") throw new UsageError("--out must name a folder");
    const cache = cacheDir(values, env);
    const fromCache = relative(resolve(cache), resolve(outDir));
    const outside = fromCache === ".." || fromCache.startsWith(`..${SEP}`) ||
      isAbsolute(fromCache);
    if (!outside) {
      throw new UsageError(
        `--out ${outDir} is inside the cache folder ${cache}; choose a folder outside it`,
      );
    }
    return {
      kind: "export",
      format: format as ExportFormat,
      outDir,
      since,
      entities,
      named: only !== undefined,
      json: values.json === true,
      cacheDir: cache,
      quiet: quiet(values),
    };
  },
};

export async function runExportCommand(cmd: ExportCommand, ctx: RunContext): Promise<number> {
  await requireExportable(cmd.cacheDir, cmd.entities, cmd.named);
  const started = ctx.clock.now();
  const result = await runExport(cmd, ctx);
  const seconds = (ctx.clock.now() - started) / 1000;
  const more = result.problemCount > MAX_PROBLEMS ? " (the first listed)" : " (listed)";
  const failure = result.problemCount === 0 ? undefined : new RunError(
    `export: ${result.problemCount} record(s) or index line(s) could not be exported${more}; ` +
      "the files hold every other record: run check, then check --repair, and export again",
  );
  ctx.out(
    cmd.json
      ? formatJson(cmd, result, new Date(started), seconds, failure)
      : formatText(cmd, result, seconds),
  );
  if (failure) {
    if (!cmd.json) {
      for (const p of result.problems) ctx.err(`export: ${p.path}: ${p.detail}\n`);
    }
    throw failure;
  }
  return 0;
}

function totalRecords(result: ExportResult): number {
  return result.entities.reduce((n, e) => n + e.records, 0);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function entityLine(cmd: ExportCommand, e: EntityExport): string {
  if (e.status === "absent") return `${e.entity}: not in the cache; no file written`;
  const notes = [
    e.columns !== undefined ? `${e.columns} columns` : undefined,
    formatBytes(e.bytes),
    e.older > 0 ? `${e.older.toLocaleString("en-US")} older left out` : undefined,
    e.vanished > 0
      ? `${e.vanished.toLocaleString("en-US")} removed by a concurrent run`
      : undefined,
    e.problems > 0 ? `${e.problems} not exported` : undefined,
  ].filter(Boolean);
  return `${e.entity}: ${e.records.toLocaleString("en-US")} records → ` +
    `${cmd.outDir.replace(/\/+$/, "")}/${e.file} (${notes.join(", ")})`;
}

function formatText(cmd: ExportCommand, result: ExportResult, seconds: number): string {
  const files = result.entities.filter((e) => e.status === "exported").length;
  const lines = result.entities.map((e) => entityLine(cmd, e));
  lines.push(
    `export complete: ${files} ${cmd.format} file(s), ` +
      `${totalRecords(result).toLocaleString("en-US")} records, ${seconds.toFixed(1)}s`,
  );
  return lines.join("\n") + "\n";
}

/** The summary envelope (src/summary.ts) with one step, then what export adds. */
function formatJson(
  cmd: ExportCommand,
  result: ExportResult,
  started: Date,
  seconds: number,
  failure: RunError | undefined,
): string {
  return formatSummaryJson({
    command: "export",
    startedAt: started,
    seconds,
    steps: [{
      step: "export",
      status: failure ? "failed" : "ok",
      requests: 0,
      seconds,
      ...(failure ? { error: failure.message } : {}),
    }],
    ...(failure ? { error: { kind: "run" as const, message: failure.message } } : {}),
  }, {
    format: cmd.format,
    out: cmd.outDir,
    since: cmd.since?.toISOString() ?? null,
    records: totalRecords(result),
    entities: result.entities,
    problemCount: result.problemCount,
    problems: result.problems,
  });
}
