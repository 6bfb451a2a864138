/**
 * The synthetic tenant: every record is a pure function of (seed, slot), built on demand by
 * build/*.ts from the seeded skeleton. Only what writes changed lives in memory (deletions, added
 * candidates, per-candidate overlays), so memory is flat in tenant size, and the same seed with
 * the same writes gives the same tenant.
 */
import type { Clock } from "../clock.ts";
import type { ApiRecord } from "../entities.ts";
import { buildActivityFeed } from "./build/activity_feed.ts";
import { buildApplication } from "./build/applications.ts";
import { fileSpecOf, HOSTILE_KINDS, type HostileKind, hostileOwner } from "./build/attachments.ts";
import { buildCandidate } from "./build/candidates.ts";
import { awkwardStart, candidateIdentity } from "./build/identity.ts";
import { buildJob } from "./build/jobs.ts";
import { buildOffer } from "./build/offers.ts";
import { buildScorecard } from "./build/scorecards.ts";
import { buildUser, isServiceAccount } from "./build/users.ts";
import type { TenantView } from "./build/view.ts";
import { clone } from "./clone.ts";
import { encodeToken, type FileRef, type FileSpec, UrlSigner } from "./files.ts";
import { type IdKind, idOf, slotOfId, touchId } from "./ids.ts";
import { anonymize, emptyOverlay, type Overlay } from "./overlay.ts";
import { mix } from "./prng.ts";
import { Skeleton, type SkeletonSizes, T0, T_END } from "./skeleton.ts";
import { type Seq, SlotList } from "./slots.ts";
import * as V from "./vocab.ts";

export { HOSTILE_FILENAMES, type HostileKind } from "./build/attachments.ts";

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

export interface TenantConfig extends SkeletonSizes {
  users: number;
  /** Exact size of every generated attachment; undefined = 2–20 KB varying. */
  attachmentBytes?: number;
  /** Size of the one huge attachment (0 = none). */
  hugeAttachmentBytes: number;
  attachmentLifetimeMs: number;
  apiKey: string;
  clock: Clock;
}

/** Entities whose ids follow ids.ts; the fixed lists are looked up by id instead. */
const ID_KIND: Partial<Record<SandboxEntity, IdKind>> = {
  candidates: "candidate",
  applications: "application",
  offers: "offer",
  scorecards: "scorecard",
  jobs: "job",
};

/** A list of a few fixed records (v1 gives them no created_at; they count as created at 0). */
const fixedSeq = (items: readonly ApiRecord[]): Seq => ({
  size: () => items.length,
  exists: () => true,
  created: () => 0,
  build: (slot) => clone(items[slot]),
});

export class Tenant implements TenantView {
  readonly config: TenantConfig;
  readonly seed: number;
  readonly skeleton: Skeleton;
  readonly users: readonly ApiRecord[];
  /** Origin for file URLs, e.g. "http://127.0.0.1:1234"; set by the server once listening. */
  fileOrigin = "http://127.0.0.1";
  readonly signer: UrlSigner;
  #overlays = new Map<number, Overlay>();
  #touchSerial = 0;
  /** Counts writes: lists kept outside `lists` (catalog.ts) drop their cached counts when it moves. */
  revision = 0;
  readonly lists: Record<SandboxEntity, SlotList>;

