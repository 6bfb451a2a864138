/**
 * What the candidate-dependent commands (activity_feeds, attachments) share on the command side:
 * their options, and one runner that checks the candidates are cached, opens the client and the
 * cache, picks the candidates, shows progress and reports failures.
 */
import type { RunContext } from "../context.ts";
import { openClient } from "../cli/client.ts";
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
import { Progress } from "../progress.ts";
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
}

export const dependentOptions: OptionsConfig = {
  concurrency: { type: "string" },
  candidates: { type: "string" },
  ...cacheOptions,
  ...connectionOptions,
  ...outputOptions,
};

export const dependentHelp: OptionHelp = [
  ["--concurrency N", `Requests in flight at once, 1 to 64 (default ${DEFAULT_CONCURRENCY})`],
  ["--candidates ID,ID…", `Only these candidates (they must be in ${CANDIDATES_INDEX})`],
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
  /** Candidates considered. */
  candidates: number;
  requests: number;
  retries: number;
  waitedMs: number;
  seconds: number;
}

/** Runs `work` over the selected cached candidates with a progress line. */
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
  const progress = new Progress({
    err: ctx.err,
    isTerminal: ctx.stderrIsTerminal,
    quiet: opts.quiet,
    clock: ctx.clock,
    label: name,
    unit,
  });
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
      onItem: ({ done, total }) =>
        progress.update({ done, total, waitedMs: client.stats.waitedMs }),
    };
    const result = await work(run, ids);
    return {
      result,
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
  ctx.err(`${name}: ${failed.length} failed; run the command again to retry them\n`);
  return 1;
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
