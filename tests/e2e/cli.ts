/**
 * Spawns the real CLI the way a user runs it, with explicit, scoped permissions: network to
 * loopback only, file access to one temporary folder, and only the GREENHOUSE_* variables.
 */
import { fileURLToPath } from "node:url";
import { INDEX_FILE, recordIdOf } from "../../src/cache/layout.ts";
import { type Clock, systemClock } from "../../src/clock.ts";
export { withTempDir } from "../support.ts";

export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The only folder the CLI may read and write; also its working directory. */
  root: string;
  env?: Record<string, string>;
  /** Extra Deno flags, e.g. a different permission set. */
  permissions?: string[];
  stdin?: string;
}

/**
 * Variables Deno itself needs to find its module cache; nothing else leaks in from the test (or
 * benchmark: scripts/bench/support.ts spawns the CLI with these too).
 */
export function denoEnvironment(): Record<string, string> {
  const keep: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "PATH"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) keep[name] = value;
  }
  return keep;
}

export function scopedPermissions(root: string): string[] {
  return [
    "--no-prompt",
    "--allow-net=127.0.0.1",
    `--allow-read=${root}`,
    `--allow-write=${root}`,
    "--allow-env=GREENHOUSE_*,NO_COLOR,TERM,GITHUB_STEP_SUMMARY",
  ];
}

export function cliCommand(args: string[], opts: CliOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...(opts.permissions ?? scopedPermissions(opts.root)), MAIN, ...args],
    cwd: opts.root,
    clearEnv: true,
    env: { ...denoEnvironment(), ...opts.env },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

export async function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  const child = cliCommand(args, opts).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Waits for a condition that another process or the sandbox makes true (polls; no fixed sleep). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 60_000,
) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Reads a cache folder back: record files by id and the index rows. */
export async function readEntityFolder(dir: string) {
  const files = new Map<number, unknown>();
  for await (const entry of Deno.readDir(dir)) {
    const id = recordIdOf(entry.name);
    if (id !== undefined) {
      files.set(id, JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`)));
    }
  }
  return { files, index: await Deno.readTextFile(`${dir}/${INDEX_FILE}`) };
}

/**
 * One run of the CLI's own entry point (main.ts `cli`) in this process: for walks over every
 * command or list, where spawning a process per case would cost ~0.2 s each and prove nothing a
 * few spawned runs do not (the same argv, environment and cache code; only the process set-up
 * differs, which the spawned runs cover). Give `--cache-dir`: the process's own working
 * directory is not the test's folder.
 */
export async function runInProcess(
  args: string[],
  env: Record<string, string>,
  /** The run's time: a ManualClock makes the client's backoff and pacing waits instant. */
  clock: Clock = systemClock,
): Promise<CliResult> {
  const { cli } = await import("../../main.ts");
  let stdout = "";
  let stderr = "";
  const code = await cli(args, {
    env: (name) => env[name],
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    stderrIsTerminal: false,
    stdinIsTerminal: false,
    readLine: () => Promise.resolve(null),
    clock,
    signal: new AbortController().signal, // no signal listeners of its own
  });
  return { code, stdout, stderr };
}

/**
 * Set-up a test is not about (its starting cache: `candidates -q`, a first sync), run through
 * main.ts's cli() in this process on `<root>/greenhouse-cache`, as the spawned runs use it.
 * Throws when the run fails.
 */
export async function setUpCache(
  args: string[],
  root: string,
  env: Record<string, string>,
): Promise<CliResult> {
  const result = await runInProcess([...args, "--cache-dir", `${root}/greenhouse-cache`], env);
  if (result.code !== 0) {
    throw new Error(`set-up ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return result;
}

/**
 * `check ARGS` on `<root>/greenhouse-cache` through main.ts's cli() in this process: for a test
 * that audits the cache another command left (check's own behaviour is spawned in
 * tests/e2e/check_test.ts and its neighbours).
 */
export function auditCache(root: string, args: string[] = []): Promise<CliResult> {
  return runInProcess(["check", ...args, "--cache-dir", `${root}/greenhouse-cache`], {});
}
