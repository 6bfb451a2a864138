/**
 * `check`: audits the cache offline (no credentials) and exits 0 when it can be trusted;
 * `check --repair` fixes what it found (credentials needed to re-fetch records).
 */
import { downloadAttachments } from "../dependent/attachments.ts";
import {
  DEFAULT_CONCURRENCY,
  type DependentOutcome,
  reportFailures,
  runDependent,
} from "./dependent.ts";
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
import { progressFor } from "../progress.ts";
import { openClient } from "../cli/client.ts";
import { runInterruptible } from "../cli/context.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { Interrupted } from "../interrupt.ts";
import { formatSummaryJson, type SummaryStep } from "../summary.ts";
import { auditCache } from "../check/audit.ts";
import { formatReport } from "../check/report.ts";
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
  if (!cmd.repair) {
    const startedAt = new Date(ctx.clock.now());
    const report = await audit(cmd, ctx);
    const code = exitCodeOf(report, cmd.strict);
    ctx.out(cmd.json ? checkJson(startedAt, ctx, report, cmd) : formatReport(report, cmd));
    if (code !== 0 && cmd.json) ctx.err(`${verdict(report, cmd)}\n`);
    return code;
  }
  return await runInterruptible(ctx, (ctx) => repair(cmd, ctx));
}

/**
 * `check --repair [--dry-run]`: audit, repair, re-download incomplete attachments, audit again.
 * Ctrl-C or SIGTERM stop it between two re-fetches, with what is done committed and what is left
 * saved: `check` then reports the unfinished repair and `check --repair` finishes it.
 */
async function repair(cmd: CheckCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  let report = await audit(cmd, ctx);
  let client: HarvestClient | undefined;
  const progress = progressFor(ctx, { quiet: cmd.quiet, label: "check --repair", unit: "records" });
  const steps: SummaryStep[] = [];
  const repairStep = (status: SummaryStep["status"], actions: number, extraRequests = 0) => ({
    step: "repair",
    status,
    requests: (client?.stats.requests ?? 0) + extraRequests,
    seconds: (ctx.clock.now() - startedAt.getTime()) / 1000,
    actions,
  });
  let actions: RepairAction[];
  try {
    actions = await repairCache(report, {
      dryRun: cmd.dryRun,
      clock: ctx.clock,
      client: cmd.connection ? () => client ??= openClient(cmd.connection!, ctx) : undefined,
      redownloadAttachments: cmd.connection !== undefined,
      log: (line) => {
        if (!cmd.json) ctx.out(`${line}\n`);
      },
      onProgress: (done, total) => progress.update({ done, total }),
      signal: ctx.signal,
    });
  } catch (error) {
    if (error instanceof Interrupted && cmd.json) {
      steps.push(repairStep("interrupted", 0));
      ctx.out(interruptedJson(startedAt, ctx, steps));
    }
    throw error;
  } finally {
    progress.done();
  }
  let downloadRequests = 0;
  const redownload = actions.find((action) => action.action === "redownload-attachments");
  if (redownload?.ids && cmd.connection && !cmd.dryRun) {
    const outcome = await redownloadAttachments(cmd, cmd.connection, redownload.ids, ctx);
    downloadRequests = outcome.requests;
    if (outcome.interrupted) {
      if (cmd.json) {
        steps.push(repairStep("interrupted", actions.length, downloadRequests));
        ctx.out(interruptedJson(startedAt, ctx, steps));
      }
      throw outcome.interrupted;
    }
  }
  if (cmd.dryRun) {
    const code = exitCodeOf(report, cmd.strict);
    if (cmd.json) {
      ctx.out(checkJson(startedAt, ctx, report, cmd, { dryRun: true, repair: actions }));
      if (code !== 0) ctx.err(`${verdict(report, cmd)}\n`);
    } else if (actions.length === 0) ctx.out("Nothing to repair.\n");
    else ctx.out(`Dry run: nothing was changed (${actions.length} action(s) listed).\n`);
    return code;
  }
  if (actions.length === 0 && !cmd.json) ctx.out("Nothing to repair.\n");
  steps.push(repairStep("ok", actions.length, downloadRequests));
  // The repair's exit code is the cache's state afterwards.
  report = await audit(cmd, ctx);
  const code = exitCodeOf(report, cmd.strict);
  if (cmd.json) {
    ctx.out(checkJson(startedAt, ctx, report, cmd, { repair: actions }, steps));
    if (code !== 0) ctx.err(`${verdict(report, cmd)}\n`);
  } else {
    ctx.out("\nAfter repair:\n");
    ctx.out(formatReport(report, cmd));
  }
  return code;
}

/**
 * `check --json`: the summary envelope every command prints (src/summary.ts), its steps (the
 * repair, then the audit), then the audit's report and `extra` (the repair's actions).
 */
function checkJson(
  startedAt: Date,
  ctx: RunContext,
  report: Report,
  cmd: CheckCommand,
  extra: Record<string, unknown> = {},
  before: SummaryStep[] = [],
): string {
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  const ok = exitCodeOf(report, cmd.strict) === 0;
  const auditStep: SummaryStep = {
    step: "check",
    status: ok ? "ok" : "failed",
    requests: 0,
    seconds,
  };
  const steps = [...before, auditStep];
  return formatSummaryJson(
    {
      command: "check",
      startedAt,
      seconds,
      steps,
      ok,
      ...(ok ? {} : { error: { kind: "run" as const, message: verdict(report, cmd) } }),
    },
    { ...report, ...extra },
  );
}

/** Why the audit fails (exit 1), in one line. */
function verdict(report: Report, cmd: CheckCommand): string {
  if (report.integrityProblems > 0) {
    return `check: ${report.integrityProblems} integrity problem(s) in ${cmd.cacheDir}; ` +
      "the report lists them: run check --repair";
  }
  const dangling = report.crossReferences.filter((c) => !c.informational)
    .reduce((n, c) => n + (c.total ?? c.problems.length), 0);
  return `check --strict: ${report.schemaProblems} schema problem(s) and ${dangling} ` +
    "reference(s) to records not in the cache; the report lists them: run sync, or " +
    "check --repair";
}

function interruptedJson(startedAt: Date, ctx: RunContext, steps: SummaryStep[]): string {
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  return formatSummaryJson({ command: "check", startedAt, seconds, steps, interrupted: true });
}

/** Re-downloads (and verifies) the attachments of the given candidates, as `attachments` does. */
async function redownloadAttachments(
  cmd: CheckCommand,
  connection: Connection,
  ids: number[],
  ctx: RunContext,
): Promise<DependentOutcome> {
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
  if (!outcome.interrupted) reportFailures("check --repair: attachments", outcome.result, ctx);
  return outcome;
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
  const progress = progressFor(ctx, { quiet: cmd.quiet, label: "check", unit: "files read" });
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
