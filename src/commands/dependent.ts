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
import { CANDIDATES_FOLDER, INDEX_FILE, openCache } from "../cache/mod.ts";
import {
  candidatesFolder,
  type DependentResult,
  type DependentRun,
  requireCandidatesIndex,
  selectCandidates,
} from "../dependent/run.ts";
import { UsageError } from "../errors.ts";
import { parseId } from "../ids.ts";
import { plural } from "./extract.ts";

export const DEFAULT_CONCURRENCY = 4;
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
}

export const dependentOptions: OptionsConfig = {
  concurrency: { type: "string" },
  candidates: { type: "string" },
  json: { type: "boolean" },
  ...cacheOptions,
  ...connectionOptions,
  ...outputOptions,
};

export const dependentHelp: OptionHelp = [
  ["--concurrency N", `Requests in flight at once, 1 to 64 (default ${DEFAULT_CONCURRENCY})`],
  ["--candidates ID,ID…", `Only these candidates (they must be in ${CANDIDATES_INDEX})`],
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
  requests: number;
  retries: number;
  waitedMs: number;
  seconds: number;
}

/**
 * Runs `work` over the selected cached candidates with a progress line. An interruption is
 * returned (`interrupted`), once the cache is closed, for the caller to report.
 */
export async function runDependent(
  name: string,
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
    const { ids, missing } = await selectCandidates(
      await candidatesFolder(cache),
      opts.candidates,
    );
    for (const id of missing) {
      ctx.err(`${name}: candidate ${id} is not in ${CANDIDATES_INDEX}; skipped\n`);
    }
    const run: DependentRun = {
      client,
      cache,
      cacheDir: opts.cacheDir,
      ctx,
      concurrency: opts.concurrency,
      quiet: opts.quiet,
      fileHosts: opts.connection.fileHosts,
      // Every cached candidate, or exactly the ones asked for (resume.ts).
      scope: opts.candidates === undefined ? "all" : undefined,
      onItem: ({ done, total, detail }) =>
        progress.update({ done, total, detail, waitedMs: client.stats.waitedMs }),
    };
    let result: DependentResult = { done: 0, skipped: 0, failed: [] };
    let interrupted: Interrupted | undefined;
    try {
      result = await work(run, ids);
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
      interrupted = error;
    }
    return {
      result,
      interrupted,
      candidates: ids.length,
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

/** Lists per-item failures on stderr (the first 20) and gives the exit code. */
export function reportFailures(name: string, result: DependentResult, ctx: RunContext): number {
  const { failed } = result;
  if (failed.length === 0) return 0;
  for (const { id, reason } of failed.slice(0, 20)) {
    ctx.err(`${name}: candidate ${id}: ${reason}\n`);
  }
  if (failed.length > 20) ctx.err(`${name}: … and ${failed.length - 20} more failures\n`);
  ctx.err(`${failedLine(name, result)}\n`);
  return 1;
}

/** The last line of a run with failed items: how many, and what to do. */
function failedLine(name: string, result: DependentResult): string {
  return `${name}: ${result.failed.length} failed; run the command again to retry them`;
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
  const { done, skipped, resumed = 0, failed, bytes, refreshed } = o.result;
  const base = { step: name, requests: o.requests, seconds: o.seconds };
  return o.interrupted ? { ...base, status: "interrupted" as const } : {
    ...base,
    status: failed.length > 0 ? "failed" as const : "ok" as const,
    mode: "candidates",
    candidates: o.candidates,
    updated: done,
    unchanged: skipped,
    resumed,
    failed: failed.length,
    failures: failed.slice(0, LISTED_FAILURES),
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
