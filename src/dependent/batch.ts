/**
 * Candidate-dependent lists fetched for many candidates at once (v3: `GET /notes`,
 * `/attachments`, `/applications` with `candidate_ids=`, at most `maxIds` per request), paginated
 * by the client's dialect and grouped by `candidate_id`.
 */
import type { ApiRecord } from "../entities.ts";
import type { RunError } from "../errors.ts";
import { type CandidateBatch, type HarvestClient, listNotFound, statusOf } from "../harvest/mod.ts";
import { chunk } from "./run.ts";

/** Every record of `path` for `ids`, by candidate id; every id gets an entry (maybe empty). */
export async function listByCandidate(
  client: HarvestClient,
  batch: CandidateBatch,
  path: string,
  ids: readonly number[],
): Promise<Map<number, ApiRecord[]>> {
  const out = new Map<number, ApiRecord[]>(ids.map((id) => [id, []]));
  for (const part of chunk([...new Set(ids)], batch.maxIds)) {
    const params = { [batch.idsParam]: part.join(",") };
    try {
      for await (const page of client.paginate(path, params)) {
        for (const record of page.records) {
          // Records of candidates not asked for are ignored (never trusted to name a file).
          out.get(record?.candidate_id)?.push(record);
        }
      }
    } catch (error) {
      // Candidates without records answer an empty page: a 404 is the list itself missing, no
      // batch's failure (the step stops; sync reports it unavailable).
      throw statusOf(error) === 404 ? listNotFound(error as RunError) : error;
    }
  }
  return out;
}
