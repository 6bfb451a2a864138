/**
 * The erasure requests: what is sent for each candidate, and how each answer is judged.
 * DELETE is safe to repeat, so it is retried; a 404 is taken as done only once the candidates
 * list confirms the candidate is gone (an unknown On-Behalf-Of user also answers 404). PATCH is
 * not retried once it may have reached Greenhouse; Harvest's anonymize of fields is (anonymizing
 * twice changes nothing). Reads go through list endpoints (lookup.ts).
 *
 * Paths, the acting-user header (v1 On-Behalf-Of; v3 none, the token's `sub`) and record reads
 * come from the client's dialect; a version without a write makes erase refuse before writing.
 */
import { type ApiRecord, type ApiVersion, personName, recordId } from "../entities.ts";
import { CredentialsRefused, RunError } from "../errors.ts";
import type { CandidateWrites, HarvestClient } from "../harvest/mod.ts";
import { listedCandidate, userListed } from "./lookup.ts";
import { USER_AGENT } from "../version.ts";
import { anonymizeBody } from "./anonymize.ts";
import { carriesEmail } from "./email.ts";

export type EraseMode = "delete" | "anonymize";

export interface PlannedRequest {
  /** What the request does: delete, the anonymising edit, or Harvest's anonymize of fields. */
  kind: "delete" | "edit" | "anonymize-fields";
  method: "DELETE" | "PATCH" | "PUT";
  path: string;
  params?: Record<string, string>;
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
 * delete, edit and anonymize today; the check keeps a version without one from failing half-way.
 */
export function checkWritable(
  writes: CandidateWrites,
  mode: EraseMode,
  version: string,
  anonymizeFields?: readonly string[],
): void {
  const missing = mode === "delete"
    ? writes.deletePath ? undefined : "candidate delete"
    : !writes.editPath
    ? "candidate edit"
    : anonymizeFields && !writes.anonymize
    ? "candidate anonymize"
    : undefined;
  if (missing === undefined) return;
  throw new RunError(
    `erase --mode ${mode} is not possible on Harvest ${version}: it has no ${missing} ` +
      "endpoint; use the other --mode, or --api v1 while Greenhouse still serves it; nothing was changed",
  );
}

/**
 * The requests erasing one candidate, in the order they are sent. Anonymize with fields: first
 * Harvest's anonymize of those fields (attachments, notes, …), then the anonymising edit, so a
 * failure of either leaves the address in place and the next `erase` finds the candidate again.
 * For anonymize, fresh random names each call.
 */
export function planErasure(
  candidate: ApiRecord,
  mode: EraseMode,
  userId: number,
  writes: CandidateWrites,
  version: ApiVersion,
  anonymizeFields?: readonly string[],
): PlannedRequest[] {
  const headers: Record<string, string> = writes.actingUserHeader
    ? { [writes.actingUserHeader]: String(userId) }
    : {};
  const pathOf = mode === "delete" ? writes.deletePath : writes.editPath;
  // checkWritable refused the mode before anything was planned.
  if (!pathOf) throw new TypeError(`planErasure: the dialect has no ${mode} write`);
  const path = pathOf(candidate.id);
  if (mode === "delete") return [{ kind: "delete", method: "DELETE", path, headers }];
  const plan: PlannedRequest[] = [];
  if (anonymizeFields && anonymizeFields.length > 0) {
    const a = writes.anonymize;
    if (!a) throw new TypeError("planErasure: the dialect has no anonymize write");
    plan.push({
      kind: "anonymize-fields",
      method: a.method,
      path: a.path(candidate.id),
      headers,
      ...(a.fieldsIn === "query"
        ? { params: { fields: anonymizeFields.join(",") } }
        : { body: { fields: [...anonymizeFields] } }),
    });
  }
  plan.push({
    kind: "edit",
    method: "PATCH",
    path,
    headers,
    body: anonymizeBody(candidate, version),
  });
  return plan;
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
  const query = request.params ? "?" + new URLSearchParams(request.params) : "";
  const lines = [`${request.method} ${baseUrl}${request.path}${query}`];
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

/**
 * Sends one planned erasure and judges the answers; never throws for an API failure but refused
 * credentials.
 */
export async function sendErasure(
  client: HarvestClient,
  candidate: ApiRecord,
  plan: PlannedRequest[],
  address: string,
): Promise<Outcome> {
  const id: number = candidate.id;
  const base = { id, moniker: personName(candidate) };
  let sent = "";
  try {
    let record: ApiRecord | undefined;
    for (const request of plan) {
      sent = `${request.method} ${request.path}`;
      if (request.kind === "delete") {
        const { status } = await client.request("DELETE", request.path, {
          headers: request.headers,
          idempotent: true,
          allowStatus: [404],
        });
        // Either a retried DELETE that had already worked, or something else is wrong.
        if (status === 404 && await listedCandidate(client, id) !== undefined) {
          return {
            ...base,
            result: "failed",
            error: `DELETE ${request.path} answered 404 but the candidate still exists`,
          };
        }
        return { ...base, result: "deleted" };
      }
      const { body } = await client.request(request.method, request.path, {
        headers: request.headers,
        params: request.params,
        body: request.body,
        // Anonymizing the same fields twice changes nothing; the edit draws new names each time.
        idempotent: request.kind === "anonymize-fields",
      });
      // The docs show the PATCH answer wrapped in an array; accept both shapes.
      record = (Array.isArray(body) ? body[0] : body) as ApiRecord | undefined;
    }
    if (!record || recordId(record) !== id) {
      record = await listedCandidate(client, id);
      if (!record) throw new RunError(`candidate ${id} is gone after the anonymising writes`);
    }
    if (carriesEmail(record, address)) {
      return {
        ...base,
        result: "failed",
        error: `${sent} succeeded but the candidate still carries the address`,
      };
    }
    return { ...base, result: "anonymized", anonymized: record };
  } catch (error) {
    // Refused credentials refuse every candidate: the command stops (the pending entry the
    // caller wrote first lets the next run finish this one, as after a kill).
    if (error instanceof CredentialsRefused) throw error;
    const detail = oneLine(error);
    return {
      ...base,
      result: "failed",
      error: detail.startsWith(sent) || sent === "" ? detail : `${sent}: ${detail}`,
    };
  }
}
