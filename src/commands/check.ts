/**
 * `check`: audits the cache offline (no credentials) and exits 0 when it can be trusted;
 * `check --repair` fixes what it found (credentials needed to re-fetch records).
 */
import { downloadAttachments } from "../dependent/attachments.ts";
import { DEFAULT_CONCURRENCY, reportFailures, runDependent } from "./dependent.ts";
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  cacheDir,
  cacheHelp,
  cacheOptions,
  type Connection,
  connection,
  connectionHelp,
  connectionOptions,
  outputHelp,
  outputOptions,
  quiet,
} from "../cli/options.ts";
import { UsageError } from "../errors.ts";
import { RunError } from "../errors.ts";
import { Progress } from "../progress.ts";
import { openClient } from "../cli/client.ts";
import { auditCache } from "../check/audit.ts";
import { formatReport, reportJson } from "../check/report.ts";
import { exitCodeOf, type Report } from "../check/report_types.ts";
import { type RepairAction, repairCache } from "../check/repair.ts";

export interface CheckCommand {
  kind: "check";
  cacheDir: string;
  json: boolean;
  all: boolean;
  strict: boolean;
  verify: boolean;
  repair: boolean;
  dryRun: boolean;
  quiet: boolean;
  /** Only with --repair (and not --dry-run): re-fetching needs the API. */
  connection?: Connection;
}

export const checkSpec: CommandSpec<CheckCommand> = {
  name: "check",
  summary: "Audit the cache (offline); --repair fixes what it finds",
  usage: "check [--json] [--all] [--strict] [--verify] [--repair [--dry-run]] [options]",
  description: "Counts the records, attachments and activity feeds, checks every index row " +
    "against its record file, every record file's JSON and id, attachment markers, leftover " +
    "temporary files and locks, and the cross-references between entities; with --strict also " +
    "every record against its entity's JSON Schema (<cache>/<entity>/schema.json). Exit 0: no " +
    "integrity problem; 1: integrity problems (with --strict also references to records not in " +
    "the cache, or records that break their schema); 2: usage error. " +
    "Needs no credentials unless --repair re-fetches records.",
  options: {
    json: { type: "boolean" },
    all: { type: "boolean" },
    strict: { type: "boolean" },
    verify: { type: "boolean" },
    repair: { type: "boolean" },
    "dry-run": { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
    ...outputOptions,
  },
  help: [
    ["--json", "One JSON document on stdout (every problem listed)"],
    ["--all", "List every problem (default: the first 25 per category)"],
    [
      "--strict",
      "Also validate every record against its entity's schema; schema problems and references " +
      "to records not in the cache fail the check (exit 1)",
    ],
    ["--verify", "Hash attachments against their markers (default: compare sizes)"],
    ["--repair", "Fix what was found: rebuild indexes, re-fetch records, remove leftovers"],
    ["--dry-run", "With --repair: print what would change, change nothing"],
    ...cacheHelp,
    ...connectionHelp.map(([flags, text]): [string, string] => [flags, `${text} (--repair)`]),
    ...outputHelp,
  ],
  parse(values, _positionals, env) {
    const repair = values.repair === true;
    const dryRun = values["dry-run"] === true;
    if (dryRun && !repair) throw new UsageError("check: --dry-run only applies with --repair");
    const online = repair && !dryRun;
    return {
      kind: "check",
      cacheDir: cacheDir(values, env),
      json: values.json === true,
      all: values.all === true,
      strict: values.strict === true,
      verify: values.verify === true,
      repair,
      dryRun,
      quiet: quiet(values),
      connection: online ? connection(values, env) : undefined,
    };
  },
};

export async function runCheck(cmd: CheckCommand, ctx: RunContext): Promise<number> {
  await requireCache(cmd.cacheDir);
  let report = await audit(cmd, ctx);
  if (!cmd.repair) {
    ctx.out(cmd.json ? reportJson(report) : formatReport(report, cmd));
    return exitCodeOf(report, cmd.strict);
  }

  const actions: RepairAction[] = await repairCache(report, {
    dryRun: cmd.dryRun,
    clock: ctx.clock,
    client: cmd.connection ? () => openClient(cmd.connection!, ctx) : undefined,
    redownloadAttachments: cmd.connection !== undefined,
    log: (line) => {
      if (!cmd.json) ctx.out(`${line}\n`);
    },
  });
  const redownload = actions.find((action) => action.action === "redownload-attachments");
  if (redownload?.ids && cmd.connection && !cmd.dryRun) {
    await redownloadAttachments(cmd, cmd.connection, redownload.ids, ctx);
  }
  if (cmd.dryRun) {
    if (cmd.json) ctx.out(reportJson(report, { dryRun: true, repair: actions }));
    else if (actions.length === 0) ctx.out("Nothing to repair.\n");
    else ctx.out(`Dry run: nothing was changed (${actions.length} action(s) listed).\n`);
    return exitCodeOf(report, cmd.strict);
  }
  if (actions.length === 0 && !cmd.json) ctx.out("Nothing to repair.\n");
  // The repair's exit code is the cache's state afterwards.
  report = await audit(cmd, ctx);
  if (cmd.json) ctx.out(reportJson(report, { repair: actions }));
  else {
    ctx.out("\nAfter repair:\n");
    ctx.out(formatReport(report, cmd));
  }
  return exitCodeOf(report, cmd.strict);
}

/** Re-downloads (and verifies) the attachments of the given candidates, as `attachments` does. */
async function redownloadAttachments(
  cmd: CheckCommand,
  connection: Connection,
  ids: number[],
  ctx: RunContext,
): Promise<void> {
  const outcome = await runDependent(
    "attachments",
    "files",
    {
      cacheDir: cmd.cacheDir,
      connection,
      quiet: cmd.quiet,
      concurrency: DEFAULT_CONCURRENCY,
      candidates: ids,
    },
    ctx,
    (run, selected) => downloadAttachments(run, selected, { verify: true }),
  );
  reportFailures("check --repair: attachments", outcome.result, ctx);
}

async function requireCache(dir: string): Promise<void> {
  try {
    if ((await Deno.stat(dir)).isDirectory) return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  throw new RunError(
    `check: no cache at ${dir}; run an entity command first, or point --cache-dir at the cache`,
  );
}

async function audit(cmd: CheckCommand, ctx: RunContext): Promise<Report> {
  const progress = new Progress({
    err: ctx.err,
    isTerminal: ctx.stderrIsTerminal,
    quiet: cmd.quiet,
    clock: ctx.clock,
    label: "check",
    unit: "files read",
  });
  try {
    return await auditCache(cmd.cacheDir, {
      verify: cmd.verify,
      schemas: cmd.strict,
      now: () => ctx.clock.now(),
      onProgress: (done) => progress.update({ done }),
    });
  } finally {
    progress.done();
  }
}
