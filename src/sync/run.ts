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
import type { DependentResult } from "../dependent_result.ts";
export type { DependentResult };
import type { Cache, ChangeLog, EntityFolder } from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import { describeFailure } from "../failure.ts";
import { type EncodedPage, type ListingPosition, streamEntity } from "../extract/stream.ts";
import {
  availableIn,
  ENTITIES,
  ENTITIES_IN_ORDER,
  entityListings,
  type EntityName,
  entityPath,
} from "../entities.ts";
import { CredentialsRefused, RunError } from "../errors.ts";
import { Interrupted, throwIfInterrupted } from "../interrupt.ts";
import type { SummaryStep } from "../summary.ts";
import { type HarvestClient, statusOf } from "../harvest/mod.ts";
import { owedCandidates } from "./owed.ts";
import { changeStamp, compareWithCache } from "./compare.ts";
import { driftCounter, type EntityDrift } from "./drift.ts";
import { removeDeletedCandidates } from "./deletions.ts";
import { listIds } from "./listing.ts";
import {
  type Checkpoint,
  mergeIds,
  readState,
  type StepState,
  type SyncState,
  writeState,
} from "./state.ts";

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
  /** Entity steps: how the records written differ from the published schema (drift.ts). */
  drift?: EntityDrift;
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

/**
 * The step's failure, reported; the other steps still run. Refused credentials are not one
 * step's failure: they stop the sync at once (every later step would be refused too).
 */
function failed(report: StepReport, error: unknown, ctx: RunContext): StepReport {
  if (error instanceof CredentialsRefused) throw error;
  const message = describeFailure(error).message;
  ctx.err(`sync: ${report.step} failed: ${message}\n`);
  return { ...report, status: "failed", error: message.split("\n")[0] };
}

/**
 * A list that answers 404 on its first page: this tenant lacks the feature, or the path (several
 * v3 paths come from connectors and migration guides, not from a confirmed answer) is wrong for
 * it. Failing would fail every nightly sync for good; the step is reported unavailable instead,
 * with one warning line naming the path, and its state is left as it was.
 */
