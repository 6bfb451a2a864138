/**
 * `sync`: keeps a cache current for scheduled runs. Parses options and prints the summary; the
 * work is in src/sync/ (engine, state file, comparison, summary formats).
 */
import {
  DEFAULT_CONCURRENCY,
  type DependentResult,
  type DependentRun,
  downloadAttachments,
  fetchActivityFeeds,
} from "../dependent/mod.ts";
import { interruptionOf } from "../interrupt.ts";
import { progressFor } from "../progress.ts";
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
  integerOption,
  type OptionValues,
  outputHelp,
  outputOptions,
  quiet,
} from "../cli/options.ts";
import { openClient } from "../cli/client.ts";
import { runInterruptible } from "../cli/context.ts";
import { UsageError } from "../errors.ts";
import { availableIn, ENTITIES, isEntityName } from "../entities.ts";
import {
  appendStepSummary,
  type BindDependents,
  CHANGES_FOLDER,
  DELETIONS_STEP,
  type DependentStep,
  formatJson,
  formatMarkdown,
  formatTable,
  isSyncStep,
  STATE_FILE,
  summaryLine,
  SYNC_STEPS,
  syncCache,
  type SyncStep,
  totals,
  writeJsonWithChanges,
} from "../sync/mod.ts";

export interface SyncCommand {
  kind: "sync";
  steps: SyncStep[];
  full: boolean;
  prune: boolean;
  overlapMs: number;
  /** Change manifests of runs that started longer ago than this are removed. */
  keepChangesDays: number;
  json: boolean;
  cacheDir: string;
  connection: Connection;
  quiet: boolean;
  /** The steps --only named (their failures are never excused: see SyncOptions.named). */
  named: SyncStep[];
}

export const DEFAULT_OVERLAP_MINUTES = 5;
export const DEFAULT_KEEP_CHANGES_DAYS = 30;

