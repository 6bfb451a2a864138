/** Candidate records: the seeded candidate with its embedded applications, then its overlay. */
import type { ApiRecord } from "../../entities.ts";
import { clone } from "../clone.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";
import { buildApplication } from "./applications.ts";
import { attachmentJson, candidateAttachments } from "./attachments.ts";
import { candidateIdentity } from "./identity.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

export function buildCandidate(t: TenantView, i: number): ApiRecord {
  const r = new Rng(mix(t.seed, 14, i));
  const id = idOf("candidate", i);
  const created = t.skeleton.candidateCreated(i);
  const updated = t.candidateUpdated(i);
  const o = t.overlayOf(i);
  const { first, last, emails } = candidateIdentity(t.seed, t.skeleton.seededCandidates, i);
  const apps = t.skeleton.applicationsOf(i);
  const attachments = candidateAttachments(t, i).map((a, n) =>
    attachmentJson(t, { kind: "c", index: i, n }, a)
  );
  const phones = Array.from({ length: r.int(3) }, (_, n) => ({
    value: `+1 555-01${String(r.int(100)).padStart(2, "0")}${n}`,
    type: r.pick(["home", "work", "mobile", "skype", "other"]),
  }));
  const profile = seededProfile(t, i);
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
    application_ids: apps.map((s) => idOf("application", s)),
    phone_numbers: phones,
    addresses: r.chance(0.4)
      ? [{ value: `${100 + r.int(900)} City Street\nNew York, NY 10001`, type: "home" }]
      : [],
    email_addresses: emails,
    website_addresses: r.chance(0.2) ? [{ value: "mysite.example.com", type: "personal" }] : [],
    social_media_addresses: r.chance(0.2) ? [{ value: `twitter.com/c${i}` }] : [],
    recruiter: r.chance(0.6) ? randomUserRef(r, t.users) : null,
    coordinator: r.chance(0.4) ? randomUserRef(r, t.users) : null,
    can_email: r.chance(0.9),
    tags: profile.tags,
    applications: apps.map((s) => buildApplication(t, s, false)),
    educations: profile.educations,
    employments: profile.employments,
    linked_user_ids: r.chance(0.03) ? [t.users[r.int(t.users.length)].id] : [],
    ...customFields(r),
  };
  if (o) {
    for (const [k, v] of Object.entries(o.fields)) rec[k] = clone(v);
  }
  return rec;
}

function customFields(r: Rng): { custom_fields: ApiRecord; keyed_custom_fields: ApiRecord } {
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

/**
 * A seeded candidate's tags, educations and employments (before any write), from a stream of
 * their own so v3's lists of them (candidate_lists.ts) need not build the whole candidate.
 */
export function seededProfile(
  t: TenantView,
  i: number,
): { tags: string[]; educations: ApiRecord[]; employments: ApiRecord[] } {
  const r = new Rng(mix(t.seed, 102, i));
  const created = t.skeleton.candidateCreated(i);
  const tags = V.TAGS.filter(() => r.chance(0.15));
  const eduStart = Math.floor((created - (8 + r.int(10)) * 365 * DAY_MS) / DAY_MS) * DAY_MS;
  const educations = r.chance(0.5)
    ? [{
      id: idOf("education", i),
      school_name: r.pick(V.SCHOOLS),
      degree: r.pick(V.DEGREES),
      discipline: r.pick(V.DISCIPLINES),
      start_date: iso(eduStart),
      end_date: iso(eduStart + 4 * 365 * DAY_MS),
    }]
    : [];
  const employments = r.chance(0.5)
    ? [{
      id: idOf("employment", i),
      company_name: r.pick(["Greenhouse", "Oceanic Airlines", "Ajira, Ltd."]),
      title: r.pick(["Engineer", "Analyst", "Pilot"]),
      start_date: iso(eduStart + 5 * 365 * DAY_MS),
      end_date: r.chance(0.5) ? null : iso(Math.floor(created / DAY_MS) * DAY_MS),
    }]
    : [];
  return { tags, educations, employments };
}

/** Candidate i's tags, educations or employments as they are now: a write may have replaced them. */
export function currentProfile<K extends "tags" | "educations" | "employments">(
  t: TenantView,
  i: number,
  key: K,
): ReturnType<typeof seededProfile>[K] {
  const written = t.overlayOf(i)?.fields[key];
  return Array.isArray(written)
    ? written as ReturnType<typeof seededProfile>[K]
    : seededProfile(t, i)[key];
}
