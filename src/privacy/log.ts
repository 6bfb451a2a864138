/**
 * `<cache>/.privacy-log.jsonl`: one JSON line per privacy action, appended. It never holds the
 * address or a name: the address is recorded as its HMAC-SHA-256 under the cache's key
 * (`email_hmac`; address_key.ts). Lines written by older versions carry a plain SHA-256
 * (`email_sha256`) instead; `lookupErasures` reads both.
 */
import { join } from "node:path";
import { openNoFollow, PRIVACY_LOG_FILE } from "../cache/mod.ts";
import { type AddressDigest, digestNames } from "./email.ts";

export interface PrivacyLogEntry extends AddressDigest {
  time: string;
  command: "erase";
  mode: "delete" | "anonymize";
  /** null when no candidate matched. */
  candidate_id: number | null;
  on_behalf_of: number;
  /**
   * What happened upstream. Matches found only in the cache: "gone upstream" (Greenhouse no
   * longer has the candidate) or "changed upstream" (it has them under another address).
   */
  result: "deleted" | "anonymized" | "failed" | "no match" | "gone upstream" | "changed upstream";
  /** What happened to the local copy. */
  cache: "purged" | "replaced" | "unchanged";
  /** Where the match was found: in Greenhouse's search, or only in the local cache. */
  found_in?: "api" | "cache";
  /** Fields anonymized upstream with Harvest's anonymize endpoint, when asked for. */
  anonymized_fields?: string[];
  /**
   * Anonymized: the lists in which Greenhouse keeps the candidate's records as they were (no
   * anonymize field given reaches them; anonymize.ts `keptUpstream`).
   */
  kept_upstream?: string[];
}

/** What every log line of one erasure request shares (a pending erasure carries it too). */
export type ErasureRequest = Pick<PrivacyLogEntry, "mode" | "on_behalf_of"> & AddressDigest;

/** The log line for one candidate of an erasure request, at `now` (epoch ms). */
export function erasureLogEntry(
  request: ErasureRequest,
  candidateId: number | null,
  result: PrivacyLogEntry["result"],
  cache: PrivacyLogEntry["cache"],
  now: number,
  extra: Pick<PrivacyLogEntry, "found_in" | "anonymized_fields" | "kept_upstream"> = {},
): PrivacyLogEntry {
  return {
    time: new Date(now).toISOString(),
    command: "erase",
    mode: request.mode,
    candidate_id: candidateId,
    on_behalf_of: request.on_behalf_of,
    result,
    cache,
    ...extra,
    // A pending erasure left by an older version names the address by SHA-256 only.
    ...(request.email_hmac !== undefined
      ? { email_hmac: request.email_hmac }
      : { email_sha256: request.email_sha256 }),
  };
}

const logPath = (cacheDir: string) => join(cacheDir, PRIVACY_LOG_FILE);

/**
 * Appends one line with a single write on a file opened for appending, so concurrent or killed
 * writers never interleave or half-write a line (a torn last line has no newline and is ignored).
 */
export async function appendPrivacyLog(cacheDir: string, entry: PrivacyLogEntry): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(entry) + "\n");
  // Never through a link: the log would be appended to whatever it points at.
  const file = await openNoFollow(logPath(cacheDir), {
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

/** Longest line read back; a longer one was not written by this tool and is skipped. */
const MAX_LINE = 64 * 1024;

/**
 * The log's complete lines that parse as objects, streamed (memory follows one line). A torn
 * last line (no newline) and lines too long or not JSON are skipped: the log is appended to by
 * this tool only.
 */
export async function* readPrivacyLog(cacheDir: string): AsyncGenerator<PrivacyLogEntry> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(logPath(cacheDir), { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  const decoder = new TextDecoder();
  let pending = "";
  let skipping = false;
  const parse = (line: string): PrivacyLogEntry | undefined => {
    try {
      const value = JSON.parse(line);
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? value
        : undefined;
    } catch {
      return undefined;
    }
  };
  try {
    for await (const chunk of file.readable) {
      pending += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (skipping) {
          skipping = false;
          continue;
        }
        const entry = parse(line);
        if (entry) yield entry;
      }
      if (pending.length > MAX_LINE) {
        pending = "";
        skipping = true;
      }
    }
  } finally {
    try {
      file.close();
    } catch { /* already closed by the stream */ }
  }
}

/** What a look-up found: the entries naming the address, and keyed ones it could not check. */
export interface Lookup {
  found: PrivacyLogEntry[];
  /** Entries with a keyed hash while the key is missing: they cannot be matched. */
  unverifiable: number;
}

/** The log entries that name `address` (keyed hash with `key`, or an older plain SHA-256). */
export async function lookupErasures(
  cacheDir: string,
  address: string,
  key: Uint8Array | undefined,
): Promise<Lookup> {
  const result: Lookup = { found: [], unverifiable: 0 };
  for await (const entry of readPrivacyLog(cacheDir)) {
    if (digestNames(entry, address, key)) result.found.push(entry);
    else if (key === undefined && typeof entry.email_hmac === "string") result.unverifiable++;
  }
  return result;
}
