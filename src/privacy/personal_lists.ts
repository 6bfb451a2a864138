/**
 * The lists that hold a candidate's personal data besides their own record, derived from the
 * entity table: every entity with a reference to candidates or to applications (applications,
 * offers, scorecards, interviews, educations, rejection details, …), and every entity whose
 * records belong to a record of such a list (`Reference.parent`: a scorecard answer names only
 * its scorecard, an interviewer only their interview). A new row with such a reference joins them
 * without a change here. `access` bundles a person's records in them, `erase` removes them from
 * the cache.
 */
import {
  type ApiRecord,
  ENTITIES,
  ENTITY_NAMES,
  type EntityName,
  type Reference,
} from "../entities.ts";
import { parseId, positiveId } from "../ids.ts";

/** The entities a person's records are tied to. */
export type Owner = "candidates" | "applications";

/** Whether a reference names a candidate or an application. */
export function isOwnerReference(reference: Reference): reference is Reference & { entity: Owner } {
  return reference.entity === "candidates" || reference.entity === "applications";
}

/**
 * Every entity holding records of a candidate or their applications, in table order: a parent
 * comes before the lists that belong to its records (the table lists them after it).
 */
export const PERSONAL_LISTS: readonly EntityName[] = ENTITY_NAMES.reduce<EntityName[]>(
  (personal, name) => {
    const references = ENTITIES[name].references;
    const owned = references.some(isOwnerReference) ||
      references.some((r) => r.parent === true && personal.includes(r.entity));
    return name !== "candidates" && owned ? [...personal, name] : personal;
  },
  [],
);

/** Whether a reference names the record this one belongs to in another personal list. */
export function isParentReference(reference: Reference): boolean {
  return reference.parent === true && PERSONAL_LISTS.includes(reference.entity);
}

/** The personal lists besides applications (which the bundle has as `apps_records`). */
export const RELATED_LISTS: readonly EntityName[] = PERSONAL_LISTS.filter((name) =>
  name !== "applications"
);

/**
 * One person's ids: the candidates carrying their address and those candidates' applications;
 * once read, also their records in the personal lists other lists belong to (their scorecards,
 * their interviews), which those lists are found by.
 */
export type Owners = Record<Owner, Set<number>> & Partial<Record<EntityName, Set<number>>>;

export function owners(candidates: Iterable<number>, applications: Iterable<number>): Owners {
  return { candidates: new Set(candidates), applications: new Set(applications) };
}

/**
 * Whether the record names one of the owners through a candidate or application reference, or
 * one of their records through a parent reference: true, false (it names other candidates or
 * applications only), or undefined when it names no candidate or application at all (v3
 * scorecards carry no candidate id, their answers only the scorecard; their index monikers name
 * the candidate). A parent the person's known records do not include proves nothing: it may
 * just not have been read.
 */
export function namesOwner(
  entity: EntityName,
  record: ApiRecord,
  people: Owners,
): boolean | undefined {
  let named = false;
  for (const reference of ENTITIES[entity].references) {
    const owner = isOwnerReference(reference);
    if (!owner && !isParentReference(reference)) continue;
    const known = people[reference.entity];
    for (const value of reference.ids(record)) {
      const id = positiveId(value);
      if (id === undefined) continue;
      if (known?.has(id)) return true;
      if (owner) named = true;
    }
  }
  return named ? false : undefined;
}

/** Whether an index moniker begins with one of the owners' ids (see `Entity.monikerOwner`). */
export function monikerNamesOwner(entity: EntityName, moniker: string, people: Owners): boolean {
  const owner = ENTITIES[entity].monikerOwner;
  if (owner === undefined) return false;
  const id = parseId(moniker.split("/", 1)[0]);
  return id !== undefined && people[owner].has(id);
}

/** "scheduled_interviews" → "scheduled interviews", as messages name a list. */
export function listTitle(entity: EntityName): string {
  const noun = ENTITIES[entity].noun;
  return noun.endsWith("s") ? noun : `${noun}s`;
}
