/**
 * Attachments: a candidate's files (some with hostile names, one optionally huge) and the offer
 * packet of a hired application, as specs the file route serves and as the JSON records embed.
 */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso } from "../dates.ts";
import { contentTypeFor, type FileRef, type FileSpec } from "../files.ts";
import { mix, Rng } from "../prng.ts";
import { candidateIdentity } from "./identity.ts";
import type { TenantView } from "./view.ts";

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
const NAMED_KINDS = Object.keys(HOSTILE_FILENAMES) as (keyof typeof HOSTILE_FILENAMES)[];
/** Every hostile kind in the order its candidates follow each other. */
export const HOSTILE_KINDS: readonly HostileKind[] = [
  ...NAMED_KINDS,
  "duplicateTypeAndCreatedAt",
  "huge",
];

/**
 * The seeded candidate carrying the hostile attachment of `kind`: from the third candidate on,
 * the n-th with an application, kind by kind (so both versions serve it: every v3 attachment
 * belongs to an application). `applied(i)` says whether seeded candidate i has one.
 */
export function hostileOwner(
  seededCandidates: number,
  kind: HostileKind,
  applied: (i: number) => boolean,
): number {
  const n = HOSTILE_KINDS.indexOf(kind);
  if (seededCandidates === 0) return 0;
  let found = -1;
  for (let i = 2; i < seededCandidates; i++) {
    if (applied(i) && ++found === n) return i;
  }
  return (2 + n) % seededCandidates;
}

export interface AttachmentSpec {
  filename: string;
  type: string;
  createdAt: number;
  size: number;
}

/** The files of candidate i, those writes added (touches, Tenant.addAttachment) included. */
export function candidateAttachments(t: TenantView, i: number): AttachmentSpec[] {
  const o = t.overlayOf(i);
  if (o?.cleared.has("attachments")) return [];
  const seed = t.seed;
  const n = t.skeleton.seededCandidates;
  const applied = (c: number) => t.skeleton.seededApplications(c) > 0;
  const r = new Rng(mix(seed, 11, i));
  const created = t.skeleton.candidateCreated(i);
  const { first, last } = candidateIdentity(t.seed, n, i);
  const who = `${first ?? ""}_${last ?? ""}`;
  const out: AttachmentSpec[] = [];
  const size = (k: number) => t.attachmentBytes ?? 2048 + (mix(seed, 12, i, k) % (18 * 1024 + 1));
  const add = (filename: string, type: string, at: number) =>
    out.push({ filename, type, createdAt: at, size: size(out.length) });
  if (r.chance(0.85)) add(`${who}_Resume.pdf`, "resume", created + r.int(3_600_000));
  if (r.chance(0.3)) add(`${who} cover letter.docx`, "cover_letter", created + r.int(DAY_MS));
  if (r.chance(0.1)) add("take_home.zip", "take_home_test", created + r.int(20 * DAY_MS));
  NAMED_KINDS.forEach((kind, k) => {
    if (hostileOwner(n, kind, applied) === i) {
      add(HOSTILE_FILENAMES[kind], k % 2 === 0 ? "other" : "resume", created + 60_000 + k);
    }
  });
  if (hostileOwner(n, "duplicateTypeAndCreatedAt", applied) === i) {
    add("Resume.pdf", "resume", created + 120_000);
    add("Resume.pdf", "resume", created + 120_000);
  }
  if (hostileOwner(n, "huge", applied) === i && t.hugeAttachmentBytes > 0) {
    add("Portfolio (huge).zip", "other", created + 180_000);
    out[out.length - 1].size = t.hugeAttachmentBytes;
  }
  // Files writes added, in the order they were added (so a file's index never changes).
  for (const f of o?.files ?? []) {
    if (f.kind === "resume") add(`${who}_Resume_v${f.n + 1}.pdf`, "resume", f.at);
    else add(`${who}_Portfolio_${f.n}.pdf`, "other", f.at);
  }
  return out;
}

/** The offer packet of application s: hired applications have one. */
export function offerPacket(t: TenantView, s: number): AttachmentSpec | undefined {
  if (t.skeleton.applicationStatus(s) !== "hired") return undefined;
  const size = t.attachmentBytes ?? 2048 + (mix(t.seed, 13, s) % 8192);
  return {
    filename: "Offer_Packet.pdf",
    type: "offer_packet",
    createdAt: t.skeleton.offerCreated(s) + 3_600_000,
    size,
  };
}

/** The file a token names, or undefined. */
export function fileSpecOf(t: TenantView, ref: FileRef): FileSpec | undefined {
  const sk = t.skeleton;
  let spec: AttachmentSpec | undefined;
  if (ref.kind === "c") {
    if (ref.index >= sk.candidateSlots()) return undefined;
    spec = candidateAttachments(t, ref.index)[ref.n];
  } else {
    if (ref.index >= sk.applicationSlots() || ref.n !== 0) return undefined;
    spec = offerPacket(t, ref.index);
  }
  if (!spec) return undefined;
  return { size: spec.size, contentType: contentTypeFor(spec.filename), salt: 0 };
}

/** An attachment as records embed it, with a URL signed now. */
export function attachmentJson(t: TenantView, ref: FileRef, a: AttachmentSpec): ApiRecord {
  return {
    filename: a.filename,
    url: t.signedUrl(ref),
    type: a.type,
    created_at: iso(a.createdAt),
  };
}
