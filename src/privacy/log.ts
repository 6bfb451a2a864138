/**
 * `<cache>/.privacy-log.jsonl`: one JSON line per privacy action, appended. It never holds the
 * address or a name: the address is recorded as the SHA-256 of its normalised form.
 */
import { join } from "node:path";
import { openNoFollow, PRIVACY_LOG_FILE } from "../cache/mod.ts";

export interface PrivacyLogEntry {
  time: string;
  command: "erase";
  mode: "delete" | "anonymize";
  /** null when no candidate matched. */
  candidate_id: number | null;
  on_behalf_of: number;
  result: "deleted" | "anonymized" | "failed" | "no match";
  /** What happened to the local copy. */
  cache: "purged" | "replaced" | "unchanged";
  email_sha256: string;
}

/** What every log line of one erasure request shares (a pending erasure carries it too). */
export type ErasureRequest = Pick<PrivacyLogEntry, "mode" | "on_behalf_of" | "email_sha256">;

/** The log line for one candidate of an erasure request, at `now` (epoch ms). */
export function erasureLogEntry(
  request: ErasureRequest,
  candidateId: number | null,
  result: PrivacyLogEntry["result"],
  cache: PrivacyLogEntry["cache"],
  now: number,
): PrivacyLogEntry {
  return {
    time: new Date(now).toISOString(),
    command: "erase",
    mode: request.mode,
    candidate_id: candidateId,
    on_behalf_of: request.on_behalf_of,
    result,
    cache,
    email_sha256: request.email_sha256,
  };
}

/**
 * Appends one line with a single write on a file opened for appending, so concurrent or killed
 * writers never interleave or half-write a line (a torn last line has no newline and is ignored).
 */
export async function appendPrivacyLog(cacheDir: string, entry: PrivacyLogEntry): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(entry) + "\n");
  // Never through a link: the log would be appended to whatever it points at.
  const file = await openNoFollow(join(cacheDir, PRIVACY_LOG_FILE), {
    append: true,
    create: true,
    mode: 0o600,
  });
  try {
    let written = await file.write(bytes);
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  } finally {
    file.close();
  }
}
