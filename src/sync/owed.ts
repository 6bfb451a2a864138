/**
 * What a candidate-dependent step (activity feeds, attachments) owes: the one rule `sync` and the
 * `activity_feeds` and `attachments` commands share, so a rerun asks only for what failed plus
 * what changed, never for everything again:
 *
 * - the candidates the cache's record of failures lists for the step (`.failures.json`), except
 *   the files refused for a lasting reason (those wait for `--retry-failed`);
 * - the candidates queued for it (sync's pending list: found new or changed by the candidates
 *   step, or failed in an earlier sync);
 * - the candidates whose step data changed since `since`: on v3 as the notes and attachments
 *   lists tell (changed_dependents.ts); for a command (no candidates step ran before it), also the
 *   cached candidates written since then (a later `candidates` or `sync` found them, maybe
 *   changed: the cache's own clock wrote those times, so no overlap is needed);
 * - every cached candidate when `all` is set.
 */
import { type Cache, CANDIDATES_FOLDER, type FailureStep, readFailures } from "../cache/mod.ts";
import { ENTITIES } from "../entities.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { candidatesChangedSince, type ChangeList } from "./changed_dependents.ts";
import { mergeIds } from "./state.ts";

/** The list whose changes each dependent step follows on v3 (changed_dependents.ts). */
const CHANGE_LISTS: Record<FailureStep, ChangeList> = {
  activity_feeds: "notes",
  attachments: "attachments",
};

export interface OwedOptions {
  /** Ids queued for the step (sync's pending list). */
  queued?: readonly number[];
  /** Every cached candidate (a full pass). */
  all?: boolean;
  /** Also what changed since this time. */
  since?: Date;
  /**
   * Asks the API's change lists this much before `since` (the server's clock against ours, and
   * records written while the pass ran); sync's mark has its overlap already.
   */
  overlapMs?: number;
  /** With `since`: also the cached candidates written since then (commands). */
  recached?: boolean;
  /** Also the candidates whose files were refused for a lasting reason (`--retry-failed`). */
  retryFailed?: boolean;
}

/** The candidate ids `step` owes, ascending (see the module comment). */
export async function owedCandidates(
  step: FailureStep,
  env: { client: HarvestClient; cache: Cache },
  opts: OwedOptions,
): Promise<number[]> {
  const record = await readFailures(env.cache.dir);
  const failed = typeof record !== "object"
    ? []
    : opts.retryFailed
    ? record.candidates(step)
    : record.retryable(step);
  let ids = mergeIds(opts.queued, failed);
  const candidates = await env.cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
  if (opts.all) return mergeIds(ids, await candidates.ids());
  if (opts.since && env.client.dialect.candidateBatch) {
    const from = new Date(opts.since.getTime() - (opts.overlapMs ?? 0));
    ids = mergeIds(ids, await changedSince(step, env, from));
  }
  if (opts.since && opts.recached) {
    const since = opts.since.getTime();
    const recached: number[] = [];
    for await (const rows of candidates.rows()) {
      for (const row of rows) if (Date.parse(row.timestamp) >= since) recached.push(row.id);
    }
    ids = mergeIds(ids, recached);
  }
  // Only cached candidates: one not cached (any more) gets its dependents when it is.
  const cached: number[] = [];
  for (const id of ids) if (await candidates.has(id)) cached.push(id);
  return cached;
}

/**
 * The cached candidates whose step data changed since `since`, where the API can list those
 * changes directly (v3; none on v1).
 */
export async function changedSince(
  step: FailureStep,
  env: { client: HarvestClient; cache: Cache },
  since: Date,
): Promise<number[]> {
  const changed = await candidatesChangedSince(env.client, CHANGE_LISTS[step], since);
  if (!changed?.size) return [];
  const candidates = await env.cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
  const cached: number[] = [];
  for (const id of changed) if (await candidates.has(id)) cached.push(id);
  return cached;
}
