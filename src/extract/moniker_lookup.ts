/**
 * Monikers that need another record (`Entity.monikerVia`): v3 scorecards name no candidate,
 * only their application, and their moniker is that application's candidate id. Before a page is
 * written, the applications its records name are looked up in the cache (the applications'
 * index.csv monikers begin with the candidate id, and a sync lists applications before
 * scorecards), and those not cached are asked for by id (`GET /applications?ids=…`, up to the
 * dialect's limit per request). Only one page's lookups are held.
 *
 * Chains resolve the same way, one link at a time: a v3 scorecard answer names its scorecard,
 * whose cached moniker already is the candidate id; a scorecard asked for by id gets its own
 * moniker through its own lookup (its application), and the answer's is read from that.
 */
import type { Cache, MonikerOf } from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, type Entity, entityPath } from "../entities.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { positiveId } from "../ids.ts";

/** Computes one page's monikers. */
export interface PageMonikers {
  /**
   * The moniker function for a page whose records are `records` (read once here to find the
   * ids they name; the caller reads them again to encode them).
   */
  forPage(records: Iterable<unknown>): Promise<MonikerOf>;
}

/** The page moniker lookup for `entity` on the client's API version; undefined when none is needed. */
export async function monikerLookup(
  entity: Entity,
  client: HarvestClient,
  cache: Cache,
): Promise<PageMonikers | undefined> {
  const via = entity.monikerVia?.[client.dialect.version];
  if (!via) return undefined;
  const named = ENTITIES[via.entity];
  // Never created here: a cache without the named entity asks the API for every record.
  const folder = await cache.existingFolder(named.name, named.moniker);
  const byIds = client.dialect.recordsByIds;
  const path = entityPath(named, client.dialect);

  // The named records' own lookup, when their monikers need one too (made on first use).
  let nested: Promise<PageMonikers | undefined> | undefined;
  async function namedMonikers(records: ApiRecord[]): Promise<(record: ApiRecord) => string> {
    if (via!.fromRecord) return via!.fromRecord;
    nested ??= monikerLookup(named, client, cache);
    const lookup = await nested;
    const monikerOf = lookup ? await lookup.forPage(records) : named.moniker;
    return (record) => via!.fromMoniker(monikerOf(record));
  }

  async function request(ids: number[], found: Map<number, string>): Promise<void> {
    if (!byIds) return;
    for (let i = 0; i < ids.length; i += byIds.maxIds) {
      const part = ids.slice(i, i + byIds.maxIds);
      const wanted = new Set(part);
      for await (const page of client.paginate(path, { [byIds.param]: part.join(",") })) {
        // Only the records asked for: an answer never names what it was not asked about.
        const asked = page.records.filter((record) => {
          const id = positiveId(record?.id);
          return id !== undefined && wanted.has(id);
        });
        const ownerOf = await namedMonikers(asked);
        for (const record of asked) found.set(record.id, ownerOf(record));
      }
    }
  }

  return {
    async forPage(records) {
      const ids = new Set<number>();
      for (const record of records) {
        const id = positiveId((record as ApiRecord | null)?.[via.field]);
        if (id !== undefined) ids.add(id);
      }
      const found = new Map<number, string>();
      const missing: number[] = [];
      for (const id of ids) {
        const row = await folder?.row(id);
        if (row) found.set(id, via.fromMoniker(row.moniker));
        else missing.push(id);
      }
      await request(missing, found);
      return (record: ApiRecord) => {
        const id = positiveId(record?.[via.field]);
        return entity.moniker(record, id === undefined ? undefined : found.get(id));
      };
    },
  };
}
