/**
 * Where everything lives in a cache folder: every name the cache uses on disk, in one place.
 *
 *   <cache>/.lock                          the writer lock (lock.ts)
 *   <cache>/.state.json                    what `sync` remembers between runs (sync/state.ts)
 *   <cache>/.privacy-pending.json          erasures sent but not yet purged (privacy/pending.ts)
 *   <cache>/.privacy-log.jsonl             one line per privacy action (privacy/log.ts)
 *   <cache>/.changes/<start>-<run>[~N].ndjson   ids a sync or erase changed (changes.ts)
 *   <cache>/.privacy-key                   the key of the log's keyed address hash (privacy/address_key.ts)
 *   <cache>/.privacy-tombstones            ids of erased candidates, never fetched again (tombstones.ts)
 *   <cache>/.repair.json                   an unfinished `check --repair`'s re-fetches (check/)
 *   <cache>/.failures.json                 what the dependent steps could not fetch (failures.ts)
 *   <cache>/.<step>-progress.json          what an interrupted activity_feeds or attachments
 *                                          run had finished (dependent/resume.ts)
 *   <cache>/<folder>/<id>.json             one file per record (an entity's name, or activity_feeds)
 *   <cache>/<folder>/index.csv             one row per record file (index_codec.ts)
 *   <cache>/<folder>/.index-journal.csv    rows written since the last commit (journal.ts)
 *   <cache>/<entity>/schema.json           the JSON Schema of the folder's records (src/schemas/)
 *   <cache>/candidates/<id>-attachments/<type>-<created_at>[~N]/<file>     (attachments.ts)
 *   <cache>/candidates/<id>-attachments/<type>-<created_at>[~N]/complete  its completion marker
 *   .<name>.tmp-<pid>-<random hex>         a temporary: a file about to replace <name>, or a
 *                                          folder on its way out (renamed, then deleted)
 *
 * API data never chooses a name here: ids must be positive safe integers, folder names are
 * checked. Knows nothing of HTTP or of the entity table (the caller names entity folders).
 */
import { basename, dirname, join } from "node:path";
import { RunError } from "../errors.ts";
import { isPositiveId, parseId } from "../ids.ts";
import { removeIfPresent } from "../files.ts";

/** The writer lock, at the cache's root. */
export const LOCK_FILE = ".lock";
/** `sync`'s state between runs, at the cache's root. */
export const STATE_FILE = ".state.json";
/** Erasures that may have reached Greenhouse before the cache was purged, at the cache's root. */
export const PENDING_ERASURES_FILE = ".privacy-pending.json";
/** The privacy log (JSON lines), at the cache's root. */
export const PRIVACY_LOG_FILE = ".privacy-log.jsonl";
/** The random key of the privacy files' HMAC of an address (owner-only), at the cache's root. */
export const PRIVACY_KEY_FILE = ".privacy-key";
/** Candidate ids erased by `erase`, one per line, at the cache's root: no run fetches them again. */
export const TOMBSTONES_FILE = ".privacy-tombstones";

/** Change manifests, one per run that changed the cache (changes.ts), at the cache's root. */
export const CHANGES_FOLDER = ".changes";

const CHANGES_FILE =
  /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}\.\d{3}Z)-(sync|erase)(~\d+)?\.ndjson$/;

/**
 * `<run start>-<run>.ndjson` (`~N` before the extension for the Nth run of the same millisecond):
 * the start in UTC ISO-8601 with "-" for ":" (which some file systems refuse), so names sort in
 * time order.
 */
export function changesFileName(startedAt: Date, run: "sync" | "erase", n = 1): string {
  const time = startedAt.toISOString().replaceAll(":", "-");
  return `${time}-${run}${n > 1 ? `~${n}` : ""}.ndjson`;
}

