/**
 * The lists that hold a candidate's personal data besides their own record, derived from the
 * entity table: every entity with a reference to candidates or to applications. Today that is
 * applications, offers, scorecards, scheduled interviews, application stages, demographic answers
 * and EEOC responses; a new row with such a reference joins them without a change here. `access`
 * bundles a person's records in them, `erase` removes them from the cache.
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

/** Every entity holding records of a candidate or their applications, in table order. */
export const PERSONAL_LISTS: readonly EntityName[] = ENTITY_NAMES.filter((name) =>
  name !== "candidates" && ENTITIES[name].references.some(isOwnerReference)
);

/** The personal lists besides applications (which the bundle has as `apps_records`). */
export const RELATED_LISTS: readonly EntityName[] = PERSONAL_LISTS.filter((name) =>
  name !== "applications"
);

/** One person's ids: the candidates carrying their address and those candidates' applications. */
export interface Owners {
  candidates: Set<number>;
  applications: Set<number>;
}

export function owners(candidates: Iterable<number>, applications: Iterable<number>): Owners {
  return { candidates: new Set(candidates), applications: new Set(applications) };
}

/**
 * Whether the record names one of the owners through a candidate or application reference:
 * true, false (it names others only), or undefined when it names no candidate or application at
 * all (v3 scorecards carry no candidate id; their index moniker names it).
 */
export function namesOwner(
  entity: EntityName,
  record: ApiRecord,
  people: Owners,
): boolean | undefined {
  let named = false;
  for (const reference of ENTITIES[entity].references) {
    if (!isOwnerReference(reference)) continue;
    for (const value of reference.ids(record)) {
      const id = positiveId(value);
      if (id === undefined) continue;
      if (people[reference.entity].has(id)) return true;
      named = true;
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
