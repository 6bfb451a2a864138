/**
 * What the API's answers say about its rate limit and its clock, gathered from every answer
 * `doctor` receives: the X-RateLimit-Limit announced, the window actually seen (from
 * X-RateLimit-Reset times, or where none is sent from X-RateLimit-Remaining filling up again),
 * and the server's Date against our clock. Only numbers are kept.
 */
import { resetWaitMs } from "../harvest/mod.ts";

export interface RateLimitSeen {
  /** The X-RateLimit-Limit values announced, in order first seen ([] when none). */
  limits: number[];
  /** The window the tool paces for (the dialect's), in seconds. */
  assumedWindowSeconds: number;
  /**
   * The window seen, in seconds: `exact` from two resets (or refills) a window apart, `at least`
   * from one reset time ahead, `not seen` when no answer told.
   */
  window: { seen: "exact" | "at least"; seconds: number } | { seen: "not seen" };
  /** 429 answers the run received (the client waited them out). */
  rateLimited: number;
}

export interface ClockSeen {
  /** The server's Date minus our clock, median over the answers, in seconds (1 s resolution). */
  skewSeconds?: number;
  /** Answers that carried a valid Date header. */
  answers: number;
}

interface Sample {
  /** Our clock when the answer arrived. */
  at: number;
  /** The server's clock per its Date header, if valid. */
  serverAt?: number;
  limit?: number;
  remaining?: number;
  /** When the window resets, in the server's time (epoch ms), if announced. */
  resetAt?: number;
}

function headerInt(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name)?.trim();
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** Two instants closer than this are the same (Date and X-RateLimit-Reset have 1 s steps). */
const SAME_INSTANT_MS = 1_500;
/** Samples kept: doctor sends about one request per list. */
const MAX_SAMPLES = 2_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Gathers samples from answers; `rateLimit()` and `clock()` read them. */
export class AnswerObserver {
  readonly #samples: Sample[] = [];

  /** Notes one answer's headers, received at `at` (our clock, epoch ms). */
  observe(headers: Headers, at: number): void {
    if (this.#samples.length >= MAX_SAMPLES) return;
    const date = headers.get("date");
    const parsed = date === null ? NaN : Date.parse(date);
    // A Date header is cut to the second: its middle is the best guess of the server's time.
    const serverAt = Number.isFinite(parsed) ? parsed + 500 : undefined;
    const base = serverAt ?? at;
    const wait = resetWaitMs(headers.get("x-ratelimit-reset"), base);
    this.#samples.push({
      at,
      serverAt,
      limit: headerInt(headers, "x-ratelimit-limit"),
      remaining: headerInt(headers, "x-ratelimit-remaining"),
      resetAt: wait === undefined ? undefined : base + wait,
    });
  }

  rateLimit(assumedWindowMs: number, rateLimited: number): RateLimitSeen {
    const limits = [
      ...new Set(this.#samples.map((s) => s.limit).filter((l) => l !== undefined)),
    ];
    return {
      limits,
      assumedWindowSeconds: assumedWindowMs / 1000,
      window: this.#window(),
      rateLimited,
    };
  }

  /** The window seen: resets a window apart, refills a window apart, or one reset ahead. */
  #window(): RateLimitSeen["window"] {
    const resets: number[] = [];
    for (const s of this.#samples) {
      if (s.resetAt === undefined) continue;
      if (resets.every((r) => Math.abs(r - s.resetAt!) >= SAME_INSTANT_MS)) resets.push(s.resetAt);
    }
    const exact = smallestGap(resets) ?? smallestGap(this.#refills());
    if (exact !== undefined) return { seen: "exact", seconds: Math.round(exact / 1000) };
    const ahead = this.#samples
      .filter((s) => s.resetAt !== undefined)
      .map((s) => s.resetAt! - (s.serverAt ?? s.at));
    if (ahead.length === 0) return { seen: "not seen" };
    return { seen: "at least", seconds: Math.max(0, Math.round(Math.max(...ahead) / 1000)) };
  }

  /** When X-RateLimit-Remaining went up between two answers: a new window began. */
  #refills(): number[] {
    const out: number[] = [];
    let previous: Sample | undefined;
    for (const s of this.#samples) {
      if (s.remaining === undefined) continue;
      if (previous && s.remaining > previous.remaining!) out.push(s.serverAt ?? s.at);
      previous = s;
    }
    return out;
  }

  clock(): ClockSeen {
    const skews = this.#samples
      .filter((s) => s.serverAt !== undefined)
      .map((s) => s.serverAt! - s.at);
    if (skews.length === 0) return { answers: 0 };
    return { skewSeconds: Math.round(median(skews) / 1000), answers: skews.length };
  }
}

/** The smallest gap between distinct instants (a window, if they are window boundaries). */
function smallestGap(instants: number[]): number | undefined {
  const sorted = [...instants].sort((a, b) => a - b);
  let gap: number | undefined;
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d >= SAME_INSTANT_MS && (gap === undefined || d < gap)) gap = d;
  }
  return gap;
}
