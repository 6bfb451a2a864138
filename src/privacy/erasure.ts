/**
 * An erasure request from start to end: the checks before any write, the candidates to erase
 * (Greenhouse's search, then the cache's), the confirmation the caller gives, the writes, and
 * what the cache forgets. The command only asks and prints; this module does the work.
 */
import { join } from "node:path";
import {
  addTombstones,
  type Cache,
  cacheFolderExists,
  CANDIDATES_FOLDER,
  type ChangeLog,
  openCache,
  openChangeLog,
  PENDING_ERASURES_FILE,
  PRIVACY_LOG_FILE,
  refuseLinks,
  TOMBSTONES_FILE,
} from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { type ApiRecord, type ApiVersion, ENTITIES, type EntityName } from "../entities.ts";
import type { RunContext } from "../context.ts";
import { isPositiveId } from "../ids.ts";
import { RunError } from "../errors.ts";
import { carriesEmail, emailHmac } from "./email.ts";
import { addressKey, readAddressKey } from "./address_key.ts";
import {
  checkUser,
  checkWritable,
  type EraseMode,
  type Outcome,
  planErasure,
  type PlannedRequest,
  sendErasure,
} from "./erase.ts";
import {
  appendPrivacyLog,
  erasureLogEntry,
  type ErasureRequest,
  type Lookup,
  lookupErasures,
  type PrivacyLogEntry,
} from "./log.ts";
import { type KeptList, keptUpstream } from "./anonymize.ts";
import { purgeDeleted, type PurgeReport, replaceAnonymized } from "./purge.ts";
import { PERSONAL_LISTS } from "./personal_lists.ts";
import { addPending, clearPending, type PendingErasure, readPending } from "./pending.ts";
import { finishInterruptedErasures } from "./finish.ts";
import { findCandidates } from "./search.ts";
import { type CachedCandidate, findInCache } from "./cache_search.ts";
import { listedCandidate } from "./lookup.ts";

/** What the caller asked to erase, validated. */
export interface ErasureOptions {
  email: string;
  mode: EraseMode;
  /** Fields to anonymize upstream with Harvest's anonymize endpoint too (anonymize mode). */
  anonymizeFields?: readonly string[];
  onBehalfOf: number;
  dryRun: boolean;
  cacheDir: string;
  api: ApiVersion;
}

/** A candidate erase acts on upstream: found by Greenhouse's search, or only in the cache. */
export interface Match {
  candidate: ApiRecord;
  foundIn: "api" | "cache";
}

/**
 * A cached candidate Greenhouse's search does not find, and that Greenhouse no longer has with
 * this address: gone upstream (purged locally), or there under another address (the cached copy,
 * which still holds this one, is replaced by Greenhouse's).
 */
export interface CacheOnly {
  cached: CachedCandidate;
  upstream?: ApiRecord;
}

/** What was found, shown to the caller before anything is written. */
export interface ErasurePreview {
  hasCache: boolean;
  matches: Match[];
  cacheOnly: CacheOnly[];
  /** The requests per match, in the order of `matches`. */
  plans: PlannedRequest[][];
  /** Erasures an interrupted run left unfinished (read in a dry run only, where they wait). */
  pendingLeft: number;
  /** The lists Greenhouse keeps as they were for an anonymized candidate. */
  kept: KeptList[];
}

/** What `erase` reports, filled in as the erasure goes (so a failure still has it). */
export interface EraseReport {
  client?: { stats: { requests: number } };
  matched: number;
  outcomes: Outcome[];
  /** Records removed from the cache per personal list (personal_lists.ts), all candidates. */
  removed: Partial<Record<EntityName, number>>;
}

export interface ErasureResult {
  status: "no match" | "dry run" | "not confirmed" | "done";
  preview: ErasurePreview;
  /** Per erased id: what happened to its cached records. */
  cacheResults: Map<number, PrivacyLogEntry["cache"]>;
  purges: Map<number, PurgeReport>;
}

