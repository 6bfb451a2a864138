/**
 * Helpers for benchmark modules: run the CLI as a subprocess with the binary's permission set
 * (scripts/permissions.ts) while polling its peak RSS, medians, temp folders.
 */
import { permissionFlags, V8_FLAGS } from "../permissions.ts";
import type { BenchFigure } from "./types.ts";
import { denoEnvironment, MAIN } from "../../tests/e2e/cli.ts";

export { MAIN };

export interface MeasuredRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set size in MB (GNU time's %M); NaN where /usr/bin/time is missing. */
  peakRssMb: number;
}

const TIME = "/usr/bin/time";

function hasGnuTime(): boolean {
  try {
    return Deno.statSync(TIME).isFile;
  } catch {
    return false;
  }
}

/**
 * Runs `deno run <binary flags> main.ts ...args` in `cwd` (so ./greenhouse-cache lands there).
 * Peak RSS comes from GNU time's %M (maximum resident set size of the child), because Deno
 * only lets a script read /proc/<pid>/status with --allow-all.
 */
export async function runCliMeasured(
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<MeasuredRun> {
  const rssFile = await Deno.makeTempFile({ prefix: "ghx-bench-rss-" });
  const deno = [Deno.execPath(), "run", V8_FLAGS, ...permissionFlags(), MAIN, ...args];
  const [command, ...commandArgs] = hasGnuTime()
    ? [TIME, "-f", "%M", "-o", rssFile, ...deno]
    : deno;
  const started = performance.now();
  const output = await new Deno.Command(command, {
    args: commandArgs,
    cwd: opts.cwd,
    clearEnv: true,
    env: { ...denoEnvironment(), ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  const kb = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop() || NaN);
  await Deno.remove(rssFile);
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    ms,
    peakRssMb: kb / 1024,
  };
}

/** Throws with the CLI's stderr when a measured run failed. */
export function expectSuccess(run: MeasuredRun, what: string): MeasuredRun {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr.trim()}`);
  return run;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export { withTempDir } from "../../tests/support.ts";

/** Requests the CLI reported in its summary line ("…, 12 requests, 0 retries, …"). */
export function summaryRequests(stdout: string): number {
  const match = /, (\d+) requests,/.exec(stdout);
  if (!match) throw new Error(`no summary line in: ${stdout.trim()}`);
  return Number(match[1]);
}

/**
 * A bench module run on its own (`deno run -A scripts/bench/<module>.ts [--quick]`): one line per
 * figure on stdout, BENCHMARKS.md left alone (`deno task bench --only <group>` writes it).
 */
export function printFigures(figures: readonly BenchFigure[]): void {
  for (const f of figures) {
    const target = f.target ? ` (target ${f.target}, met: ${f.met})` : "";
    console.log(`${f.name}: ${f.value} ${f.unit}${target} runs=${JSON.stringify(f.runs)}`);
  }
}
