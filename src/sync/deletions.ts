/**
 * The `deletions` step: candidates deleted upstream leave the cache on every run, not only with
 * `--prune`. Greenhouse reports no deletion (no feed, no `deleted_at`, on v1 or v3), so only a
 * listing of ids proves one: the step lists candidate ids whole (or takes the candidates step's
 * listing when that was whole this run), confirms each cached candidate the listing lacks through
 * the list's id filter (a page-numbered listing read while candidates are deleted can skip a
 * living one), and purges each confirmed one with `erase`'s purge: their records in every list
 * holding personal data (found through the entity table's references and `monikerOwner`), their
 * attachments and activity feed, then the candidate. Every removed id goes to the run's change
 * manifest.
 *
 * Cost: one request per `per_page` candidates (200 for 100,000 at 500), plus one per 50
 * candidates found missing; none when the candidates step listed them whole in this run.
 */
import {
  type Cache,
  CANDIDATES_FOLDER,
  type ChangeLog,
  type EntityFolder,
  readTextNoFollow,
} from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import { type ApiRecord, ENTITIES } from "../entities.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { isPositiveId } from "../ids.ts";
import { throwIfInterrupted } from "../interrupt.ts";
import { listedCandidateIds } from "../privacy/lookup.ts";
import { purgeDeletedMany } from "../privacy/purge.ts";
import { listIds } from "./listing.ts";
import { mergeIds, type SyncState, writeState } from "./state.ts";

/** Candidates purged at once: each batch reads every personal list's index once. */
const PURGE_BATCH = 1000;

export interface DeletionsResult {
  /** Cached candidates compared with the listing. */
  checked: number;
  /** Candidates confirmed deleted upstream and purged. */
  removed: number;
  /** Cached candidates the listing lacked but the id filter still found (left alone). */
  kept: number;
  /** Records removed with them, per cache folder (applications, offers, activity_feeds…). */
  removedWith: Record<string, number>;
}

export interface DeletionsEnv {
  client: HarvestClient;
  cache: Cache;
  ctx: RunContext;
  changes?: ChangeLog;
}

/**
 * Finds the cached candidates deleted upstream and purges them with everything cached about
 * them. `upstream`: every candidate id Greenhouse listed in this run, when a step has that list.
 * Their ids also leave the dependent steps' pending lists in `state`.
 */
export async function removeDeletedCandidates(
  env: DeletionsEnv,
  state: SyncState,
  upstream: ReadonlySet<number> | undefined,
): Promise<DeletionsResult> {
  const result: DeletionsResult = {
    checked: 0,
    removed: 0,
    kept: 0,
    removedWith: {},
  };
  const folder = await env.cache.existingFolder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
  const cached = folder ? await folder.ids() : [];
  result.checked = cached.length;
  // Nothing cached, nothing to lose: no listing.
  if (!folder || cached.length === 0) return result;
  upstream ??= await listIds(env.client, "candidates");
  const missing = cached.filter((id) => !upstream.has(id));
  if (missing.length === 0) return result;
  throwIfInterrupted(env.ctx.signal);
  const stillListed = await listedCandidateIds(env.client, missing);
  const gone = missing.filter((id) => !stillListed.has(id));
  result.kept = stillListed.size;
  if (result.kept > 0) {
    env.ctx.err(
      `sync: deletions: ${result.kept} candidate(s) missing from the listing are still in ` +
        "Greenhouse (the listing moved while it was read); they are kept\n",
    );
  }
  for (let at = 0; at < gone.length; at += PURGE_BATCH) {
    const batch = gone.slice(at, at + PURGE_BATCH);
    const records = await Promise.all(batch.map((id) => purgeSubject(folder, id)));
    const purge = await purgeDeletedMany(env.cache, records, env.changes);
    for (const [list, n] of Object.entries(purge.removed)) {
      if (list === CANDIDATES_FOLDER) result.removed += n;
      else result.removedWith[list] = (result.removedWith[list] ?? 0) + n;
    }
  }
  const goneIds = new Set(gone);
  for (const [step, ids] of Object.entries(state.pending)) {
    state.pending[step] = mergeIds(ids.filter((id) => !goneIds.has(id)));
  }
  await writeState(env.cache.dir, state);
  return result;
}

/**
 * What the purge needs of a cached candidate: its id and the applications its record names (v1
 * records list `application_ids`; the applications' own monikers find the rest).
 */
async function purgeSubject(folder: EntityFolder, id: number): Promise<ApiRecord> {
  try {
    const record = JSON.parse(await readTextNoFollow(folder.filePath(id)));
    const ids: unknown[] = Array.isArray(record?.application_ids) ? record.application_ids : [];
    return { id, application_ids: ids.filter((appId) => isPositiveId(appId)) };
  } catch (error) {
    // Missing or damaged (check reports it): the applications' monikers still name them.
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return { id };
    throw error;
  }
}
