/**
 * `deno task bench [--quick] [--only GROUP]...`: runs every module in scripts/bench/ that exports
 * `bench: Bench` (discovered by reading the folder, so new modules need no registration) and
 * writes BENCHMARKS.md: the machine, the date, the Deno version and one table per group.
 */
import { parseArgs } from "node:util";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Bench, BenchFigure } from "./bench/types.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
}

/** Modules in scripts/bench/ with a `bench` export, sorted by file name. */
export async function discoverBenches(dir = join(HERE, "bench")): Promise<[string, Bench][]> {
  const names = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts"))
    .map((e) => e.name)
    .sort();
  const found: [string, Bench][] = [];
  for (const name of names) {
    const module = await import(pathToFileURL(join(dir, name)).href);
    const bench = module.bench as Bench | undefined;
    if (bench && typeof bench.run === "function") found.push([basename(name, ".ts"), bench]);
  }
  return found;
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

export function describeMachine(): Machine {
  const cpuinfo = readText("/proc/cpuinfo");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  const cores = navigator.hardwareConcurrency;
  const memoryGb = Deno.systemMemoryInfo().total / 1024 ** 3;
  const release = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readText("/etc/os-release"))?.[1];
  return {
    cpu: model ?? Deno.build.arch,
    cores,
    memoryGb,
    os: `${release ?? Deno.build.os} (${Deno.build.os} ${Deno.osRelease()}, ${Deno.build.arch})`,
  };
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const digits = Math.abs(value) >= 100
    ? 0
    : Math.abs(value) >= 10
    ? 1
    : Math.abs(value) >= 1
    ? 2
    : 3;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

export function formatReport(
  results: { module: string; group: string; figures: BenchFigure[]; error?: string }[],
  meta: { machine: Machine; date: Date; deno: string; quick: boolean },
): string {
  const m = meta.machine;
  const lines = [
    "# Benchmarks",
    "",
    "Written by `deno task bench` (scripts/bench.ts); do not edit by hand.",
    "",
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb.toFixed(1)} GB memory`,
    `- OS: ${m.os}`,
    `- Date: ${meta.date.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- Deno: ${meta.deno}`,
    `- Mode: ${meta.quick ? "quick (fewer, smaller runs)" : "full"}`,
    "",
    "Values are medians of the runs listed; a ratio compares measurements taken in the same run.",
    "",
  ];
  for (const result of results) {
    lines.push(`## ${result.group}`, "", `Module: \`scripts/bench/${result.module}.ts\``, "");
    if (result.error) {
      lines.push(`**Failed:** ${cell(result.error)}`, "");
      continue;
    }
    lines.push(
      "| Figure | Value | Unit | Target | Met | Runs |",
      "| --- | ---: | --- | --- | --- | --- |",
    );
    const notes: string[] = [];
    for (const f of result.figures) {
      const met = f.met === undefined ? "" : f.met ? "yes" : "**no**";
      const runs = f.runs && f.runs.length > 1 ? f.runs.map(formatValue).join(", ") : "";
      let name = cell(f.name);
      if (f.note) {
        notes.push(f.note);
        name += ` [${notes.length}]`;
      }
      lines.push(
        `| ${name} | ${formatValue(f.value)} | ${cell(f.unit)} | ${
          cell(f.target)
        } | ${met} | ${runs} |`,
      );
    }
    lines.push("");
    notes.forEach((note, i) => lines.push(`${i + 1}. ${note}`));
    if (notes.length) lines.push("");
  }
  return lines.join("\n");
}

/** A report's `## group` sections by module name, and the text before the first. */
function sections(report: string): { head: string; byModule: Map<string, string> } {
  const [head, ...parts] = report.split(/^(?=## )/m);
  const byModule = new Map<string, string>();
  for (const part of parts) {
    const module = /^Module: `scripts\/bench\/([^`]+)\.ts`/m.exec(part)?.[1] ?? part;
    byModule.set(module, part.trimEnd() + "\n\n");
  }
  return { head, byModule };
}

/**
 * `existing` with the sections of `fresh` (a run of some groups) put in place of theirs, in
 * module order; each replaced section says when it ran, since the header's date is the last
 * full run's.
 */
export function mergeReport(existing: string, fresh: string, date: Date): string {
  const old = sections(existing);
  const now = sections(fresh);
  const when = date.toISOString().slice(0, 16).replace("T", " ");
  for (const [module, text] of now.byModule) {
    old.byModule.set(
      module,
      text.replace(
        /^(Module: .*)$/m,
        `$1 (run on its own, \`deno task bench --only ${module}\`, ${when} UTC)`,
      ),
    );
  }
  const modules = [...old.byModule.keys()].sort();
  return (old.head + modules.map((m) => old.byModule.get(m)).join("")).trimEnd() + "\n";
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      only: { type: "string", multiple: true },
      output: { type: "string" },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const only = values.only?.map((g) => g.toLowerCase());
  const output = values.output ?? join(ROOT, "BENCHMARKS.md");
  const results = [];
  for (const [module, bench] of await discoverBenches()) {
    if (only && !only.includes(module.toLowerCase()) && !only.includes(bench.group.toLowerCase())) {
      continue;
    }
    console.error(`bench: ${bench.group} (${module}.ts)${quick ? ", quick" : ""}`);
    const started = performance.now();
    try {
      const figures = await bench.run({ quick });
      for (const f of figures) {
        const met = f.met === undefined ? "" : f.met ? " (met)" : " (MISSED)";
        console.error(`  ${f.name}: ${formatValue(f.value)} ${f.unit}${met}`);
      }
      results.push({ module, group: bench.group, figures });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`  failed: ${message}`);
      results.push({ module, group: bench.group, figures: [], error: String(error) });
    }
    console.error(`  ${((performance.now() - started) / 1000).toFixed(0)}s`);
  }
  if (results.length === 0) {
    console.error(`error: no benchmark module matches --only ${values.only?.join(", ")}`);
    return 2;
  }
  const date = new Date();
  const report = formatReport(results, {
    machine: describeMachine(),
    date,
    deno: Deno.version.deno,
    quick,
  });
  // With --only, the groups that ran replace theirs in the existing report; the rest stay.
  const existing = only ? readText(output) : "";
  await Deno.writeTextFile(output, existing ? mergeReport(existing, report, date) : report);
  // Keep the report `deno fmt --check` clean (tables aligned the way fmt aligns them).
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", output] }).output();
  console.error(`wrote ${output}`);
  return results.some((r) => r.error) ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
