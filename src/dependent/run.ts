/**
 * What the candidate-dependent commands (activity_feeds, attachments) share: the run's handles,
 * its result, and reading the candidates already in the cache.
 */
import { join } from "node:path";
import type { Cache, EntityFolder } from "../cache/mod.ts";
import { cacheFolderExists, CANDIDATES_FOLDER, INDEX_FILE, readTombstones } from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import { ENTITIES } from "../entities.ts";
import { RunError } from "../errors.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import type { Scope } from "./resume.ts";

export interface DependentRun {
  client: HarvestClient;
  cache: Cache;
  cacheDir: string;
  ctx: RunContext;
  concurrency: number;
  quiet: boolean;
  /**
   * Which candidates the run was given, for resuming after an interruption (dependent/resume.ts):
   * "all" cached candidates, a sync's pending list, or (the default) exactly the ids passed.
   */
  scope?: Scope;
  /**
   * Set when the run is a pass of a command over every cached candidate ("full"), or over what
   * such a pass left ("retry"): once it completes, the record of failures notes when it started,
   * so that a rerun asks only for what failed plus what changed since (failures.ts).
   */
  pass?: "full" | "retry";
  /** Called after each item (done, skipped or failed), for Progress; `detail` adds to the line. */
  onItem?: (counts: { done: number; total: number; detail?: string }) => void;
  /** `--file-hosts`: the only hosts attachment files may come from (see file_hosts.ts). */
  fileHosts?: readonly string[];
}

/** The ids ascending, each once: the order the steps hand candidates out in (resume.ts). */
export function ascendingIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Fails with a clear RunError unless `candidates` has been run into this cache. Call before
 * opening the cache, so nothing is created in a wrong folder.
 */
export async function requireCandidatesIndex(cacheDir: string, command: string): Promise<void> {
  const index = join(cacheDir, CANDIDATES_FOLDER, INDEX_FILE);
  try {
    if (await cacheFolderExists(cacheDir)) await Deno.stat(index);
    else throw new Deno.errors.NotFound(cacheDir);
  } catch (error) {
    const missing = error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotADirectory; // `candidates` is a file
    if (!missing) throw error;
    throw new RunError(
      `${command} works from the cached candidates, but ${index} does not exist: ` +
        "run `candidates` into this cache first",
    );
  }
}

/** The cached candidates folder (opened through the store, so a killed run's journal is replayed). */
export function candidatesFolder(cache: Cache): Promise<EntityFolder> {
  return cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
}

/**
 * The candidate ids to work on: all cached ones, or those of `only` that are cached. Ids asked
 * for but not cached are returned separately so the command can report them.
 */
export async function selectCandidates(
  folder: EntityFolder,
  only: number[] | undefined,
): Promise<{ ids: number[]; missing: number[] }> {
  if (only === undefined) return { ids: await folder.ids(), missing: [] };
  const ids: number[] = [];
  const missing: number[] = [];
  for (const id of [...new Set(only)].sort((a, b) => a - b)) {
    (await folder.has(id) ? ids : missing).push(id);
  }
  return { ids, missing };
}

/**
 * `ids` without the candidates `erase` erased (the cache's tombstones): their résumés and feeds
 * are never fetched again, whoever asks (the commands, sync's steps, check --repair).
 */
export async function withoutErased(run: DependentRun, ids: number[]): Promise<number[]> {
  const erased = await readTombstones(run.cacheDir);
  if (erased.size === 0) return ids;
  const kept = ids.filter((id) => !erased.has(id));
  if (kept.length < ids.length && !run.quiet) {
    run.ctx.err(
      `note: ${ids.length - kept.length} candidate(s) erased by \`erase\` skipped: their ` +
        "attachments and activity are never fetched again\n",
    );
  }
  return kept;
}
