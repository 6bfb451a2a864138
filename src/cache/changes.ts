/**
 * Change manifests: per run of `sync` or `erase` that changed the cache, one file
 * `<cache>/.changes/<run start>-<run>.ndjson` listing the record ids it added, changed and removed
 * per entity, so a warehouse can upsert and soft-delete without comparing whole tables.
 *
 * The file is an append log, like the index journal: a header line, then one line per batch of
 * ids (written before the records it names are written or removed, so a run killed at any moment
 * has listed everything it changed; an id may be listed although the kill came before its write,
 * which an upsert absorbs), then a closing line with the counts once the run ends. A manifest
 * without its closing line is the record of a run that was killed: its changes are real all the
 * same. Each line is one write; a reader ignores a last line without its line end.
 *
 * Ids are streamed to the file, never held: memory keeps the counts and, per line, where it is
 * (to read a kind of change back for `sync --json`). docs/cache-format.md documents the format.
 */
import { join } from "node:path";
import { removeIfPresent } from "../files.ts";
import { CHANGES_FOLDER, changesFileName, changesFileTime } from "./layout.ts";

export type ChangeKind = "added" | "changed" | "removed";
export const CHANGE_KINDS: readonly ChangeKind[] = ["added", "changed", "removed"];

/** Identifies the file format in its header line. */
export const CHANGES_FORMAT = "greenhouse-extractor changes";
export const CHANGES_VERSION = 1;

/** Ids per line at most: a long list (a prune) is split into lines of this many. */
const IDS_PER_LINE = 1000;

export type ChangeCounts = Record<ChangeKind, number>;

export interface ChangeLog {
  /** The manifest's path once something was recorded; undefined while nothing was. */
  readonly path: string | undefined;
  /**
   * Appends `ids` as changed in `kind` for `entity` (an entity folder's name). Call before
   * writing or removing the records. Creates the manifest on first use.
   */
  record(entity: string, kind: ChangeKind, ids: readonly number[]): Promise<void>;
  /** Ids recorded per entity and kind (an id listed twice counts twice), in entity first-seen order. */
  counts(): Record<string, ChangeCounts>;
  /** Reads back the ids recorded for `entity` and `kind`, in order, a line at a time. */
  ids(entity: string, kind: ChangeKind): AsyncGenerator<number[]>;
  /** Writes the closing line (when there is a manifest) and closes the file. */
  close(finishedAt: Date): Promise<void>;
}

interface Line {
  entity: string;
  kind: ChangeKind;
  offset: number;
  length: number;
}

const encoder = new TextEncoder();

/** A change log for one run; nothing is written until the first change is recorded. */
export function openChangeLog(cacheDir: string, run: "sync" | "erase", startedAt: Date): ChangeLog {
  const folder = join(cacheDir, CHANGES_FOLDER);
  let file: Deno.FsFile | undefined;
  let path: string | undefined;
  let offset = 0;
  const lines: Line[] = [];
  const counts: Record<string, ChangeCounts> = {};

  const append = async (text: string): Promise<number> => {
    const bytes = encoder.encode(text + "\n");
    for (let at = 0; at < bytes.length;) at += await file!.write(bytes.subarray(at));
    const start = offset;
    offset += bytes.length;
    return start;
  };

  const create = async () => {
    await Deno.mkdir(folder, { recursive: true });
    // Two runs in the same millisecond (only tests manage it) get ~2, ~3…
    for (let n = 1;; n++) {
      const candidate = join(folder, changesFileName(startedAt, run, n));
      try {
        file = await Deno.open(candidate, { write: true, append: true, createNew: true });
        path = candidate;
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists) || n >= 100) throw error;
      }
    }
    await append(JSON.stringify({
      format: CHANGES_FORMAT,
      version: CHANGES_VERSION,
      run,
      startedAt: startedAt.toISOString(),
    }));
  };

  return {
    get path() {
      return path;
    },
    async record(entity, kind, ids) {
      if (ids.length === 0) return;
      if (file === undefined) await create();
      counts[entity] ??= { added: 0, changed: 0, removed: 0 };
      counts[entity][kind] += ids.length;
      for (let i = 0; i < ids.length; i += IDS_PER_LINE) {
        const text = JSON.stringify({ entity, change: kind, ids: ids.slice(i, i + IDS_PER_LINE) });
        const start = await append(text);
        lines.push({ entity, kind, offset: start, length: offset - start });
      }
    },
    counts: () => structuredClone(counts),
    async *ids(entity, kind) {
      if (path === undefined) return;
      using reader = await Deno.open(path, { read: true });
      const decoder = new TextDecoder();
      for (const line of lines) {
        if (line.entity !== entity || line.kind !== kind) continue;
        const bytes = new Uint8Array(line.length);
        await reader.seek(line.offset, Deno.SeekMode.Start);
        for (let at = 0; at < bytes.length;) {
          const n = await reader.read(bytes.subarray(at));
          if (n === null) throw new Error(`${path} is shorter than what was written to it`);
          at += n;
        }
        yield JSON.parse(decoder.decode(bytes)).ids;
      }
    },
    async close(finishedAt) {
      if (file === undefined) return;
      try {
        await append(JSON.stringify({ finishedAt: finishedAt.toISOString(), counts }));
      } finally {
        file.close();
        file = undefined;
      }
    },
  };
}

/**
 * Removes the manifests of runs that started before `before` and returns their names, sorted.
 * Other files in the folder are left alone. Call with the cache lock held.
 */
export async function removeChangeLogsBefore(cacheDir: string, before: Date): Promise<string[]> {
  const folder = join(cacheDir, CHANGES_FOLDER);
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      const time = entry.isFile ? changesFileTime(entry.name) : undefined;
      if (time !== undefined && time.getTime() < before.getTime()) {
        await removeIfPresent(join(folder, entry.name));
        removed.push(entry.name);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return removed;
    throw error;
  }
  return removed.sort();
}
