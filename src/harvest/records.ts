/** Reading one record by id, the way the client's dialect says (a single GET, or an ids= list). */
import type { ApiRecord } from "../entities.ts";
import { RunError } from "../errors.ts";
import type { HarvestClient } from "./client.ts";

/**
 * The record `id` of the list at `path`, or undefined when the API no longer has it. `listParams`
 * go with a list query (v3 `ids=`), e.g. what makes the list whole.
 */
export async function getRecord(
  client: HarvestClient,
  path: string,
  id: number,
  listParams: Record<string, string> = {},
): Promise<ApiRecord | undefined> {
  const asked = client.dialect.recordQuery(path, id);
  const query = asked.list ? { ...asked, params: { ...listParams, ...asked.params } } : asked;
  const shown = `GET ${query.path}${query.params ? "?" + new URLSearchParams(query.params) : ""}`;
  const response = await client.request("GET", query.path, {
    params: query.params,
    allowStatus: [404],
  });
  if (response.status === 404) return undefined;
  const body = response.body;
  if (query.list) {
    if (!Array.isArray(body)) throw new RunError(`${shown}: expected a JSON array of records`);
    const found = (body as ApiRecord[]).find((r) => r?.id === id);
    return found;
  }
  if (body === null || typeof body !== "object" || (body as ApiRecord).id !== id) {
    throw new RunError(`${shown} returned a record whose id is not ${id}`);
  }
  return body as ApiRecord;
}