/**
 * Erases every candidate carrying the address. `confirm` sees what was found (in a dry run too,
 * where its answer is not asked for) and says whether to go on; nothing is written before it
 * does. What the cache loses goes to a change manifest (none is written if nothing changes).
 */
export async function runErasure(
  client: HarvestClient,
  options: ErasureOptions,
  ctx: RunContext,
  report: EraseReport,
  confirm: (preview: ErasurePreview) => Promise<boolean>,
): Promise<ErasureResult> {
  const changes = options.dryRun
    ? undefined
    : openChangeLog(options.cacheDir, "erase", new Date(ctx.clock.now()));
  try {
    return await erase(client, options, ctx, report, confirm, changes);
  } finally {
    await changes?.close(new Date(ctx.clock.now()));
  }
}

async function erase(
  client: HarvestClient,
  options: ErasureOptions,
  ctx: RunContext,
  report: EraseReport,
  confirm: (preview: ErasurePreview) => Promise<boolean>,
  changes: ChangeLog | undefined,
): Promise<ErasureResult> {
  // Before any request: a file in the cache's place is said at once.
  const hasCache = await cacheFolderExists(options.cacheDir);
  report.client = client;
  await checkBeforeWriting(client, options, hasCache, ctx, changes);
  const preview = await findTargets(client, options, hasCache);
  report.matched = preview.matches.length + preview.cacheOnly.length;
  const result: ErasureResult = {
    status: "done",
    preview,
    cacheResults: new Map(),
    purges: new Map(),
  };
  if (preview.matches.length === 0 && preview.cacheOnly.length === 0) {
    if (!options.dryRun && hasCache) await logNoMatch(options, ctx);
    return { ...result, status: "no match" };
  }
  const confirmed = await confirm(preview);
  if (options.dryRun) return { ...result, status: "dry run" };
  if (!confirmed) return { ...result, status: "not confirmed" };
  // The lock is taken before the first write, so a busy cache stops us before anything changes.
  const work = (cache: Cache | undefined) =>
    eraseTargets(client, options, ctx, report, result, cache, changes);
  if (hasCache) await withCache(options.cacheDir, work);
  else await work(undefined);
  return result;
}

/** Refuses what cannot be done before any write, and finishes what a killed run left. */
async function checkBeforeWriting(
  client: HarvestClient,
  options: ErasureOptions,
  hasCache: boolean,
  ctx: RunContext,
  changes: ChangeLog | undefined,
): Promise<void> {
  checkWritable(
    client.dialect.candidateWrites,
    options.mode,
    client.dialect.version,
    options.anonymizeFields,
  );
  await checkUser(client, options.onBehalfOf);
  if (hasCache && !options.dryRun) {
    await withCache(options.cacheDir, async (cache) => {
      await finishInterruptedErasures(client, cache, ctx, changes);
    });
  }
}

/**
 * Greenhouse's search, then the cache's (read-only, before the lock): a person deleted or
 * changed upstream may still be cached, where no search of Greenhouse finds them.
 */
async function findTargets(
  client: HarvestClient,
  options: ErasureOptions,
  hasCache: boolean,
): Promise<ErasurePreview> {
  const matches: Match[] = (await findCandidates(client, options.email)).map((candidate) => ({
    candidate,
    foundIn: "api",
  }));
  const cacheOnly: CacheOnly[] = [];
  if (hasCache) {
    const known = new Set(matches.map((m) => m.candidate.id));
    for (const cached of await findInCache(options.cacheDir, options.email)) {
      if (known.has(cached.id)) continue;
      const upstream = await listedCandidate(client, cached.id);
      // Still there with the address (the search missed it): erased upstream like the others.
      if (upstream && carriesEmail(upstream, options.email)) {
        matches.push({ candidate: upstream, foundIn: "cache" });
      } else cacheOnly.push({ cached, upstream });
    }
  }
  const plans = matches.map((m) =>
    planErasure(
      m.candidate,
      options.mode,
      options.onBehalfOf,
      client.dialect.candidateWrites,
      client.dialect.version,
      options.anonymizeFields,
    )
  );
  const pendingLeft = options.dryRun && hasCache && matches.length + cacheOnly.length > 0
    ? (await readPending(options.cacheDir)).length
    : 0;
  const kept = options.mode === "anonymize"
    ? keptUpstream(options.anonymizeFields, options.api)
    : [];
  return { hasCache, matches, cacheOnly, plans, pendingLeft, kept };
}

