/**
 * Resuming a candidate-dependent step (activity feeds, attachments) after a kill or an interrupt
 * without asking the API again for what was finished. While a step runs, a small progress file at
 * the cache's root (`.<step>-progress.json`, written atomically) says when the run started, up to
 * which candidate id every candidate of the run was finished, which of those failed, and when it
 * was saved; it is removed when the step completes.
 *
 * The next run of the step skips a candidate when the saved progress covers it:
 * - its id is at most `through`, it did not fail, and its cached record is not newer than the
 *   save (a candidate synced again since may have changed, so its data is fetched again). Only a
 *   run given the same kind of candidate list resumes this way: "all" cached candidates covers
 *   any list, "sync" (a sync's pending list) and an explicit `--candidates` list (by hash) only
 *   themselves;
 * - or (activity feeds) its feed was written since the interrupted run started and after its
 *   cached record: what is on disk is never fetched again, whatever the list, even when the kill
 *   came before the progress file was saved.
 *
 * Memory stays bounded: items are handed out in id order, so only the ones finished ahead of the
 * oldest still in flight are held, and at most `MAX_FAILED` failed ids (past that, `through`
 * stops moving and a resume redoes the rest).
 */
import { join } from "node:path";
import {
  type EntityFolder,
  type ProgressStep,
  sha256Hex,
  stepProgressFile,
  writeFileAtomic,
} from "../cache/mod.ts";
import { positiveId } from "../ids.ts";
import { removeIfPresent } from "../files.ts";
import type { RunContext } from "../context.ts";

const VERSION = 1;
/** Failed ids kept in the file; past this many, `through` stops moving. */
export const MAX_FAILED = 1_000;

/** Which candidates a run was given (see the module comment). */
export type Scope = "all" | "sync" | `ids:${string}`;

/** The scope of an explicit list of candidate ids. */
export function listScope(ids: readonly number[]): Scope {
  return `ids:${sha256Hex(new TextEncoder().encode([...ids].sort((a, b) => a - b).join(",")))}`;
}

interface Saved {
  version: number;
  step: ProgressStep;
  scope: Scope;
  /** When the first of the interrupted runs started (ISO). */
  startedAt: string;
  /** Every candidate of the run with an id up to this one was finished, except `failed`. */
  through: number;
  failed: number[];
  /** When this was saved (ISO). A candidate cached after it is not covered. */
  savedAt: string;
}

export class StepProgress {
  readonly path: string;
  #previous: { through: number; failed: Set<number>; savedAt: number } | undefined;
  /** When this run, or the interrupted one it continues, started. */
  #startedAt: number;
  #startedBefore: number | undefined;
  #saving: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  // This run: units are handed out in order; `#prefix` of them are finished.
  #prefix = 0;
  #through = 0;
  #ahead = new Map<number, number>();
  #failed = new Set<number>();
  #frozen = false;

  private constructor(
    cacheDir: string,
    readonly step: ProgressStep,
    readonly scope: Scope,
    private readonly ctx: RunContext,
  ) {
    this.path = join(cacheDir, stepProgressFile(step));
    this.#startedAt = ctx.clock.now();
  }

  /**
   * Reads what an interrupted run of `step` saved, if it applies to this run's `scope`. A file
   * that cannot be used is ignored (with a warning): the cost is fetching again.
   */
  static async open(
    cacheDir: string,
    step: ProgressStep,
    scope: Scope,
    ctx: RunContext,
  ): Promise<StepProgress> {
    const progress = new StepProgress(cacheDir, step, scope, ctx);
    const saved = await progress.#read();
    if (saved) {
      progress.#startedBefore = Date.parse(saved.startedAt);
      progress.#startedAt = Math.min(progress.#startedAt, progress.#startedBefore);
    }
    if (saved && (saved.scope === "all" || saved.scope === scope)) {
      const savedAt = Date.parse(saved.savedAt);
      progress.#previous = { through: saved.through, failed: new Set(saved.failed), savedAt };
      progress.#through = saved.through;
    }
    return progress;
  }

  /** When this run, or the interrupted one it continues, started (ms). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Whether an interrupted run of the step came before this one. */
  get resuming(): boolean {
    return this.#startedBefore !== undefined;
  }

