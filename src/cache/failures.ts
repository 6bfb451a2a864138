/**
 * `<cache>/.failures.json`: what the candidate-dependent steps (activity feeds, attachments) could
 * not fetch, kept until a later run fetches it. One bad item is then named once, retried on its
 * own, and reported by `check` as what it is (a file the upstream did not give, not damage).
 *
 * - Each item names the candidate, for an attachment also the folder its file would have gone to
 *   (`<type>-<created_at>[~N]`, no folder is left on disk), the reason, when it failed, and
 *   whether the reason lasts (a file over the size cap, a refused host, no usable URL): such an
 *   item is not tried again unless asked (`--retry-failed`); the others are retried by the next
 *   run of the step.
 * - Per step, `passStartedAt` is when the last complete pass of the command over every cached
 *   candidate (or over what such a pass left) started: a rerun asks only for the failed items
 *   plus the candidates that changed since then.
 * - Written atomically (temporary file + rename) by whoever runs the step (the commands, `sync`,
 *   `check --repair`), at the points the step saves its progress; removed when empty. Never read
 *   through a link. At most `MAX_ITEMS` items per step are kept (`overflow` says more failed).
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import { removeIfPresent } from "../files.ts";
import { positiveId } from "../ids.ts";
import { redactRegistered } from "../redact.ts";
import { writeFileAtomic } from "./atomic.ts";
import { isAttachmentFolderName } from "./attachments.ts";
import { FAILURES_FILE, type ProgressStep } from "./layout.ts";
import { readTextNoFollow } from "./no_follow.ts";

export const FAILURES_FORMAT = "greenhouse-extractor failures";
const VERSION = 1;
/** Items kept per step; past this, `overflow` is set and the rest are only counted by the run. */
export const MAX_ITEMS = 10_000;
/** A reason is cut to this many characters (after redaction). */
const MAX_REASON = 300;
const STEPS: readonly ProgressStep[] = ["activity_feeds", "attachments"];

export type FailureStep = ProgressStep;

/** One thing a step could not fetch. */
export interface FailedItem {
  /** The candidate. */
  id: number;
  /** Attachments: the folder the file would have gone to; absent when the candidate failed. */
  folder?: string;
  reason: string;
  /** Refused for a reason a retry cannot change: tried again only when asked. */
  lasting: boolean;
  /**
   * A lasting refusal: the setting that refused it (`max-bytes:<n>`, `file-hosts:<list>`, `url`:
   * no usable URL); once that changes, the file is tried again. Absent: until asked.
   */
  setting?: string;
  /** When it failed (ISO 8601). */
  at: string;
}

interface StepItems {
  passStartedAt?: string;
  byCandidate: Map<number, FailedItem[]>;
  /** Items in `byCandidate`. */
  count: number;
  overflow: boolean;
}

export function failuresPath(cacheDir: string): string {
  return join(cacheDir, FAILURES_FILE);
}

/** What lets a lasting refusal be tried again, for a report. */
export function lastingNote(item: FailedItem): string {
  const setting = item.setting ?? "";
  const change = setting.startsWith("max-bytes:")
    ? "--max-attachment-mb is raised"
    : setting.startsWith("file-hosts:")
    ? "--file-hosts changes"
    : setting === "url"
    ? "the API gives a URL"
    : "";
  return `not tried again unless ${change ? `${change} or ` : ""}--retry-failed`;
}

/** A reason as it is kept: secrets out, then cut, one line. */
export function recordedReason(reason: string): string {
  const line = redactRegistered(reason).replace(/\s+/g, " ").trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}

/** The record in memory: read once per step run, changed per candidate, saved when asked. */
export class FailureRecord {
  #steps = new Map<FailureStep, StepItems>();
  #dirty = false;
  /** Steps that could not record every failure of this run. */
  #overflowed = new Set<FailureStep>();
  #saving: Promise<void> = Promise.resolve();

  private constructor(readonly cacheDir: string) {
    for (const step of STEPS) {
      this.#steps.set(step, { byCandidate: new Map(), count: 0, overflow: false });
    }
  }

  /** An empty record (no file yet). */
  static empty(cacheDir: string): FailureRecord {
    return new FailureRecord(cacheDir);
  }

