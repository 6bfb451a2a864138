/**
 * A person's records in the lists holding personal data besides candidates and applications
 * (personal_lists.ts: offers, scorecards, scheduled interviews, application stages, demographic
 * answers, EEOC responses), read with list endpoints only:
 *
 * - v1: each list's per-application endpoint, `GET /applications/{id}/<list>` (the reference's
 *   "List Scheduled Interviews for Application", "List Demographic Answers For Application",
 *   "List Offers for Application", "List Scorecards for Application"), one paginated listing per
 *   application. A list v1 does not have (EEOC, application stages) is reported unavailable,
 *   unless v1 embeds its records in those the bundle has (educations in candidates, answers in
 *   scorecards: `Entity.embeddedInV1`).
 * - v3: each list filtered by its parent's ids, `GET /interviews?application_ids=…` (the parent
 *   filter every v3 list takes: https://harvestdocs.greenhouse.io/docs/list-endpoints), the
 *   application ids where the list names applications, else the candidate ids, 50 a request. A
 *   list whose records name only a parent record (scorecard answers their scorecard, interviewers
 *   their interview) is filtered by the ids of the person's records read from the parent's list
 *   before it (`scorecard_ids=…`); when that list was refused, so is this one.
 *
 * A list the credentials may not read (403) is reported unavailable with the permission or scope
 * to grant, one this tenant does not have (v3: its list answers 404) as missing, and the rest of
 * the bundle is still made. Only records naming one of the person's
 * candidates or applications are kept. The cache's copies (for people only the cache still holds)
 * come from `cachedRelated`, which streams index.csv and reads only the matching files.
 */
import { join } from "node:path";
import {
  INDEX_FILE,
  isIndexProblem,
  isRealFolder,
  readIndexBatches,
  readTextNoFollow,
  recordFileName,
} from "../cache/mod.ts";
import {
  type ApiRecord,
  ENTITIES,
  entityListings,
  type EntityName,
  recordId,
  type Reference,
} from "../entities.ts";
import { type HarvestClient, statusOf } from "../harvest/mod.ts";
import { chunk } from "../dependent/run.ts";
import { applicationListPermission, listPermission } from "./ping.ts";
import {
  isOwnerReference,
  isParentReference,
  listTitle,
  monikerNamesOwner,
  namesOwner,
  type Owners,
  RELATED_LISTS,
} from "./personal_lists.ts";

/** A list the bundle leaves out, and why. */
export interface UnavailableList {
  list: EntityName;
  /** One line: the version has no such list, or the credentials may not read it. */
  reason: string;
  /** The v1 permission or v3 scope to grant, when that is why. */
  permission?: string;
}

export interface RelatedRecords {
  /** Per list read: the person's records in it (maybe none), by ascending id. */
  records: Partial<Record<EntityName, ApiRecord[]>>;
  unavailable: UnavailableList[];
}

/** Ids a v3 parent filter takes at once (the list-endpoints guide's limit on `ids`). */
export const V3_MAX_IDS = 50;

