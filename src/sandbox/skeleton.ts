/**
 * The seeded skeleton of the tenant: which slots exist, when each record was created, and the
 * statuses and links that filters need, each an O(1) function of (seed, slot), so no record is
 * built to answer them. Only deletions and added candidates are stored, so memory stays flat in
 * tenant size.
 *
 * Slots (K = applications per candidate):
 * - candidate i, created spread over 2019-01-01 … 2024-01-01; added candidates follow
 * - application s = i*K + k (0–3 per candidate, capped by K), created within its candidate's step
 * - offer slot = application slot (at most one offer per application), created +21 days
 * - scorecard q = s*2 + m (0–2 per application), created +7 days
 * - job j: created spread over 2018-01-01 … 2024-01-01
 */
import { DAY_MS } from "./dates.ts";
import { mix, mixf } from "./prng.ts";

export const T0 = Date.UTC(2019, 0, 1);
export const T_END = Date.UTC(2024, 0, 1);
const JOB_T0 = Date.UTC(2018, 0, 1);

export interface SkeletonSizes {
  seed: number;
  candidates: number;
  jobs: number;
  applicationsPerCandidate: number;
}

export class Skeleton {
  readonly seed: number;
  /** Seeded candidates; slots from here on are added ones. */
  readonly seededCandidates: number;
  readonly applicationsPerCandidate: number;
  readonly jobs: number;
  #step: number;
  #deleted = new Set<number>();
  /** created_at of each added candidate, in slot order. */
  #added: number[] = [];

  constructor(sizes: SkeletonSizes) {
    this.seed = sizes.seed;
    this.seededCandidates = Math.max(0, Math.floor(sizes.candidates));
    this.applicationsPerCandidate = Math.max(1, Math.floor(sizes.applicationsPerCandidate));
    this.jobs = Math.max(1, Math.floor(sizes.jobs));
    this.#step = this.seededCandidates > 0 ? (T_END - T0) / this.seededCandidates : 1;
  }

  // ------------------------------------------------------------------ changes

  deleteCandidate(i: number): void {
    this.#deleted.add(i);
  }

  /** A new candidate slot created at `created`, which must not precede the last slot's. */
  addCandidate(created: number): number {
    this.#added.push(created);
    return this.candidateSlots() - 1;
  }

  // ------------------------------------------------------------------ candidates

  candidateSlots(): number {
    return this.seededCandidates + this.#added.length;
  }

  isAdded(i: number): boolean {
    return i >= this.seededCandidates;
  }

  candidateExists(i: number): boolean {
    return i < this.candidateSlots() && !this.#deleted.has(i);
  }