function missingList(report: StepReport, path: string, ctx: RunContext): StepReport {
  ctx.err(
    `sync: ${report.step}: skipped, GET ${path} answered 404 (no such list on this tenant or ` +
      `API version); run ping to see which lists answer, or --skip ${report.step}\n`,
  );
  return { ...report, status: "unavailable", error: `GET ${path} not found (404)` };
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Where an entity step's listing starts: the filter since the high-water mark, or a checkpoint. */
interface ListingStart {
  since?: Date;
  params: Record<string, string>;
  resume?: Checkpoint;
}

function listingStart(
  name: EntityName,
  opts: SyncOptions,
  client: HarvestClient,
  stepState: StepState,
): ListingStart {
  const entity = ENTITIES[name];
  const since = !opts.full && entity.updatedFilter && stepState.highWater
    ? new Date(stepState.highWater)
    : undefined;
  const params = since ? client.dialect.updatedSince(entity.updatedFilter!, since) : {};
  const saved = stepState.checkpoint;
  const resume = saved && saved.baseUrl === client.baseUrl && sameParams(saved.params, params) &&
      (saved.variant ?? 0) < entityListings(entity, client.dialect).length
    ? saved
    : undefined;
  return { since, params, resume };
}

/** An entity step under way: what it has counted, found and read so far. */
interface EntityListing extends ListingStart {
  name: EntityName;
  report: StepReport;
  progress: Checkpoint;
  /** Whether a dependent step can use the ids of new and changed records (candidates only). */
  collectChanged: boolean;
  changed: Set<number>;
  /** Every id listed, when the listing is complete and unfiltered from its first page. */
  listed?: Set<number>;
  pagesRead: number;
  pagesSinceCheckpoint: number;
  /** The page after the last one written in this run, for a checkpoint when interrupted. */
  nextUnwritten?: ListingPosition;
  drift: ReturnType<typeof driftCounter>;
}

function startListing(
  name: EntityName,
  opts: SyncOptions,
  env: SyncEnv,
  start: ListingStart,
): EntityListing {
  const { client, ctx } = env;
  const { since, params, resume } = start;
  const report = emptyReport(name, resume ? "resumed" : since ? "incremental" : "full");
  if (since) report.since = since.toISOString();
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
  return {
    ...start,
    name,
    report,
    progress,
    // Only worth collecting when a dependent step can use them.
    collectChanged: name === "candidates" &&
      DEPENDENT_STEPS.some((step) => opts.dependents?.[step]),
    changed: new Set<number>(progress.changed ?? []),
    // A complete, unfiltered listing from the first page is itself the upstream id list (the
    // candidates' one spares the deletions step its own listing).
    listed: (opts.prune || name === "candidates") && !resume && !since ? new Set() : undefined,
    pagesRead: 0,
    pagesSinceCheckpoint: 0,
    drift: driftCounter(name, client.dialect.version),
  };
}

/** A checkpoint saying the listing continues at `next`. */
function checkpointAt(listing: EntityListing, next: ListingPosition): Checkpoint {
  return {
    ...listing.progress,
    variant: next.variant,
    nextUrl: next.url ?? "",
    changed: listing.collectChanged ? [...listing.changed] : undefined,
  };
}

/** The report with the listing's counts and the drift it saw. */
function listingReport(listing: EntityListing, extra: Partial<StepReport> = {}): StepReport {
  const { new: added, updated, unchanged } = listing.progress;
  const found = listing.drift?.result();
  return {
    ...listing.report,
    new: added,
    updated,
    unchanged,
    ...extra,
    ...(found ? { drift: found } : {}),
  };
}

/** The new and changed candidates go to every dependent step the sync runs (state.pending). */
function queueDependents(state: SyncState, opts: SyncOptions, listing: EntityListing): void {
  if (!listing.collectChanged) return;
  for (const step of DEPENDENT_STEPS) {
    if (opts.dependents?.[step]) {
      state.pending[step] = mergeIds(state.pending[step], [...listing.changed]);
    }
  }
}

async function entityStep(
  name: EntityName,
  opts: SyncOptions,
  env: SyncEnv,
  state: SyncState,
  shared: RunShared,
): Promise<StepReport> {
  const stepState = state.steps[name] ??= {};
  const listing = startListing(name, opts, env, listingStart(name, opts, env.client, stepState));
  try {
    await listIntoCache(listing, opts, env, state);
    await compareWithUpstream(listing, opts, env, shared);
  } catch (error) {
    if (error instanceof CredentialsRefused) throw error; // the checkpoint stays
    if (listing.resume && listing.pagesRead === 0 && !(error instanceof Interrupted)) {
      await restartListing(listing, opts, env, state, error);
      return entityStep(name, opts, env, state, shared);
    }
    return await entityStepFailed(listing, opts, env, state, error);
  }
  const { progress } = listing;
  stepState.highWater = new Date(Date.parse(progress.startedAt) - opts.overlapMs).toISOString();
  stepState.lastStartedAt = progress.startedAt;
  stepState.lastFinishedAt = new Date(env.ctx.clock.now()).toISOString();
  delete stepState.checkpoint;
  queueDependents(state, opts, listing);
  await writeState(env.cache.dir, state);
  return listingReport(listing);
}

/**
 * Lists the entity into the cache page by page: each page compared with the cache (into the
 * change manifest before it is written), a checkpoint every few pages once they are committed.
 */
async function listIntoCache(
  listing: EntityListing,
  opts: SyncOptions,
  env: SyncEnv,
  state: SyncState,
): Promise<void> {
  const { client, cache, ctx } = env;
  const { resume } = listing;
  await streamEntity({
    entity: listing.name,
    client,
    cache,
    ctx,
    quiet: opts.quiet,
    params: listing.params,
    start: resume ? { variant: resume.variant ?? 0, url: resume.nextUrl || undefined } : undefined,
    summarize: changeStamp,
    inspect: listing.drift?.inspect,
    beforeWrite: (page, folder) => countPage(listing, page, folder, env.changes),
    afterWrite: async (page, folder) => {
      listing.progress.written += page.count;
      listing.nextUnwritten = page.next;
      if (!page.next) return;
      listing.pagesSinceCheckpoint++;
      if (listing.pagesSinceCheckpoint < folder.size() / CHECKPOINT_ROWS_PER_PAGE) return;
      listing.pagesSinceCheckpoint = 0;
      // The checkpoint claims these records: they must be in index.csv first.
      await folder.commit();
      state.steps[listing.name]!.checkpoint = checkpointAt(listing, page.next);
      await writeState(cache.dir, state);
    },
  });
}

/**
 * A page read: its verdicts counted, recorded in the manifest, its changed ids collected. Gives
 * the records whose files already hold exactly the page's content, which need no write.
 */
async function countPage(
  listing: EntityListing,
  page: EncodedPage,
  folder: EntityFolder,
  changes: ChangeLog | undefined,
): Promise<ReadonlySet<number>> {
  listing.pagesRead++;
  const { records } = page;
  const { verdicts, identical } = await compareWithCache(records, folder, page.encoded);
  // Into the manifest before the page is written (a kill then loses no change).
  const idsWith = (wanted: string) =>
    records.filter((_, i) => verdicts[i] === wanted).map((record) => record.id);
  await changes?.record(listing.name, "added", idsWith("new"));
  await changes?.record(listing.name, "changed", idsWith("updated"));
  const runStart = Date.parse(listing.progress.startedAt);
  for (const [i, verdict] of verdicts.entries()) {
    listing.progress[verdict]++;
    const id = records[i].id;
    // A resumed listing re-reads pages written after its last checkpoint: they now look
    // unchanged, but their dependents were never queued.
    if (
      listing.collectChanged &&
      (verdict !== "unchanged" || (listing.resume && await writtenSince(folder, id, runStart)))
    ) {
      listing.changed.add(id);
    }
    listing.listed?.add(id);
  }
  return identical;
}

async function writtenSince(folder: EntityFolder, id: number, runStart: number) {
  const row = await folder.row(id);
  return row !== undefined && Date.parse(row.timestamp) >= runStart;
}

/**
 * After a complete listing: the candidates' ids go to the deletions step (which removes them
 * with their records in the other lists); with --prune, another list drops what upstream lacks.
 */
async function compareWithUpstream(
  listing: EntityListing,
  opts: SyncOptions,
  env: SyncEnv,
  shared: RunShared,
): Promise<void> {
  const { name, listed } = listing;
  if (name === "candidates") {
    const upstream = listed ?? (opts.prune ? await listIds(env.client, name) : undefined);
    if (upstream) shared.upstreamCandidates = upstream;
  } else if (opts.prune) {
    const upstream = listed ?? await listIds(env.client, name);
    listing.report.removed = await prune(name, upstream, env.cache, env.changes);
  }
}

/**
 * The saved page URL is refused (a v3 cursor expires, for one): keeping the checkpoint would
 * fail every later sync the same way. The listing starts over, keeping the dependents it had
 * already found.
 */
async function restartListing(
  listing: EntityListing,
  opts: SyncOptions,
  env: SyncEnv,
  state: SyncState,
  error: unknown,
): Promise<void> {
  env.ctx.err(
    `sync: ${listing.name}: cannot resume from the saved checkpoint (${
      (error as Error).message
    }); listing from the start\n`,
  );
  delete state.steps[listing.name]!.checkpoint;
  queueDependents(state, opts, listing);
  await writeState(env.cache.dir, state);
}

/**
 * The step stopped: interrupted (a checkpoint after what was written, so the next run continues),
 * an optional list this tenant lacks or the credentials may not read (unavailable, with a
 * warning), or failed.
 */
async function entityStepFailed(
  listing: EntityListing,
  opts: SyncOptions,
  env: SyncEnv,
  state: SyncState,
  error: unknown,
): Promise<StepReport> {
  const { name, report } = listing;
  const { client, ctx } = env;
  if (error instanceof Interrupted) {
    // The stream committed what it wrote: the next run continues after it.
    if (listing.nextUnwritten) {
      state.steps[name]!.checkpoint = checkpointAt(listing, listing.nextUnwritten);
      await writeState(env.cache.dir, state);
    }
    return listingReport(listing, { status: "interrupted" });
  }
  const entity = ENTITIES[name];
  const status = statusOf(error);
  if (entity.optional && !opts.named?.includes(name)) {
    const path = entityPath(entity, client.dialect);
    if (status === 403) {
      // A key made before the tool listed this entity lacks its permission: say so, carry on.
      ctx.err(
        `sync: ${name}: skipped, the credentials may not list ${path} (403); grant that ` +
          `permission to sync it, or --skip ${name}\n`,
      );
      return { ...report, status: "unavailable", error: `no permission for ${path} (403)` };
    }
    if (status === 404 && listing.pagesRead === 0) return missingList(report, path, ctx);
  }
  const counted = listingReport(listing);
  const { drift, ...withoutDrift } = counted;
  const result = failed(withoutDrift, error, ctx);
  return drift ? { ...result, drift } : result;
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
  // Not on a first run (the candidates step found every candidate) nor with --full.
  if (since && !opts.full && env.client.dialect.candidateBatch) report.since = since.toISOString();
  let ids: number[];
  try {
    // What the step owes: the same rule as the commands' (owed.ts).
    ids = await owedCandidates(step, env, {
      queued: state.pending[step],
      all: opts.full,
      since: opts.full ? undefined : since,
    });
  } catch (error) {
    if (error instanceof Interrupted) return { ...report, status: "interrupted" };
    return dependentFailed(report, error, opts, env);
  }
  if (ids.length === 0) {
    await advance();
    return report;
  }
  try {
    const result = await fn(ids, opts.full);
    // Files refused for a lasting reason wait in the record for --retry-failed.
    state.pending[step] = mergeIds(result.failed.filter((f) => !f.lasting).map((f) => f.id));
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
    return dependentFailed(report, error, opts, env);
  }
}

/**
 * A dependent step's failure. A 404 from the API is its list answering "no such list" (v3
 * `/notes`, `/attachments`: candidates without data answer an empty page, so a 404 names the path
 * itself): in a default sync the step is unavailable, not failed, and its pending candidates and
 * high-water mark stay as they were, so nothing is lost once the list answers. Named in --only,
 * it fails.
 */
function dependentFailed(
  report: StepReport,
  error: unknown,
  opts: SyncOptions,
  env: SyncEnv,
): StepReport {
  const batch = env.client.dialect.candidateBatch;
  if (statusOf(error) === 404 && batch && !opts.named?.includes(report.step)) {
    const path = report.step === "activity_feeds" ? batch.notesPath : batch.attachmentsPath;
    return missingList(report, path, env.ctx);
  }
  return failed(report, error, env.ctx);
}
