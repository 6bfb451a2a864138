/**
 * One writer per cache folder, using an OS advisory lock (flock) on `<cacheDir>/.lock`. The OS
 * drops the lock when the process dies (even with kill -9), so a lock file left behind by a dead
 * run is simply taken over. The file's content (pid, hostname, start time) is informational,
 * used to tell the user who holds the lock.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import { type Clock, systemClock } from "../clock.ts";
import { LOCK_FILE } from "./layout.ts";
import { openNoFollow, readTextNoFollow } from "./no_follow.ts";

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface Lock {
  /** Path of the lock file. */
  path: string;
  info: LockInfo;
  /** Removes the lock file, then unlocks and closes it. Idempotent. */
  release(): Promise<void>;
}

export function lockPath(cacheDir: string): string {
  return join(cacheDir, LOCK_FILE);
}

function hostname(): string {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      return Deno.hostname();
    }
  } catch {
    // fall through
  }
  try {
    if (Deno.permissions.querySync({ name: "env", variable: "HOSTNAME" }).state === "granted") {
      return Deno.env.get("HOSTNAME") ?? "";
    }
  } catch {
    // fall through
  }
  return "";
}

/** Reads the holder's details from the lock file; undefined if missing or unreadable. */
export async function readLockInfo(cacheDir: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await readTextNoFollow(lockPath(cacheDir)));
    if (parsed && typeof parsed === "object") return parsed as LockInfo;
  } catch {
    // missing, empty (holder not written yet) or not JSON
  }
  return undefined;
}

function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Takes the cache's writer lock or throws a RunError naming the holder and the lock file.
 * `cacheDir` must exist.
 */
export async function acquireLock(
  cacheDir: string,
  opts: { clock?: Clock } = {},
): Promise<Lock> {
  const path = lockPath(cacheDir);
  const clock = opts.clock ?? systemClock;
  for (let attempt = 0; attempt < 5; attempt++) {
    const file = await openLockFile(path);
    const state = await lockCurrentFile(file, path);
    if (state === "replaced") continue;
    if (state === "busy") throw await lockedError(cacheDir, path);
    const info: LockInfo = {
      pid: Deno.pid,
      hostname: hostname(),
      startedAt: new Date(clock.now()).toISOString(),
    };
    await writeLockInfo(file, info);
    return heldLock(path, info, file);
  }
  throw new RunError(
    `lock file ${path}: kept being replaced by other runs; try again`,
  );
}

async function openLockFile(path: string): Promise<Deno.FsFile> {
  try {
    // Truncated later: a link there would truncate whatever it points at.
    return await openNoFollow(path, { read: true, write: true, create: true });
  } catch (error) {
    if (error instanceof RunError) throw error;
    throw new RunError(
      `lock file ${path}: cannot be opened (${(error as Error).message}); ` +
        `check that the cache folder is writable`,
    );
  }
}

/**
 * Locks the open file: "locked", "busy" (another run holds it), or "replaced" (the path names
 * another file by now). The file is closed unless locked.
 */
async function lockCurrentFile(
  file: Deno.FsFile,
  path: string,
): Promise<"locked" | "busy" | "replaced"> {
  try {
    if (!await file.tryLock(true)) {
      file.close();
      return "busy";
    }
    // A releasing run removes the file before unlocking; if we locked an unlinked file,
    // the path now names another file (or none): retry on the current one.
    const current = await statOrUndefined(path);
    if (current === undefined || !sameFile(await file.stat(), current)) {
      await file.unlock();
      file.close();
      return "replaced";
    }
    return "locked";
  } catch (error) {
    file.close();
    throw error;
  }
}

/** The lock is held by another run: who, since when, and what to do. */
async function lockedError(cacheDir: string, path: string): Promise<RunError> {
  const holder = await readLockInfo(cacheDir);
  const who = holder
    ? `pid ${holder.pid}${
      holder.hostname && holder.hostname !== hostname() ? ` on ${holder.hostname}` : ""
    } since ${holder.startedAt}`
    : "pid unknown";
  return new RunError(
    `cache ${cacheDir}: locked by another run (${who}; lock file ${path}); ` +
      `wait for it to finish, or remove the lock file if no run is active`,
  );
}

/** Writes who holds the lock into the locked file (released and closed if that fails). */
async function writeLockInfo(file: Deno.FsFile, info: LockInfo): Promise<void> {
  try {
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    const bytes = new TextEncoder().encode(JSON.stringify(info) + "\n");
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  } catch (error) {
    await file.unlock().catch(() => {});
    file.close();
    throw error;
  }
}

/** The held lock: released once, by removing the file before unlocking it. */
function heldLock(path: string, info: LockInfo, file: Deno.FsFile): Lock {
  let released = false;
  return {
    path,
    info,
    async release() {
      if (released) return;
      released = true;
      try {
        await Deno.remove(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) {
          await file.unlock().catch(() => {});
          file.close();
          throw error;
        }
      }
      await file.unlock().catch(() => {});
      file.close();
    },
  };
}

/**
 * For `check`: "none" (no lock file), "held" (a live process holds it, possibly this one) or
 * "stale" (a file is left but nobody holds it; the next run takes it over).
 */
export async function inspectLock(cacheDir: string): Promise<"none" | "held" | "stale"> {
  let file: Deno.FsFile;
  try {
    file = await openNoFollow(lockPath(cacheDir), { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "none";
    throw error;
  }
  try {
    if (!(await file.tryLock(true))) return "held";
    await file.unlock();
    return "stale";
  } finally {
    file.close();
  }
}
