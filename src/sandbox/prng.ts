/** Tiny deterministic randomness: a 32-bit mixing hash for O(1) per-index facts, and mulberry32. */

/** Hash a few small non-negative integers (seed, kind, index, salt) to a uint32. */
export function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    // Fold values above 2^32 too, so large ids hash well.
    const lo = x >>> 0;
    const hi = Math.floor(x / 4294967296) >>> 0;
    h = Math.imul(h ^ lo, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ hi, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** `mix` as a float in [0, 1). */
export function mixf(...xs: number[]): number {
  return mix(...xs) / 4294967296;
}

/** Hash a string to a uint32 (FNV-1a). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a fast seeded PRNG for building one record's details. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed | 0;
  }
  /** Float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** uint32. */
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}
