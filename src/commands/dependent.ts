/**
 * What the candidate-dependent commands (activity_feeds, attachments) share on the command side:
 * their options, the client from their connection, and the run from start to end (the engine's
 * runner, src/dependent/runner.ts, then the summary, the failures and the exit code).
 */
import type { RunContext } from "../context.ts";
import { openClient } from "../cli/client.ts";
import { runInterruptible } from "../cli/context.ts";
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
import {
  CANDIDATES_INDEX,
  DEFAULT_CONCURRENCY,
  dependentJson,
  type DependentOutcome,
  type DependentResult,
  type DependentRun,
  type FailureStep,
  reportFailures,
  runDependent as runOverCandidates,
} from "../dependent/mod.ts";
import { UsageError } from "../errors.ts";
import { parseId } from "../ids.ts";

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

/**
 * Runs `work` over the selected cached candidates with a progress line (src/dependent/runner.ts);
 * the client is made from the command's connection once the candidates are found cached.
 */
export function runDependent(
  name: FailureStep,
  unit: string,
  opts: DependentOptions,
  ctx: RunContext,
  work: (run: DependentRun, ids: number[]) => Promise<DependentResult>,
): Promise<DependentOutcome> {
  const client = () => openClient(opts.connection, ctx);
  const options = { ...opts, client, fileHosts: opts.connection.fileHosts };
  return runOverCandidates(name, unit, options, ctx, work);
}

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
