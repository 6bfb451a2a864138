/**
 * What the candidate-dependent commands (activity_feeds, attachments) share on the command side:
 * their options, and one runner that checks the candidates are cached, opens the client and the
 * cache, picks the candidates, shows progress and reports failures.
 */
import type { RunContext } from "../context.ts";
import { openClient } from "../cli/client.ts";
import { runInterruptible } from "../cli/context.ts";
import { Interrupted } from "../interrupt.ts";
import { formatSummaryJson, type SummaryStep } from "../summary.ts";
import {
  cacheHelp,
  cacheOptions,
  type Connection,
  connectionHelp,
  connectionOptions,
  integerOption,
  type OptionHelp,
  type OptionsConfig,
  type OptionValues,
  outputHelp,
  outputOptions,
} from "../cli/options.ts";
import { progressFor } from "../progress.ts";
import {
  type Cache,
  CANDIDATES_FOLDER,
  type FailureStep,
  INDEX_FILE,
  openCache,
  readFailures,
} from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { owedCandidates } from "../sync/owed.ts";
import {
  candidatesFolder,
  type DependentRun,
  requireCandidatesIndex,
  selectCandidates,
} from "../dependent/run.ts";
import { UsageError } from "../errors.ts";
import type { DependentResult } from "../dependent_result.ts";
import { parseId } from "../ids.ts";
import { plural } from "./extract.ts";

export const DEFAULT_CONCURRENCY = 4;
/**
 * A rerun asks v3's change lists from this long before the earlier pass started: the server's
 * clock against ours, as sync's --overlap (default 5 minutes).
 */
const CHANGES_OVERLAP_MS = 5 * 60_000;

/** Where the candidate-dependent commands find their candidates, as users see it. */
const CANDIDATES_INDEX = `${CANDIDATES_FOLDER}/${INDEX_FILE}`;

/** The options every candidate-dependent command takes. */
export interface DependentOptions {
  cacheDir: string;
  connection: Connection;
  quiet: boolean;
  concurrency: number;
  /** Only these candidates (when given). */
  candidates?: number[];
  /** Print the summary as JSON (src/summary.ts). */
  json?: boolean;
  /** Every cached candidate, even when an earlier run left failures to retry. */
  full?: boolean;
  /** Also the files an earlier run refused for a lasting reason (attachments). */
  retryFailed?: boolean;
}

export const dependentOptions: OptionsConfig = {
  concurrency: { type: "string" },
  candidates: { type: "string" },
  json: { type: "boolean" },
  full: { type: "boolean" },
  ...cacheOptions,
  ...connectionOptions,
  ...outputOptions,
};

export const dependentHelp: OptionHelp = [
  ["--concurrency N", `Requests in flight at once, 1 to 64 (default ${DEFAULT_CONCURRENCY})`],
  ["--candidates ID,ID…", `Only these candidates (they must be in ${CANDIDATES_INDEX})`],
  [
    "--full",
    "Ask for every cached candidate; without it, a rerun after a run that left failures asks " +
    "only for those and for the candidates changed since",
  ],
  ["--json", "Print the summary as one JSON document (fields in docs/commands.md)"],
  ...cacheHelp,
  ...connectionHelp,
  ...outputHelp,
];

export function concurrency(values: OptionValues): number {
  return integerOption(values, "concurrency", DEFAULT_CONCURRENCY, 1, 64);
}

/** `--candidates 12,34`: positive integer ids, at least one. */
export function candidateIds(values: OptionValues): number[] | undefined {
  const text = values.candidates;
  if (typeof text !== "string") return undefined;
  const parts = text.split(",").map((part) => part.trim());
  const ids = parts.map((part) => parseId(part));
  if (parts.length === 0 || !ids.every((id): id is number => id !== undefined)) {
    throw new UsageError(
      `--candidates "${text}" must be candidate ids separated by commas, e.g. 4100000003,4100001003`,
    );
  }
  return ids;
}

export interface DependentOutcome {
  result: DependentResult;
  /** Set when the run stopped on SIGINT/SIGTERM; `result` is then empty. */
  interrupted?: Interrupted;
  /** Candidates considered. */
  candidates: number;
  /** "retry": only what an earlier run failed plus what changed since `since`. */
  mode: "candidates" | "retry";
  since?: Date;
  requests: number;
  retries: number;
  waitedMs: number;
  seconds: number;
}