  constructor(config: TenantConfig) {
    this.config = config;
    this.seed = config.seed;
    this.signer = new UrlSigner(config.seed, config.apiKey);
    this.skeleton = new Skeleton(config);
    this.users = Array.from(
      { length: Math.max(2, config.users) },
      (_, u) => buildUser(config.seed, u, config.users),
    );
    const sk = this.skeleton;
    const users = this.users;
    const list = (s: Seq) => new SlotList(s);
    this.lists = {
      candidates: list({
        size: () => sk.candidateSlots(),
        exists: (i) => sk.candidateExists(i),
        created: (i) => sk.candidateCreated(i),
        build: (i) => buildCandidate(this, i),
      }),
      applications: list({
        size: () => sk.applicationSlots(),
        exists: (s) => sk.applicationExists(s),
        created: (s) => sk.applicationCreated(s),
        build: (s) => buildApplication(this, s, true),
      }),
      offers: list({
        size: () => sk.applicationSlots(),
        exists: (s) => sk.offerExists(s),
        created: (s) => sk.offerCreated(s),
        build: (s) => buildOffer(this, s),
      }),
      scorecards: list({
        size: () => sk.applicationSlots() * 2,
        exists: (q) => sk.scorecardExists(q),
        created: (q) => sk.scorecardCreated(q),
        build: (q) => buildScorecard(this, q),
      }),
      jobs: list({
        size: () => sk.jobs,
        exists: () => true,
        created: (j) => sk.jobCreated(j),
        build: (j) => buildJob(this, j),
      }),
      users: list({
        size: () => users.length,
        exists: () => true,
        created: (u) => Date.parse(users[u].created_at),
        build: (u) => clone(users[u]),
      }),
      sources: list(fixedSeq(V.SOURCES)),
      prospect_pools: list(fixedSeq(V.PROSPECT_POOLS)),
    };
  }

  get attachmentBytes(): number | undefined {
    return this.config.attachmentBytes;
  }

  get hugeAttachmentBytes(): number {
    return this.config.hugeAttachmentBytes;
  }

