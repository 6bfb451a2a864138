/**
 * Client-side rate limiting shared by every request of the process. The aim is zero 429s at
 * close to the allowed throughput: never more than `budget` sends in any sliding window of
 * `windowMs` (so no fixed server window can see more either), where
 * budget = max(1, floor(rateTarget × X-RateLimit-Limit)).
 *
 * Sends are spread evenly over the window, one every (window + margin) / budget, from the very
 * first send of the process, rather than spent in a burst at its start: the throughput is the
 * same, and another integration using the same key keeps its share of every window instead of
 * finding it used up in the first second. The probe that learns the limit (when none is given)
 * counts as the first send of the schedule: the next one waits a spacing after it.
 *
 * Waits the server imposes (a 429's pause, or X-RateLimit-Remaining used up) are reported through
 * `onWait`, once each, so users see why nothing happens. A reset further away than one window
 * is not believed (a wrong clock, or a broken or hostile header): the pacer waits one window and
 * asks again; a 429 then says how long to wait, and the client gives up if that is too long.
 */
import type { Clock } from "../clock.ts";
import { resetWaitMs } from "./retry.ts";

export interface PacerOptions {
  /** Fraction of the server's limit we allow ourselves (0 < rateTarget ≤ 1). */
  rateTarget: number;
  /** The server's rate window (10 s for Harvest v1/v2). */
  windowMs: number;
  clock: Clock;
  /** The limit to assume before a response tells us; without it, one probe request goes first. */
  initialLimit?: number;
  /**
   * Limit assumed when a successful response carries no X-RateLimit-Limit at all
   * (50 per 10 s was Greenhouse's documented figure, and is still its example:
   * https://developers.greenhouse.io/harvest.html#rate-limiting). Default 50.
   */
  fallbackLimit?: number;
  /** Extra spacing added to the window for clock skew and latency jitter. Default min(100, 1% of windowMs). */
  marginMs?: number;
  /** Told when sends must wait for the server's rate limit (not for our own spacing). */
  onWait?: (wait: PacerWait) => void;
}

/** A wait the server's rate limit imposes. */
export interface PacerWait {
  ms: number;
  /** "paused": after a 429; "used up": X-RateLimit-Remaining left nothing for us. */
  cause: "paused" | "used up";
}

export interface PacerStats {
  /** Total time acquire() callers spent waiting (sliding window, hold-backs, 429 pauses). */
  waitedMs: number;
  /** Sends recorded. */
  sends: number;
}

