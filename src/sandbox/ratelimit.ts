/** Fixed-window rate limiting per API key, like Harvest v1's X-RateLimit-* headers. */
import type { Clock } from "../clock.ts";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the current window ends. */
  resetMs: number;
}

/** Header value sent as the limit when rate limiting is off (rateLimit: 0). */
export const UNLIMITED = 1_000_000;

export class FixedWindowLimiter {
  #windows = new Map<string, { start: number; count: number }>();
  constructor(readonly limit: number, readonly windowMs: number, readonly clock: Clock) {}

  take(key: string): RateDecision {
    const now = this.clock.now();
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    let w = this.#windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
    const resetMs = start + this.windowMs;
    if (this.limit <= 0) {
      return { allowed: true, limit: UNLIMITED, remaining: UNLIMITED - 1, resetMs };
    }
    return {
      allowed: w.count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - w.count),
      resetMs,
    };
  }
}
