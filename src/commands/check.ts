/**
 * `check`: audits the cache offline (no credentials) and exits 0 when it can be trusted;
 * `check --repair` fixes what it found (credentials needed to re-fetch records).
 */
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
import { openClient } from "../cli/client.ts";
import { runInterruptible } from "../cli/context.ts";
import type { SummaryStep } from "../summary.ts";
import {
  audit,
  checkJson,
  exitCodeOf,
  formatReport,
  interruptedJson,
  repair,
  requireCache,
  verdict,
} from "../check/mod.ts";

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
  return await runInterruptible(ctx, (ctx) => runRepair(cmd, ctx));
}

/**
 * `check --repair [--dry-run]`: audit, repair, re-download incomplete attachments, audit again.
 * Ctrl-C or SIGTERM stop it between two re-fetches, with what is done committed and what is left
 * saved: `check` then reports the unfinished repair and `check --repair` finishes it.
 */
async function runRepair(cmd: CheckCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  let report = await audit(cmd, ctx);
  const online = cmd.connection;
  const { actions, requests, interrupted } = await repair(report, {
    ...cmd,
    newClient: online ? () => openClient(online, ctx) : undefined,
    fileHosts: online?.fileHosts,
    log: (line) => {
      if (!cmd.json) ctx.out(`${line}\n`);
    },
  }, ctx);
  const repairStep = (status: SummaryStep["status"]) => ({
    step: "repair",
    status,
    requests,
    seconds: (ctx.clock.now() - startedAt.getTime()) / 1000,
    actions: actions.length,
  });
  if (interrupted) {
    if (cmd.json) ctx.out(interruptedJson(startedAt, ctx, [repairStep("interrupted")]));
    throw interrupted;
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
  // The repair's exit code is the cache's state afterwards.
  report = await audit(cmd, ctx);
  const code = exitCodeOf(report, cmd.strict);
  if (cmd.json) {
    ctx.out(checkJson(startedAt, ctx, report, cmd, { repair: actions }, [repairStep("ok")]));
    if (code !== 0) ctx.err(`${verdict(report, cmd)}\n`);
  } else {
    ctx.out("\nAfter repair:\n");
    ctx.out(formatReport(report, cmd));
  }
  return code;
}
