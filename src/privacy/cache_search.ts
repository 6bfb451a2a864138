/**
 * The local cache searched for an address: a person deleted upstream (or whose address changed
 * upstream) is still in the cache until something removes them, and Greenhouse's search cannot
 * find them there. Reads only: no lock is taken and nothing is written (files are replaced by
 * rename, so a file read while a run writes is whole, old or new).
 *
 * Memory stays flat in the size of the cache: the candidates folder is streamed entry by entry,
 * record files are read a few at a time, and only the matches are kept. A file is parsed only
 * when its text may hold the address (see `mayHold`). Links are never followed: only plain
 * `<id>.json` files are read.
 */
import { join } from "node:path";
import {
  ACTIVITY_FEEDS_FOLDER,
  candidateAttachmentsDir,
  CANDIDATES_FOLDER,
  INDEX_FILE,
  isIndexProblem,
  MARKER_FILE,
  readIndexBatches,
  recordFileName,
  recordIdOf,
} from "../cache/mod.ts";
import { forEachConcurrent } from "../concurrency.ts";
import { type ApiRecord, ENTITIES, personName, recordId } from "../entities.ts";
import { isPositiveId } from "../ids.ts";
import { carriesEmail, normalizeEmail } from "./email.ts";

/** Record files read at once; a batch of names is listed before they are read. */
const READ_CONCURRENCY = 8;
const BATCH = 256;

export interface CachedCandidate {
  id: number;
  /** "first last", as the index moniker. */
  name: string;
  record: ApiRecord;
}

/**
 * Whether a record file's text may hold the address, without parsing it: the encoder writes
 * ASCII addresses as they are, so a file whose lower-cased text lacks the address cannot carry it
 * unless the text uses JSON escapes (`\u…`, `\/`), or the address itself needs escaping or has
 * letters whose lower case depends on context. Then the file is parsed.
 */
function mayHold(text: string, address: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(address) || /["\\]/.test(address)) return true;
  if (text.includes("\\u") || text.includes("\\/")) return true;
  return text.toLowerCase().includes(address);
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Every cached candidate carrying the address, in ascending id order. */
export async function findInCache(cacheDir: string, address: string): Promise<CachedCandidate[]> {
  const dir = join(cacheDir, CANDIDATES_FOLDER);
  const wanted = normalizeEmail(address);
  const found: CachedCandidate[] = [];
  const check = async (id: number) => {
    let text: string;
    try {
      text = await Deno.readTextFile(join(dir, recordFileName(id)));
    } catch (error) {
      // Removed since it was listed (a purge or a prune running beside us).
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    if (!mayHold(text, wanted)) return;
    let record: ApiRecord;
    try {
      record = JSON.parse(text);
    } catch {
      return; // `check` reports damaged files; a half file cannot exist (atomic writes)
    }
    if (recordId(record) === id && carriesEmail(record, address)) {
      found.push({ id, name: personName(record), record });
    }
  };
  let batch: number[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const id = entry.isFile ? recordIdOf(entry.name) : undefined;
      if (id === undefined) continue;
      batch.push(id);
      if (batch.length >= BATCH) {
        await forEachConcurrent(batch, READ_CONCURRENCY, check);
        batch = [];
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  await forEachConcurrent(batch, READ_CONCURRENCY, check);
  return found.sort((a, b) => a.id - b.id);
}

/**
 * The cached applications of these candidates: those the candidate record names
 * (`application_ids`, v1) and those whose index moniker is `<candidate id>/…` (both versions),
 * read from `applications/`. Streams the index; keeps only the matches.
 */
export async function cachedApplications(
  cacheDir: string,
  candidates: CachedCandidate[],
): Promise<ApiRecord[]> {
  const folder = join(cacheDir, ENTITIES.applications.name);
  const owners = new Set(candidates.map((c) => c.id));
  const ids = new Set<number>();
  for (const c of candidates) {
    const named = Array.isArray(c.record.application_ids) ? c.record.application_ids : [];
    for (const id of named) if (isPositiveId(id)) ids.add(id);
  }
  try {
    for await (
      const rows of readIndexBatches(join(folder, INDEX_FILE), { allowDuplicates: true })
    ) {
      for (const row of rows) {
        if (isIndexProblem(row)) continue;
        const owner = Number(row.moniker.split("/")[0]);
        if (owners.has(owner)) ids.add(row.id);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const apps: ApiRecord[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const app = await readJson(join(folder, recordFileName(id)));
    if (app && owners.has((app as ApiRecord).candidate_id)) apps.push(app as ApiRecord);
  }
  return apps;
}

/** A candidate's cached activity feed (`activity_feeds/<id>.json`), if there is one. */
export async function cachedFeed(cacheDir: string, id: number): Promise<unknown> {
  return await readJson(join(cacheDir, ACTIVITY_FEEDS_FOLDER, recordFileName(id)));
}

/**
 * A candidate's cached attachment files, as paths relative to their attachments folder
 * (`<folder>/<file>`, markers and temporaries left out; links never followed).
 */
export async function cachedAttachmentFiles(cacheDir: string, id: number): Promise<string[]> {
  const base = candidateAttachmentsDir(cacheDir, id);
  const files: string[] = [];
  try {
    for await (const folder of Deno.readDir(base)) {
      if (!folder.isDirectory) continue;
      for await (const file of Deno.readDir(join(base, folder.name))) {
        if (file.isFile && file.name !== MARKER_FILE && !file.name.startsWith(".")) {
          files.push(`${folder.name}/${file.name}`);
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}