/** Which candidates a run works on, and how a later run may resume it (resume.ts). */
interface Selection {
  ids: number[];
  scope?: DependentRun["scope"];
  /** A pass over every cached candidate, or a retry of what one left: recorded when done. */
  pass?: DependentRun["pass"];
  mode: DependentOutcome["mode"];
  since?: Date;
}

/**
 * Runs `work` over the selected cached candidates with a progress line. An interruption is
 * returned (`interrupted`), once the cache is closed, for the caller to report.
 */
export async function runDependent(
  name: FailureStep,
  unit: string,
  opts: DependentOptions,
  ctx: RunContext,
  work: (run: DependentRun, ids: number[]) => Promise<DependentResult>,
): Promise<DependentOutcome> {
  await requireCandidatesIndex(opts.cacheDir, name);
  const started = ctx.clock.now();
  const client = openClient(opts.connection, ctx);
  const cache = await openCache(opts.cacheDir);
  const progress = progressFor(ctx, { quiet: opts.quiet, label: name, unit });
  try {
    const selection = await selectRun(name, opts, client, cache, ctx);
    const run: DependentRun = {
      client,
      cache,
      cacheDir: opts.cacheDir,
      ctx,
      concurrency: opts.concurrency,
      quiet: opts.quiet,
      fileHosts: opts.connection.fileHosts,
      scope: selection.scope,
      pass: selection.pass,
      onItem: ({ done, total, detail }) =>
        progress.update({ done, total, detail, waitedMs: client.stats.waitedMs }),
    };
    let result: DependentResult = { done: 0, skipped: 0, failed: [] };
    let interrupted: Interrupted | undefined;
    try {
      result = await work(run, selection.ids);
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
      interrupted = error;
    }
    return {
      result,
      interrupted,
      candidates: selection.ids.length,
      mode: selection.mode,
      since: selection.since,
      requests: client.stats.requests,
      retries: client.stats.retries,
      waitedMs: client.stats.waitedMs,
      seconds: (ctx.clock.now() - started) / 1000,
    };
  } finally {
    progress.done();
    await cache.close();
  }
}

/**
 * `--candidates`: exactly those (that are cached). Otherwise every cached candidate, unless an
 * earlier pass left failures to retry (and not `--full`): then only those and the candidates
 * changed since that pass started, as `sync` asks (sync/owed.ts).
 */
async function selectRun(
  name: FailureStep,
  opts: DependentOptions,
  client: HarvestClient,
  cache: Cache,
  ctx: RunContext,
): Promise<Selection> {
  const folder = await candidatesFolder(cache);
  if (opts.candidates !== undefined) {
    const { ids, missing } = await selectCandidates(folder, opts.candidates);
    for (const id of missing) {
      ctx.err(`${name}: candidate ${id} is not in ${CANDIDATES_INDEX}; skipped\n`);
    }
    return { ids, mode: "candidates" };
  }
  const record = opts.full ? undefined : await readFailures(cache.dir);
  const since = typeof record === "object" ? record.passStartedAt(name) : undefined;
  const owed = typeof record !== "object"
    ? []
    : opts.retryFailed
    ? record.candidates(name)
    : record.retryable(name);
  if (since === undefined || owed.length === 0) {
    // Every cached candidate: a later run resumes it for any list (resume.ts).
    return { ids: await folder.ids(), scope: "all", pass: "full", mode: "candidates" };
  }
  const ids = await owedCandidates(name, { client, cache }, {
    since,
    overlapMs: CHANGES_OVERLAP_MS,
    recached: true,
    retryFailed: opts.retryFailed,
  });
  if (!opts.quiet) {
    ctx.err(
      `${name}: asking again for the ${plural(owed.length, "candidate")} an earlier run failed ` +
        `and those changed since ${since.toISOString()} (${ids.length} in all); --full asks ` +
        "for every candidate\n",
    );
  }
  return { ids, pass: "retry", mode: "retry", since };
}

/**
 * Lists per-item failures on stderr (the first 20) and gives the exit code. Files not tried again
 * (refused earlier for a lasting reason) are one note, not a failure: they were named when they
 * failed, and `check` lists them.
 */
