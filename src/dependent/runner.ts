/**
 * One candidate-dependent run from start to end, as the activity_feeds and attachments commands
 * (and check --repair) run it: checks the candidates are cached, opens the cache, picks the
 * candidates (those given, every cached one, or what an earlier run failed and what changed
 * since), shows progress, and returns the outcome with the client's figures.
 */
import type { RunContext } from "../context.ts";
import { Interrupted } from "../interrupt.ts";
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
import type { DependentResult } from "../dependent_result.ts";
import {
  candidatesFolder,
  type DependentRun,
  requireCandidatesIndex,
  selectCandidates,
} from "./run.ts";

/** "1 candidate", "2 candidates". */
export const plural = (n: number, one: string, many = one + "s") => `${n} ${n === 1 ? one : many}`;

/** Requests in flight at once, unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 4;

/**
 * A rerun asks v3's change lists from this long before the earlier pass started: the server's
 * clock against ours, as sync's --overlap (default 5 minutes).
 */
const CHANGES_OVERLAP_MS = 5 * 60_000;

/** Where the candidate-dependent commands find their candidates, as users see it. */
export const CANDIDATES_INDEX = `${CANDIDATES_FOLDER}/${INDEX_FILE}`;

/** What a run is asked to do (the dependent commands' options, validated). */
export interface RunnerOptions {
  cacheDir: string;
  /** The client, made once the candidates index is found. */
  client: () => HarvestClient;
  quiet: boolean;
  concurrency: number;
  /** Only these candidates (when given). */
  candidates?: number[];
  /** Every cached candidate, even when an earlier run left failures to retry. */
  full?: boolean;
  /** Also the files an earlier run refused for a lasting reason (attachments). */
  retryFailed?: boolean;
  /** `--file-hosts`: the only hosts attachment files may come from. */
  fileHosts?: readonly string[];
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
  opts: RunnerOptions,
  ctx: RunContext,
  work: (run: DependentRun, ids: number[]) => Promise<DependentResult>,
): Promise<DependentOutcome> {
  await requireCandidatesIndex(opts.cacheDir, name);
  const started = ctx.clock.now();
  const client = opts.client();
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
      fileHosts: opts.fileHosts,
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
  opts: RunnerOptions,
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
