/**
 * `<cache>/.state.json`: what `sync` remembers between runs, written atomically (temporary file +
 * rename) so a kill leaves either the previous state or the new one.
 *
 * Per step: the high-water mark of its last successful run and, while a listing is under way, a
 * checkpoint saying where to continue. Plus the candidate ids whose activity feeds and attachments
 * still have to be refreshed, so a crash between the candidates step and the dependent steps
 * loses none of them.
 */
import { join } from "node:path";
import { readTextNoFollow, STATE_FILE, writeFileAtomic } from "../cache/mod.ts";
import { RunError } from "../errors.ts";

const STATE_VERSION = 1;

/** Where an interrupted listing continues. Saved after each page is committed to the store. */
export interface Checkpoint {
  /** When the interrupted run of this step started: becomes the high-water mark once it ends. */
  startedAt: string;
  /** The API base URL it listed: a checkpoint is only resumed against the same one. */
  baseUrl: string;
  /** The first page's filters: a checkpoint is only resumed by a run asking for the same. */
  params: Record<string, string>;
  /**
   * The listing variant the next page belongs to (`Entity.listVariants`, e.g. v3 job posts'
   * active then deleted ones); absent in files written before variants: 0.
   */
  variant?: number;
  /** The next page to fetch; "" for the first page of `variant`. */
  nextUrl: string;
  /** Records written so far, and how they compared with the cache. */
  written: number;
  new: number;
  updated: number;
  unchanged: number;
  /** Candidates new or changed so far (candidates step only). */
  changed?: number[];
}

export interface StepState {
  /** ISO time: start of the last successful run minus the overlap; the next run asks from here. */
  highWater?: string;
  /** ISO time the last successful run started and finished (for people reading the file). */
  lastStartedAt?: string;
  lastFinishedAt?: string;
  checkpoint?: Checkpoint;
}

export interface SyncState {
  version: number;
  steps: Record<string, StepState>;
  /** Candidate ids each dependent step still has to process. */
  pending: Record<string, number[]>;
}

export function emptyState(): SyncState {
  return { version: STATE_VERSION, steps: {}, pending: {} };
}

export function statePath(cacheDir: string): string {
  return join(cacheDir, STATE_FILE);
}

/**
 * Reads the state; a missing file is an empty state. A file that cannot be used (damaged by hand,
 * or from a newer version) is reported through `warn` and ignored: the cost is one full sync.
 */
export async function readState(
  cacheDir: string,
  warn: (text: string) => void,
): Promise<SyncState> {
  let text: string;
  try {
    text = await readTextNoFollow(statePath(cacheDir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return emptyState();
    if (error instanceof RunError) throw error; // a link: never read through
    throw new RunError(`${statePath(cacheDir)}: cannot be read: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text);
    if (
      parsed?.version !== STATE_VERSION || typeof parsed.steps !== "object" ||
      parsed.steps === null || typeof parsed.pending !== "object" || parsed.pending === null
    ) {
      throw new Error("unexpected shape or version");
    }
    return parsed as SyncState;
  } catch (error) {
    warn(
      `warning: ignoring ${statePath(cacheDir)} (${
        (error as Error).message
      }); this run syncs everything in full\n`,
    );
    return emptyState();
  }
}

export async function writeState(cacheDir: string, state: SyncState): Promise<void> {
  await writeFileAtomic(statePath(cacheDir), JSON.stringify(state, null, 1) + "\n");
}

/** Sorted union of id lists, without duplicates. */
export function mergeIds(...lists: (readonly number[] | undefined)[]): number[] {
  const set = new Set<number>();
  for (const list of lists) for (const id of list ?? []) set.add(id);
  return [...set].sort((a, b) => a - b);
}
