/**
 * `<cache>/.privacy-pending.json`: erasures that may have reached Greenhouse while the local copy
 * still holds the person. An erasure is recorded (atomically) before its request is sent and
 * cleared once the cache is purged or replaced and the privacy log written, so a run killed in
 * between leaves it for the next `erase` to finish: otherwise the person, now gone upstream, would
 * stay in the cache with no address left to find them by. Like the privacy log it holds ids and the
 * address's keyed hash (older files: its SHA-256), never the address or a name.
 */
import { join } from "node:path";
import { PENDING_ERASURES_FILE, readTextNoFollow, writeFileAtomic } from "../cache/mod.ts";
import { RunError } from "../errors.ts";
import { removeIfPresent } from "../files.ts";
import { isPositiveId } from "../ids.ts";
import type { AddressDigest } from "./email.ts";

export interface PendingErasure extends AddressDigest {
  candidate_id: number;
  mode: "delete" | "anonymize";
  /** The candidate's applications when the request was sent (their cached records go too). */
  application_ids: number[];
  on_behalf_of: number;
  /** Fields to anonymize upstream too (Harvest's anonymize endpoint), when asked for. */
  anonymize_fields?: string[];
  /** When the request was about to be sent (UTC ISO-8601). */
  since: string;
}

const pathOf = (cacheDir: string) => join(cacheDir, PENDING_ERASURES_FILE);

function isPendingErasure(value: unknown): value is PendingErasure {
  const v = value as PendingErasure;
  return v !== null && typeof v === "object" && isPositiveId(v.candidate_id) &&
    (v.mode === "delete" || v.mode === "anonymize") && Array.isArray(v.application_ids) &&
    v.application_ids.every((id) => isPositiveId(id)) &&
    Number.isSafeInteger(v.on_behalf_of) &&
    (typeof v.email_hmac === "string" || typeof v.email_sha256 === "string") &&
    (v.anonymize_fields === undefined ||
      (Array.isArray(v.anonymize_fields) &&
        v.anonymize_fields.every((f) => typeof f === "string"))) &&
    typeof v.since === "string";
}

/** The pending erasures; none when the file is missing. */
export async function readPending(cacheDir: string): Promise<PendingErasure[]> {
  let text: string;
  try {
    text = await readTextNoFollow(pathOf(cacheDir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every(isPendingErasure)) {
    // Written atomically by this tool only: a damaged file was changed by hand.
    throw new RunError(
      `${pathOf(cacheDir)} is damaged: it lists erasures whose local purge may not have ` +
        "happened; check those candidates, then delete the file",
    );
  }
  return list;
}

async function writePending(cacheDir: string, list: PendingErasure[]): Promise<void> {
  if (list.length > 0) {
    await writeFileAtomic(pathOf(cacheDir), JSON.stringify(list, null, 2) + "\n");
    return;
  }
  await removeIfPresent(pathOf(cacheDir));
}

/** Records an erasure about to be sent (call with the cache lock held). */
export async function addPending(cacheDir: string, erasure: PendingErasure): Promise<void> {
  const list = (await readPending(cacheDir)).filter((p) => p.candidate_id !== erasure.candidate_id);
  await writePending(cacheDir, [...list, erasure]);
}

/** Clears an erasure whose local copy is consistent again (call with the cache lock held). */
export async function clearPending(cacheDir: string, candidateId: number): Promise<void> {
  const list = await readPending(cacheDir);
  const rest = list.filter((p) => p.candidate_id !== candidateId);
  if (rest.length !== list.length) await writePending(cacheDir, rest);
}
