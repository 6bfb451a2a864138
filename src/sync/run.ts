/**
 * The sync engine: every selected step in dependency order, through one client (one pacer) and
 * one open, locked cache. A step that fails is reported and its state is not advanced; the
 * others still run.
 *
 * Entity steps list only what changed since the step's high-water mark (the entity table says
 * which filter; the dialect spells it), checkpointing after every page so a killed run continues
 * where it stopped. The candidates step collects the candidates that are new or changed; the
 * dependent steps (activity feeds, attachments) then process exactly those, and on v3 also the
 * candidates whose notes or attachments changed since the step's own high-water mark, which the
 * notes and attachments lists tell directly (changed_dependents.ts). The deletions step then
 * removes the candidates deleted upstream, with everything cached about them (deletions.ts).
 */
import type { Cache, ChangeLog, EntityFolder } from "../cache/mod.ts";
import { CANDIDATES_FOLDER } from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import { describeFailure } from "../failure.ts";
import { streamEntity } from "../extract/stream.ts";
import {
  availableIn,
  ENTITIES,
  ENTITIES_IN_ORDER,
  type EntityName,
  entityPath,
} from "../entities.ts";
import { RunError } from "../errors.ts";
import { Interrupted, throwIfInterrupted } from "../interrupt.ts";
import type { SummaryStep } from "../summary.ts";
import { type HarvestClient, statusOf } from "../harvest/mod.ts";
import { candidatesChangedSince, type ChangeList } from "./changed_dependents.ts";
import { changeStamp, compareWithCache } from "./compare.ts";
import { removeDeletedCandidates } from "./deletions.ts";
import { listIds } from "./listing.ts";
import { type Checkpoint, mergeIds, readState, type SyncState, writeState } from "./state.ts";

export type DependentStepName = "activity_feeds" | "attachments";
const DEPENDENT_STEPS: readonly DependentStepName[] = ["activity_feeds", "attachments"];
/** The step that removes candidates deleted upstream (deletions.ts). */
export const DELETIONS_STEP = "deletions";
export type SyncStep = EntityName | typeof DELETIONS_STEP | DependentStepName;

/**
 * Every step, in the order a sync runs them: the entities in the table's order (a record's
 * references come before it), the candidates deleted upstream, then the steps that work from
 * the synced candidates (which then owe nothing to the deleted ones).
 */
export const SYNC_STEPS: readonly SyncStep[] = [
  ...ENTITIES_IN_ORDER,
  DELETIONS_STEP,
  ...DEPENDENT_STEPS,
];

/**
 * A checkpoint rewrites index.csv, whose cost grows with the folder. One checkpoint per this many
 * rows' worth of pages (at least every page): each page then costs about this many rows of index
 * rewriting, so a 100,000-record listing stays linear, and a resume re-reads at most a few pages.
 */
const CHECKPOINT_ROWS_PER_PAGE = 20_000;

export function isSyncStep(name: string): name is SyncStep {
  return (SYNC_STEPS as readonly string[]).includes(name);
}

/** What a candidate-dependent step reports (the shape of fetchActivityFeeds/downloadAttachments). */
export interface DependentResult {
  done: number;
  skipped: number;
  resumed?: number;
  failed: { id: number; reason: string }[];
  bytes?: number;
  refreshed?: number;
}
/**
 * A candidate-dependent step, bound to the sync's client and cache by the caller. `all` says the
 * ids are every cached candidate (a full sync), else the sync's pending list: a step interrupted
 * earlier resumes only for the same kind of list (dependent/resume.ts).
 */
export type DependentStep = (candidateIds: number[], all: boolean) => Promise<DependentResult>;
export type SyncDependents = Partial<Record<DependentStepName, DependentStep>>;

export interface SyncOptions {
  /** The selected steps (run in SYNC_STEPS order). */
  steps: readonly SyncStep[];
  /** Ignore the state: list everything, and give dependent steps every cached candidate. */
  full: boolean;
  /**
   * Compare full id lists and remove what no longer exists upstream, in every list (candidates
   * deleted upstream go in the deletions step, with or without it).
   */
  prune: boolean;
  /** Subtracted from a run's start time to make the next run's high-water mark. */
  overlapMs: number;
  quiet: boolean;
  /** The candidate-dependent steps; a step without a function is reported as unavailable. */
  dependents?: SyncDependents;
  /**
   * The steps the user named (--only). An optional entity (entities.ts) that answers 403 fails
   * the sync only when named; run by default, it is reported unavailable with a warning.
   */
  named?: readonly SyncStep[];
}

export interface SyncEnv {
  client: HarvestClient;
  cache: Cache;
  ctx: RunContext;
  /** Where the ids each step adds, changes and removes are recorded (the run's manifest). */
  changes?: ChangeLog;
}

