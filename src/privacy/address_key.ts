/**
 * `<cache>/.privacy-key`: a random 256-bit key, hex, readable by its owner only. The privacy log
 * and the pending erasures record the data subject's address as HMAC-SHA-256(key, normalised
 * address), never the address: without the key, guessing addresses cannot confirm one (an
 * unsalted SHA-256 of an address can be reversed by hashing candidate addresses). With the key,
 * whoever holds the cache can still look an address up (`erase --lookup`, or the recipe in
 * docs/privacy.md).
 *
 * The key is created on first use, under the cache lock: written owner-only to a temporary name,
 * then hard-linked to its name, which never replaces a key that exists, so an entry is never
 * orphaned by a second key. A symlink in its place is refused (the key must live in the cache).
 */
import { join } from "node:path";
import { PRIVACY_KEY_FILE, tempPathFor } from "../cache/mod.ts";
import { RunError } from "../errors.ts";
import { removeIfPresent } from "../files.ts";

/** 32 random bytes, as 64 lower-case hex digits. */
const KEY_TEXT = /^[0-9a-f]{64}$/;

export const keyPath = (cacheDir: string) => join(cacheDir, PRIVACY_KEY_FILE);

function damaged(path: string, why: string): RunError {
  return new RunError(
    `${path}: ${why}; restore it from a backup of this cache (without it the privacy log ` +
      "cannot be looked up by address), or move it away to start a new key",
  );
}

/** The cache's key, or undefined when it has none yet. Never creates it. */
export async function readAddressKey(cacheDir: string): Promise<Uint8Array | undefined> {
  const path = keyPath(cacheDir);
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if (!info.isFile) throw damaged(path, "is not a plain file (a link or a folder)");
  if (info.size > 1024) throw damaged(path, "is not a key written by this tool");
  const text = (await Deno.readTextFile(path)).trim();
  if (!KEY_TEXT.test(text)) throw damaged(path, "is not a key written by this tool");
  return Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
}

/** The cache's key, created (owner-only, atomically) when it has none. Call with the lock held. */
export async function addressKey(cacheDir: string): Promise<Uint8Array> {
  const existing = await readAddressKey(cacheDir);
  if (existing) return existing;
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const text = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") + "\n";
  const path = keyPath(cacheDir);
  const temp = tempPathFor(path);
  try {
    await Deno.writeTextFile(temp, text, { createNew: true, mode: 0o600 });
    // The mode above is filtered by the umask; make sure nobody else may read it.
    if (Deno.build.os !== "windows") await Deno.chmod(temp, 0o600);
    const file = await Deno.open(temp, { read: true });
    try {
      await file.sync();
    } finally {
      file.close();
    }
    try {
      await Deno.link(temp, path);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      // Another writer created it first: use theirs.
    }
  } finally {
    await removeIfPresent(temp);
  }
  const key = await readAddressKey(cacheDir);
  if (!key) throw damaged(path, "could not be created");
  return key;
}
