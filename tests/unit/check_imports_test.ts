import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import {
  checkImports,
  findCycles,
  findImports,
  formatViolation,
  readSources,
  RULES,
  type Rules,
} from "../../scripts/check_imports.ts";

/** The repository's rules without its known cycles, which a fixture does not contain. */
const FIXTURE_RULES: Rules = { ...RULES, knownCycles: [] };

/** The violations of a fixture (repository path → source), as the script prints them. */
function check(files: Record<string, string>, rules: Rules = FIXTURE_RULES): string[] {
  return checkImports(new Map(Object.entries(files)), rules).map(formatViolation);
}

Deno.test("findImports: every import and re-export form, one specifier each", () => {
  const source = `
import { a,
  b } from "./multi.ts";
import type { T } from './single.ts';
import * as all from "../all.ts";
import "./side-effect.ts";
export { c } from "./reexport.ts";
export * from "./star.ts";
import config from "../deno.json" with { type: "json" };
const lazy = await import("./dynamic.ts");
`;
  assert.deepEqual(findImports(source), [
    "./multi.ts",
    "./single.ts",
    "../all.ts",
    "./side-effect.ts",
    "./reexport.ts",
    "./star.ts",
    "../deno.json",
    "./dynamic.ts",
  ]);
});

Deno.test("findImports: imports written in comments, strings, templates or regexes are not imports", () => {
  const source = `
// import { x } from "./line-comment.ts";
/* import "./block-comment.ts"; */
const text = 'import { y } from "./in-a-string.ts"';
const template = \`import "./in-a-template.ts" \${ { from: "./in-a-placeholder.ts" }.from } tail\`;
const pattern = /from "(.\\/regex.ts)"/;
const data = Array.from("./not-an-import.ts");
import { real } from "./real.ts";
`;
  assert.deepEqual(findImports(source), ["./real.ts"]);
});

Deno.test("checkImports: importing down the layers, or inside one's own folder, is allowed", () => {
  assert.deepEqual(
    check({
      "main.ts": 'import "./src/commands/mod.ts";\nimport "./src/cli/args.ts";',
      "src/commands/mod.ts": 'import "../cli/options.ts";\nimport "../sync/mod.ts";',
      "src/sync/mod.ts": 'export * from "./run.ts";',
      "src/cli/options.ts": 'import "../errors.ts";',
      "src/cli/args.ts": 'import "./options.ts";',
      "src/sync/run.ts": 'import "../harvest/mod.ts";\nimport "./state.ts";',
      "src/sync/state.ts": 'import "../cache/mod.ts";',
      "src/harvest/mod.ts": 'import "../errors.ts";\nimport "node:path";',
      "src/cache/mod.ts": 'import "npm:csv-stringify@6";\nimport "../files.ts";',
      "src/errors.ts": "",
      "src/files.ts": 'import "./errors.ts";',
    }),
    [],
  );
});

Deno.test("checkImports: an upward import names the file, the import and the rule", () => {
  assert.deepEqual(
    check({
      "src/sync/run.ts": 'import { streamEntity } from "../commands/extract.ts";',
      "src/commands/extract.ts": "",
    }),
    [
      "src/sync/run.ts → ../commands/extract.ts: engines (src/sync/) may not import commands " +
      "(src/commands/); dependencies run main → commands → cli → engines → services → leaves",
    ],
  );
  assert.deepEqual(
    check({
      "src/entities.ts": 'import type { Cache } from "./cache/mod.ts";',
      "src/cache/mod.ts": "",
    }),
    [
      "src/entities.ts → ./cache/mod.ts: leaves (src/*.ts) may not import services " +
      "(src/cache/); dependencies run main → commands → cli → engines → services → leaves",
    ],
  );
});

Deno.test("checkImports: sideways imports need a declared reason", () => {
  const violations = check({
    "src/harvest/client.ts": 'import "../cache/mod.ts";',
    "src/cache/mod.ts": "",
    "src/sync/run.ts": 'import "../extract/stream.ts";',
    "src/extract/stream.ts": "",
    "src/extract/other.ts": 'import "../sync/run.ts";',
  });
  assert.deepEqual(violations, [
    "src/extract/other.ts → ../sync/run.ts: engines do not import each other " +
    "(src/extract/ → src/sync/ is not a declared sideways import)",
    "src/harvest/client.ts → ../cache/mod.ts: services do not import each other " +
    "(src/harvest/ → src/cache/ is not a declared sideways import)",
  ]);
});