function stepList(values: OptionValues, name: "only" | "skip"): SyncStep[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const texts = (Array.isArray(raw) ? raw : [raw]).map(String);
  const names = texts.flatMap((text) => text.split(",")).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--${name} needs a comma-separated list of steps`);
  for (const step of names) {
    if (!isSyncStep(step)) {
      throw new UsageError(
        `--${name}: unknown step "${step}"; the steps are ${SYNC_STEPS.join(", ")}`,
      );
    }
  }
  return names as SyncStep[];
}

export const syncSpec: CommandSpec<SyncCommand> = {
  name: "sync",
  summary: "Bring the cache up to date: only what changed since the last run; resumable",
  usage: "sync [options]",
  description: `Runs, in order: ${SYNC_STEPS.join(", ")}. ` +
    "The first run lists everything; later runs ask only for records changed since the previous " +
    `successful run (minus --overlap), keeping that state in <cache>/${STATE_FILE}. A killed run ` +
    "continues from its last checkpoint. Activity feeds and attachments are fetched only for " +
    "candidates that are new or changed. The deletions step lists the candidate ids whole (one " +
    "request per 500) and removes the candidates deleted upstream, with their records in every " +
    "list holding personal data, their attachments and activity feed. Lists Harvest v3 alone has are left out on v1. A list " +
    "beyond the first seven entities that the credentials may not read (403) is reported as " +
    "unavailable with a warning, unless --only names it. The ids each run adds, changes and " +
    `removes go to a manifest in <cache>/${CHANGES_FOLDER}/ (docs/cache-format.md). ` +
    "Prints a table per step; appends it as Markdown to $GITHUB_STEP_SUMMARY when that is set. " +
    "Exits 1 if any step failed (after running the others).",
  options: {
    only: { type: "string", multiple: true },
    skip: { type: "string", multiple: true },
    full: { type: "boolean" },
    prune: { type: "boolean" },
    overlap: { type: "string" },
    "keep-changes": { type: "string" },
    json: { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
    ...outputOptions,
  },
  help: [
    ["--only LIST", "Run only these steps (comma-separated)"],
    ["--skip LIST", "Run all steps but these (comma-separated)"],
    ["--full", "Ignore the saved state: list everything again"],
    [
      "--prune",
      "Remove cached records deleted upstream from every list, not only candidates (the " +
      "deletions step, every run). Compares full id lists, so it costs a full listing of each " +
      "entity (one request per 500 records) on incremental runs",
    ],
    [
      "--overlap MINUTES",
      `Re-ask for records changed this long before the last run started (default ${DEFAULT_OVERLAP_MINUTES})`,
    ],
    [
      "--keep-changes DAYS",
      `Remove change manifests of runs older than this (default ${DEFAULT_KEEP_CHANGES_DAYS})`,
    ],
    ["--json", "Print the summary as JSON instead of a table, with the ids changed"],
    ...cacheHelp,
    ...connectionHelp,
    ...outputHelp,
  ],
  parse(values, _positionals, env) {
    const only = stepList(values, "only");
    const skip = stepList(values, "skip") ?? [];
    const api = connection(values, env);
    const absent = (step: SyncStep) => isEntityName(step) && !availableIn(ENTITIES[step], api.api);
    const unlisted = only?.find(absent);
    if (unlisted) {
      throw new UsageError(
        `--only: Harvest ${api.api} has no list of ${unlisted}; leave it out, or run with ` +
          `Harvest ${api.api === "v1" ? "v3" : "v1"} credentials`,
      );
    }
    // By default, every step the API version has (v3-only lists are left out on v1).
    const prune = values.prune === true;
    // Candidates deleted upstream go in the deletions step: pruning candidates runs it too.
    const wanted = (step: SyncStep) =>
      (only ?? SYNC_STEPS).includes(step) ||
      (step === DELETIONS_STEP && prune && only?.includes("candidates") === true);
    const steps = SYNC_STEPS.filter(wanted).filter((step) => !skip.includes(step) && !absent(step));
    if (steps.length === 0) throw new UsageError("--only and --skip leave no step to run");
    const overlapMinutes = integerOption(values, "overlap", DEFAULT_OVERLAP_MINUTES, 0, 10_080);
    const keepChangesDays = integerOption(
      values,
      "keep-changes",
      DEFAULT_KEEP_CHANGES_DAYS,
      1,
      36_500,
    );
    return {
      kind: "sync",
      steps,
      full: values.full === true,
      prune,
      overlapMs: overlapMinutes * 60_000,
      keepChangesDays,
      json: values.json === true,
      cacheDir: cacheDir(values, env),
      connection: api,
      quiet: quiet(values),
      named: only ?? [],
    };
  },
};

/** The activity-feed and attachment steps, bound to the sync's client and cache. */
const realDependents: BindDependents = (resources) => {
  /** A step with its progress line: the same as the entity steps, live or every 10 s. */
  const step = (
    label: string,
    unit: string,
    work: (run: DependentRun, ids: number[]) => Promise<DependentResult>,
  ): DependentStep =>
  async (ids, all) => {
    const progress = progressFor(resources.ctx, { quiet: resources.quiet, label, unit });
    try {
      return await work({
        ...resources,
        concurrency: DEFAULT_CONCURRENCY,
        scope: all ? "all" : "sync",
        onItem: ({ done, total, detail }) =>
          progress.update({ done, total, detail, waitedMs: resources.client.stats.waitedMs }),
      }, ids);
    } finally {
      progress.done();
    }
  };
  return {
    activity_feeds: step("activity_feeds", "candidates", fetchActivityFeeds),
    attachments: step(
      "attachments",
      "candidates",
      (run, ids) => downloadAttachments(run, ids, { verify: false }),
    ),
  };
};

export function runSyncCommand(
  cmd: SyncCommand,
  ctx: RunContext,
  bindDependents: BindDependents = realDependents,
): Promise<number> {
  return runInterruptible(ctx, (ctx) => sync(cmd, ctx, bindDependents));
}

async function sync(
  cmd: SyncCommand,
  ctx: RunContext,
  bindDependents: BindDependents,
): Promise<number> {
  const client = openClient(cmd.connection, ctx);
  const options = { ...cmd, fileHosts: cmd.connection.fileHosts };
  const { reports, started, changes } = await syncCache(client, options, ctx, bindDependents);
  const seconds = (ctx.clock.now() - started.getTime()) / 1000;
  if (cmd.json) {
    await writeJsonWithChanges(
      ctx.out,
      formatJson(reports, seconds, started),
      changes,
      cmd.cacheDir,
    );
  } else ctx.out(formatTable(reports, seconds));
  await appendStepSummary(ctx, formatMarkdown(reports, seconds, started));
  const { failed, interrupted } = totals(reports);
  // The summary is out and the lock released: now say why we stop (exit 130/143).
  if (interrupted) throw interruptionOf(ctx.signal);
  // The table ends with this line; the JSON document has it as its error.
  if (cmd.json && failed.length > 0) ctx.err(`${summaryLine(reports, seconds)}\n`);
  return failed.length > 0 ? 1 : 0;
}
