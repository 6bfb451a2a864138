/**
 * A candidate's name and seeded email addresses. Apart from the rest of the candidate because
 * attachments (file names) and email search need them without building the record.
 */
import type { ApiRecord } from "../../entities.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";

export interface Identity {
  first: string | null;
  last: string | null;
  emails: ApiRecord[];
}

/** The first seeded candidate given the awkward names of vocab.AWKWARD_NAMES, in that order. */
export function awkwardStart(seededCandidates: number): number {
  return seededCandidates >= 20 + V.AWKWARD_NAMES.length ? 20 : 0;
}

/**
 * Names and emails of candidate i. Generated addresses embed the candidate id, which lets an
 * email search look at one candidate instead of scanning the tenant.
 */
export function candidateIdentity(seed: number, seededCandidates: number, i: number): Identity {
  const r = new Rng(mix(seed, 10, i));
  const start = awkwardStart(seededCandidates);
  let first: string | null, last: string | null;
  const fa = r.next(), fi = r.pick(V.FIRST_NAMES), la = r.pick(V.LAST_NAMES);
  const aw = r.pick(V.AWKWARD_NAMES);
  if (i >= start && i - start < V.AWKWARD_NAMES.length && i < seededCandidates) {
    [first, last] = V.AWKWARD_NAMES[i - start];
  } else if (fa < 0.03) {
    [first, last] = aw;
  } else {
    [first, last] = [fi, la];
  }
  const id = idOf("candidate", i);
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
