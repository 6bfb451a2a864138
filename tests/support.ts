/** Helpers shared by unit and end-to-end tests: temporary folders, file trees, a silent context. */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { RunContext } from "../src/context.ts";
import { systemClock } from "../src/clock.ts";
import { clientCredentialsAuth, HarvestClient, v3Dialect } from "../src/harvest/mod.ts";
import type { Sandbox } from "../src/sandbox/mod.ts";

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

/**
 * What `text` gives away: a function naming the first piece of a secret it shows, or undefined.
 * Independent of src/redact.ts on purpose: after undoing the escapes a server or a JSON writer
 * may add (`\uXXXX`, `\/`, `%XX`, HTML references) and dropping whitespace, a leak is 8
 * characters of the secret as written (any case), 4 of its bytes readable as hex, or 6 of its
 * bytes readable as base64 (either alphabet, at any of the 4 character offsets): that is, 8
 * characters of any of its spellings. Reads the text once for any number of secrets.
 */
export function leakChecker(text: string): (secret: string) => string | undefined {
  const plain = unescapeAll(text);
  const lower = plain.toLowerCase();
  const hexWindows = new Set<string>();
  for (const run of lower.match(/[0-9a-f]{8,}/g) ?? []) {
    for (const start of [0, 1]) {
      const pairs = run.slice(start).match(/../g) ?? [];
      addWindows(hexWindows, pairs.map((p) => String.fromCharCode(parseInt(p, 16))).join(""), 4);
    }
  }
  const base64Windows = new Set<string>();
  for (const run of plain.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    const standard = run.replaceAll("-", "+").replaceAll("_", "/");
    for (let offset = 0; offset < 4; offset++) {
      const whole = standard.slice(offset, offset + Math.floor((run.length - offset) / 4) * 4);
      addWindows(base64Windows, atob(whole), 6);
    }
  }
  return (secret) => {
    for (let i = 0; i + 8 <= secret.length; i++) {
      if (lower.includes(secret.slice(i, i + 8).toLowerCase())) return secret.slice(i, i + 8);
    }
    const bytes = String.fromCharCode(...new TextEncoder().encode(secret));
    for (let i = 0; i + 4 <= bytes.length; i++) {
      if (hexWindows.has(bytes.slice(i, i + 4))) return `hex of ${bytes.slice(i, i + 4)}`;
    }
    for (let i = 0; i + 6 <= bytes.length; i++) {
      if (base64Windows.has(bytes.slice(i, i + 6))) return `base64 of ${bytes.slice(i, i + 6)}`;
    }
    return undefined;
  };
}

/** The first piece of `secret` that `text` gives away (see leakChecker), or undefined. */
export function leakedPiece(text: string, secret: string): string | undefined {
  return leakChecker(text)(secret);
}

function addWindows(windows: Set<string>, binary: string, length: number): void {
  for (let i = 0; i + length <= binary.length; i++) windows.add(binary.slice(i, i + length));
}

function unescapeAll(text: string): string {
  let out = text;
  for (let round = 0; round < 3; round++) {
    out = out
      .replace(/\\+u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\+([/"])/g, "$1")
      .replace(/%([0-7][0-9a-fA-F])/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
      .replace(/&#[xX]([0-9a-fA-F]+);/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
      .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)))
      .replace(/\\+[nrt]/g, " ");
  }
  return out.replace(/\s+/g, "");
}

/** A v3 client of the in-process sandbox, unpaced (rate target 1), for tests that drive engines. */
export function sandboxV3Client(sandbox: Sandbox): HarvestClient {
  return new HarvestClient({
    baseUrl: sandbox.v3Url,
    auth: clientCredentialsAuth({
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      authUrl: sandbox.authUrl,
    }),
    dialect: v3Dialect,
    rateTarget: 1,
    userAgent: "test",
  });
}