  // ---------------------------------------------------------------- lookups

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
    const seq = this.lists[entity].seq;
    const kind = ID_KIND[entity];
    let slot: number | undefined;
    if (kind !== undefined) slot = slotOfId(kind, id);
    else {
      const items = entity === "sources"
        ? V.SOURCES
        : entity === "prospect_pools"
        ? V.PROSPECT_POOLS
        : this.users;
      const i = items.findIndex((r) => r.id === id);
      slot = i < 0 ? undefined : i;
    }
    if (slot === undefined || slot >= seq.size() || !seq.exists(slot)) return undefined;
    return slot;
  }

  candidateId(i: number): number {
    return idOf("candidate", i);
  }

  /** Whether the user is a service account, which v3 lists only when asked (build/users.ts). */
  isServiceUser(id: number): boolean {
    const u = this.users.findIndex((user) => user.id === id);
    return u >= 0 && isServiceAccount(u, this.config.users);
  }

  /** Ids of users valid as On-Behalf-Of (all users, including the disabled last one). */
  userIds(): number[] {
    return this.users.map((u) => u.id as number);
  }

  /** Candidate ids carrying each hostile attachment (see HOSTILE_FILENAMES). */
  hostileAttachmentCandidateIds(): Record<HostileKind, number> {
    const n = this.skeleton.seededCandidates;
    const applied = (i: number) => this.skeleton.seededApplications(i) > 0;
    const ids = HOSTILE_KINDS.map((k) => [k, this.candidateId(hostileOwner(n, k, applied))]);
    return Object.fromEntries(ids) as Record<HostileKind, number>;
  }

  /** Id of the candidate whose last attachment is huge, when hugeAttachmentBytes > 0. */
  hugeAttachmentCandidateId(): number | undefined {
    return this.config.hugeAttachmentBytes > 0
      ? this.hostileAttachmentCandidateIds().huge
      : undefined;
  }

  /** Candidate ids given the awkward names of vocab.AWKWARD_NAMES (in that order). */
  awkwardNameCandidateIds(): number[] {
    const n = this.skeleton.seededCandidates;
    const start = awkwardStart(n);
    const out: number[] = [];
    for (let k = 0; k < V.AWKWARD_NAMES.length && start + k < n; k++) {
      out.push(this.candidateId(start + k));
    }
    return out;
  }

  /** GET /v1/candidates/{id}/activity_feed, or undefined when the candidate does not exist. */
  activityFeed(id: number): ApiRecord | undefined {
    const i = this.slotOf("candidates", id);
    return i === undefined ? undefined : buildActivityFeed(this, i);
  }

  /** The file a token names, or undefined. */
  fileSpec(ref: FileRef): FileSpec | undefined {
    return fileSpecOf(this, ref);
  }

  /** A signed URL for a file, valid for attachmentLifetimeMs from now. */
  signedUrl(ref: FileRef): string {
    const token = encodeToken(ref);
    const expires = Math.floor((this.config.clock.now() + this.config.attachmentLifetimeMs) / 1000);
    const sig = this.signer.sign(token, expires);
    // A quarter of the URLs answer with a redirect first, as S3 sometimes does.
    const redirect =
      mix(this.config.seed, 77, ref.kind === "c" ? 1 : 2, ref.index, ref.n) % 4 === 0;
    return `${this.fileOrigin}/files/${
      redirect ? "r/" : ""
    }${token}?Expires=${expires}&Signature=${sig}`;
  }

  // ---------------------------------------------------------------- writes

  /** Change a candidate: updated_at/last_activity = now, a new tag, a new attachment, a new activity. */
  touchCandidate(id: number): ApiRecord {
    const i = this.#requireCandidate(id);
    const rec = buildCandidate(this, i);
    const o = this.#overlay(i);
    const now = this.#bump(i, rec);
    o.touches.push(now);
    o.touchIds.push(touchId(this.#touchSerial++));
    o.files.push({ at: now, kind: "resume", n: o.touches.length });
    o.fields.tags = [...(rec.tags as string[]), `Touched ${o.touches.length}`];
    this.#changed();
    return buildCandidate(this, i);
  }

  /**
   * A note (or an e-mail) logged on the candidate now. It moves the candidate's and its
   * applications' last activity but not the candidate's updated_at: in Harvest v3 a new note is
   * documented to move `last_activity_at` ("the most recent activity ... (notes, emails, stage
   * changes, etc.)"), not `updated_at`. Returns the note's id.
   */
  addNote(id: number, kind: "note" | "email" = "note"): number {
    const i = this.#requireCandidate(id);
    const o = this.#overlay(i);
    const at = this.#activity(i);
    const noteId = touchId(this.#touchSerial++);
    o.notes.push({ id: noteId, at, kind });
    this.#changed();
    return noteId;
  }

  /**
   * Edits the candidate's newest note (its body and, in v3, its updated_at); nothing else moves.
   * Returns the note's id, or undefined when the candidate has no note.
   */
  editNote(id: number): number | undefined {
    const i = this.#requireCandidate(id);
    const notes = (buildActivityFeed(this, i).notes ?? []) as ApiRecord[];
    const newest = notes.reduce<ApiRecord | undefined>(
      (a, n) => (a === undefined || n.created_at >= a.created_at ? n : a),
      undefined,
    );
    if (!newest) return undefined;
    const o = this.#overlay(i);
    const previous = Math.max(Date.parse(newest.created_at), o.editedNote?.at ?? 0);
    o.editedNote = { id: newest.id, at: Math.max(this.config.clock.now(), previous + 1) };
    this.#changed();
    return newest.id;
  }

  /** A file added to the candidate now: moves the last activity, not updated_at (as addNote). */
  addAttachment(id: number): void {
    const i = this.#requireCandidate(id);
    const o = this.#overlay(i);
    const at = this.#activity(i);
    o.files.push({
      at,
      kind: "portfolio",
      n: o.files.filter((f) => f.kind === "portfolio").length + 1,
    });
    this.#changed();
  }

  /** Delete a candidate; its applications, offers and scorecards disappear. */
  deleteCandidate(id: number): boolean {
    const i = this.slotOf("candidates", id);
    if (i === undefined) return false;
    this.skeleton.deleteCandidate(i);
    this.#overlays.delete(i);
    this.#changed();
    return true;
  }

  /** Add a candidate (created now, one active application, no offers/scorecards). */
  addCandidate(): ApiRecord {
    const sk = this.skeleton;
    const prev = sk.candidateSlots() > 0 ? sk.candidateCreated(sk.candidateSlots() - 1) : T0;
    const i = sk.addCandidate(Math.max(this.config.clock.now(), T_END, prev + 1000));
    this.#changed();
    return buildCandidate(this, i);
  }

  /** Replace top-level candidate fields (already validated) and bump updated_at. */
  patchCandidate(id: number, fields: Record<string, unknown>): ApiRecord {
    const i = this.#requireCandidate(id);
    const rec = buildCandidate(this, i);
    const o = this.#overlay(i);
    Object.assign(o.fields, clone(fields));
    this.#bump(i, rec);
    this.#changed();
    return buildCandidate(this, i);
  }

  /** Anonymize the given (validated) fields; see overlay.ts. */
  anonymizeCandidate(id: number, fields: readonly string[]): ApiRecord {
    const i = this.#requireCandidate(id);
    const rec = buildCandidate(this, i);
    anonymize(this.#overlay(i), rec, fields);
    this.#bump(i, rec, false);
    this.#changed();
    return buildCandidate(this, i);
  }

  // ---------------------------------------------------------------- facts writes can change

  overlayOf(i: number): Readonly<Overlay> | undefined {
    return this.#overlays.get(i);
  }

  /** Slots of the candidates writes changed (those with an overlay). */
  writtenCandidates(): number[] {
    return [...this.#overlays.keys()];
  }

  candidateUpdated(i: number): number {
    return this.#overlays.get(i)?.updatedAt ?? this.skeleton.candidateUpdated(i);
  }

  applicationLastActivity(s: number): number {
    const seeded = this.skeleton.applicationLastActivity(s);
    const written = this.#overlays.get(this.skeleton.candidateOf(s))?.lastActivity;
    return written !== undefined && written > seeded ? written : seeded;
  }

  /** Lower-cased email addresses of candidate i. */
  candidateEmails(i: number): string[] {
    const patched = this.#overlays.get(i)?.fields.email_addresses as ApiRecord[] | undefined;
    const list = patched ??
      candidateIdentity(this.seed, this.skeleton.seededCandidates, i).emails;
    return list.map((e) => String(e.value).toLowerCase());
  }

  /**
   * Candidate slots whose email_addresses contain `email` (case-insensitive, exact). Generated
   * addresses embed the candidate id, so this checks one candidate plus the patched overlays
   * instead of scanning the tenant.
   */
  candidatesWithEmail(email: string): Set<number> {
    const want = email.trim().toLowerCase();
    const out = new Set<number>();
    const check = (i: number) => {
      if (this.skeleton.candidateExists(i) && this.candidateEmails(i).includes(want)) out.add(i);
    };
    for (const m of want.matchAll(/(\d{10,16})@/g)) {
      const i = this.slotOf("candidates", Number(m[1]));
      if (i !== undefined) check(i);
    }
    for (const i of this.#overlays.keys()) check(i);
    return out;
  }

  // ---------------------------------------------------------------- internals

  /** After any write: the lists' cached existence counts may be stale. */
  #changed(): void {
    this.revision++;
    for (const l of Object.values(this.lists)) l.invalidate();
  }

  #overlay(i: number): Overlay {
    let o = this.#overlays.get(i);
    if (!o) {
      o = emptyOverlay();
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

  /** Moves candidate i's last activity to now (strictly later than before) and returns it. */
  #activity(i: number): number {
    const o = this.#overlay(i);
    const rec = buildCandidate(this, i);
    const now = Math.max(this.config.clock.now(), Date.parse(rec.last_activity) + 1);
    o.lastActivity = now;
    return now;
  }

  #requireCandidate(id: number): number {
    const i = this.slotOf("candidates", id);
    if (i === undefined) throw new Error(`Cannot change candidate ${id}: it does not exist`);
    return i;
  }
}
