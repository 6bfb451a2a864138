/**
 * Reading one candidate or user by id with list endpoints only. Privacy platforms grant a key
 * exactly List Users, List Candidates, Delete Candidate and Edit Candidate (DataGrail's
 * Greenhouse page: https://docs.datagrail.io/docs/integrations/api-documentation/greenhouse), so
 * Retrieve User / Retrieve Candidate would answer 403: candidates are selected with the list's
 * id filter (v1 `candidate_ids`, v3 `ids`), users with v3's `ids` or, on v1 (whose users list
 * has no id filter), by paging through the users list.
 */
import { type ApiRecord, ENTITIES, entityListParams, entityPath, recordId } from "../entities.ts";
import { RunError } from "../errors.ts";
import type { HarvestClient } from "../harvest/mod.ts";

const USERS_PATH = "/users";

/** The records of one list request that must be a JSON array. */
async function listOnce(
  client: HarvestClient,
  path: string,
  params: Record<string, string>,
): Promise<ApiRecord[]> {
  const body = await client.getJson(path, params);
  if (!Array.isArray(body)) {
    throw new RunError(
      `GET ${path}?${new URLSearchParams(params)}: expected a JSON array; check --base-url`,
    );
  }
  return body as ApiRecord[];
}

/** The candidate as the candidates list serves it, or undefined when Greenhouse has none. */
export async function listedCandidate(
  client: HarvestClient,
  id: number,
): Promise<ApiRecord | undefined> {
  const param = client.dialect.candidateWrites.candidateIdsParam;
  const path = entityPath(ENTITIES.candidates, client.dialect);
  const records = await listOnce(client, path, { [param]: String(id), per_page: "1" });
  return records.find((record) => recordId(record) === id);
}

/** Ids the candidates list's id filter takes at once (v1 `candidate_ids`, v3 `ids`: 50). */
export const CANDIDATE_IDS_PER_REQUEST = 50;

/**
 * Which of `ids` Greenhouse still lists as candidates: one request per 50 ids, through the
 * list's id filter. A filter the server ignored (it answers candidates not asked for) proves
 * nothing, so that is an error rather than an answer.
 */
export async function listedCandidateIds(
  client: HarvestClient,
  ids: readonly number[],
): Promise<Set<number>> {
  const param = client.dialect.candidateWrites.candidateIdsParam;
  const path = entityPath(ENTITIES.candidates, client.dialect);
  const listed = new Set<number>();
  for (let at = 0; at < ids.length; at += CANDIDATE_IDS_PER_REQUEST) {
    const part = ids.slice(at, at + CANDIDATE_IDS_PER_REQUEST);
    const asked = new Set(part);
    const params = { [param]: part.join(","), per_page: String(CANDIDATE_IDS_PER_REQUEST) };
    for (const record of await listOnce(client, path, params)) {
      const id = recordId(record);
      if (id === undefined || !asked.has(id)) {
        throw new RunError(
          `GET ${path}?${param}=…: answered candidate ${
            JSON.stringify(record?.id)
          }, which was not asked for, so the ${param} filter cannot be trusted; nothing was ` +
            "concluded from it",
        );
      }
      listed.add(id);
    }
  }
  return listed;
}

/**
 * Whether Greenhouse has a user with this id (any user, active or not, service accounts too:
 * the users list's own parameters, v3's `show_service_accounts=true`, go with the id filter).
 */
export async function userListed(client: HarvestClient, id: number): Promise<boolean> {
  const param = client.dialect.candidateWrites.userIdsParam;
  if (param) {
    const records = await listOnce(client, USERS_PATH, {
      ...entityListParams(ENTITIES.users, client.dialect),
      [param]: String(id),
      per_page: "1",
    });
    return records.some((record) => recordId(record) === id);
  }
  for await (const page of client.paginate(USERS_PATH)) {
    if (page.records.some((record) => recordId(record) === id)) return true;
  }
  return false;
}