function headerInt(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  const v = raw.trim();
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

export class Pacer {
  readonly stats: PacerStats = { waitedMs: 0, sends: 0 };
  readonly windowMs: number;
  readonly rateTarget: number;
  #clock: Clock;
  #limit: number | undefined;
  #fallbackLimit: number;
  #marginMs: number;
  /** Send times inside the last window (+margin), oldest first. */
  #sends: number[] = [];
  /** Serialises acquire() so concurrent callers cannot overshoot. */
  #tail: Promise<void> = Promise.resolve();
  #pausedUntil = 0;
  /** Sends the server still allows us (after keeping its reserve) until #allowanceUntil. */
  #allowance = Infinity;
  #allowanceUntil = 0;
  /** Sends whose response has not been observed yet. */
  #inFlight = 0;
  /** While the limit is unknown: a probe is out; waiters wait for it to be observed. */
  #probe: { promise: Promise<void>; resolve: () => void } | undefined;
  /**
   * The even schedule's slot of the latest send (fractional ms): the next send is due a spacing
   * after it. A slot, not a due time, so that a limit learned later (a new spacing) applies to it.
   */
  #lastSlot = -Infinity;
  #onWait?: (wait: PacerWait) => void;
  /** The end of the last wait reported through onWait (each is reported once). */
  #reportedUntil = -Infinity;

  constructor(opts: PacerOptions) {
    if (!(opts.rateTarget > 0 && opts.rateTarget <= 1)) {
      throw new RangeError(`rateTarget must be in (0, 1], got ${opts.rateTarget}`);
    }
    if (!(opts.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${opts.windowMs}`);
    this.rateTarget = opts.rateTarget;
    this.windowMs = opts.windowMs;
    this.#clock = opts.clock;
    this.#limit = opts.initialLimit && opts.initialLimit > 0 ? opts.initialLimit : undefined;
    this.#fallbackLimit = opts.fallbackLimit ?? 50;
    this.#marginMs = opts.marginMs ?? Math.min(100, opts.windowMs / 100);
    this.#onWait = opts.onWait;
  }

  /** The server's limit per window, once known. */
  get limit(): number | undefined {
    return this.#limit;
  }

  /** Sends we allow ourselves per window (1 while the limit is unknown). */
  get budget(): number {
    return this.#limit === undefined ? 1 : Math.max(1, Math.floor(this.rateTarget * this.#limit));
  }

  /** Waits until a send is allowed, then records it. Every acquire() must be followed by one observe(). */
  acquire(): Promise<void> {
    const run = this.#tail.then(() => this.#acquireNow());
    this.#tail = run.catch(() => {});
    return run;
  }

  async #acquireNow(): Promise<void> {
    const started = this.#clock.now();
    try {
      for (;;) {
        const now = this.#clock.now();
        if (now < this.#pausedUntil) {
          this.#report(this.#pausedUntil, now, "paused");
          await this.#clock.sleep(this.#pausedUntil - now);
          continue;
        }
        if (this.#limit === undefined && this.#probe) {
          await this.#probe.promise;
          continue;
        }
        if (now >= this.#allowanceUntil) this.#allowance = Infinity;
        else if (this.#allowance <= 0) {
          this.#report(this.#allowanceUntil, now, "used up");
          await this.#clock.sleep(this.#allowanceUntil - now);
          continue;
        }
        const span = this.windowMs + this.#marginMs;
        while (this.#sends.length > 0 && this.#sends[0] <= now - span) this.#sends.shift();
        // While the limit is unknown the probe gate above allows one request at a time instead.
        const budget = this.budget;
        const spacing = span / budget;
        const dueAt = this.#lastSlot + spacing;
        // (A microsecond of slack: floating-point sums must not cost an extra sleep.)
        if (this.#limit !== undefined && now < dueAt - 0.001) {
          await this.#clock.sleep(dueAt - now);
          continue;
        }
        if (this.#limit !== undefined && this.#sends.length >= budget) {
          const wait = this.#sends[this.#sends.length - budget] + span - now;
          await this.#clock.sleep(Math.max(1, wait));
          continue;
        }
        // Late by less than a spacing (a timer firing late, a busy machine): the schedule is kept,
        // so lateness is not lost throughput. Later than that was idleness: start over from now.
        // The probe (limit unknown) takes its slot too, so the send after it is spaced from it.
        this.#lastSlot = this.#limit !== undefined && now - dueAt < spacing ? dueAt : now;
        this.#sends.push(now);
        this.stats.sends++;
        this.#inFlight++;
        if (this.#allowance !== Infinity) this.#allowance--;
        if (this.#limit === undefined) {
          let resolve!: () => void;
          const promise = new Promise<void>((r) => (resolve = r));
          this.#probe = { promise, resolve };
        }
        return;
      }
    } finally {
      this.stats.waitedMs += Math.max(0, this.#clock.now() - started);
    }
  }

  /**
   * Learns from a response (status 0 = no response: network error or timeout). Reads
   * X-RateLimit-Limit, -Remaining and -Reset (case-insensitive).
   */
  observe(headers: Headers, status: number): void {
    if (this.#inFlight > 0) this.#inFlight--;
    const now = this.#clock.now();
    const limit = headerInt(headers, "x-ratelimit-limit");
    if (limit !== undefined && limit > 0) this.#limit = limit;
    else if (this.#limit === undefined && status >= 200 && status < 400) {
      this.#limit = this.#fallbackLimit;
    }
    const remaining = headerInt(headers, "x-ratelimit-remaining");
    if (remaining !== undefined && this.#limit !== undefined) {
      // Keep the headroom rateTarget leaves for other clients; requests still in flight may
      // not be counted by the server yet, so reserve for them too.
      const reserve = Math.max(0, this.#limit - this.budget);
      const allowance = remaining - reserve - this.#inFlight;
      const resetWait = resetWaitMs(headers.get("x-ratelimit-reset"), now);
      // Without a reset time, the server window that counted our oldest recent send ends at
      // the latest one window after it: waiting a whole window from now would waste up to a
      // window of budget each time the allowance runs out.
      const span = this.windowMs + this.#marginMs;
      const oldest = this.#sends.find((sent) => sent > now - span) ?? now;
      // A reset further away than a window cannot be Harvest's window: wait one, then ask again.
      const until = now + Math.min(span, resetWait ?? Math.max(0, oldest + span - now));
      const sameWindow = resetWait !== undefined && now < this.#allowanceUntil &&
        Math.abs(until - this.#allowanceUntil) < 1000;
      if (sameWindow) this.#allowance = Math.min(this.#allowance, allowance);
      else {
        this.#allowance = allowance;
        this.#allowanceUntil = until;
      }
    }
    if (this.#probe) {
      const probe = this.#probe;
      this.#probe = undefined;
      probe.resolve();
    }
  }

  /** Reports a server-imposed wait until `until`, once. */
  #report(until: number, now: number, cause: PacerWait["cause"]): void {
    if (until === this.#reportedUntil) return;
    this.#reportedUntil = until;
    this.#onWait?.({ ms: until - now, cause });
  }

  /** Blocks every acquire() until `ms` from now (after a 429). Pauses only ever extend. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
  }

  /** When the current pause ends (epoch ms; ≤ now when not paused). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }
}