/** The address is recorded by its HMAC under the cache's key (created on first use). */
async function erasureRequest(options: ErasureOptions, cache: Cache): Promise<ErasureRequest> {
  return {
    mode: options.mode,
    on_behalf_of: options.onBehalfOf,
    email_hmac: emailHmac(await addressKey(cache.dir), options.email),
  };
}

async function logNoMatch(options: ErasureOptions, ctx: RunContext): Promise<void> {
  await withCache(options.cacheDir, async (cache) =>
    appendPrivacyLog(
      cache.dir,
      erasureLogEntry(
        await erasureRequest(options, cache),
        null,
        "no match",
        "unchanged",
        ctx.clock.now(),
      ),
    ));
}

/** The writes, with the lock held when there is a cache: each match, then the cache-only ones. */
async function eraseTargets(
  client: HarvestClient,
  options: ErasureOptions,
  ctx: RunContext,
  report: EraseReport,
  result: ErasureResult,
  cache: Cache | undefined,
  changes: ChangeLog | undefined,
): Promise<void> {
  // The files written once Greenhouse has acted are checked before it is asked to: a link
  // found only then would leave the person erased upstream but still in the cache.
  if (cache) {
    await refuseLinks(
      [PRIVACY_LOG_FILE, PENDING_ERASURES_FILE, TOMBSTONES_FILE].map((f) => join(cache.dir, f)),
    );
  }
  const request = cache ? await erasureRequest(options, cache) : undefined;
  const { matches, plans, cacheOnly } = result.preview;
  for (let i = 0; i < matches.length; i++) {
    const local = cache && request ? { cache, request, changes } : undefined;
    await eraseOne(client, options, ctx, report, result, matches[i], plans[i], local);
  }
  if (!cache || !request) return;
  for (const c of cacheOnly) {
    const settled = await settleCacheOnly(cache, c, ctx, changes);
    if (settled.purge) countRemoved(report.removed, settled.purge);
    await appendPrivacyLog(
      cache.dir,
      erasureLogEntry(request, c.cached.id, settled.result, settled.cache, ctx.clock.now(), {
        found_in: "cache",
      }),
    );
  }
}

/** The cache an erasure updates, with the request its log entries record. */
interface LocalSide {
  cache: Cache;
  request: ErasureRequest;
  changes: ChangeLog | undefined;
}

/** One match: recorded as pending, erased upstream, tombstoned, purged locally, logged. */
async function eraseOne(
  client: HarvestClient,
  options: ErasureOptions,
  ctx: RunContext,
  report: EraseReport,
  result: ErasureResult,
  { candidate, foundIn }: Match,
  plan: PlannedRequest[],
  local: LocalSide | undefined,
): Promise<void> {
  // Recorded first: a kill after the request leaves the purge to the next erase.
  if (local) {
    await addPending(
      local.cache.dir,
      pendingErasure(local.request, candidate, options.anonymizeFields, ctx.clock.now()),
    );
  }
  const outcome = await sendErasure(client, candidate, plan, options.email);
  report.outcomes.push(outcome);
  if (!local) {
    result.cacheResults.set(outcome.id, "unchanged");
    return;
  }
  const { cache, request, changes } = local;
  // Erased: no later run fetches their résumé or feed again (before the purge, so a kill
  // after it cannot let a sync bring them back; the pending entry covers a kill before).
  if (outcome.result !== "failed") await addTombstones(cache.dir, [outcome.id]);
  const { state, purge } = await forgetLocally(cache, candidate, outcome, ctx, changes);
  result.cacheResults.set(outcome.id, state);
  if (purge) {
    result.purges.set(outcome.id, purge);
    countRemoved(report.removed, purge);
  }
  await appendPrivacyLog(
    cache.dir,
    erasureLogEntry(request, outcome.id, outcome.result, state, ctx.clock.now(), {
      found_in: foundIn,
      ...(options.anonymizeFields && outcome.result === "anonymized"
        ? { anonymized_fields: [...options.anonymizeFields] }
        : {}),
      ...(outcome.result === "anonymized"
        ? { kept_upstream: result.preview.kept.map((k) => k.list) }
        : {}),
    }),
  );
  await clearPending(cache.dir, outcome.id);
}

