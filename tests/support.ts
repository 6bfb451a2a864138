/** Helpers shared by unit and end-to-end tests: temporary folders, file trees, a silent context. */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { RunContext } from "../src/context.ts";
import { systemClock } from "../src/clock.ts";

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ghx-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The names in one folder, sorted. */
export async function entryNames(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

/** Every file under `dir` as a path relative to it, sorted; `folders` adds folders as "a/b/". */
export async function fileTree(dir: string, folders = false, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      if (folders) out.push(rel + "/");
      out.push(...await fileTree(dir, folders, rel));
    } else out.push(rel);
  }
  return out.sort();
}

/** Every file and folder under `dir` with its content hash: a snapshot to compare before/after. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of await fileTree(dir, true)) {
    const hash = path.endsWith("/")
      ? "dir"
      : createHash("sha256").update(await Deno.readFile(join(dir, path))).digest("hex");
    out.set(path, hash);
  }
  return out;
}

/** A RunContext that prints nothing, has no environment and no terminal, on the system clock. */
export function quietContext(): RunContext {
  return {
    env: () => undefined,
    out: () => {},
    err: () => {},
    stderrIsTerminal: false,
    stdinIsTerminal: false,
    readLine: () => Promise.resolve(null),
    clock: systemClock,
  };
}
