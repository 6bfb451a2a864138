/**
 * What writes changed on a candidate: an overlay on its seeded record. Only candidates that were
 * written to have one, so memory grows with the writes, not with the tenant.
 */
import type { ApiRecord } from "../entities.ts";
import { clone } from "./clone.ts";

/** Children of a candidate that anonymizing can remove as a whole. */
export type ClearableChildren = "notes" | "emails" | "activities" | "attachments";

export interface Overlay {
  /** Top-level candidate fields that replace the seeded ones. */
  fields: Record<string, unknown>;
  updatedAt?: number;
  lastActivity?: number;
  /** Times of touchCandidate calls, each adding an attachment and an activity. */
  touches: number[];
  /** The activity id of each touch. */
  touchIds: number[];
  /** Notes and e-mails added to the candidate (Tenant.addNote), oldest first. */
  notes: AddedNote[];
  /** The note last edited (Tenant.editNote) and when, if one was. */
  editedNote?: { id: number; at: number };
  /** Files added to the candidate, by touches and Tenant.addAttachment, oldest first. */
  files: AddedFile[];
  cleared: Set<ClearableChildren>;
}

export interface AddedNote {
  id: number;
  at: number;
  kind: "note" | "email";
}

/** A file a write added: a touch's new résumé version, or an added portfolio. */
export interface AddedFile {
  at: number;
  kind: "resume" | "portfolio";
  /** Counts the files of this kind the candidate was given, from 1. */
  n: number;
}

export function emptyOverlay(): Overlay {
  return { fields: {}, touches: [], touchIds: [], notes: [], files: [], cleared: new Set() };
}

/** Candidate fields each anonymize field name clears, and to what. */
const CLEARED_FIELDS: Record<string, Record<string, unknown>> = {
  current_company: { company: null },
  current_title: { title: null },
  tags: { tags: [] },
  phone_numbers: { phone_numbers: [] },
  email_addresses: { email_addresses: [] },
  social_media_links: { social_media_addresses: [] },
  websites: { website_addresses: [] },
  addresses: { addresses: [] },
  recruiter: { recruiter: null },
  coordinator: { coordinator: null },
  education: { educations: [] },
  employment: { employments: [] },
};

/** Children each anonymize field name removes. */
const CLEARED_CHILDREN: Record<string, ClearableChildren> = {
  attachments: "attachments",
  notes: "notes",
  emails: "emails",
  activity_items: "activities",
};

/**
 * Record in `o` what anonymizing `fields` of candidate `current` does, as the example answer of
 * https://developers.greenhouse.io/harvest.html#put-anonymize-candidate shows: names become
 * "Anonymized" and the id, other fields null or empty. Names without an effect on the sandbox's
 * records are accepted and change nothing.
 */
export function anonymize(o: Overlay, current: ApiRecord, fields: readonly string[]): void {
  for (const name of fields) {
    if (name === "full_name") {
      o.fields.first_name = "Anonymized";
      o.fields.last_name = String(current.id);
    } else if (name === "custom_candidate_fields") {
      const nulls = (r: ApiRecord) => Object.fromEntries(Object.keys(r).map((k) => [k, null]));
      o.fields.custom_fields = nulls(current.custom_fields);
      o.fields.keyed_custom_fields = nulls(current.keyed_custom_fields);
    } else if (Object.hasOwn(CLEARED_FIELDS, name)) {
      Object.assign(o.fields, clone(CLEARED_FIELDS[name]));
    } else if (Object.hasOwn(CLEARED_CHILDREN, name)) {
      o.cleared.add(CLEARED_CHILDREN[name]);
    }
  }
}
