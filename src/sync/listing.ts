/** Whole id listings: what proves a record deleted upstream, since the API reports no deletions. */
import {
  type ApiRecord,
  ENTITIES,
  entityListings,
  type EntityName,
  entityPath,
  recordId,
} from "../entities.ts";
import { RunError } from "../errors.ts";
import type { HarvestClient } from "../harvest/mod.ts";

/**
 * Every id the entity's list endpoint returns now, every variant's (costs the listings' requests:
 * one per `per_page` records): what a default hides (v3's deleted job posts) is not "deleted
 * upstream". Records are parsed one at a time and only their ids kept.
 */
export async function listIds(client: HarvestClient, name: EntityName): Promise<Set<number>> {
  const ids = new Set<number>();
  const path = entityPath(ENTITIES[name], client.dialect);
  for (const params of entityListings(ENTITIES[name], client.dialect)) {
    for await (const page of client.paginateLazily(path, params)) {
      for (const record of page.records.values()) {
        const id = recordId(record as ApiRecord);
        if (id === undefined) {
          throw new RunError(`${path} returned a record without a valid id`);
        }
        ids.add(id);
      }
      page.records.release();
    }
  }
  return ids;
}
