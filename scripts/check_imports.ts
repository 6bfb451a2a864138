/**
 * The dependency rule, enforced: every import in main.ts and src/ must point down the layer
 * table below (or stay inside its own folder), and no module may import itself back through a
 * cycle. Prints one line per violation (file → import: the rule it breaks) and exits 1 if any.
 *
 *   deno task check:imports
 *
 * The table is data: to add a folder, give it a layer here (and a line in docs/architecture.md).
 */
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { tokenize } from "./ts_tokens.ts";

export interface Layer {
  name: string;
  /** Folders ("src/cli/") or files ("main.ts"); "src/*.ts" means the files directly in src/. */
  units: readonly string[];
}

/** Highest first: a unit may import its own unit and any unit of a layer below its own. */
export const LAYERS: readonly Layer[] = [
  { name: "main", units: ["main.ts"] },
  { name: "commands", units: ["src/commands/"] },
  { name: "cli", units: ["src/cli/"] },
  {
    name: "engines",
    units: [
      "src/extract/",
      "src/sync/",
      "src/dependent/",
      "src/privacy/",
      "src/check/",
      "src/export/",
      "src/doctor/",
      "src/sandbox/",
    ],
  },
  { name: "services", units: ["src/harvest/", "src/cache/", "src/schemas/"] },
  { name: "leaves", units: ["src/*.ts"] },
];

/**
 * Imports allowed between two units of the same layer; any other sideways import is a violation.
 * Each says why, so a new one is a decision rather than an accident.
 */
export const SIDEWAYS: readonly { from: string; to: string; why: string }[] = [
  { from: "src/sync/", to: "src/extract/", why: "sync lists changed records with the stream" },
  {
    from: "src/privacy/",
    to: "src/dependent/",
    why: "the access bundle fetches attachments and per-candidate lists the way the cache does",
  },
  { from: "src/check/", to: "src/privacy/", why: "check reports erasures left unfinished" },
  {
    from: "src/check/",
    to: "src/dependent/",
    why: "check --repair downloads again the attachments and feeds it found damaged",
  },
  {
    from: "src/check/",
    to: "src/extract/",
    why: "check --repair lists again a folder a link stood in for, with its schema",
  },
  {
    from: "src/dependent/",
    to: "src/sync/",
    why: "a dependent command's rerun asks for what the step owes the way sync does",
  },
  {
    from: "src/doctor/",
    to: "src/dependent/",
    why: "doctor follows a file URL's redirects the way the attachments step does",
  },
  {
    from: "src/doctor/",
    to: "src/privacy/",
    why: "doctor names the permission to grant as ping does",
  },
  {
    from: "src/sync/",
    to: "src/privacy/",
    why: "sync purges candidates deleted upstream with erase's purge, confirmed by its lookup",
  },
];

/**
 * Cycles known and being removed elsewhere. Each must still occur: once it is gone the check
 * fails until its line here is deleted, so an exception cannot outlive its reason.
 */
export const KNOWN_CYCLES: readonly { files: readonly string[]; why: string }[] = [];

/**
 * How a unit may reach a lower layer, beyond the direction: only through each unit's front door
 * (`through`, a file name such as "mod.ts"), or (without `through`) not at all. Each says why.
 */
export interface Entry {
  from: string;
  layer: string;
  through?: string;
  why: string;
}

/**
 * A command parses, confirms, calls one engine entry point and prints: it reaches an engine
 * through the engine's mod.ts only, and the services not at all (an engine's front door says
 * what a command may know of its files; src/cli/client.ts makes the client).
 */
export const ENTRIES: readonly Entry[] = [
  {
    from: "src/commands/",
    layer: "engines",
    through: "mod.ts",
    why: "a command calls an engine through its front door, never its internals",
  },
  {
    from: "src/commands/",
    layer: "services",
    why: "a command asks an engine (its mod.ts), and src/cli/client.ts for a client",
  },
];

export interface Rules {
  layers: readonly Layer[];
  sideways: readonly { from: string; to: string }[];
  knownCycles: readonly { files: readonly string[] }[];
  entries?: readonly Entry[];
}

export const RULES: Rules = {
  layers: LAYERS,
  sideways: SIDEWAYS,
  knownCycles: KNOWN_CYCLES,
  entries: ENTRIES,
};

/** One broken rule: `file → specifier: why`. */
export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

export function formatViolation(v: Violation): string {
  return v.specifier ? `${v.file} → ${v.specifier}: ${v.rule}` : `${v.file}: ${v.rule}`;
}

/**
 * The module specifiers a TypeScript source imports or re-exports: `import … from "x"`,
 * `import "x"`, `export … from "x"` and `import("x")`. Comments, strings, template literals and
 * regular expressions are skipped, so an import written inside one of them is not counted.
 */
export function findImports(source: string): string[] {
  const tokens = tokenize(source);
  const found: string[] = [];
  tokens.forEach((token, i) => {
    if (token.value === undefined) return;
    const previous = tokens[i - 1]?.text;
    const isSpecifier = previous === "from" || previous === "import" ||
      (previous === "(" && tokens[i - 2]?.text === "import");
    if (isSpecifier) found.push(token.value);
  });
  return found;
}

/** Which unit of the table a repository path belongs to, if any. */
export function unitOf(path: string, layers: readonly Layer[]): string | undefined {
  for (const layer of layers) {
    for (const unit of layer.units) {
      if (unit === "src/*.ts" && /^src\/[^/]+\.ts$/.test(path)) return unit;
      if (unit.endsWith("/") ? path.startsWith(unit) : path === unit) return unit;
    }
  }
  return undefined;
}

