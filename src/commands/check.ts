/**
 * `check`: audits the cache offline (no credentials) and exits 0 when it can be trusted;
 * `check --repair` fixes what it found (credentials needed to re-fetch records).
 */
import { cacheFolderExists } from "../cache/mod.ts";
import { downloadAttachments } from "../dependent/attachments.ts";
import { fetchActivityFeeds } from "../dependent/activity_feeds.ts";
import { streamEntity } from "../extract/stream.ts";
import { publishSchema } from "../extract/schema.ts";
import { openCache } from "../cache/mod.ts";
import { ENTITIES, type EntityName } from "../entities.ts";
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
  /** With --repair: also re-download files refused for a lasting reason. */
  retryFailed: boolean;
  quiet: boolean;
  /** Only with --repair (and not --dry-run): re-fetching needs the API. */
  connection?: Connection;
}

export const checkSpec: CommandSpec<CheckCommand> = {
  name: "check",
  summary: "Audit the cache (offline); --repair fixes what it finds",
  usage: "check [--json] [--all] [--strict] [--verify] [--repair [--dry-run] [--retry-failed]] " +
    "[options]",
  description: "Counts the records, attachments and activity feeds, checks every index row " +
    "against its record file, every record file's JSON and id, attachment markers, leftover " +
    "temporary files and locks, symbolic links, and the cross-references between entities; " +
    "with --strict also every record against its entity's JSON Schema " +
    "(<cache>/<entity>/schema.json). Files and feeds a run could not fetch (recorded in " +
    "<cache>/.failures.json) are listed as warnings, not damage. Exit 0: no integrity problem; " +
    "1: integrity problems (with --strict also references to records not in the cache, records " +
    "that break their schema, or files and feeds not downloaded); 2: usage error. " +
    "Needs no credentials unless --repair re-fetches records.",
  options: {
    json: { type: "boolean" },
    all: { type: "boolean" },
    strict: { type: "boolean" },
    verify: { type: "boolean" },
    repair: { type: "boolean" },
    "dry-run": { type: "boolean" },
    "retry-failed": { type: "boolean" },
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
    [
      "--retry-failed",
      "With --repair: also download again the files refused for a lasting reason (over the " +
      "size cap, a refused host); the others recorded as failed are always tried again",
    ],
    ...cacheHelp,
    ...connectionHelp.map(([flags, text]): [string, string] => [flags, `${text} (--repair)`]),
    ...outputHelp,
  ],
  parse(values, _positionals, env) {
    const repair = values.repair === true;
    const dryRun = values["dry-run"] === true;
    if (dryRun && !repair) throw new UsageError("check: --dry-run only applies with --repair");
    const retryFailed = values["retry-failed"] === true;
    if (retryFailed && !repair) {
      throw new UsageError("check: --retry-failed only applies with --repair");
    }
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
      retryFailed,
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
      refetchAfter: cmd.connection !== undefined,
      retryFailed: cmd.retryFailed,
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
  let followUpRequests = 0;
  if (cmd.connection && !cmd.dryRun) {
    const followed = await fetchAfterRepair(cmd, cmd.connection, actions, ctx);
    followUpRequests = followed.requests;
    if (followed.interrupted) {
      if (cmd.json) {
        steps.push(repairStep("interrupted", actions.length, followUpRequests));
        ctx.out(interruptedJson(startedAt, ctx, steps));
      }
      throw followed.interrupted;
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
  steps.push(repairStep("ok", actions.length, followUpRequests));
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

/**
 * What the repair left for this command to fetch, in order: whole folders a link stood in for
 * (listed as their entity command does, schema included), schemas whose file was a link, activity
 * feeds, attachments (verified). Stops at an interruption, returning it.
 */
async function fetchAfterRepair(
  cmd: CheckCommand,
  connection: Connection,
  actions: RepairAction[],
  ctx: RunContext,
): Promise<{ requests: number; interrupted?: Interrupted }> {
  let requests = 0;
  const relist = actions.filter((a) => a.action === "relist" || a.action === "republish-schema");
  if (relist.length > 0) {
    const relisted = await relistFolders(cmd, connection, relist, ctx);
    requests += relisted.requests;
    if (relisted.interrupted) return { requests, interrupted: relisted.interrupted };
  }
  const feeds = actions.find((a) => a.action === "refetch-feeds");
  if (feeds) {
    const outcome = await runDependent(
      "activity_feeds",
      "feeds",
      { ...followUpOptions(cmd, connection), candidates: feeds.ids, full: true },
      ctx,
      fetchActivityFeeds,
    );
    requests += outcome.requests;
    if (outcome.interrupted) return { requests, interrupted: outcome.interrupted };
    reportFailures("check --repair: activity_feeds", outcome.result, ctx);
  }
  const redownload = actions.find((action) => action.action === "redownload-attachments");
  // A linked candidates/ held the attachments too: every candidate's are downloaded again.
  const everyFile = relist.some((a) => a.action === "relist" && a.entity === "candidates");
  if (redownload?.ids || everyFile) {
    const outcome = await runDependent(
      "attachments",
      "files",
      {
        ...followUpOptions(cmd, connection),
        candidates: everyFile ? undefined : redownload!.ids,
        full: true,
      },
      ctx,
      (run, selected) =>
        downloadAttachments(run, selected, {
          verify: true,
          retryFailed: cmd.retryFailed,
          refusalsHold: true,
        }),
    );
    requests += outcome.requests;
    if (outcome.interrupted) return { requests, interrupted: outcome.interrupted };
    reportFailures("check --repair: attachments", outcome.result, ctx);
  }
  return { requests };
}

/** What the dependent commands' code needs to fetch for a repair. */
function followUpOptions(cmd: CheckCommand, connection: Connection) {
  return {
    cacheDir: cmd.cacheDir,
    connection,
    quiet: cmd.quiet,
    concurrency: DEFAULT_CONCURRENCY,
    retryFailed: cmd.retryFailed,
  };
}

/** Lists again, whole, each entity whose folder was a link; publishes schemas whose file was. */
async function relistFolders(
  cmd: CheckCommand,
  connection: Connection,
  actions: RepairAction[],
  ctx: RunContext,
): Promise<{ requests: number; interrupted?: Interrupted }> {
  const client = openClient(connection, ctx);
  const cache = await openCache(cmd.cacheDir);
  try {
    for (const action of actions) {
      const entity = action.entity as EntityName;
      if (action.action === "republish-schema") {
        const folder = await cache.folder(entity, ENTITIES[entity].moniker);
        await publishSchema(folder.dir, entity, client.dialect.version);
        continue;
      }
      await streamEntity({ entity, client, cache, ctx, quiet: cmd.quiet, params: {} });
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    return { requests: client.stats.requests, interrupted: error };
  } finally {
    await cache.close();
  }
  return { requests: client.stats.requests };
}

async function requireCache(dir: string): Promise<void> {
  if (await cacheFolderExists(dir)) return;
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
