/**
 * Lazy record sequences. Every entity is a sequence of "slots" (index → record) whose created_at
 * never decreases with the slot, some of which do not exist (deleted, or never generated). Lists
 * are answered by binary search on created_at plus per-block existence counts, so no record is
 * generated except those on the requested page.
 */
import type { ApiRecord } from "../entities.ts";

export interface Seq {
  size(): number;
  exists(slot: number): boolean;
  /** Non-decreasing in slot (for existing and non-existing slots alike). */
  created(slot: number): number;
  build(slot: number): ApiRecord;
}

export interface SlotQuery {
  /** Inclusive lower bound on created. */
  createdAfter?: number;
  /** Exclusive upper bound on created. */
  createdBefore?: number;
  /** Extra filter on existing slots. */
  pred?: (slot: number) => boolean;
  offset: number;
  limit: number;
  /** Whether the total number of matches is needed (for rel="last"). */
  needCount: boolean;
}

export interface SlotResult {
  slots: number[];
  /** Total matches when needCount, else undefined. */
  total: number | undefined;
  /** Whether there is at least one match after this page. */
  hasMore: boolean;
}

const BLOCK = 1024;

export class SlotList {
  #counts = new Map<number, number>();
  constructor(readonly seq: Seq) {}

  /** Forget cached block counts (call after any change to existence or size). */
  invalidate(): void {
    this.#counts.clear();
  }

  #scanCount(lo: number, hi: number): number {
    let n = 0;
    for (let s = lo; s < hi; s++) if (this.seq.exists(s)) n++;
    return n;
  }

  #block(b: number): number {
    let c = this.#counts.get(b);
    if (c === undefined) {
      c = this.#scanCount(b * BLOCK, Math.min((b + 1) * BLOCK, this.seq.size()));
      this.#counts.set(b, c);
    }
    return c;
  }

  countRange(lo: number, hi: number): number {
    if (hi <= lo) return 0;
    const bLo = Math.floor(lo / BLOCK), bHi = Math.floor((hi - 1) / BLOCK);
    if (bLo === bHi) return this.#scanCount(lo, hi);
    let n = this.#scanCount(lo, (bLo + 1) * BLOCK);
    for (let b = bLo + 1; b < bHi; b++) n += this.#block(b);
    return n + this.#scanCount(bHi * BLOCK, hi);
  }

  /** The slot of the k-th (0-based) existing slot in [lo, hi), or hi if there is none. */
  nth(lo: number, hi: number, k: number): number {
    let s = lo;
    // Partial first block.
    const firstEnd = Math.min(hi, (Math.floor(lo / BLOCK) + 1) * BLOCK);
    for (; s < firstEnd; s++) {
      if (this.seq.exists(s)) {
        if (k === 0) return s;
        k--;
      }
    }
    // Whole blocks.
    while (s + BLOCK <= hi) {
      const c = this.#block(s / BLOCK);
      if (c > k) break;
      k -= c;
      s += BLOCK;
    }
    for (; s < hi; s++) {
      if (this.seq.exists(s)) {
        if (k === 0) return s;
        k--;
      }
    }
    return hi;
  }

  /** First slot whose created is >= t. */
  lowerBound(t: number): number {
    let lo = 0, hi = this.seq.size();
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seq.created(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  query(q: SlotQuery): SlotResult {
    const size = this.seq.size();
    const lo = q.createdAfter === undefined ? 0 : this.lowerBound(q.createdAfter);
    const hi = q.createdBefore === undefined ? size : this.lowerBound(q.createdBefore);
    const slots: number[] = [];
    if (!q.pred) {
      const total = q.needCount ? this.countRange(lo, hi) : undefined;
      let s = this.nth(lo, hi, q.offset);
      let hasMore = false;
      for (; s < hi; s++) {
        if (!this.seq.exists(s)) continue;
        if (slots.length === q.limit) {
          hasMore = true;
          break;
        }
        slots.push(s);
      }
      return { slots, total, hasMore };
    }
    let count = 0;
    const end = q.offset + q.limit;
    for (let s = lo; s < hi; s++) {
      if (!this.seq.exists(s) || !q.pred(s)) continue;
      if (count >= q.offset && count < end) slots.push(s);
      count++;
      if (!q.needCount && count > end) break;
    }
    return { slots, total: q.needCount ? count : undefined, hasMore: count > end };
  }
}