  candidateCreated(i: number): number {
    const n = this.seededCandidates;
    if (i >= n) return this.#added[i - n];
    return T0 + Math.floor(i * this.#step + mixf(this.seed, 1, i) * this.#step * 0.5);
  }

  /** updated_at before any write. */
  candidateUpdated(i: number): number {
    return this.candidateCreated(i) + this.#drift(6, i, 120);
  }

  // ------------------------------------------------------------------ applications

  candidateOf(s: number): number {
    return Math.floor(s / this.applicationsPerCandidate);
  }

  applicationSlots(): number {
    return this.candidateSlots() * this.applicationsPerCandidate;
  }

  /** Existing application slots of candidate i. */
  applicationsOf(i: number): number[] {
    const k = this.applicationsPerCandidate;
    const out: number[] = [];
    for (let m = 0; m < k; m++) {
      if (this.applicationExists(i * k + m)) out.push(i * k + m);
    }
    return out;
  }

  applicationExists(s: number): boolean {
    const i = this.candidateOf(s);
    return this.candidateExists(i) && s % this.applicationsPerCandidate < this.#applicationCount(i);
  }

  applicationCreated(s: number): number {
    const k = this.applicationsPerCandidate;
    const i = Math.floor(s / k), m = s % k;
    if (i >= this.seededCandidates) return this.#added[i - this.seededCandidates] + 1 + m;
    const within = (m + mixf(this.seed, 5, s) * 0.9) / k;
    return T0 + Math.floor(i * this.#step + this.#step * 0.5 + this.#step * 0.5 * within);
  }

  /** last_activity_at before any write. */
  applicationLastActivity(s: number): number {
    return this.applicationCreated(s) + this.#drift(24, s, 60);
  }

  isProspect(s: number): boolean {
    return !this.isAdded(this.candidateOf(s)) && mixf(this.seed, 3, s) < 0.15;
  }

  applicationStatus(s: number): string {
    const f = mixf(this.seed, 21, s);
    if (this.isAdded(this.candidateOf(s))) return "active";
    if (this.isProspect(s)) return f < 0.8 ? "active" : "converted";
    return f < 0.55 ? "active" : f < 0.85 ? "rejected" : "hired";
  }

  /** Job slots of an application: one, or for a prospect none, one or two. */
  applicationJobs(s: number): number[] {
    const a = mix(this.seed, 22, s) % this.jobs;
    if (!this.isProspect(s)) return [a];
    const f = mixf(this.seed, 23, s);
    if (f < 0.3) return [];
    if (f < 0.7 || this.jobs < 2) return [a];
    return [a, (a + 1 + (mix(this.seed, 25, s) % (this.jobs - 1))) % this.jobs];
  }

  /** How many applications candidate i was seeded with (writes and deletions aside). */
  seededApplications(i: number): number {
    return this.#applicationCount(i);
  }

  #applicationCount(i: number): number {
    if (this.isAdded(i)) return 1;
    const f = mixf(this.seed, 2, i);
    const c = f < 0.15 ? 0 : f < 0.65 ? 1 : f < 0.9 ? 2 : 3;
    return Math.min(c, this.applicationsPerCandidate);
  }

  // ------------------------------------------------------------------ offers (slot = application)

  offerExists(s: number): boolean {
    if (!this.applicationExists(s) || this.isProspect(s) || this.isAdded(this.candidateOf(s))) {
      return false;
    }
    const st = this.applicationStatus(s), f = mixf(this.seed, 26, s);
    return st === "hired" || (st === "active" && f < 0.2) || (st === "rejected" && f < 0.1);
  }

  offerCreated(s: number): number {
    return this.applicationCreated(s) + 21 * DAY_MS;
  }

  offerUpdated(s: number): number {
    return this.applicationCreated(s) + 21 * DAY_MS + this.#drift(41, s, 5);
  }

  offerStatus(s: number): string {
    const st = this.applicationStatus(s);
    return st === "hired" ? "accepted" : st === "rejected" ? "rejected" : "unresolved";
  }

  // ------------------------------------------------------------------ scorecards (q = s*2 + m)

  applicationOf(q: number): number {
    return Math.floor(q / 2);
  }

  scorecardExists(q: number): boolean {
    const s = this.applicationOf(q);
    return this.applicationExists(s) && q % 2 < this.#scorecardCount(s);
  }

  scorecardCreated(q: number): number {
    return this.applicationCreated(this.applicationOf(q)) + 7 * DAY_MS + (q % 2);
  }

  scorecardUpdated(q: number): number {
    const created = this.scorecardCreated(q);
    return mixf(this.seed, 51, q) < 0.7 ? created : created + this.#drift(52, q, 2);
  }

  #scorecardCount(s: number): number {
    if (this.isProspect(s) || this.isAdded(this.candidateOf(s))) return 0;
    const st = this.applicationStatus(s);
    return st === "hired" ? 2 : st === "rejected" ? 1 : mix(this.seed, 27, s) % 3 === 0 ? 1 : 0;
  }

  // ------------------------------------------------------------------ jobs

  jobCreated(j: number): number {
    const step = (T_END - JOB_T0) / this.jobs;
    return JOB_T0 + Math.floor(j * step + mixf(this.seed, 30, j) * step * 0.5);
  }

  jobUpdated(j: number): number {
    return this.jobCreated(j) + this.#drift(32, j, 365);
  }

  jobStatus(j: number): string {
    const f = mixf(this.seed, 31, j);
    return f < 0.6 ? "open" : f < 0.9 ? "closed" : "draft";
  }

  /** A seeded delay of up to `days` days, for an updated time after a created one. */
  #drift(kind: number, i: number, days: number): number {
    return Math.floor(mixf(this.seed, kind, i) * days * DAY_MS);
  }
}
