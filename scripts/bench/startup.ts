/**
 * How long the CLI takes to start and answer, per command: `<command> --help` loads the command's
 * module (and its engine) and parses, with the binary's permission set, and sends nothing. Every
 * scheduled run, every privacy request and every spawn in the e2e tests pays this once.
 */
import { permissionFlags, V8_FLAGS } from "../permissions.ts";
import { denoEnvironment, MAIN } from "../../tests/e2e/cli.ts";
import type { Bench, BenchFigure } from "./types.ts";
import { median, printFigures, withTempDir } from "./support.ts";

/**
 * CPU ms per start at c31fed7, where main.ts imported every command module (and so every engine,
 * the sandbox and the Parquet writer) before parsing: medians of 21 runs by this module.
 */
const BEFORE_CPU_MS: Record<string, number> = {
  "--version": 150,
  "--help": 120,
  "candidates --help": 120,
  "sync --help": 130,
  "check --help": 120,
  "erase --help": 120,
  "export --help": 120,
  "demo --help": 130,
};

const LINES = [
  ["--version"],
  ["--help"],
  ["candidates", "--help"],
  ["sync", "--help"],
  ["check", "--help"],
  ["erase", "--help"],
  ["export", "--help"],
  ["demo", "--help"],
];

/** One start's CPU time (user + sys, from GNU time; what a busy machine shares out), in ms. */
async function cpuOnce(args: string[], cwd: string): Promise<number> {
  const output = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%U %S", Deno.execPath(), "run", V8_FLAGS, ...permissionFlags(), MAIN, ...args],
    cwd,
    clearEnv: true,
    env: denoEnvironment(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
  const [user, sys] = lines[lines.length - 1].split(" ").map(Number);
  if (output.code !== 0 || !Number.isFinite(user + sys)) {
    throw new Error(`${args.join(" ")} exited ${output.code}: ${lines.join(" ")}`);
  }
  return (user + sys) * 1000;
}

export const bench: Bench = {
  group: "startup",
  async run({ quick }) {
    const runs = quick ? 5 : 21;
    const figures: BenchFigure[] = [];
    await withTempDir(async (cwd) => {
      for (const args of LINES) {
        const cpu: number[] = [];
        const wall: number[] = [];
        await cpuOnce(args, cwd); // warm Deno's module and code caches
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          cpu.push(await cpuOnce(args, cwd));
          wall.push(performance.now() - started);
        }
        const line = args.join(" ");
        const before = BEFORE_CPU_MS[line];
        figures.push({
          group: "startup",
          name: `${line}: start and answer, wall`,
          value: Math.round(median(wall)),
          unit: "ms",
          target: "",
          runs: wall.map(Math.round),
        }, {
          group: "startup",
          name: `${line}: CPU (user + sys)`,
          value: Math.round(median(cpu)),
          unit: "ms",
          target: "",
          runs: cpu.map(Math.round),
          note: before === undefined
            ? undefined
            : `${before} ms before commands were loaded on demand (c31fed7: every module at start).`,
        });
      }
    });
    return figures;
  },
};

if (import.meta.main) printFigures(await bench.run({ quick: Deno.args.includes("--quick") }));
