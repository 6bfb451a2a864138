/**
 * Finds every candidate carrying an address. The API's `email=` filter may be case-sensitive or
 * loose on the real service (https://developers.greenhouse.io/harvest.html#get-list-candidates
 * says only "matching e-mail address"), so the tool searches with the normalised address (and
 * the address as typed, when that differs), then keeps only the candidates whose addresses match
 * exactly once normalised.
 */
import { type ApiRecord, ENTITIES, entityPath, recordId } from "../entities.ts";
import { RunError } from "../errors.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { carriesEmail, normalizeEmail } from "./email.ts";

/** The search requests sent for an address: the normalised form first. */
export function searchForms(address: string): string[] {
  const normalized = normalizeEmail(address);
  const typed = address.trim();
  return typed === normalized ? [normalized] : [normalized, typed];
}

/** Every matching candidate, deduplicated by id, in ascending id order. */
export async function findCandidates(client: HarvestClient, address: string): Promise<ApiRecord[]> {
  const byId = new Map<number, ApiRecord>();
  const path = entityPath(ENTITIES.candidates, client.dialect);
  for (const form of searchForms(address)) {
    for await (const page of client.paginate(path, { email: form })) {
      for (const candidate of page.records) {
        const id = recordId(candidate);
        if (id === undefined) {
          throw new RunError(
            `GET /candidates returned a candidate whose id ${
              JSON.stringify(candidate?.id)
            } is not a positive integer; refusing to act on it`,
          );
        }
        if (carriesEmail(candidate, address)) byId.set(id, candidate);
      }
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
