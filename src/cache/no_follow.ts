/**
 * The cache never follows a symbolic link inside itself. A link planted in a cache (by hand, by
 * another user who can write there, or restored from an archive or bucket) would otherwise carry
 * writes out of it: Deno checks --allow-write against the path it is given, not where a link
 * leads, so not even the binary's permissions stop that.
 *
 * - Folders are made one level at a time (`ensureFolder`): mkdir does not follow a link at the
 *   last component, and the result is checked with lstat before anything is put inside.
 * - Files are opened with `openNoFollow`: a new file is created with createNew (O_EXCL, which
 *   refuses a link at that name), an existing one must be a regular file by lstat, and after
 *   opening, the handle must be that very file (same device and inode as lstat reports), so a
 *   link swapped in meanwhile is caught before a byte is written or truncated.
 * - Whole files are replaced by renaming a temporary over them (atomic.ts): rename replaces a
 *   link, it never writes through it.
 *
 * The cache folder itself may be a link (a user's choice, e.g. onto a data volume); everything
 * inside it is checked. A process that can write into the cache while a run is going can still
 * race these checks: the checks stop links that are there before or between operations, which
 * is how they arrive (restored caches, other users), not an attacker racing each open.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";

/** The error for a link where the cache expects its own file or folder. */
export function symlinkError(path: string): RunError {
  return new RunError(
    `${path}: is a symbolic link, and the cache never follows links inside itself (a write ` +
      "there would land outside it); remove the link, and find out how it got there",
  );
}

function notWhatWasExpected(path: string, expected: "file" | "folder"): RunError {
  return new RunError(
    `${path}: is not a ${expected}, but the cache keeps a ${expected} there; move it out of the ` +
      "cache and run again",
  );
}

/** Throws `symlinkError` for the first of `paths` that is a link (a missing path is fine). */
export async function refuseLinks(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    if ((await lstatOrUndefined(path))?.isSymlink) throw symlinkError(path);
  }
}

/** lstat, or undefined when nothing is there. */
export async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Whether `path` is a real folder: false when nothing is there; throws when it is a link or
 * something other than a folder.
 */
export async function isRealFolder(path: string): Promise<boolean> {
  const info = await lstatOrUndefined(path);
  if (info === undefined) return false;
  if (info.isSymlink) throw symlinkError(path);
  if (!info.isDirectory) throw notWhatWasExpected(path, "folder");
  return true;
}

/** Creates the folder `path` if it is not there (its parent must be); refuses a link. */
export async function ensureFolder(path: string): Promise<void> {
  try {
    await Deno.mkdir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  if (!await isRealFolder(path)) throw new Deno.errors.NotFound(`${path} vanished`);
}

/**
 * Creates `root` (with its parents) if needed, then each folder of `parts` below it one at a
 * time, refusing a link at `root` or at any part.
 */
export async function ensureFolders(root: string, parts: readonly string[]): Promise<string> {
  await Deno.mkdir(root, { recursive: true });
  if (!await isRealFolder(root)) throw new Deno.errors.NotFound(`${root} vanished`);
  let path = root;
  for (const part of parts) {
    path = join(path, part);
    await ensureFolder(path);
  }
  return path;
}

export interface NoFollowOptions {
  read?: boolean;
  write?: boolean;
  append?: boolean;
  /** Create the file when it is not there (never through a link). */
  create?: boolean;
  /** Permissions of a file created here. */
  mode?: number;
}

function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/**
 * Opens the regular file `path` without following a link at its last component (see above).
 * Throws Deno.errors.NotFound when it is missing and `create` is not set, and a RunError for a
 * link or anything that is not a regular file (a FIFO would block the open).
 */
export async function openNoFollow(path: string, options: NoFollowOptions): Promise<Deno.FsFile> {
  const { create = false, mode, ...access } = options;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await lstatOrUndefined(path);
    if (before === undefined) {
      if (!create) throw new Deno.errors.NotFound(`${path}: not found`);
      try {
        return await Deno.open(path, { ...access, createNew: true, mode });
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue; // someone made it: look again
        throw error;
      }
    }
    if (before.isSymlink) throw symlinkError(path);
    if (!before.isFile) throw notWhatWasExpected(path, "file");
    const file = await Deno.open(path, access);
    let opened: Deno.FileInfo;
    let now: Deno.FileInfo | undefined;
    try {
      opened = await file.stat();
      now = await lstatOrUndefined(path);
    } catch (error) {
      file.close();
      throw error;
    }
    if (now !== undefined && !now.isSymlink && sameFile(opened, now)) return file;
    file.close();
    if (now?.isSymlink) throw symlinkError(path);
    // Replaced between the lstat and the open (a rename by another run): look again.
  }
  throw new RunError(`${path}: kept changing while it was opened; run again`);
}

/** The text of the regular file `path`, never read through a link (NotFound when missing). */
export async function readTextNoFollow(path: string): Promise<string> {
  return new TextDecoder().decode(await readNoFollow(path));
}

/** The bytes of the regular file `path`, never read through a link (NotFound when missing). */
export async function readNoFollow(path: string): Promise<Uint8Array> {
  using file = await openNoFollow(path, { read: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    size += n;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
