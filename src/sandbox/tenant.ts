/**
 * The synthetic tenant: every record is a pure function of (seed, index), generated on demand.
 * Only overlays (touched / patched / anonymized / deleted / added candidates) live in memory, so
 * memory is flat in tenant size.
 *
 * Layout (all ids end in 003 like real Greenhouse ids; ids grow with created_at):
 * - candidate i: id 4_100_000_003 + i*1000, created spread over 2019-01-01 … 2024-01-01
 * - application slot s = i*K + k (K = applicationsPerCandidate): id 5_100_000_003 + s*1000
 * - offer slot = application slot (at most one offer per candidate application), created +21 days
 * - scorecard slot = s*2 + m, created +7 days
 * - job j, user u: small sequences
 */
import type { Clock } from "../clock.ts";
import type { ApiRecord } from "../entities.ts";
import { DAY_MS, iso, isoDate } from "./dates.ts";
import { contentTypeFor, encodeToken, type FileRef, type FileSpec, UrlSigner } from "./files.ts";
import { mix, mixf, Rng } from "./prng.ts";
import { type Seq, SlotList } from "./slots.ts";
import * as V from "./vocab.ts";

export const LIST_ENTITIES = [
  "applications",
  "candidates",
  "jobs",
  "offers",
  "prospect_pools",
  "scorecards",
  "sources",
  "users",
] as const;
export type SandboxEntity = typeof LIST_ENTITIES[number];

export interface TenantConfig {
  seed: number;
  candidates: number;
  jobs: number;
  applicationsPerCandidate: number;
  users: number;
  /** Exact size of every generated attachment; undefined = 2–20 KB varying. */
  attachmentBytes?: number;
  /** Size of the one huge attachment (0 = none). */
  hugeAttachmentBytes: number;
  attachmentLifetimeMs: number;
  apiKey: string;
  clock: Clock;
}

/** The hostile attachment file names, by kind. */
export const HOSTILE_FILENAMES = {
  dotdotSlash: "../../etc/passwd",
  dotdotBackslash: "..\\..\\win.ini",
  windowsDevice: "CON",
  complete: "complete",
  long300: "A".repeat(296) + ".pdf",
  nulAndControls: "bad\u0000name\u0001\u001f\u007f.pdf",
  empty: "",
  innerSlash: "folder/inner.pdf",
} as const;
export type HostileKind = keyof typeof HOSTILE_FILENAMES | "duplicateTypeAndCreatedAt" | "huge";
const HOSTILE_KINDS = Object.keys(HOSTILE_FILENAMES) as (keyof typeof HOSTILE_FILENAMES)[];

const T0 = Date.UTC(2019, 0, 1);
const T_END = Date.UTC(2024, 0, 1);
const JOB_T0 = Date.UTC(2018, 0, 1);
const USER_T0 = Date.UTC(2017, 6, 1);
const STRIDE = 1000;
const BASE = {
  user: 3_000_000_003,
  opening: 3_500_000_003,
  job: 4_000_000_003,
  candidate: 4_100_000_003,
  application: 5_100_000_003,
  offer: 6_100_000_003,
  scorecard: 7_100_000_003,
  note: 8_100_000_003,
  email: 8_600_000_003,
  activity: 9_100_000_003,
  education: 9_600_000_003,
  employment: 9_700_000_003,
  touch: 9_900_000_003,
};

interface Overlay {
  fields: Record<string, unknown>;
  updatedAt?: number;
  lastActivity?: number;
  /** Times of touchCandidate calls, each adding an attachment and an activity. */
  touches: number[];
  touchIds: number[];
  cleared: Set<"notes" | "emails" | "activities" | "attachments">;
}

interface AttachmentSpec {
  filename: string;
  type: string;
  createdAt: number;
  size: number;
}

/** Deep copy of plain JSON data (much cheaper than structuredClone for small objects). */
function clone<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = clone((v as Record<string, unknown>)[k]);
  return out as T;
}

function userRefOf(u: number, users: ApiRecord[]): ApiRecord {
  const user = users[u % users.length];
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    name: user.name,
    employee_id: user.employee_id,
  };
}

export class Tenant {
  readonly config: TenantConfig;
  /** Origin for file URLs, e.g. "http://127.0.0.1:1234"; set by the server once listening. */
  fileOrigin = "http://127.0.0.1";
  readonly signer: UrlSigner;
  #n: number;
  #k: number;
  #j: number;
  #step: number;
  #users: ApiRecord[];
  #deleted = new Set<number>();
  #overlays = new Map<number, Overlay>();
  #added: number[] = [];
  #touchSerial = 0;
  /** Bumped on every change; lets callers cache. */
  version = 0;
  readonly lists: Record<SandboxEntity, SlotList>;

