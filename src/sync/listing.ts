/** Whole id listings: what proves a record deleted upstream, since the API reports no deletions. */
import {
  type ApiRecord,
  ENTITIES,
  entityListParams,
  type EntityName,
  entityPath,
  recordId,
} from "../entities.ts";
import { RunError } from "../errors.ts";
import type { HarvestClient } from "../harvest/mod.ts";

/**
 * Every id the entity's list endpoint returns now (costs the listing's requests: one per
 * `per_page` records). Records are parsed one at a time and only their ids kept.
 */
export async function listIds(client: HarvestClient, name: EntityName): Promise<Set<number>> {
  const ids = new Set<number>();
  const path = entityPath(ENTITIES[name], client.dialect);
  const params = entityListParams(ENTITIES[name], client.dialect);
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
  return ids;
}