/** The cache after an outcome: a deleted candidate purged, an anonymized one replaced. */
async function forgetLocally(
  cache: Cache,
  candidate: ApiRecord,
  outcome: Outcome,
  ctx: RunContext,
  changes: ChangeLog | undefined,
): Promise<{ state: PrivacyLogEntry["cache"]; purge?: PurgeReport }> {
  if (outcome.result === "deleted") {
    return { state: "purged", purge: await purgeDeleted(cache, candidate, changes) };
  }
  if (outcome.anonymized) {
    const purge = await replaceAnonymized(
      cache,
      outcome.anonymized,
      new Date(ctx.clock.now()),
      changes,
    );
    return { state: purge.replaced ? "replaced" : "purged", purge };
  }
  return { state: "unchanged" };
}

/** Adds a purge's removed records of the personal lists to `into`. */
function countRemoved(into: Partial<Record<EntityName, number>>, purge: PurgeReport): void {
  for (const list of PERSONAL_LISTS) {
    const n = purge.removed[list];
    if (n) into[list] = (into[list] ?? 0) + n;
  }
}

/**
 * The local part of a cache-only match (with the lock held): gone upstream, every cached trace
 * goes and the id is tombstoned (nothing to fetch ever again); still upstream under another
 * address, the cached record is replaced by Greenhouse's, which no longer holds this one.
 */
async function settleCacheOnly(
  cache: Cache,
  c: CacheOnly,
  ctx: RunContext,
  changes: ChangeLog | undefined,
): Promise<Pick<PrivacyLogEntry, "result" | "cache"> & { purge?: PurgeReport }> {
  if (c.upstream === undefined) {
    await addTombstones(cache.dir, [c.cached.id]);
    const purge = await purgeDeleted(cache, c.cached.record, changes);
    return { result: "gone upstream", cache: "purged", purge };
  }
  const candidates = await cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
  await changes?.record(CANDIDATES_FOLDER, "changed", [c.cached.id]);
  await candidates.writeRecords([c.upstream], new Date(ctx.clock.now()));
  await candidates.commit();
  return { result: "changed upstream", cache: "replaced" };
}

async function withCache<T>(dir: string, fn: (cache: Cache) => Promise<T>): Promise<T> {
  const cache = await openCache(dir);
  try {
    return await fn(cache);
  } finally {
    await cache.close();
  }
}

function pendingErasure(
  request: ErasureRequest,
  candidate: ApiRecord,
  anonymizeFields: readonly string[] | undefined,
  now: number,
): PendingErasure {
  const ids: unknown[] = Array.isArray(candidate.application_ids) ? candidate.application_ids : [];
  return {
    candidate_id: candidate.id,
    mode: request.mode,
    application_ids: ids.filter((id) => isPositiveId(id)),
    on_behalf_of: request.on_behalf_of,
    email_hmac: request.email_hmac,
    ...(anonymizeFields ? { anonymize_fields: [...anonymizeFields] } : {}),
    since: new Date(now).toISOString(),
  };
}

/** `erase --lookup`: the privacy log's entries naming the address (reads only; no key is made). */
export async function lookupErasuresOf(cacheDir: string, email: string): Promise<Lookup> {
  if (!await cacheFolderExists(cacheDir)) {
    throw new RunError(
      `erase --lookup: no cache at ${cacheDir}; give --cache-dir of the cache whose privacy ` +
        "log to search",
    );
  }
  return await lookupErasures(cacheDir, email, await readAddressKey(cacheDir));
}