  constructor(config: TenantConfig) {
    this.config = config;
    this.signer = new UrlSigner(config.seed, config.apiKey);
    this.#n = Math.max(0, Math.floor(config.candidates));
    this.#k = Math.max(1, Math.floor(config.applicationsPerCandidate));
    this.#j = Math.max(1, Math.floor(config.jobs));
    this.#step = this.#n > 0 ? (T_END - T0) / this.#n : 1;
    this.#users = Array.from({ length: Math.max(2, config.users) }, (_, u) => this.#buildUser(u));
    const seq = (s: Seq) => new SlotList(s);
    const fixed = (items: readonly ApiRecord[]): Seq => ({
      size: () => items.length,
      exists: () => true,
      created: () => 0,
      build: (slot) => clone(items[slot]),
    });
    this.lists = {
      candidates: seq({
        size: () => this.#candSize(),
        exists: (i) => this.#candExists(i),
        created: (i) => this.#candCreated(i),
        build: (i) => this.#candidate(i),
      }),
      applications: seq({
        size: () => this.#candSize() * this.#k,
        exists: (s) => this.#appExists(s),
        created: (s) => this.#appCreated(s),
        build: (s) => this.#application(s, true),
      }),
      offers: seq({
        size: () => this.#candSize() * this.#k,
        exists: (s) => this.#offerExists(s),
        created: (s) => this.#appCreated(s) + 21 * DAY_MS,
        build: (s) => this.#offer(s),
      }),
      scorecards: seq({
        size: () => this.#candSize() * this.#k * 2,
        exists: (q) => this.#scorecardExists(q),
        created: (q) => this.#appCreated(Math.floor(q / 2)) + 7 * DAY_MS + (q % 2),
        build: (q) => this.#scorecard(q),
      }),
      jobs: seq({
        size: () => this.#j,
        exists: () => true,
        created: (j) => this.#jobCreated(j),
        build: (j) => this.#job(j),
      }),
      users: seq({
        size: () => this.#users.length,
        exists: () => true,
        created: (u) => Date.parse(this.#users[u].created_at),
        build: (u) => clone(this.#users[u]),
      }),
      sources: seq(fixed(V.SOURCES)),
      prospect_pools: seq(fixed(V.PROSPECT_POOLS)),
    };
  }

  // ---------------------------------------------------------------- public inspection API

  /** All current records of an entity, in API order (small tenants only). */
  list(entity: SandboxEntity): ApiRecord[] {
    const l = this.lists[entity];
    const { slots } = l.query({ offset: 0, limit: Number.MAX_SAFE_INTEGER, needCount: false });
    return slots.map((s) => l.seq.build(s));
  }

  /** One record by id, or undefined. */
  get(entity: SandboxEntity, id: number): ApiRecord | undefined {
    const slot = this.slotOf(entity, id);
    return slot === undefined ? undefined : this.lists[entity].seq.build(slot);
  }

  /** The slot of an existing record, or undefined. */
  slotOf(entity: SandboxEntity, id: number): number | undefined {
    const l = this.lists[entity];
    let slot: number | undefined;
    if (entity === "sources" || entity === "prospect_pools" || entity === "users") {
      const items = entity === "sources"
        ? V.SOURCES
        : entity === "prospect_pools"
        ? V.PROSPECT_POOLS
        : this.#users;
      const i = items.findIndex((r) => r.id === id);
      slot = i < 0 ? undefined : i;
    } else {
      const base = {
        candidates: BASE.candidate,
        applications: BASE.application,
        offers: BASE.offer,
        scorecards: BASE.scorecard,
        jobs: BASE.job,
      }[entity];
      const d = id - base;
      if (Number.isSafeInteger(d) && d >= 0 && d % STRIDE === 0) slot = d / STRIDE;
    }
    if (slot === undefined || slot >= l.seq.size() || !l.seq.exists(slot)) return undefined;
    return slot;
  }

  candidateId(i: number): number {
    return BASE.candidate + i * STRIDE;
  }

  /** Ids of users valid as On-Behalf-Of (all users, including the disabled last one). */
  userIds(): number[] {
    return this.#users.map((u) => u.id as number);
  }

  /** Candidate ids carrying each hostile attachment (see HOSTILE_FILENAMES). */
  hostileAttachmentCandidateIds(): Record<HostileKind, number> {
    const out = {} as Record<HostileKind, number>;
    HOSTILE_KINDS.forEach((k, n) => (out[k] = this.candidateId(this.#hostileIndex(n))));
    out.duplicateTypeAndCreatedAt = this.candidateId(this.#hostileIndex(HOSTILE_KINDS.length));
    out.huge = this.candidateId(this.#hostileIndex(HOSTILE_KINDS.length + 1));
    return out;
  }

  /** Id of the candidate whose last attachment is huge, when hugeAttachmentBytes > 0. */
  hugeAttachmentCandidateId(): number | undefined {
    return this.config.hugeAttachmentBytes > 0
      ? this.hostileAttachmentCandidateIds().huge
      : undefined;
  }

  /** Candidate ids given the awkward names of vocab.AWKWARD_NAMES (in that order). */
  awkwardNameCandidateIds(): number[] {
    const start = this.#awkStart();
    const out: number[] = [];
    for (let k = 0; k < V.AWKWARD_NAMES.length && start + k < this.#n; k++) {
      out.push(this.candidateId(start + k));
    }
    return out;
  }

  /** Change a candidate: updated_at/last_activity = now, a new tag, a new attachment, a new activity. */
  touchCandidate(id: number): ApiRecord {
    const i = this.#requireCandidate(id);
    const rec = this.#candidate(i);
    const o = this.#overlay(i);
    const now = this.#bump(i, rec);
    o.touches.push(now);
    o.touchIds.push(BASE.touch + this.#touchSerial++ * 10);
    o.fields.tags = [...(rec.tags as string[]), `Touched ${o.touches.length}`];
    this.#changed();
    return this.#candidate(i);
  }

  /** Delete a candidate; its applications, offers and scorecards disappear. */
  deleteCandidate(id: number): boolean {
    const i = this.slotOf("candidates", id);
    if (i === undefined) return false;
    this.#deleted.add(i);
    this.#overlays.delete(i);
    this.#changed();
    return true;
  }

  /** Add a candidate (created now, one active application, no offers/scorecards). */
  addCandidate(): ApiRecord {
    const prev = this.#candSize() > 0 ? this.#candCreated(this.#candSize() - 1) : T0;
    const created = Math.max(this.config.clock.now(), T_END, prev + 1000);
    this.#added.push(created);
    this.#changed();
    return this.#candidate(this.#candSize() - 1);
  }

  /** Replace top-level candidate fields (already validated) and bump updated_at. */
  patchCandidate(id: number, fields: Record<string, unknown>): ApiRecord {
    const i = this.#requireCandidate(id);
    const rec = this.#candidate(i);
    const o = this.#overlay(i);
    Object.assign(o.fields, clone(fields));
    this.#bump(i, rec);
    this.#changed();
    return this.#candidate(i);
  }

  /** Anonymize the given (validated) fields, per harvest-api.md §5.4. */
  anonymizeCandidate(id: number, fields: readonly string[]): ApiRecord {
    const i = this.#requireCandidate(id);
    const rec = this.#candidate(i);
    const o = this.#overlay(i);
    const set = new Set(fields);
    const f = o.fields;
    if (set.has("full_name")) {
      f.first_name = "Anonymized";
      f.last_name = String(id);
    }
    if (set.has("current_company")) f.company = null;
    if (set.has("current_title")) f.title = null;
    if (set.has("tags")) f.tags = [];
    if (set.has("phone_numbers")) f.phone_numbers = [];
    if (set.has("email_addresses")) f.email_addresses = [];
    if (set.has("social_media_links")) f.social_media_addresses = [];
    if (set.has("websites")) f.website_addresses = [];
    if (set.has("addresses")) f.addresses = [];
    if (set.has("recruiter")) f.recruiter = null;
    if (set.has("coordinator")) f.coordinator = null;
    if (set.has("education")) f.educations = [];
    if (set.has("employment")) f.employments = [];
    if (set.has("custom_candidate_fields")) {
      f.custom_fields = Object.fromEntries(Object.keys(rec.custom_fields).map((k) => [k, null]));
      f.keyed_custom_fields = Object.fromEntries(
        Object.keys(rec.keyed_custom_fields).map((k) => [k, null]),
      );
    }
    if (set.has("attachments")) o.cleared.add("attachments");
    if (set.has("notes")) o.cleared.add("notes");
    if (set.has("emails")) o.cleared.add("emails");
    if (set.has("activity_items")) o.cleared.add("activities");
    this.#bump(i, rec, false);
    this.#changed();
    return this.#candidate(i);
  }

  /** GET /v1/candidates/{id}/activity_feed, or undefined when the candidate does not exist. */
  activityFeed(id: number): ApiRecord | undefined {
    const i = this.slotOf("candidates", id);
    return i === undefined ? undefined : this.#feed(i);
  }

  /** Applications of a candidate (existing slots). */
  applicationSlotsOf(i: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.#k; k++) {
      if (this.#appExists(i * this.#k + k)) out.push(i * this.#k + k);
    }
    return out;
  }

  /** The file a token names, or undefined. */
  fileSpec(ref: FileRef): FileSpec | undefined {
    let spec: AttachmentSpec | undefined;
    if (ref.kind === "c") {
      if (ref.index >= this.#candSize()) return undefined;
      spec = this.#candidateAttachments(ref.index, true)[ref.n];
    } else {
      if (ref.index >= this.#candSize() * this.#k || ref.n !== 0) return undefined;
      spec = this.#offerPacket(ref.index);
    }
    if (!spec) return undefined;
    return { size: spec.size, contentType: contentTypeFor(spec.filename), salt: 0 };
  }

  /** A signed URL for a file, valid for attachmentLifetimeMs from now. */
  signedUrl(ref: FileRef): string {
    const token = encodeToken(ref);
    const expires = Math.floor((this.config.clock.now() + this.config.attachmentLifetimeMs) / 1000);
    const sig = this.signer.sign(token, expires);
    const redirect =
      mix(this.config.seed, 77, ref.kind === "c" ? 1 : 2, ref.index, ref.n) % 4 === 0;
    return `${this.fileOrigin}/files/${
      redirect ? "r/" : ""
    }${token}?Expires=${expires}&Signature=${sig}`;
  }

  // ---------------------------------------------------------------- cheap facts for filters

  candidateUpdated(i: number): number {
    return this.#overlays.get(i)?.updatedAt ?? this.#candCreated(i) + this.#drift(6, i, 120);
  }

  /** Lower-cased email addresses of candidate i. */
  candidateEmails(i: number): string[] {
    const patched = this.#overlays.get(i)?.fields.email_addresses as ApiRecord[] | undefined;
    const list = patched ?? this.#identity(i).emails;
    return list.map((e) => String(e.value).toLowerCase());
  }

  /**
   * Candidate indices whose email_addresses contain `email` (case-insensitive, exact). Generated
   * addresses embed the candidate id, so this checks one candidate plus the patched overlays
   * instead of scanning the tenant.
   */
  candidatesWithEmail(email: string): Set<number> {
    const want = email.trim().toLowerCase();
    const out = new Set<number>();
    const check = (i: number) => {
      if (this.#candExists(i) && this.candidateEmails(i).includes(want)) out.add(i);
    };
    for (const m of want.matchAll(/(\d{10,16})@/g)) {
      const i = this.slotOf("candidates", Number(m[1]));
      if (i !== undefined) check(i);
    }
    for (const i of this.#overlays.keys()) check(i);
    return out;
  }

  appJobIds(s: number): number[] {
    return this.#appJobs(s).map((j) => BASE.job + j * STRIDE);
  }

  appStatus(s: number): string {
    return this.#appStatus(s);
  }

  appProspect(s: number): boolean {
    return this.#appProspect(s);
  }

  appLastActivity(s: number): number {
    const i = Math.floor(s / this.#k);
    const base = this.#appCreated(s) + this.#drift(24, s, 60);
    const o = this.#overlays.get(i)?.lastActivity;
    return o !== undefined && o > base ? o : base;
  }

  jobStatus(j: number): string {
    const f = mixf(this.config.seed, 31, j);
    return f < 0.6 ? "open" : f < 0.9 ? "closed" : "draft";
  }

  jobUpdated(j: number): number {
    return this.#jobCreated(j) + this.#drift(32, j, 365);
  }

  offerUpdated(s: number): number {
    return this.#appCreated(s) + 21 * DAY_MS + this.#drift(41, s, 5);
  }

  scorecardUpdated(q: number): number {
    const created = this.#appCreated(Math.floor(q / 2)) + 7 * DAY_MS + (q % 2);
    return mixf(this.config.seed, 51, q) < 0.7 ? created : created + this.#drift(52, q, 2);
  }

  offerStatus(s: number): string {
    const st = this.#appStatus(s);
    return st === "hired" ? "accepted" : st === "rejected" ? "rejected" : "unresolved";
  }

  // ---------------------------------------------------------------- internals: structure

  #changed(): void {
    this.version++;
    for (const l of Object.values(this.lists)) l.invalidate();
  }

  #overlay(i: number): Overlay {
    let o = this.#overlays.get(i);
    if (!o) {
      o = { fields: {}, touches: [], touchIds: [], cleared: new Set() };
      this.#overlays.set(i, o);
    }
    return o;
  }

  /** Set updated_at (and last_activity) to now, strictly after the previous value. */
  #bump(i: number, rec: ApiRecord, activity = true): number {
    const o = this.#overlay(i);
    const now = Math.max(this.config.clock.now(), Date.parse(rec.updated_at) + 1);
    o.updatedAt = now;
    if (activity) o.lastActivity = now;
    return now;
  }

  #requireCandidate(id: number): number {
    const i = this.slotOf("candidates", id);
    if (i === undefined) throw new Error(`Cannot change candidate ${id}: it does not exist`);
    return i;
  }

  #drift(kind: number, i: number, days: number): number {
    return Math.floor(mixf(this.config.seed, kind, i) * days * DAY_MS);
  }

  #candSize(): number {
    return this.#n + this.#added.length;
  }

  #candExists(i: number): boolean {
    return i < this.#candSize() && !this.#deleted.has(i);
  }

  #candCreated(i: number): number {
    if (i >= this.#n) return this.#added[i - this.#n];
    return T0 + Math.floor(i * this.#step + mixf(this.config.seed, 1, i) * this.#step * 0.5);
  }

  #appCount(i: number): number {
    if (i >= this.#n) return 1;
    const f = mixf(this.config.seed, 2, i);
    const c = f < 0.15 ? 0 : f < 0.65 ? 1 : f < 0.9 ? 2 : 3;
    return Math.min(c, this.#k);
  }

  #appExists(s: number): boolean {
    const i = Math.floor(s / this.#k);
    return this.#candExists(i) && s % this.#k < this.#appCount(i);
  }

  #appCreated(s: number): number {
    const i = Math.floor(s / this.#k), k = s % this.#k;
    if (i >= this.#n) return this.#added[i - this.#n] + 1 + k;
    const within = (k + mixf(this.config.seed, 5, s) * 0.9) / this.#k;
    return T0 + Math.floor(i * this.#step + this.#step * 0.5 + this.#step * 0.5 * within);
  }

  #appProspect(s: number): boolean {
    return Math.floor(s / this.#k) < this.#n && mixf(this.config.seed, 3, s) < 0.15;
  }

  #appStatus(s: number): string {
    const f = mixf(this.config.seed, 21, s);
    if (Math.floor(s / this.#k) >= this.#n) return "active";
    if (this.#appProspect(s)) return f < 0.8 ? "active" : "converted";
    return f < 0.55 ? "active" : f < 0.85 ? "rejected" : "hired";
  }

  #appJobs(s: number): number[] {
    const a = mix(this.config.seed, 22, s) % this.#j;
    if (!this.#appProspect(s)) return [a];
    const f = mixf(this.config.seed, 23, s);
    if (f < 0.3) return [];
    if (f < 0.7 || this.#j < 2) return [a];
    return [a, (a + 1 + (mix(this.config.seed, 25, s) % (this.#j - 1))) % this.#j];
  }

  #offerExists(s: number): boolean {
    if (!this.#appExists(s) || this.#appProspect(s) || Math.floor(s / this.#k) >= this.#n) {
      return false;
    }
    const st = this.#appStatus(s), f = mixf(this.config.seed, 26, s);
    return st === "hired" || (st === "active" && f < 0.2) || (st === "rejected" && f < 0.1);
  }

  #scorecardCount(s: number): number {
    if (this.#appProspect(s) || Math.floor(s / this.#k) >= this.#n) return 0;
    const st = this.#appStatus(s);
    return st === "hired"
      ? 2
      : st === "rejected"
      ? 1
      : mix(this.config.seed, 27, s) % 3 === 0
      ? 1
      : 0;
  }

  #scorecardExists(q: number): boolean {
    const s = Math.floor(q / 2);
    return this.#appExists(s) && q % 2 < this.#scorecardCount(s);
  }

  #jobCreated(j: number): number {
    const step = (T_END - JOB_T0) / this.#j;
    return JOB_T0 + Math.floor(j * step + mixf(this.config.seed, 30, j) * step * 0.5);
  }

  #hostileIndex(n: number): number {
    return this.#n === 0 ? 0 : (2 + n) % this.#n;
  }

  #awkStart(): number {
    return this.#n >= 20 + V.AWKWARD_NAMES.length ? 20 : 0;
  }

  // ---------------------------------------------------------------- internals: records

  #userRef(r: Rng): ApiRecord {
    return userRefOf(r.int(this.#users.length - 1), this.#users);
  }

  #buildUser(u: number): ApiRecord {
    const [first, last] = V.USER_NAMES[u % V.USER_NAMES.length];
    const suffix = u >= V.USER_NAMES.length ? ` ${Math.floor(u / V.USER_NAMES.length) + 1}` : "";
    const r = new Rng(mix(this.config.seed, 90, u));
    const created = USER_T0 + u * 7 * DAY_MS + r.int(DAY_MS);
    const email = `${first}.${last}${suffix}`.toLowerCase().replace(/[^a-z0-9.]+/g, "") +
      "@example.com";
    return {
      id: BASE.user + u * STRIDE,
      name: `${first} ${last}${suffix}`,
      first_name: first,
      last_name: `${last}${suffix}`,
      primary_email_address: email,
      updated_at: iso(created + r.int(300) * DAY_MS),
      created_at: iso(created),
      disabled: u === this.config.users - 1 && u > 1,
      site_admin: u === 0,
      emails: [email],
      employee_id: r.chance(0.3) ? null : String(10000 + r.int(90000)),
      linked_candidate_ids: [],
      offices: r.chance(0.5) ? [clone(V.OFFICES[r.int(V.OFFICES.length)])] : [],
      departments: r.chance(0.5) ? [clone(V.DEPARTMENTS[r.int(V.DEPARTMENTS.length)])] : [],
    };
  }

  #identity(i: number): { first: string | null; last: string | null; emails: ApiRecord[] } {
    const r = new Rng(mix(this.config.seed, 10, i));
    const start = this.#awkStart();
    let first: string | null, last: string | null;
    const fa = r.next(), fi = r.pick(V.FIRST_NAMES), la = r.pick(V.LAST_NAMES);
    const aw = r.pick(V.AWKWARD_NAMES);
    if (i >= start && i - start < V.AWKWARD_NAMES.length && i < this.#n) {
      [first, last] = V.AWKWARD_NAMES[i - start];
    } else if (fa < 0.03) {
      [first, last] = aw;
    } else {
      [first, last] = [fi, la];
    }
    const id = this.candidateId(i);
    const local = `${first ?? ""}.${last ?? ""}`.replace(/[^A-Za-z0-9.]+/g, "").replace(
      /^\.+|\.+$/g,
      "",
    );
    const user = `${local || "candidate"}.${id}`;
    const emails: ApiRecord[] = [];
    const fe = r.next();
    if (fe >= 0.05) {
      emails.push({
        value: fe < 0.25 ? `${user}@Example.COM` : `${user.toLowerCase()}@example.com`,
        type: "personal",
      });
      if (r.chance(0.3)) emails.push({ value: `${id}@work.example.org`, type: "work" });
    }
    return { first, last, emails };
  }

  #candidateAttachments(i: number, withTouches: boolean): AttachmentSpec[] {
    const o = this.#overlays.get(i);
    if (o?.cleared.has("attachments")) return [];
    const seed = this.config.seed;
    const r = new Rng(mix(seed, 11, i));
    const created = this.#candCreated(i);
    const { first, last } = this.#identity(i);
    const who = `${first ?? ""}_${last ?? ""}`;
    const out: AttachmentSpec[] = [];
    const size = (n: number) =>
      this.config.attachmentBytes ?? 2048 + (mix(seed, 12, i, n) % (18 * 1024 + 1));
    const add = (filename: string, type: string, at: number) =>
      out.push({ filename, type, createdAt: at, size: size(out.length) });
    if (r.chance(0.85)) add(`${who}_Resume.pdf`, "resume", created + r.int(3_600_000));
    if (r.chance(0.3)) add(`${who} cover letter.docx`, "cover_letter", created + r.int(DAY_MS));
    if (r.chance(0.1)) add("take_home.zip", "take_home_test", created + r.int(20 * DAY_MS));
    HOSTILE_KINDS.forEach((k, n) => {
      if (this.#hostileIndex(n) === i) {
        add(HOSTILE_FILENAMES[k], n % 2 === 0 ? "other" : "resume", created + 60_000 + n);
      }
    });
    if (this.#hostileIndex(HOSTILE_KINDS.length) === i) {
      add("Resume.pdf", "resume", created + 120_000);
      add("Resume.pdf", "resume", created + 120_000);
    }
    if (this.#hostileIndex(HOSTILE_KINDS.length + 1) === i && this.config.hugeAttachmentBytes > 0) {
      add("Portfolio (huge).zip", "other", created + 180_000);
      out[out.length - 1].size = this.config.hugeAttachmentBytes;
    }
    if (withTouches && o) {
      o.touches.forEach((t, n) => add(`${who}_Resume_v${n + 2}.pdf`, "resume", t));
    }
    return out;
  }

  #offerPacket(s: number): AttachmentSpec | undefined {
    if (this.#appStatus(s) !== "hired") return undefined;
    const size = this.config.attachmentBytes ?? 2048 + (mix(this.config.seed, 13, s) % 8192);
    return {
      filename: "Offer_Packet.pdf",
      type: "offer_packet",
      createdAt: this.#appCreated(s) + 21 * DAY_MS + 3_600_000,
      size,
    };
  }

  #attachmentJson(ref: FileRef, a: AttachmentSpec): ApiRecord {
    return {
      filename: a.filename,
      url: this.signedUrl(ref),
      type: a.type,
      created_at: iso(a.createdAt),
    };
  }

  #customFields(r: Rng): { custom_fields: ApiRecord; keyed_custom_fields: ApiRecord } {
    const salary = r.chance(0.7) ? String(50000 + r.int(100) * 1000) : null;
    const remote = r.chance(0.8) ? r.chance(0.5) : null;
    const year = r.chance(0.6) ? String(2000 + r.int(24)) : null;
    return {
      custom_fields: { desired_salary: salary, work_remotely: remote, graduation_year: year },
      keyed_custom_fields: {
        desired_salary: { name: "Desired Salary", type: "short_text", value: salary },
        work_remotely: { name: "Work Remotely", type: "boolean", value: remote },
        graduation_year_1: { name: "Graduation Year", type: "single_select", value: year },
      },
    };
  }

  #candidate(i: number): ApiRecord {
    const seed = this.config.seed;
    const r = new Rng(mix(seed, 14, i));
    const id = this.candidateId(i);
    const created = this.#candCreated(i);
    const updated = this.candidateUpdated(i);
    const o = this.#overlays.get(i);
    const { first, last, emails } = this.#identity(i);
    const apps = this.applicationSlotsOf(i);
    const attachments = this.#candidateAttachments(i, true).map((a, n) =>
      this.#attachmentJson({ kind: "c", index: i, n }, a)
    );
    const phones = Array.from({ length: r.int(3) }, (_, n) => ({
      value: `+1 555-01${String(r.int(100)).padStart(2, "0")}${n}`,
      type: r.pick(["home", "work", "mobile", "skype", "other"]),
    }));
    const tags = V.TAGS.filter(() => r.chance(0.15));
    const eduStart = created - (8 + r.int(10)) * 365 * DAY_MS;
    const rec: ApiRecord = {
      id,
      first_name: first,
      last_name: last,
      company: r.pick(V.COMPANIES),
      title: r.pick(V.TITLES),
      created_at: iso(created),
      updated_at: iso(updated),
      last_activity: iso(o?.lastActivity ?? updated - r.int(3_600_000)),
      is_private: r.chance(0.06),
      photo_url: null,
      attachments,
      application_ids: apps.map((s) => BASE.application + s * STRIDE),
      phone_numbers: phones,
      addresses: r.chance(0.4)
        ? [{ value: `${100 + r.int(900)} City Street\nNew York, NY 10001`, type: "home" }]
        : [],
      email_addresses: emails,
      website_addresses: r.chance(0.2) ? [{ value: "mysite.example.com", type: "personal" }] : [],
      social_media_addresses: r.chance(0.2) ? [{ value: `twitter.com/c${i}` }] : [],
      recruiter: r.chance(0.6) ? this.#userRef(r) : null,
      coordinator: r.chance(0.4) ? this.#userRef(r) : null,
      can_email: r.chance(0.9),
      tags,
      applications: apps.map((s) => this.#application(s, false)),
      educations: r.chance(0.5)
        ? [{
          id: BASE.education + i * STRIDE,
          school_name: r.pick(V.SCHOOLS),
          degree: r.pick(V.DEGREES),
          discipline: r.pick(V.DISCIPLINES),
          start_date: iso(Math.floor(eduStart / DAY_MS) * DAY_MS),
          end_date: iso(Math.floor(eduStart / DAY_MS) * DAY_MS + 4 * 365 * DAY_MS),
        }]
        : [],
      employments: r.chance(0.5)
        ? [{
          id: BASE.employment + i * STRIDE,
          company_name: r.pick(["Greenhouse", "Oceanic Airlines", "Ajira, Ltd."]),
          title: r.pick(["Engineer", "Analyst", "Pilot"]),
          start_date: iso(Math.floor(eduStart / DAY_MS) * DAY_MS + 5 * 365 * DAY_MS),
          end_date: r.chance(0.5) ? null : iso(Math.floor(created / DAY_MS) * DAY_MS),
        }]
        : [],
      linked_user_ids: r.chance(0.03) ? [this.#users[r.int(this.#users.length)].id] : [],
      ...this.#customFields(r),
    };
    if (o) {
      for (const [k, v] of Object.entries(o.fields)) rec[k] = clone(v);
    }
    return rec;
  }

  #application(s: number, full: boolean): ApiRecord {
    const seed = this.config.seed;
    const r = new Rng(mix(seed, 15, s));
    const i = Math.floor(s / this.#k);
    const prospect = this.#appProspect(s);
    const status = this.#appStatus(s);
    const applied = this.#appCreated(s);
    const jobs = this.#appJobs(s).map((j) => ({
      id: BASE.job + j * STRIDE,
      name: this.#jobName(j),
    }));
    const rejected = status === "rejected";
    const packet = this.#offerPacket(s);
    const pool = prospect ? V.PROSPECT_POOLS[r.int(V.PROSPECT_POOLS.length)] : null;
    const stage = pool?.prospect_stages.length ? pool.prospect_stages[0] : null;
    const rec: ApiRecord = {
      id: BASE.application + s * STRIDE,
      candidate_id: this.candidateId(i),
      prospect,
      applied_at: iso(applied),
      rejected_at: rejected ? iso(applied + r.range(1, 30) * DAY_MS) : null,
      last_activity_at: iso(this.appLastActivity(s)),
      location: prospect || r.chance(0.3) ? null : { address: "New York, New York, USA" },
      source: (() => {
        const src = r.pick(V.SOURCES);
        return { id: src.id, public_name: src.name };
      })(),
      credited_to: r.chance(0.7) ? this.#userRef(r) : null,
      recruiter: r.chance(0.5) ? this.#userRef(r) : null,
      coordinator: r.chance(0.3) ? this.#userRef(r) : null,
      rejection_reason: rejected ? clone(r.pick(V.REJECTION_REASONS)) : null,
      rejection_details: rejected
        ? {
          custom_fields: { custom_rejection_question_field: "Not a good fit" },
          keyed_custom_fields: {
            custom_rejection_question_field: {
              name: "Was this candidate a good fit?",
              type: "short_text",
              value: "Not a good fit",
            },
          },
        }
        : null,
      jobs,
      job_post_id: !prospect && r.chance(0.7) ? 700_000_003 + (jobs[0]?.id ?? 0) % 100_000 : null,
      status,
      current_stage: prospect || jobs.length === 0
        ? null
        : { id: 62_828 + r.int(V.STAGES.length), name: r.pick(V.STAGES) },
      answers: prospect || r.chance(0.4) ? [] : [
        {
          question: "Why do you want to work for us?",
          answer: 'I heard you\'re awesome, "really"!',
        },
        { question: "Willing to relocate?", answer: r.chance(0.5) ? "Yes" : "No" },
      ],
      prospective_office: prospect && r.chance(0.5) ? clone(V.OFFICES[0]) : null,
      prospective_department: prospect && r.chance(0.5) ? clone(V.DEPARTMENTS[2]) : null,
      prospect_detail: {
        prospect_pool: pool ? { id: pool.id, name: pool.name } : null,
        prospect_stage: stage ? clone(stage) : null,
        prospect_owner: prospect ? (({ id, name }) => ({ id, name }))(this.#userRef(r)) : null,
      },
      custom_fields: {},
      keyed_custom_fields: {},
      attachments: packet ? [this.#attachmentJson({ kind: "p", index: s, n: 0 }, packet)] : [],
    };
    const custom = r.chance(0.5) ? "Option 1" : null;
    rec.custom_fields = { application_custom_test: custom };
    rec.keyed_custom_fields = {
      application_custom_test: {
        name: "Application Custom Test",
        type: "single_select",
        value: custom,
      },
    };
    if (!full) {
      delete rec.custom_fields;
      delete rec.keyed_custom_fields;
      // Keep the documented key order: attachments last.
      const att = rec.attachments;
      delete rec.attachments;
      rec.attachments = att;
    }
    return rec;
  }

  #jobName(j: number): string {
    const base = V.JOB_NAMES[j % V.JOB_NAMES.length];
    return j < V.JOB_NAMES.length ? base : `${base} #${Math.floor(j / V.JOB_NAMES.length) + 1}`;
  }

  #job(j: number): ApiRecord {
    const r = new Rng(mix(this.config.seed, 16, j));
    const created = this.#jobCreated(j);
    const status = this.jobStatus(j);
    const opened = status === "draft" ? null : created + r.int(5) * DAY_MS;
    const closed = status === "closed" ? (opened ?? created) + r.range(10, 200) * DAY_MS : null;
    const team = (responsible: boolean) =>
      Array.from({ length: r.int(3) }, (_, n) => {
        const ref = this.#userRef(r);
        return responsible ? { ...ref, responsible: n === 0 } : ref;
      });
    const min = 50_000 + r.int(50) * 1000;
    return {
      id: BASE.job + j * STRIDE,
      name: this.#jobName(j),
      requisition_id: r.chance(0.7) ? `REQ-${1000 + j}` : null,
      notes: r.chance(0.5) ? "<p>Resistance to electro-magnetic radiation a plus!</p>" : null,
      confidential: r.chance(0.1),
      status,
      created_at: iso(created),
      opened_at: opened === null ? null : iso(opened),
      closed_at: closed === null ? null : iso(closed),
      updated_at: iso(this.jobUpdated(j)),
      is_template: r.chance(0.1) ? true : r.chance(0.2) ? null : false,
      copied_from_id: j > 0 && r.chance(0.2) ? BASE.job + r.int(j) * STRIDE : null,
      departments: [clone(r.pick(V.DEPARTMENTS))],
      offices: r.chance(0.8) ? [clone(r.pick(V.OFFICES))] : [],
      custom_fields: {
        employment_type: "Full-Time",
        salary_range: { min_value: min, max_value: min + 20_000, unit: "USD" },
      },
      keyed_custom_fields: {
        employment_type: { name: "Time type", type: "single_select", value: "Full-Time" },
        salary_range: {
          name: "Salary Range",
          type: "currency_range",
          value: { min_value: min, max_value: min + 20_000, unit: "USD" },
        },
      },
      hiring_team: {
        hiring_managers: team(false),
        recruiters: team(true),
        coordinators: team(true),
        sourcers: team(false),
      },
      openings: Array.from({ length: 1 + r.int(2) }, (_, n) => {
        const closedOpening = status === "closed" || (n > 0 && r.chance(0.5));
        return {
          id: BASE.opening + j * STRIDE + n,
          opening_id: r.chance(0.8) ? `${j}-${n + 1}` : null,
          status: closedOpening ? "closed" : "open",
          opened_at: iso(created + n * 1000),
          closed_at: closedOpening ? iso(closed ?? created + 30 * DAY_MS) : null,
          application_id: null,
          close_reason: closedOpening ? { id: 689, name: "Hired" } : null,
        };
      }),
    };
  }

  #offer(s: number): ApiRecord {
    const r = new Rng(mix(this.config.seed, 17, s));
    const created = this.#appCreated(s) + 21 * DAY_MS;
    const status = this.offerStatus(s);
    const updated = this.offerUpdated(s);
    const job = this.#appJobs(s)[0] ?? 0;
    const sent = status === "unresolved" && r.chance(0.5) ? null : isoDate(created + DAY_MS);
    const salary = r.chance(0.5) ? { value: 40_000 + r.int(80) * 1000, currency: "EUR" } : null;
    const seasons = r.chance(0.5) ? ["Season 1", "Season 2"] : null;
    return {
      id: BASE.offer + s * STRIDE,
      version: 1,
      application_id: BASE.application + s * STRIDE,
      job_id: BASE.job + job * STRIDE,
      candidate_id: this.candidateId(Math.floor(s / this.#k)),
      opening: r.chance(0.5)
        ? {
          id: BASE.opening + job * STRIDE,
          opening_id: `${job}-1`,
          status: "open",
          opened_at: iso(this.#jobCreated(job)),
          closed_at: null,
          application_id: null,
          close_reason: null,
        }
        : null,
      created_at: iso(created),
      updated_at: iso(updated),
      sent_at: sent,
      resolved_at: status === "unresolved" ? null : iso(updated),
      starts_at: isoDate(created + r.range(20, 90) * DAY_MS),
      status,
      custom_fields: { employment_type: "Full-Time", best_seasons: seasons, salary },
      keyed_custom_fields: {
        time_type: { name: "Employment Type", type: "single_select", value: "Full-Time" },
        best_seasons: { name: "Best seasons", type: "multi_select", value: seasons },
        salary: { name: "Salary", type: "currency", value: salary },
      },
    };
  }

  #scorecard(q: number): ApiRecord {
    const s = Math.floor(q / 2);
    const r = new Rng(mix(this.config.seed, 18, q));
    const created = this.#appCreated(s) + 7 * DAY_MS + (q % 2);
    const ratings = ["definitely_not", "no", "mixed", "yes", "strong_yes"] as const;
    const attrs = ["Communication", "Adaptable", "Problem Solver", "Analytical"].map((name) => ({
      name,
      type: r.chance(0.5) ? "Skills" : "Qualifications",
      note: r.chance(0.2) ? 'Great, "really" great\ncommunicator' : null,
      rating: r.pick([...ratings, "no_decision"]),
    }));
    const byRating: ApiRecord = {};
    for (const k of ratings) byRating[k] = attrs.filter((a) => a.rating === k).map((a) => a.name);
    const step = r.pick(V.STAGES);
    return {
      id: BASE.scorecard + q * STRIDE,
      updated_at: iso(this.scorecardUpdated(q)),
      created_at: iso(created),
      interview: step,
      interview_step: { id: 432 + V.STAGES.indexOf(step), name: step },
      candidate_id: this.candidateId(Math.floor(s / this.#k)),
      application_id: BASE.application + s * STRIDE,
      interviewed_at: iso(created - DAY_MS),
      submitted_by: this.#userRef(r),
      interviewer: this.#userRef(r),
      submitted_at: iso(created),
      overall_recommendation: r.pick(["definitely_not", "no", "yes", "strong_yes", "no_decision"]),
      attributes: attrs,
      ratings: byRating,
      questions: [
        { id: null, question: "Key Take-Aways", answer: r.chance(0.3) ? "" : "Seems decent." },
        { id: null, question: "Private Notes", answer: "" },
        {
          id: 1_234_567,
          question: "Does the candidate have experience designing <b>APIs</b>?",
          answer: "Yes",
        },
      ],
    };
  }

  #feed(i: number): ApiRecord {
    const r = new Rng(mix(this.config.seed, 19, i));
    const o = this.#overlays.get(i);
    const created = this.#candCreated(i);
    const span = Math.max(1, this.candidateUpdated(i) - created);
    const at = () => iso(created + r.int(span));
    const email = this.candidateEmails(i)[0] ?? null;
    const notes = Array.from({ length: r.int(3) }, (_, n) => {
      const visibility = r.pick(["admin_only", "public", "private"]);
      return {
        id: BASE.note + i * STRIDE + n,
        created_at: at(),
        body: r.pick(["Very mysterious.", 'Call back, "after" lunch', "Line one\nLine two"]),
        user: this.#userRef(r),
        private: visibility === "private",
        visiblity: visibility,
        visibility,
      };
    });
    const emails = Array.from({ length: r.int(2) }, (_, n) => {
      const user = this.#userRef(r);
      return {
        id: BASE.email + i * STRIDE + n,
        created_at: at(),
        subject: r.chance(0.1) ? null : "Regarding your application",
        body: "Hey,  just wanted to touch base!",
        to: email,
        from: `${String(user.first_name).toLowerCase()}@example.com`,
        cc: r.chance(0.3) ? "sam.smith@example.com" : null,
        user,
      };
    });
    const activities: ApiRecord[] = Array.from({ length: 1 + r.int(3) }, (_, n) => {
      const nullSubject = r.chance(0.3);
      return {
        id: BASE.activity + i * STRIDE + n,
        created_at: at(),
        subject: nullSubject ? null : r.pick(["Candidate Stage Change", "Candidate Rejected"]),
        body: nullSubject
          ? "Someone added this candidate through Greenhouse."
          : "Moved into Recruiter Phone Screen for Accounting Manager",
        user: nullSubject || r.chance(0.2) ? null : this.#userRef(r),
      };
    });
    o?.touches.forEach((t, n) =>
      activities.push({
        id: o.touchIds[n],
        created_at: iso(t),
        subject: "Candidate Updated",
        body: `Sandbox touch ${n + 1}`,
        user: null,
      })
    );
    return {
      notes: o?.cleared.has("notes") ? [] : notes,
      emails: o?.cleared.has("emails") ? [] : emails,
      activities: o?.cleared.has("activities") ? [] : activities,
      linkedin_notes: [],
      linkedin_inmails: [],
    };
  }
}