export interface StepReport extends SummaryStep {
  step: SyncStep;
  /**
   * full: everything listed; incremental: changes since `since`; resumed: from a checkpoint;
   * candidates: the dependent steps; reused: the deletions step, from the candidates step's
   * whole listing (it lists them whole itself otherwise: full).
   */
  mode: "full" | "incremental" | "resumed" | "candidates" | "reused";
  since?: string;
  new: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Dependent steps: candidates that failed (kept pending for the next run). */
  failed?: number;
  /** Dependent steps: candidates an interrupted run had finished (not asked for again). */
  resumed?: number;
  /** Dependent steps: the failed candidates and why (the first 100). */
  failures?: { id: number; reason: string }[];
  /** Attachments: bytes downloaded. */
  bytes?: number;
  /** Deletions: records removed with the candidates, per cache folder. */
  removedWith?: Record<string, number>;
  /** Deletions: candidates the listing lacked that Greenhouse still has (kept). */
  kept?: number;
}

/** What one step of a run hands a later one: the candidate ids a whole listing found. */
interface RunShared {
  upstreamCandidates?: Set<number>;
}

/** Failures listed in a step's report; the count says how many there were in all. */
const LISTED_FAILURES = 100;

/**
 * Runs the selected steps. When the process is asked to stop, the step under way finishes what
 * is in flight, commits and saves where it is; its report says "interrupted" and no further step
 * runs (the command then exits 130/143).
 */
export async function runSync(opts: SyncOptions, env: SyncEnv): Promise<StepReport[]> {
  const { cache, ctx } = env;
  const state = await readState(cache.dir, ctx.err);
  const reports: StepReport[] = [];
  const shared: RunShared = {};
  for (const step of SYNC_STEPS) {
    if (!opts.steps.includes(step)) continue;
    throwIfInterrupted(ctx.signal);
    const started = ctx.clock.now();
    const requestsBefore = env.client.stats.requests;
    const report = isDependent(step)
      ? await dependentStep(step, opts, env, state)
      : step === DELETIONS_STEP
      ? await deletionsStep(env, state, shared)
      : !availableIn(ENTITIES[step], env.client.dialect.version)
      ? { ...emptyReport(step, "full"), status: "unavailable" as const }
      : await entityStep(step, opts, env, state, shared);
    report.requests = env.client.stats.requests - requestsBefore;
    report.seconds = (ctx.clock.now() - started) / 1000;
    reports.push(report);
    if (report.status === "interrupted") break;
  }
  return reports;
}

function isDependent(step: SyncStep): step is DependentStepName {
  return (DEPENDENT_STEPS as readonly string[]).includes(step);
}

function emptyReport(step: SyncStep, mode: StepReport["mode"]): StepReport {
  return {
    step,
    status: "ok",
    mode,
    new: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    requests: 0,
    seconds: 0,
  };
}