/** The person's records, collected by id (records without a valid id kept as they come). */
class Collected {
  #byId = new Map<number, ApiRecord>();
  #others: ApiRecord[] = [];
  add(record: ApiRecord) {
    const id = recordId(record);
    if (id === undefined) this.#others.push(record);
    else this.#byId.set(id, record);
  }
  list(): ApiRecord[] {
    return [...[...this.#byId].sort(([a], [b]) => a - b).map(([, r]) => r), ...this.#others];
  }
}

/** One list's listings: the request paths and parameters that cover the person. */
interface Listing {
  path: string;
  params: Record<string, string>;
  /** v1: a 404 means the application is gone (no records), not an error. */
  perApplication: boolean;
}

/** The bundle's v1 records that embed what v3 lists apart (educations in candidates, …). */
const V1_BUNDLED: ReadonlySet<EntityName> = new Set([
  "candidates",
  "applications",
  ...RELATED_LISTS.filter((name) => ENTITIES[name].paths.v1 !== undefined),
]);

/**
 * The listings covering the person in one list, or why the version cannot; "embedded" for a v3
 * list whose records v1 embeds in records the v1 bundle has (they are there already).
 */
function listingsFor(
  client: HarvestClient,
  name: EntityName,
  people: Owners,
): Listing[] | UnavailableList | "embedded" {
  const entity = ENTITIES[name];
  const version = client.dialect.version;
  const path = entity.paths[version];
  if (path === undefined) {
    const within = entity.embeddedInV1;
    if (version === "v1" && within !== undefined && V1_BUNDLED.has(within)) return "embedded";
    return { list: name, reason: `Harvest ${version} has no list of ${listTitle(name)}` };
  }
  // Every variant of the list (a default may hide records: Entity.listVariants).
  const bases = entityListings(entity, client.dialect);
  const parent = ownerParent(name);
  if (version === "v1") {
    if (parent?.entity !== "applications") {
      return {
        list: name,
        reason: `Harvest v1 lists ${listTitle(name)} per application only, and these name none`,
      };
    }
    return bases.flatMap((base) =>
      [...people.applications].map((id) => ({
        path: `/applications/${id}${path}`,
        params: base,
        perApplication: true,
      }))
    );
  }
  // Lists naming a candidate or an application are read by those ids; lists naming only a
  // parent record by the ids of the person's records read from the parent's list before.
  const known = people[parent!.entity];
  if (known === undefined) {
    const permission = listPermission("v3", parent!.entity);
    return {
      list: name,
      reason: `${listTitle(name)} are found through ${
        listTitle(parent!.entity)
      }, which the credentials may not read; grant the scope ${permission}`,
      permission,
    };
  }
  return bases.flatMap((base) =>
    chunk([...known], V3_MAX_IDS).map((part) => ({
      path,
      params: { ...base, [v3ParentFilter(parent!.field)]: part.join(",") },
      perApplication: false,
    }))
  );
}

/**
 * The v3 filter selecting a list's records by the ids a field holds: `candidate_id` →
 * `candidate_ids`; a field holding a list of ids (`candidate_ids[]`) is its own filter.
 */
export function v3ParentFilter(field: string): string {
  return field.endsWith("[]") ? field.slice(0, -2) : `${field}s`;
}

/**
 * The v3 filter by which the privacy commands read a personal list (by application ids where it
 * names applications, else by candidate ids, else by its parent record's ids), or undefined for a
 * list that names none of them.
 */
export function v3OwnerFilter(name: EntityName): string | undefined {
  const parent = ownerParent(name);
  return parent ? v3ParentFilter(parent.field) : undefined;
}

/**
 * The reference a personal list is read by: its application's where it has one, else its
 * candidate's, else its parent record's (a scorecard answer's scorecard).
 */
function ownerParent(name: EntityName): Reference | undefined {
  const references = ENTITIES[name].references;
  const owned = references.filter(isOwnerReference);
  return owned.find((r) => r.entity === "applications") ?? owned[0] ??
    references.find(isParentReference);
}

/** Every record the listings return that names the person, or the refusal (403) that stopped them. */
async function readListings(
  client: HarvestClient,
  name: EntityName,
  listings: Listing[],
  people: Owners,
): Promise<ApiRecord[] | { status: number; request: string }> {
  const found = new Collected();
  for (const listing of listings) {
    try {
      for await (const page of client.paginate(listing.path, listing.params)) {
        for (const record of page.records) {
          if (namesOwner(name, record, people) === true) found.add(record);
        }
      }
    } catch (error) {
      const status = statusOf(error);
      // The application was deleted since it was listed: it has nothing left to give.
      if (status === 404 && listing.perApplication) continue;
      // Refused (403), or a list this tenant does not have (404): left out and named.
      if (status === 403 || status === 404) return { status, request: `GET ${listing.path}` };
      throw error;
    }
  }
  return found.list();
}

/** The person's records in every related list the version has and the credentials may read. */
export async function fetchRelated(client: HarvestClient, people: Owners): Promise<RelatedRecords> {
  const result: RelatedRecords = { records: {}, unavailable: [] };
  // The person's records read so far: the lists that belong to them are found by their ids.
  const known: Owners = { ...people };
  for (const name of RELATED_LISTS) {
    const listings = listingsFor(client, name, known);
    if (listings === "embedded") continue;
    if (!Array.isArray(listings)) {
      result.unavailable.push(listings);
      continue;
    }
    const read = await readListings(client, name, listings, known);
    if (Array.isArray(read)) {
      result.records[name] = read;
      known[name] = new Set(read.map(recordId).filter((id) => id !== undefined));
      continue;
    }
    const v1 = client.dialect.version === "v1";
    if (read.status === 404) {
      result.unavailable.push({
        list: name,
        reason: `this tenant has no list of ${listTitle(name)} (404 on ${read.request})`,
      });
      continue;
    }
    const permission = v1 ? applicationListPermission(name) : listPermission("v3", name);
    result.unavailable.push({
      list: name,
      reason: `the credentials may not read ${listTitle(name)} (${read.status} on ${
        read.request.replace(/\/applications\/\d+\//, "/applications/{id}/")
      }); grant ${v1 ? "the permission" : "the scope"} ${permission}`,
      permission,
    });
  }
  return result;
}

/**
 * The person's cached records in every related list the cache has (read only, no lock): the rows
 * whose moniker begins with one of their candidate or application ids, read and kept when the
 * record itself does not name someone else. Streams each index; keeps only the matches. A link
 * in place of a folder or record file stops the request (the cache never follows links).
 */
export async function cachedRelated(
  cacheDir: string,
  people: Owners,
): Promise<Partial<Record<EntityName, ApiRecord[]>>> {
  const out: Partial<Record<EntityName, ApiRecord[]>> = {};
  for (const name of RELATED_LISTS) {
    const folder = join(cacheDir, name);
    // Never through a link: the bundle would carry whatever it points at.
    if (!await isRealFolder(folder)) continue;
    const ids: number[] = [];
    try {
      for await (
        const rows of readIndexBatches(join(folder, INDEX_FILE), { allowDuplicates: true })
      ) {
        for (const row of rows) {
          if (!isIndexProblem(row) && monikerNamesOwner(name, row.moniker, people)) {
            ids.push(row.id);
          }
        }
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const found = new Collected();
    for (const id of new Set(ids)) {
      const record = await readRecord(join(folder, recordFileName(id)));
      if (record && namesOwner(name, record, people) !== false) found.add(record);
    }
    out[name] = found.list();
  }
  return out;
}

async function readRecord(path: string): Promise<ApiRecord | undefined> {
  try {
    const value = JSON.parse(await readTextNoFollow(path));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch (error) {
    // Removed since the index was read, or damaged (`check` reports those).
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
