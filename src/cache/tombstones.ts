/**
 * `<cache>/.privacy-tombstones`: the ids of the candidates `erase` deleted or anonymized, one per
 * line after a comment line. Every later run honours it: the candidate-dependent steps
 * (attachments, activity feeds, in `sync` too) never fetch an erased candidate's résumé or feed
 * again, even when Greenhouse still serves them (an anonymized candidate keeps its attachments
 * unless they were anonymized upstream too).
 *
 * Ids only: no address, no name. Adding ids rewrites the file atomically (temporary + rename, with
 * the cache lock held) with the ids already there merged in, so a kill never loses one. A file
 * changed by hand into something else is refused rather than ignored: ignoring it would fetch
 * erased people again. A link in its place is refused too (the file must live in the cache).
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import { parseId } from "../ids.ts";
import { writeFileAtomic } from "./atomic.ts";
import { TOMBSTONES_FILE } from "./layout.ts";

const HEADER = "# candidates erased by `erase`: never fetched again (ids only)";
/** Far more ids than a tenant's erasures; a larger file was not written by this tool. */
const MAX_BYTES = 64 * 1024 * 1024;

const pathOf = (cacheDir: string) => join(cacheDir, TOMBSTONES_FILE);

function damaged(path: string, why: string): RunError {
  return new RunError(
    `${path}: ${why}; it lists erased candidates that must not be fetched again: restore it ` +
      "from a backup of this cache, or fix the line by hand (one candidate id per line)",
  );
}

/** The erased candidates' ids (empty when nothing was ever erased in this cache). */
export async function readTombstones(cacheDir: string): Promise<Set<number>> {
  const path = pathOf(cacheDir);
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Set();
    throw error;
  }
  if (!info.isFile) throw damaged(path, "is not a plain file (a link or a folder)");
  if (info.size > MAX_BYTES) throw damaged(path, `is larger than ${MAX_BYTES} bytes`);
  const ids = new Set<number>();
  const lines = (await Deno.readTextFile(path)).split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || line.startsWith("#")) continue;
    const id = parseId(line);
    if (id === undefined) throw damaged(path, `line ${n + 1} is not a candidate id`);
    ids.add(id);
  }
  return ids;
}

/** Records `ids` as erased, with those already recorded. Call with the cache lock held. */
export async function addTombstones(cacheDir: string, ids: Iterable<number>): Promise<void> {
  const all = await readTombstones(cacheDir);
  const before = all.size;
  for (const id of ids) all.add(id);
  if (all.size === before) return;
  const sorted = [...all].sort((a, b) => a - b);
  await writeFileAtomic(pathOf(cacheDir), [HEADER, ...sorted.map(String)].join("\n") + "\n");
}
