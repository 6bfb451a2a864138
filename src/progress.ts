/**
 * The progress line of long work. A leaf with no I/O of its own (it writes through the `err` it is
 * given), so commands and the engines they run draw progress the same way.
 */
import type { Clock } from "./clock.ts";
import type { RunContext } from "./context.ts";

export interface ProgressCounts {
  /** Items done (records written, feeds fetched, files downloaded). */
  done: number;
  /** Items expected, when known. */
  total?: number;
  /** Pages fetched, and the last page number when the API told us (rel="last"). */
  pages?: number;
  lastPage?: number;
  /** Time spent waiting for the rate limit, in ms. */
  waitedMs?: number;
  /** More to say after the counts, e.g. "12 files (3.4 MB)". */
  detail?: string;
}

export interface ProgressOptions {
  err(text: string): void;
  isTerminal: boolean;
  quiet: boolean;
  clock: Clock;
  label: string;
  /** Unit of `done`, e.g. "records". */
  unit?: string;
  /** Off a terminal, at most one line per this many ms (CI logs). */
  logIntervalMs?: number;
}

const REDRAW_MS = 150;
/** Off a terminal, one line per this many ms unless the context says otherwise. */
export const LOG_INTERVAL_MS = 10_000;

/** A Progress writing to the context's stderr, at the context's pace. */
export function progressFor(
  ctx: RunContext,
  opts: { quiet: boolean; label: string; unit?: string },
): Progress {
  return new Progress({
    err: ctx.err,
    isTerminal: ctx.stderrIsTerminal,
    clock: ctx.clock,
    logIntervalMs: ctx.progressIntervalMs ?? LOG_INTERVAL_MS,
    ...opts,
  });
}

/**
 * One live line on a terminal (redrawn in place), or a plain line at most every 10 s elsewhere.
 * Silent with --quiet. Never prints the summary: commands do that on stdout.
 */
export class Progress {
  #opts: Required<ProgressOptions>;
  #started: number;
  #lastDraw = -Infinity;
  #drawn = false;
  #counts: ProgressCounts = { done: 0 };

  constructor(opts: ProgressOptions) {
    this.#opts = { unit: "records", logIntervalMs: LOG_INTERVAL_MS, ...opts };
    this.#started = opts.clock.now();
    // Off a terminal, the first line comes after one interval: short runs print only their summary.
    if (!opts.isTerminal) this.#lastDraw = this.#started;
  }

  update(counts: Partial<ProgressCounts>): void {
    Object.assign(this.#counts, counts);
    if (this.#opts.quiet) return;
    const now = this.#opts.clock.now();
    const interval = this.#opts.isTerminal ? REDRAW_MS : this.#opts.logIntervalMs;
    if (now - this.#lastDraw < interval) return;
    this.#lastDraw = now;
    const line = this.line(now);
    if (this.#opts.isTerminal) {
      this.#opts.err(`\r\x1b[K${line}`);
      this.#drawn = true;
    } else {
      this.#opts.err(`${line}\n`);
    }
  }

  /** Clears the live line so the summary starts on a clean line. */
  done(): void {
    if (this.#drawn) this.#opts.err("\r\x1b[K");
    this.#drawn = false;
  }

  line(now = this.#opts.clock.now()): string {
    const { done, total, pages, lastPage, waitedMs, detail } = this.#counts;
    const seconds = Math.max((now - this.#started) / 1000, 0.001);
    const parts = [`${this.#opts.label}: ${done.toLocaleString("en-US")}`];
    if (total !== undefined) parts[0] += `/${total.toLocaleString("en-US")}`;
    parts[0] += ` ${this.#opts.unit}`;
    if (detail) parts.push(detail);
    if (pages !== undefined) parts.push(`page ${pages}${lastPage ? ` of ${lastPage}` : ""}`);
    parts.push(`${Math.round(done / seconds).toLocaleString("en-US")}/s`);
    if (waitedMs && waitedMs >= 100) {
      parts.push(`waited ${(waitedMs / 1000).toFixed(1)}s for rate limit`);
    }
    const eta = estimateRemaining(seconds, pages, lastPage, done, total);
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    return parts.join(", ");
  }
}

function estimateRemaining(
  seconds: number,
  pages?: number,
  lastPage?: number,
  done?: number,
  total?: number,
): number | undefined {
  if (pages && lastPage && lastPage >= pages) return (seconds / pages) * (lastPage - pages);
  if (done && total && total >= done) return (seconds / done) * (total - done);
  return undefined;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