Deno.test("checkImports: a command reaches an engine through its mod.ts only, and no service", () => {
  assert.deepEqual(
    check({
      "src/commands/sync.ts": 'import "../sync/mod.ts";\nimport "../sandbox/mod.ts";',
      "src/sync/mod.ts": 'import "./run.ts";\nimport "../cache/mod.ts";',
      "src/sync/run.ts": 'import "../cache/store.ts";',
      "src/sandbox/mod.ts": "",
      "src/cache/mod.ts": "",
      "src/cache/store.ts": "",
    }),
    [],
  );
  assert.deepEqual(
    check({
      "src/commands/sync.ts": 'import { runSync } from "../sync/run.ts";',
      "src/commands/erase.ts": 'import type { Cache } from "../cache/mod.ts";',
      "src/commands/export.ts": 'import "../harvest/client.ts";',
      "src/sync/run.ts": "",
      "src/cache/mod.ts": "",
      "src/harvest/client.ts": "",
    }),
    [
      "src/commands/erase.ts → ../cache/mod.ts: src/commands/ may not import services " +
      "(src/cache/): a command asks an engine (its mod.ts), and src/cli/client.ts for a client",
      "src/commands/export.ts → ../harvest/client.ts: src/commands/ may not import services " +
      "(src/harvest/): a command asks an engine (its mod.ts), and src/cli/client.ts for a client",
      "src/commands/sync.ts → ../sync/run.ts: src/commands/ may import engines only through " +
      "their mod.ts (src/sync/mod.ts): a command calls an engine through its front door, never " +
      "its internals",
    ],
  );
});

Deno.test("checkImports: folders outside the table and code outside src/ are refused; data is not", () => {
  assert.deepEqual(
    check({
      "src/reports/table.ts": 'import "../errors.ts";',
      "src/errors.ts": "",
      "src/version.ts": 'import config from "../deno.json" with { type: "json" };',
      "src/cli/args.ts": 'import "../../scripts/bench.ts";',
    }),
    [
      "src/cli/args.ts → ../../scripts/bench.ts: cli may not import scripts/bench.ts: it is " +
      "outside the layer table",
      "src/reports/table.ts: not in the layer table: give its folder a layer in " +
      "scripts/check_imports.ts",
    ],
  );
});

Deno.test("checkImports: an import cycle is reported with its path, even inside one folder", () => {
  assert.deepEqual(
    check(
      {
        "src/sync/b.ts": 'import "./c.ts";',
        "src/sync/a.ts": 'import "./b.ts";',
        "src/sync/c.ts": 'import type { A } from "./a.ts";',
        "src/files.ts": 'import "./files.ts";',
      },
    ),
    [
      "src/files.ts: import cycle: src/files.ts → src/files.ts",
      "src/sync/a.ts: import cycle: src/sync/a.ts → src/sync/b.ts → src/sync/c.ts → src/sync/a.ts",
    ],
  );
});

Deno.test("checkImports: a known cycle is let through only while it still occurs", () => {
  const rules: Rules = {
    ...RULES,
    knownCycles: [{ files: ["src/sandbox/b.ts", "src/sandbox/a.ts"] }],
  };
  const cycle = { "src/sandbox/a.ts": 'import "./b.ts";', "src/sandbox/b.ts": 'import "./a.ts";' };
  assert.deepEqual(check(cycle, rules), []);
  assert.deepEqual(check({ ...cycle, "src/sandbox/b.ts": "" }, rules), [
    "scripts/check_imports.ts: the known cycle src/sandbox/a.ts src/sandbox/b.ts no longer " +
    "occurs: remove it from KNOWN_CYCLES",
  ]);
});

Deno.test("findCycles: modules that only share a dependency are not a cycle", () => {
  const graph = new Map([
    ["a", ["shared", "b"]],
    ["b", ["shared"]],
    ["shared", []],
  ]);
  assert.deepEqual(findCycles(graph), []);
});

Deno.test("the repository follows its own dependency rule", async () => {
  const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
  const sources = await readSources(root);
  assert.ok(sources.size > 50, "read main.ts and src/");
  assert.deepEqual(checkImports(sources, RULES).map(formatViolation), []);
});
