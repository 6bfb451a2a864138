/** Users, and the short user reference other records embed. */
import type { ApiRecord } from "../../entities.ts";
import { clone } from "../clone.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf, slotOfId } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";

const USER_T0 = Date.UTC(2017, 6, 1);

/**
 * Whether user u of `count` is a service account (an integration user): the one before the
 * last, in a tenant of four users or more. It has no e-mail address, and v3 lists it only with
 * `show_service_accounts=true` (with `primary_email` "", as the v3 spec says).
 */
export function isServiceAccount(u: number, count: number): boolean {
  return count >= 4 && u === count - 2;
}

/** User u of `count` (the last one is disabled when there are more than two). */
export function buildUser(seed: number, u: number, count: number): ApiRecord {
  const [first, last] = V.USER_NAMES[u % V.USER_NAMES.length];
  const suffix = u >= V.USER_NAMES.length ? ` ${Math.floor(u / V.USER_NAMES.length) + 1}` : "";
  const r = new Rng(mix(seed, 90, u));
  const created = USER_T0 + u * 7 * DAY_MS + r.int(DAY_MS);
  const email = isServiceAccount(u, count)
    ? null
    : `${first}.${last}${suffix}`.toLowerCase().replace(/[^a-z0-9.]+/g, "") + "@example.com";
  const user: ApiRecord = {
    id: idOf("user", u),
    name: `${first} ${last}${suffix}`,
    first_name: first,
    last_name: `${last}${suffix}`,
    primary_email_address: email,
    updated_at: iso(created + r.int(300) * DAY_MS),
    created_at: iso(created),
    disabled: u === count - 1 && u > 1,
    site_admin: u === 0,
    emails: email === null ? [] : [email],
    employee_id: r.chance(0.3) ? null : String(10000 + r.int(90000)),
    linked_candidate_ids: [],
    offices: r.chance(0.5) ? [clone(V.OFFICES[r.int(V.OFFICES.length)])] : [],
    departments: r.chance(0.5) ? [clone(V.DEPARTMENTS[r.int(V.DEPARTMENTS.length)])] : [],
  };
  // A third also sign in with a second address (v3 lists each as a user e-mail).
  if (r.chance(0.35) && email !== null) {
    user.emails.push(email.replace("@example.com", "@alumni.example.org"));
  }
  return user;
}

/** The referrer record (v3 `/referrers`) crediting user `userId`: one per user. */
export const referrerIdOf = (userId: number): number | null => {
  const u = slotOfId("user", userId);
  return u === undefined ? null : idOf("referrer", u);
};

/** The user reference embedded in records (recruiter, interviewer, …). */
export function userRef(user: ApiRecord): ApiRecord {
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    name: user.name,
    employee_id: user.employee_id,
  };
}

/** A random enabled user's reference (never the last user, which may be disabled). */
export function randomUserRef(r: Rng, users: readonly ApiRecord[]): ApiRecord {
  const u = r.int(users.length - 1);
  return userRef(users[u % users.length]);
}