/** The run start a manifest's name carries; undefined for any other name. */
export function changesFileTime(fileName: string): Date | undefined {
  const match = CHANGES_FILE.exec(fileName);
  if (!match) return undefined;
  const time = new Date(`${match[1]}:${match[2]}:${match[3]}`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * The records an interrupted `check --repair` still has to re-fetch, at the cache's root: the
 * repair dropped their index rows, so until it is finished `check` reports them.
 */
export const REPAIR_FILE = ".repair.json";
/**
 * What the candidate-dependent steps could not fetch (a file over the size cap, a feed that kept
 * failing…), at the cache's root: retried on its own, reported by `check` (failures.ts).
 */
export const FAILURES_FILE = ".failures.json";
/** Steps that keep a progress file while they run (the candidate-dependent ones). */
export type ProgressStep = "activity_feeds" | "attachments";
/** `.<step>-progress.json`, at the cache's root: removed when the step completes. */
export function stepProgressFile(step: ProgressStep): string {
  return `.${step}-progress.json`;
}

/** Every file the cache keeps at its root: a link in place of one is never followed. */
export const ROOT_FILES: readonly string[] = [
  LOCK_FILE,
  STATE_FILE,
  PENDING_ERASURES_FILE,
  PRIVACY_LOG_FILE,
  PRIVACY_KEY_FILE,
  TOMBSTONES_FILE,
  REPAIR_FILE,
  FAILURES_FILE,
  stepProgressFile("activity_feeds"),
  stepProgressFile("attachments"),
];

/**
 * The root files that hold erasures (what was erased, what must never be fetched again): no
 * repair removes one, even a link in its place.
 */
export const PRIVACY_FILES: readonly string[] = [
  PENDING_ERASURES_FILE,
  PRIVACY_LOG_FILE,
  PRIVACY_KEY_FILE,
  TOMBSTONES_FILE,
];

/** Each record folder's index: one row per record file. */
export const INDEX_FILE = "index.csv";
/** Each record folder's write-ahead journal; present while the folder may not match its index. */
export const JOURNAL_FILE = ".index-journal.csv";

/**
 * Each entity folder's JSON Schema, written by the run that lists the entity; its `$id` names the
 * API version of the records. Not a record file (those match `[0-9]*.json`).
 */
export const SCHEMA_FILE = "schema.json";

/** The candidates' folder (the entity table's `candidates`), which also holds their attachments. */
export const CANDIDATES_FOLDER = "candidates";
/** Activity feeds: `<candidate id>.json` per candidate, like a record folder. */
export const ACTIVITY_FEEDS_FOLDER = "activity_feeds";
/** Written into an attachment's folder once its file is whole under its final name. */
export const MARKER_FILE = "complete";

const FOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RECORD_FILE = /^([1-9][0-9]*)\.json$/;
const ATTACHMENTS_FOLDER = /^([1-9][0-9]*)-attachments$/;
const TEMP_NAME = /^\..+\.tmp-\d+-[0-9a-f]{8,}$/;

/** Whether `name` may name a record folder: a plain name, never hidden, never a path. */
export function isFolderName(name: string): boolean {
  return FOLDER_NAME.test(name) && !name.includes("..");
}

/** `<id>.json`. Throws RangeError unless `id` is a positive safe integer. */
export function recordFileName(id: number): string {
  return `${checkedId(id)}.json`;
}

/** The id a record file's name carries (`12.json` → 12); undefined for any other name. */
export function recordIdOf(fileName: string): number | undefined {
  const match = RECORD_FILE.exec(fileName);
  return match ? parseId(match[1]) : undefined;
}

/** `<candidate id>-attachments`. Throws RangeError unless `id` is a positive safe integer. */
export function attachmentsFolderName(candidateId: number): string {
  return `${checkedId(candidateId)}-attachments`;
}

/** The candidate whose attachments a folder holds (`12-attachments` → 12); else undefined. */
export function attachmentsOwnerOf(folderName: string): number | undefined {
  const match = ATTACHMENTS_FOLDER.exec(folderName);
  return match ? parseId(match[1]) : undefined;
}

/** `<cache>/candidates/<candidate id>-attachments`. Throws RunError for an id that is not one. */
export function candidateAttachmentsDir(cacheDir: string, candidateId: number): string {
  if (!isPositiveId(candidateId)) {
    throw new RunError(`candidate id ${JSON.stringify(candidateId)} is not a positive integer`);
  }
  return join(cacheDir, CANDIDATES_FOLDER, attachmentsFolderName(candidateId));
}

function checkedId(id: number): number {
  if (!isPositiveId(id)) throw new RangeError(`${String(id)} is not a positive safe integer id`);
  return id;
}

/** `.<basename>.tmp-<pid>-<random hex>` in the same folder as `path`. */
export function tempPathFor(path: string): string {
  const random = new Uint8Array(6);
  crypto.getRandomValues(random);
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}-${hex}`);
}

/** Whether a file name (not a path) is one of our temporaries. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Removes leftover temporary files (from a killed run) directly inside `dir` and returns their
 * names, sorted. A missing folder yields `[]`. Call only while holding the cache lock, before
 * writing.
 */
export async function removeTempFiles(dir: string): Promise<string[]> {
  return await sweepTemps(dir, "file");
}

/**
 * Removes, with their content, leftover temporary folders directly inside `dir` (a folder is
 * renamed to a temporary name before it is deleted, so a kill leaves one) and returns their
 * names, sorted. A missing folder yields `[]`. Call only while holding the cache lock.
 */
export async function removeTempFolders(dir: string): Promise<string[]> {
  return await sweepTemps(dir, "folder");
}

async function sweepTemps(dir: string, kind: "file" | "folder"): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!isTempName(entry.name)) continue;
      if (kind === "file" && entry.isFile) {
        await removeIfPresent(join(dir, entry.name));
        removed.push(entry.name);
      } else if (kind === "folder" && entry.isDirectory) {
        await Deno.remove(join(dir, entry.name), { recursive: true });
        removed.push(entry.name);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return removed;
    throw error;
  }
  return removed.sort();
}