  /**
   * Reads the record for a run that writes it. A file this version cannot use is reported through
   * `warn` and replaced (its items are lost: a full run fetches them again); a link in its place
   * is refused (RunError), as everywhere in the cache.
   */
  static async open(cacheDir: string, warn: (text: string) => void): Promise<FailureRecord> {
    const read = await readFailures(cacheDir);
    if (read === "unreadable") {
      warn(
        `warning: ignoring ${failuresPath(cacheDir)} (not a record of failures this version ` +
          "wrote); the failures it listed are fetched again by the next full run\n",
      );
      return new FailureRecord(cacheDir);
    }
    return read ?? new FailureRecord(cacheDir);
  }

  /** The record `readFailures` parsed. */
  static fromParsed(cacheDir: string, steps: Map<FailureStep, StepItems>): FailureRecord {
    const record = new FailureRecord(cacheDir);
    for (const [step, items] of steps) record.#steps.set(step, items);
    return record;
  }

  #step(step: FailureStep): StepItems {
    return this.#steps.get(step)!;
  }

  /** Every item of `step`, by candidate id then folder. */
  items(step: FailureStep): FailedItem[] {
    const ids = [...this.#step(step).byCandidate.keys()].sort((a, b) => a - b);
    return ids.flatMap((id) => this.#step(step).byCandidate.get(id)!);
  }

  /** The items of one candidate. */
  of(step: FailureStep, id: number): readonly FailedItem[] {
    return this.#step(step).byCandidate.get(id) ?? [];
  }

  /** The candidates with an item a run retries by itself (not lasting), ascending. */
  retryable(step: FailureStep): number[] {
    const ids: number[] = [];
    for (const [id, items] of this.#step(step).byCandidate) {
      if (items.some((item) => !item.lasting)) ids.push(id);
    }
    return ids.sort((a, b) => a - b);
  }

  /** Every candidate with an item, ascending. */
  candidates(step: FailureStep): number[] {
    return [...this.#step(step).byCandidate.keys()].sort((a, b) => a - b);
  }

  /** Whether more items failed than the record holds. */
  overflow(step: FailureStep): boolean {
    return this.#step(step).overflow;
  }

  /** When the last complete pass of the command started (undefined when none is known). */
  passStartedAt(step: FailureStep): Date | undefined {
    const at = this.#step(step).passStartedAt;
    return at === undefined ? undefined : new Date(at);
  }

  /**
   * A pass of the command over every cached candidate (`full`), or over what such a pass left,
   * completed; it started at `startedAt`. Kept only while there is something to retry and the
   * record lists all of it: otherwise the next run is a full pass anyway.
   */
  completePass(step: FailureStep, startedAt: Date, full: boolean): void {
    const state = this.#step(step);
    if (full && !this.#overflowed.has(step)) state.overflow = false;
    const pass = state.byCandidate.size > 0 && !state.overflow
      ? startedAt.toISOString()
      : undefined;
    if (pass !== state.passStartedAt) this.#dirty = true;
    state.passStartedAt = pass;
  }

  /** Replaces what is recorded of candidate `id` by `items` (none: it succeeded). */
  replace(step: FailureStep, id: number, items: readonly FailedItem[]): void {
    const state = this.#step(step);
    const before = state.byCandidate.get(id);
    if (before === undefined && items.length === 0) return;
    state.count -= before?.length ?? 0;
    state.byCandidate.delete(id);
    const kept = items.slice(0, Math.max(0, MAX_ITEMS - state.count))
      .map((item) => ({ ...item, id }));
    if (kept.length < items.length) {
      state.overflow = true;
      this.#overflowed.add(step);
    }
    if (kept.length > 0) state.byCandidate.set(id, kept);
    state.count += kept.length;
    this.#dirty = true;
  }

  /** Whether nothing is recorded (a pass alone says nothing: nothing is left to retry). */
  get isEmpty(): boolean {
    return [...this.#steps.values()].every((s) => s.byCandidate.size === 0 && !s.overflow);
  }

  /**
   * Writes the record if it changed (atomically; the file is removed when nothing is left).
   * Saves do not overlap.
   */
  save(): Promise<void> {
    if (!this.#dirty) return this.#saving;
    this.#dirty = false;
    const text = this.isEmpty ? undefined : this.#format();
    const next = this.#saving.then(() =>
      text === undefined
        ? removeIfPresent(failuresPath(this.cacheDir))
        : writeFileAtomic(failuresPath(this.cacheDir), text)
    );
    this.#saving = next.catch(() => {});
    return next;
  }

  #format(): string {
    const out: Record<string, unknown> = { format: FAILURES_FORMAT, version: VERSION };
    for (const step of STEPS) {
      const state = this.#step(step);
      out[step] = {
        ...(state.passStartedAt && state.byCandidate.size > 0
          ? { passStartedAt: state.passStartedAt }
          : {}),
        ...(state.overflow ? { overflow: true } : {}),
        items: this.items(step),
      };
    }
    return JSON.stringify(out, null, 1) + "\n";
  }
}

/**
 * The record as it is on disk: undefined when there is none, "unreadable" when it cannot be
 * used. Throws RunError for a link in its place (never read through).
 */
export async function readFailures(
  cacheDir: string,
): Promise<FailureRecord | "unreadable" | undefined> {
  let text: string;
  try {
    text = await readTextNoFollow(failuresPath(cacheDir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof RunError) throw error; // a link, or not a file
    return "unreadable";
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    return "unreadable";
  }
  if (value?.format !== FAILURES_FORMAT || value.version !== VERSION) return "unreadable";
  const steps = new Map<FailureStep, StepItems>();
  for (const step of STEPS) {
    const parsed = parseStep(value[step]);
    if (parsed === undefined) return "unreadable";
    steps.set(step, parsed);
  }
  return FailureRecord.fromParsed(cacheDir, steps);
}

function parseStep(value: unknown): StepItems | undefined {
  if (value === undefined) return { byCandidate: new Map(), count: 0, overflow: false };
  if (value === null || typeof value !== "object") return undefined;
  const { passStartedAt, items, overflow } = value as Record<string, unknown>;
  if (passStartedAt !== undefined && !isTime(passStartedAt)) return undefined;
  if (!Array.isArray(items) || items.length > MAX_ITEMS) return undefined;
  if (overflow !== undefined && typeof overflow !== "boolean") return undefined;
  const byCandidate = new Map<number, FailedItem[]>();
  for (const raw of items) {
    const item = parseItem(raw);
    if (!item) return undefined;
    const list = byCandidate.get(item.id) ?? [];
    list.push(item);
    byCandidate.set(item.id, list);
  }
  return {
    passStartedAt: passStartedAt as string | undefined,
    byCandidate,
    count: items.length,
    overflow: overflow === true,
  };
}

function parseItem(raw: unknown): FailedItem | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const { id, folder, reason, lasting, at, setting } = raw as Record<string, unknown>;
  const candidate = positiveId(id);
  if (candidate === undefined || typeof reason !== "string" || reason.length > MAX_REASON * 2) {
    return undefined;
  }
  if (typeof lasting !== "boolean" || !isTime(at)) return undefined;
  if (folder !== undefined && (typeof folder !== "string" || !isAttachmentFolderName(folder))) {
    return undefined;
  }
  if (setting !== undefined && (typeof setting !== "string" || setting.length > MAX_REASON * 4)) {
    return undefined;
  }
  return {
    id: candidate,
    ...(folder === undefined ? {} : { folder }),
    reason,
    lasting,
    at: at as string,
    ...(setting === undefined ? {} : { setting }),
  };
}

function isTime(value: unknown): boolean {
  return typeof value === "string" && !Number.isNaN(Date.parse(value));
}

/**
 * Drops what the record holds of these candidates: erased, or deleted upstream, they are owed
 * nothing. Nothing to do without a record; one that cannot be read (check reports it) or a link
 * in its place (never followed) is left as it is rather than stop a purge.
 */
export async function forgetCandidates(cacheDir: string, ids: readonly number[]): Promise<void> {
  let record: FailureRecord | "unreadable" | undefined;
  try {
    record = await readFailures(cacheDir);
  } catch (error) {
    if (error instanceof RunError) return;
    throw error;
  }
  if (typeof record !== "object") return;
  for (const step of STEPS) for (const id of ids) record.replace(step, id, []);
  await record.save();
}