  /**
   * Whether `id`'s activity feed was fetched by the interrupted run (or this one) and after its
   * candidate was last cached, or the saved progress covers it.
   */
  async coversFeed(id: number, feeds: EntityFolder, candidates: EntityFolder): Promise<boolean> {
    if (this.#startedBefore === undefined) return false;
    const feed = await feeds.row(id);
    const fetched = feed === undefined ? NaN : Date.parse(feed.timestamp);
    if (fetched >= this.#startedBefore) {
      const candidate = await candidates.row(id);
      if (candidate !== undefined && fetched >= Date.parse(candidate.timestamp)) return true;
    }
    return await this.covers(id, candidates);
  }

  /** Whether an interrupted run finished `id` and its cached candidate has not changed since. */
  async covers(id: number, candidates: EntityFolder): Promise<boolean> {
    const previous = this.#previous;
    if (!previous || id > previous.through || previous.failed.has(id)) return false;
    const row = await candidates.row(id);
    return row !== undefined && Date.parse(row.timestamp) <= previous.savedAt;
  }

  /** Unit `index` (units are handed out in order) is finished; `lastId` is its highest id. */
  finish(index: number, lastId: number): void {
    this.#ahead.set(index, lastId);
    while (this.#ahead.has(this.#prefix)) {
      const last = this.#ahead.get(this.#prefix)!;
      this.#ahead.delete(this.#prefix++);
      if (!this.#frozen) this.#through = Math.max(this.#through, last);
    }
  }

  /** `id` failed in this run: a resume tries it again. */
  fail(id: number): void {
    if (this.#frozen) return;
    // Its unit is not finished yet, so `id` is above `through`: freezing keeps it out.
    if (this.#failed.size >= MAX_FAILED) {
      this.#frozen = true;
      return;
    }
    this.#failed.add(id);
  }

  /**
   * Saves what is finished (written to the cache: its journal makes it last). Saves do not
   * overlap: a call made while one is being written joins the next one.
   */
  save(): Promise<void> {
    if (this.#queued) return this.#queued;
    const next = this.#saving.then(() => {
      this.#queued = undefined;
      return this.#write();
    });
    this.#queued = next;
    this.#saving = next.catch(() => {});
    return next;
  }

  async #write(): Promise<void> {
    const saved: Saved = {
      version: VERSION,
      step: this.step,
      scope: this.scope,
      startedAt: new Date(this.#startedAt).toISOString(),
      through: this.#through,
      failed: [...this.#failed].sort((a, b) => a - b),
      savedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await writeFileAtomic(this.path, JSON.stringify(saved) + "\n");
  }

  /** The step completed: the next run starts afresh. */
  async clear(): Promise<void> {
    await this.#saving;
    await removeIfPresent(this.path);
  }

  async #read(): Promise<Saved | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const saved = parseSaved(text, this.step);
    if (!saved) {
      this.ctx.err(
        `warning: ignoring ${this.path} (not a progress file this version wrote); ` +
          `${this.step} starts from the first candidate\n`,
      );
    }
    return saved;
  }
}

/** The saved progress, or undefined unless every field is what `save` writes. */
function parseSaved(text: string, step: ProgressStep): Saved | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const through = value.through === 0 ? 0 : positiveId(value.through);
  const failed = Array.isArray(value.failed) ? value.failed.map(positiveId) : undefined;
  const scope = value.scope;
  const validScope = scope === "all" || scope === "sync" ||
    (typeof scope === "string" && /^ids:[0-9a-f]{64}$/.test(scope));
  if (
    value.version !== VERSION || value.step !== step || through === undefined || !validScope ||
    !failed || failed.some((id) => id === undefined) || failed.length > MAX_FAILED ||
    !isTime(value.savedAt) || !isTime(value.startedAt)
  ) {
    return undefined;
  }
  return {
    version: VERSION,
    step,
    scope: scope as Scope,
    through,
    failed: failed as number[],
    startedAt: value.startedAt as string,
    savedAt: value.savedAt as string,
  };
}

function isTime(value: unknown): boolean {
  return typeof value === "string" && !Number.isNaN(Date.parse(value));
}
