/**
 * The erasure requests: what is sent for each candidate, and how each answer is judged.
 * DELETE is safe to repeat, so it is retried; a 404 is taken as done only once the candidates
 * list confirms the candidate is gone (an unknown On-Behalf-Of user also answers 404). PATCH is
 * not retried once it may have reached Greenhouse. Reads go through list endpoints (lookup.ts).
 *
 * Paths, the acting-user header (v1 On-Behalf-Of; v3 none, the token's `sub`) and record reads
 * come from the client's dialect; a version without a write makes erase refuse before writing.
 */
import { type ApiRecord, personName, recordId } from "../entities.ts";
import { RunError } from "../errors.ts";
import type { CandidateWrites, HarvestClient } from "../harvest/mod.ts";
import { listedCandidate, userListed } from "./lookup.ts";
import { USER_AGENT } from "../version.ts";
import { anonymizeBody } from "./anonymize.ts";
import { carriesEmail } from "./email.ts";

export type EraseMode = "delete" | "anonymize";

export interface PlannedRequest {
  method: "DELETE" | "PATCH";
  path: string;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface Outcome {
  id: number;
  moniker: string;
  result: "deleted" | "anonymized" | "failed";
  /** Why it failed, one line. */
  error?: string;
  /** The API's anonymised record (anonymize mode). */
  anonymized?: ApiRecord;
}

/**
 * Refuses (before anything is sent) a mode the API version cannot do. v1 and v3 both have
 * delete and edit today; the check keeps a version without one from failing half-way.
 */
export function checkWritable(writes: CandidateWrites, mode: EraseMode, version: string): void {
  const has = mode === "delete" ? writes.deletePath : writes.editPath;
  if (has) return;
  throw new RunError(
    `erase --mode ${mode} is not possible on Harvest ${version}: it has no ${
      mode === "delete" ? "candidate delete" : "candidate edit"
    } endpoint; use the other --mode, or --api v1 while Greenhouse still serves it; nothing was changed`,
  );
}

/** The request erasing one candidate; for anonymize, fresh random names each call. */
export function planRequest(
  candidate: ApiRecord,
  mode: EraseMode,
  userId: number,
  writes: CandidateWrites,
): PlannedRequest {
  const headers: Record<string, string> = writes.actingUserHeader
    ? { [writes.actingUserHeader]: String(userId) }
    : {};
  const pathOf = mode === "delete" ? writes.deletePath : writes.editPath;
  // checkWritable refused the mode before anything was planned.
  if (!pathOf) throw new TypeError(`planRequest: the dialect has no ${mode} write`);
  const path = pathOf(candidate.id);
  return mode === "delete"
    ? { method: "DELETE", path, headers }
    : { method: "PATCH", path, headers, body: anonymizeBody(candidate) };
}

/** The request as sent on the wire, every header but Authorization (shown as a placeholder). */
export function formatRequest(
  request: PlannedRequest,
  baseUrl: string,
  writes: CandidateWrites,
): string {
  const headers: [string, string][] = [
    ["Authorization", writes.authPlaceholder],
    ["Accept", "application/json"],
    ["User-Agent", USER_AGENT],
    ...(request.body ? [["Content-Type", "application/json"] as [string, string]] : []),
    ...Object.entries(request.headers),
  ];
  const lines = [`${request.method} ${baseUrl}${request.path}`];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (request.body) lines.push("", JSON.stringify(request.body, null, 2));
  return lines.join("\n");
}

/** Refuses an On-Behalf-Of id that is not a Greenhouse user, before any write (List Users). */
export async function checkUser(client: HarvestClient, userId: number): Promise<void> {
  if (!await userListed(client, userId)) {
    throw new RunError(
      `erase: On-Behalf-Of user ${userId} does not exist in Greenhouse (GET /users found no user ` +
        `${userId}): give the id of the Greenhouse user the request is made for; nothing was changed`,
    );
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** Sends one planned erasure and judges the answer; never throws for an API failure. */
export async function sendErasure(
  client: HarvestClient,
  candidate: ApiRecord,
  request: PlannedRequest,
  address: string,
): Promise<Outcome> {
  const id: number = candidate.id;
  const base = { id, moniker: personName(candidate) };
  try {
    if (request.method === "DELETE") {
      const { status } = await client.request("DELETE", request.path, {
        headers: request.headers,
        idempotent: true,
        allowStatus: [404],
      });
      if (status === 404) {
        // Either a retried DELETE that had already worked, or something else is wrong.
        if (await listedCandidate(client, id) !== undefined) {
          return {
            ...base,
            result: "failed",
            error: `DELETE ${request.path} answered 404 but the candidate still exists`,
          };
        }
      }
      return { ...base, result: "deleted" };
    }
    const { body } = await client.request("PATCH", request.path, {
      headers: request.headers,
      body: request.body,
      idempotent: false,
    });
    // The docs show the PATCH answer wrapped in an array; accept both shapes.
    let record = (Array.isArray(body) ? body[0] : body) as ApiRecord | undefined;
    if (!record || recordId(record) !== id) {
      record = await listedCandidate(client, id);
      if (!record) throw new RunError(`${request.path} is gone after the PATCH`);
    }
    if (carriesEmail(record, address)) {
      return {
        ...base,
        result: "failed",
        error: `PATCH ${request.path} succeeded but the candidate still carries the address`,
      };
    }
    return { ...base, result: "anonymized", anonymized: record };
  } catch (error) {
    return { ...base, result: "failed", error: oneLine(error) };
  }
}