export function reportFailures(name: string, result: DependentResult, ctx: RunContext): number {
  const { failed, notRetried = 0 } = result;
  if (notRetried > 0) {
    ctx.err(
      `${name}: ${plural(notRetried, "file")} not tried again: refused earlier for a lasting ` +
        "reason under the same settings (over the size cap, a refused host; `check` lists " +
        "them); --retry-failed tries them again\n",
    );
  }
  if (failed.length === 0) return 0;
  for (const { id, reason } of failed.slice(0, 20)) {
    ctx.err(`${name}: candidate ${id}: ${reason}\n`);
  }
  if (failed.length > 20) ctx.err(`${name}: … and ${failed.length - 20} more failures\n`);
  ctx.err(`${failedLine(name, result)}\n`);
  return 1;
}

/** The last line of a run with failed items: how many, and what to do. */
/** What failed, and what the next run does about it. */
function failedLine(name: string, result: DependentResult): string {
  const { failed } = result;
  const lasting = failed.filter((f) => f.lasting).length;
  const others = failed.length - lasting;
  const retry = others === 0
    ? ""
    : `; run the command again to retry ${
      lasting === 0 ? "them" : "the others"
    } (it asks only for them and for what changed)`;
  const kept = lasting === 0 ? "" : ` (${lasting} refused for a lasting reason: not tried ` +
    "again until the setting that refused them changes, or --retry-failed)";
  return `${name}: ${failed.length} failed${kept}${retry}`;
}

/** LISTED failures in a JSON summary; `failed` counts them all. */
const LISTED_FAILURES = 100;

/**
 * A candidate-dependent command from start to end: the run (stopping cleanly on SIGINT/SIGTERM),
 * then its summary (one line, or JSON with --json), the failures on stderr, and the exit code.
 */
export function runDependentCommand(
  name: "activity_feeds" | "attachments",
  cmd: DependentOptions,
  ctx: RunContext,
  run: (ctx: RunContext) => Promise<DependentOutcome>,
  summaryLine: (outcome: DependentOutcome) => string,
): Promise<number> {
  return runInterruptible(ctx, async (ctx) => {
    const startedAt = new Date(ctx.clock.now());
    const outcome = await run(ctx);
    if (cmd.json) ctx.out(dependentJson(name, startedAt, outcome));
    if (outcome.interrupted) throw outcome.interrupted;
    if (!cmd.json) ctx.out(summaryLine(outcome) + "\n");
    return reportFailures(name, outcome.result, ctx);
  });
}

/** The JSON summary (src/summary.ts) of a candidate-dependent command: one step. */
export function dependentJson(name: string, startedAt: Date, o: DependentOutcome): string {
  const step = dependentStep(name, o);
  return formatSummaryJson({
    command: name,
    startedAt,
    seconds: o.seconds,
    steps: [step],
    interrupted: o.interrupted !== undefined,
    ...(step.status === "failed"
      ? { error: { kind: "run" as const, message: failedLine(name, o.result) } }
      : {}),
  });
}

/** A candidate-dependent run as a summary step. */
export function dependentStep(name: string, o: DependentOutcome): SummaryStep {
  const { done, skipped, resumed = 0, failed, bytes, refreshed, notRetried } = o.result;
  const base = { step: name, requests: o.requests, seconds: o.seconds };
  return o.interrupted ? { ...base, status: "interrupted" as const } : {
    ...base,
    status: failed.length > 0 ? "failed" as const : "ok" as const,
    mode: o.mode,
    ...(o.since === undefined ? {} : { since: o.since.toISOString() }),
    candidates: o.candidates,
    updated: done,
    unchanged: skipped,
    resumed,
    failed: failed.length,
    failures: failed.slice(0, LISTED_FAILURES).map(({ id, reason, lasting }) => ({
      id,
      reason,
      ...(lasting === undefined ? {} : { lasting }),
    })),
    ...(notRetried === undefined ? {} : { notRetried }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(refreshed === undefined ? {} : { refreshed }),
    retries: o.retries,
    waitedSeconds: Number((o.waitedMs / 1000).toFixed(1)),
  } as SummaryStep;
}

export function formatApiFigures(o: DependentOutcome): string {
  const waited = o.waitedMs >= 100
    ? `, waited ${(o.waitedMs / 1000).toFixed(1)}s for the rate limit`
    : "";
  return `${plural(o.requests, "API request")}, ${
    plural(o.retries, "retry", "retries")
  }${waited}, ` +
    `${o.seconds.toFixed(1)}s`;
}