function layerIndex(unit: string, layers: readonly Layer[]): number {
  return layers.findIndex((layer) => layer.units.includes(unit));
}

/** The repository path a relative specifier names; undefined for packages (node:, npm:, bare). */
export function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  return normalize(join(dirname(file), specifier)).replaceAll("\\", "/");
}

/**
 * Checks the modules (repository path → source text) against the rules: every import points
 * down the layers, sideways only where declared, never outside src/ but for data (.json), and
 * no import cycle. Violations are sorted by file.
 */
export function checkImports(sources: ReadonlyMap<string, string>, rules: Rules): Violation[] {
  const { layers } = rules;
  const order = layers.map((layer) => layer.name).join(" → ");
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, source] of sources) {
    const unit = unitOf(file, layers);
    const edges: string[] = [];
    graph.set(file, edges);
    if (unit === undefined) {
      violations.push({
        file,
        specifier: "",
        rule: "not in the layer table: give its folder a layer in scripts/check_imports.ts",
      });
      continue;
    }
    const layer = layers[layerIndex(unit, layers)];
    for (const specifier of findImports(source)) {
      const target = resolveSpecifier(file, specifier);
      if (target === undefined) continue;
      const targetUnit = unitOf(target, layers);
      if (targetUnit === undefined) {
        if (target.endsWith(".json") && !target.startsWith("src/")) continue; // data, e.g. deno.json
        violations.push({
          file,
          specifier,
          rule: `${layer.name} may not import ${target}: it is outside the layer table`,
        });
        continue;
      }
      if (sources.has(target)) edges.push(target);
      if (targetUnit === unit) continue;
      const from = layerIndex(unit, layers);
      const to = layerIndex(targetUnit, layers);
      if (to > from) {
        const entry = entryBroken(rules.entries ?? [], unit, layers[to].name, targetUnit, target);
        if (entry) violations.push({ file, specifier, rule: entry });
        continue;
      }
      const declared = rules.sideways.some((s) => s.from === unit && s.to === targetUnit);
      if (to === from && declared) continue;
      const targetLayer = layers[to];
      const rule = to === from
        ? `${layer.name} do not import each other (${unit} → ${targetUnit} is not a declared ` +
          "sideways import)"
        : `${layer.name} (${unit}) may not import ${targetLayer.name} (${targetUnit}); ` +
          `dependencies run ${order}`;
      violations.push({ file, specifier, rule });
    }
  }

  const known = rules.knownCycles.map((cycle) => ({
    key: [...cycle.files].sort().join(" "),
    seen: false,
  }));
  for (const cycle of findCycles(graph)) {
    const exception = known.find((k) => k.key === [...cycle].sort().join(" "));
    if (exception) {
      exception.seen = true;
      continue;
    }
    violations.push({
      file: cycle[0],
      specifier: "",
      rule: `import cycle: ${[...cycle, cycle[0]].join(" → ")}`,
    });
  }
  for (const exception of known.filter((k) => !k.seen)) {
    violations.push({
      file: "scripts/check_imports.ts",
      specifier: "",
      rule: `the known cycle ${exception.key} no longer occurs: remove it from KNOWN_CYCLES`,
    });
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file));
}

/** Why an import down the layers breaks an entry rule, if it does. */
function entryBroken(
  entries: readonly Entry[],
  unit: string,
  layer: string,
  targetUnit: string,
  target: string,
): string | undefined {
  const entry = entries.find((e) => e.from === unit && e.layer === layer);
  if (entry === undefined) return undefined;
  if (entry.through === undefined) {
    return `${unit} may not import ${layer} (${targetUnit}): ${entry.why}`;
  }
  const door = `${targetUnit}${entry.through}`;
  if (target === door) return undefined;
  return `${unit} may import ${layer} only through their ${entry.through} (${door}): ${entry.why}`;
}

/**
 * The import cycles of a graph: one per strongly connected component of more than one module
 * (or a module importing itself), listed from its first module in path order.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      const selfLoop = component.length === 1 && edges.includes(frame.node);
      if (component.length > 1 || selfLoop) cycles.push(orderCycle(component, graph));
    }
  }
  return cycles;
}

/** A component's modules in import order, from its first module in path order. */
function orderCycle(component: string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const path = [start];
  const seen = new Set(path);
  let current = start;
  for (;;) {
    const next = (graph.get(current) ?? []).find((t) => members.has(t) && !seen.has(t));
    if (next === undefined) break;
    path.push(next);
    seen.add(next);
    current = next;
  }
  return path;
}

/** main.ts and every .ts file under src/, by repository path. */
export async function readSources(root: string): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  sources.set("main.ts", await Deno.readTextFile(join(root, "main.ts")));
  const walk = async (dir: string) => {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(join(root, dir))) entries.push(entry);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        sources.set(path, await Deno.readTextFile(join(root, path)));
      }
    }
  };
  await walk("src");
  return sources;
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const sources = await readSources(root);
  const violations = checkImports(sources, RULES);
  for (const violation of violations) console.log(formatViolation(violation));
  if (violations.length > 0) {
    console.log(`check:imports: ${violations.length} violation(s) in ${sources.size} modules`);
    Deno.exit(1);
  }
  console.log(`check:imports: ${sources.size} modules follow the dependency rule`);
}
