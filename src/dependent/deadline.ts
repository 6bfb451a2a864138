/**
 * How long one attachment download may take. A file host that drips (1 KiB every 2 s) would
 * otherwise never end: each chunk resets an idle timeout, and a 1 GiB cap is weeks away at that
 * rate. So every download has a total deadline that grows with what has arrived:
 *
 *   deadline = start + grace + bytes received / minimum rate
 *
 * i.e. after the grace (connection, redirects, a slow start), the transfer must keep an average
 * of at least the minimum rate since it started. A file that sends nothing is stopped at the
 * grace; a file that drips is stopped soon after it; a whole file at any reasonable speed is
 * never touched. The total is bounded too: grace + the size cap / the minimum rate. Separately,
 * a transfer silent for `idleMs` is abandoned and retried (a stalled connection), as before.
 */
import type { Clock } from "../clock.ts";

export interface DownloadLimits {
  /** Time allowed before the average rate is held to the minimum (ms). */
  graceMs: number;
  /** The lowest average rate from the start of the request, in bytes per second. */
  minBytesPerSecond: number;
  /** A transfer that receives nothing for this long is abandoned (and retried). */
  idleMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  graceMs: 30_000,
  minBytesPerSecond: 64 * 1024,
  idleMs: 60_000,
};

/** When a download that started at `startedAt` and has received `received` bytes must end. */
export function deadlineOf(startedAt: number, received: number, limits: DownloadLimits): number {
  return startedAt + limits.graceMs + (received / limits.minBytesPerSecond) * 1000;
}

/** Why a watched transfer was stopped. */
export type Expiry = "deadline" | "idle";

/**
 * Watches one transfer: `abort` is called once, when the deadline or the idle timeout passes
 * (checked on each chunk and by a timer while nothing arrives). `stop()` when the transfer ends.
 */
export class TransferWatch {
  readonly startedAt: number;
  #received = 0;
  #lastActivity: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired: Expiry | undefined;

  constructor(
    readonly limits: DownloadLimits,
    private readonly clock: Clock,
    private readonly abort: () => void,
  ) {
    this.startedAt = clock.now();
    this.#lastActivity = this.startedAt;
    this.#arm();
  }

  /** Why the transfer was stopped, if it was. */
  get expired(): Expiry | undefined {
    return this.#expired;
  }

  get received(): number {
    return this.#received;
  }

  /** `bytes` arrived; false (and the transfer aborted) when it came too late. */
  add(bytes: number): boolean {
    if (this.#expired) return false;
    this.#received += bytes;
    this.#lastActivity = this.clock.now();
    if (this.#lastActivity > deadlineOf(this.startedAt, this.#received - bytes, this.limits)) {
      this.#expire("deadline");
      return false;
    }
    this.#arm();
    return true;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One phrase for the report: how much arrived in how long, against which limits. */
  describe(): string {
    const seconds = (this.clock.now() - this.startedAt) / 1000;
    const { graceMs, minBytesPerSecond } = this.limits;
    return `too slow: ${formatKiB(this.#received)} in ${seconds.toFixed(1)} s, under ` +
      `${formatKiB(minBytesPerSecond)}/s on average after ${graceMs / 1000} s ` +
      "(--min-download-rate, --download-grace); stopped, and the partial file removed";
  }

  #next(): { at: number; why: Expiry } {
    const deadline = deadlineOf(this.startedAt, this.#received, this.limits);
    const idle = this.#lastActivity + this.limits.idleMs;
    return idle < deadline ? { at: idle, why: "idle" } : { at: deadline, why: "deadline" };
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const { at } = this.#next();
    this.#timer = setTimeout(() => this.#check(), Math.max(0, Math.ceil(at - this.clock.now())));
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#expired) return;
    const { at, why } = this.#next();
    if (this.clock.now() >= at) this.#expire(why);
    else this.#arm();
  }

  #expire(why: Expiry): void {
    this.stop();
    this.#expired = why;
    this.abort();
  }
}

function formatKiB(bytes: number): string {
  const kib = bytes / 1024;
  return `${Number(kib.toFixed(kib < 10 ? 1 : 0))} KiB`;
}