function failed(report: StepReport, error: unknown, ctx: RunContext): StepReport {
  const message = describeFailure(error).message;
  ctx.err(`sync: ${report.step} failed: ${message}\n`);
  return { ...report, status: "failed", error: message.split("\n")[0] };
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

async function entityStep(
  name: EntityName,
  opts: SyncOptions,
  env: SyncEnv,
  state: SyncState,
  shared: RunShared,
): Promise<StepReport> {
  const { client, cache, ctx } = env;
  const entity = ENTITIES[name];
  const stepState = state.steps[name] ??= {};
  const since = !opts.full && entity.updatedFilter && stepState.highWater
    ? new Date(stepState.highWater)
    : undefined;
  const params = since ? client.dialect.updatedSince(entity.updatedFilter!, since) : {};
  const saved = stepState.checkpoint;
  const resume = saved && saved.baseUrl === client.baseUrl && sameParams(saved.params, params)
    ? saved
    : undefined;
  const report = emptyReport(name, resume ? "resumed" : since ? "incremental" : "full");
  if (since) report.since = since.toISOString();

  // Only worth collecting when a dependent step can use them.
  const collectChanged = name === "candidates" &&
    DEPENDENT_STEPS.some((step) => opts.dependents?.[step]);
  const progress: Checkpoint = resume ? { ...resume } : {
    startedAt: new Date(ctx.clock.now()).toISOString(),
    baseUrl: client.baseUrl,
    params,
    nextUrl: "",
    written: 0,
    new: 0,
    updated: 0,
    unchanged: 0,
  };
  const changed = new Set<number>(progress.changed ?? []);
  // A complete, unfiltered listing from the first page is itself the upstream id list (the
  // candidates' one spares the deletions step its own listing).
  const listed = (opts.prune || name === "candidates") && !resume && !since
    ? new Set<number>()
    : undefined;
  let pagesSinceCheckpoint = 0;
  let pagesRead = 0;
  /** The page after the last one written in this run, for a checkpoint when interrupted. */
  let nextUnwritten: string | undefined;
  const runStart = Date.parse(progress.startedAt);
  const writtenSince = async (folder: EntityFolder, id: number) => {
    const row = await folder.row(id);
    return row !== undefined && Date.parse(row.timestamp) >= runStart;
  };

  try {
    await streamEntity({
      entity: name,
      client,
      cache,
      ctx,
      quiet: opts.quiet,
      params,
      startUrl: resume?.nextUrl,
      summarize: changeStamp,
      beforeWrite: async (page, folder) => {
        pagesRead++;
        const verdicts = await compareWithCache(page.records, folder);
        // Into the manifest before the page is written (a kill then loses no change).
        const idsWith = (wanted: string) =>
          page.records.filter((_, i) => verdicts[i] === wanted).map((record) => record.id);
        await env.changes?.record(name, "added", idsWith("new"));
        await env.changes?.record(name, "changed", idsWith("updated"));
        for (const [i, verdict] of verdicts.entries()) {
          progress[verdict]++;
          const id = page.records[i].id;
          // A resumed listing re-reads pages written after its last checkpoint: they now look
          // unchanged, but their dependents were never queued.
          if (
            collectChanged &&
            (verdict !== "unchanged" || (resume && await writtenSince(folder, id)))
          ) {
            changed.add(id);
          }
          listed?.add(id);
        }
      },
      afterWrite: async (page, folder) => {
        progress.written += page.count;
        nextUnwritten = page.nextUrl;
        if (!page.nextUrl) return;
        pagesSinceCheckpoint++;
        if (pagesSinceCheckpoint < folder.size() / CHECKPOINT_ROWS_PER_PAGE) return;
        pagesSinceCheckpoint = 0;
        // The checkpoint claims these records: they must be in index.csv first.
        await folder.commit();
        stepState.checkpoint = {
          ...progress,
          nextUrl: page.nextUrl,
          changed: collectChanged ? [...changed] : undefined,
        };
        await writeState(cache.dir, state);
      },
    });
    if (name === "candidates") {
      // Removing them is the deletions step's (with their records in the other lists).
      const upstream = listed ?? (opts.prune ? await listIds(client, name) : undefined);
      if (upstream) shared.upstreamCandidates = upstream;
    } else if (opts.prune) {
      report.removed = await prune(name, listed ?? await listIds(client, name), cache, env.changes);
    }
  } catch (error) {
    if (error instanceof Interrupted) {
      // The stream committed what it wrote: the next run continues after it.
      if (nextUnwritten) {
        stepState.checkpoint = {
          ...progress,
          nextUrl: nextUnwritten,
          changed: collectChanged ? [...changed] : undefined,
        };
        await writeState(cache.dir, state);
      }
      const { new: added, updated, unchanged } = progress;
      return { ...report, status: "interrupted", new: added, updated, unchanged };
    }
    if (resume && pagesRead === 0) {
      // The saved page URL is refused (a v3 cursor expires, for one): keeping the checkpoint
      // would fail every later sync the same way. Start this listing over, keeping the
      // dependents it had already found.
      ctx.err(
        `sync: ${name}: cannot resume from the saved checkpoint (${
          (error as Error).message
        }); listing from the start\n`,
      );
      delete stepState.checkpoint;
      if (collectChanged) {
        for (const step of DEPENDENT_STEPS) {
          if (opts.dependents?.[step]) {
            state.pending[step] = mergeIds(state.pending[step], [...changed]);
          }
        }
      }
      await writeState(cache.dir, state);
      return entityStep(name, opts, env, state, shared);
    }
    const { new: added, updated, unchanged } = progress;
    if (entity.optional && statusOf(error) === 403 && !opts.named?.includes(name)) {
      // A key made before the tool listed this entity lacks its permission: say so, carry on.
      ctx.err(
        `sync: ${name}: skipped, the credentials may not list ${
          entityPath(entity, client.dialect)
        } ` +
          `(403); grant that permission to sync it, or --skip ${name}\n`,
      );
      return {
        ...report,
        status: "unavailable",
        error: `no permission for ${entityPath(entity, client.dialect)} (403)`,
      };
    }
    return failed({ ...report, new: added, updated, unchanged }, error, ctx);
  }

  stepState.highWater = new Date(Date.parse(progress.startedAt) - opts.overlapMs).toISOString();
  stepState.lastStartedAt = progress.startedAt;
  stepState.lastFinishedAt = new Date(ctx.clock.now()).toISOString();
  delete stepState.checkpoint;
  if (collectChanged) {
    for (const step of DEPENDENT_STEPS) {
      if (opts.dependents?.[step]) {
        state.pending[step] = mergeIds(state.pending[step], [...changed]);
      }
    }
  }
  await writeState(cache.dir, state);
  const { new: added, updated, unchanged } = progress;
  return { ...report, new: added, updated, unchanged };
}

/** Removes cached records missing upstream (candidates: the deletions step). */
async function prune(
  name: EntityName,
  upstream: Set<number>,
  cache: Cache,
  changes: ChangeLog | undefined,
): Promise<number> {
  const folder = await cache.folder(name, ENTITIES[name].moniker);
  const gone = (await folder.ids()).filter((id) => !upstream.has(id));
  if (gone.length === 0) return 0;
  await changes?.record(name, "removed", gone);
  await folder.remove(gone);
  return gone.length;
}

/**
 * The deletions step (deletions.ts): its report counts the candidates removed and, apart, what
 * went with them. A failure is this step's alone: the listings' states are already saved.
 */
async function deletionsStep(
  env: SyncEnv,
  state: SyncState,
  shared: RunShared,
): Promise<StepReport> {
  const report = emptyReport(DELETIONS_STEP, shared.upstreamCandidates ? "reused" : "full");
  try {
    const result = await removeDeletedCandidates(env, state, shared.upstreamCandidates);
    return {
      ...report,
      unchanged: result.checked - result.removed,
      removed: result.removed,
      removedWith: result.removedWith,
      ...(result.kept > 0 ? { kept: result.kept } : {}),
    };
  } catch (error) {
    if (error instanceof Interrupted) return { ...report, status: "interrupted" };
    return failed(report, error, env.ctx);
  }
}

/** The list whose changes each dependent step follows on v3 (changed_dependents.ts). */
const CHANGE_LISTS: Record<DependentStepName, ChangeList> = {
  activity_feeds: "notes",
  attachments: "attachments",
};

/**
 * The cached candidates whose step data changed since `since`, where the API can list those
 * changes directly (v3; none on v1).
 */
async function changedSince(
  step: DependentStepName,
  env: SyncEnv,
  since: Date,
): Promise<number[]> {
  const changed = await candidatesChangedSince(env.client, CHANGE_LISTS[step], since);
  if (!changed?.size) return [];
  // Only cached candidates: one not synced yet gets its dependents when it is.
  const candidates = await env.cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
  const cached: number[] = [];
  for (const id of changed) if (await candidates.has(id)) cached.push(id);
  return cached;
}

async function dependentStep(
  step: DependentStepName,
  opts: SyncOptions,
  env: SyncEnv,
  state: SyncState,
): Promise<StepReport> {
  const report = emptyReport(step, "candidates");
  const fn = opts.dependents?.[step];
  if (!fn) return { ...report, status: "unavailable" };
  const stepState = state.steps[step] ??= {};
  const startedAt = env.ctx.clock.now();
  const since = stepState.highWater ? new Date(stepState.highWater) : undefined;
  // Advanced only once the step succeeded: a failed listing is listed again next time.
  const advance = async () => {
    stepState.highWater = new Date(startedAt - opts.overlapMs).toISOString();
    stepState.lastStartedAt = new Date(startedAt).toISOString();
    stepState.lastFinishedAt = new Date(env.ctx.clock.now()).toISOString();
    await writeState(env.cache.dir, state);
  };
  let ids = state.pending[step] ?? [];
  if (opts.full) {
    const candidates = await env.cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
    ids = mergeIds(ids, await candidates.ids());
  }
  // Not on a first run (the candidates step found every candidate) nor with --full.
  if (since && !opts.full && env.client.dialect.candidateBatch) {
    report.since = since.toISOString();
    try {
      ids = mergeIds(ids, await changedSince(step, env, since));
    } catch (error) {
      return failed(report, error, env.ctx);
    }
  }
  if (ids.length === 0) {
    await advance();
    return report;
  }
  try {
    const result = await fn(ids, opts.full);
    state.pending[step] = mergeIds(result.failed.map((f) => f.id));
    // The failed candidates stay pending, so the mark can move past their changes too.
    await advance();
    report.updated = result.done;
    report.unchanged = result.skipped;
    report.failed = result.failed.length;
    if (result.resumed) report.resumed = result.resumed;
    if (result.bytes !== undefined) report.bytes = result.bytes;
    if (result.failed.length > 0) {
      report.failures = result.failed.slice(0, LISTED_FAILURES);
      const first = result.failed[0];
      return failed(
        report,
        new RunError(
          `${result.failed.length} candidate(s) failed (first: ${first.id}: ${first.reason}); ` +
            "they are retried by the next sync",
        ),
        env.ctx,
      );
    }
    return report;
  } catch (error) {
    // The step saved its progress; its pending list stays for the next run.
    if (error instanceof Interrupted) return { ...report, status: "interrupted" };
    return failed(report, error, env.ctx);
  }
}
