import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readSources } from "../../scripts/check_imports.ts";
import {
  checkSizes,
  COMMAND_MAX_LINES,
  findFunctions,
  FUNCTION_MAX_LINES,
} from "../../scripts/check_sizes.ts";

Deno.test("findFunctions: declarations, methods, accessors and block arrows, from name to brace", () => {
  const source = `
export async function load(a: string): Promise<{ ok: boolean; text: string }> {
  return { ok: true, text: a };
}
function* ids<T extends Record<string, number>>(x: T) {
  yield 1;
}
class Store {
  #items = new Map<number, { id: number }>();
  constructor(readonly dir: string) {
    this.dir = dir;
  }
  get size(): number {
    return this.#items.size;
  }
  async #flush(): Promise<void> {
    await Promise.resolve();
  }
}
const handler = async (event: { type: string }): Promise<void> => {
  if (event.type === "x") {
    console.log("}");
  }
};
const short = (n: number) => n + 1;
declare function typed(x: number): { y: number };
interface Shape {
  area(): number;
  move(by: { x: number }): { x: number };
}
`;
  assert.deepEqual(
    findFunctions(source).map(({ name, start, end }) => [name, start, end]),
    [
      ["load", 2, 4],
      ["ids", 5, 7],
      ["constructor", 10, 12],
      ["size", 13, 15],
      ["#flush", 16, 18],
      ["<arrow>", 20, 24],
    ],
  );
});

Deno.test("findFunctions: braces and keywords in comments, strings, templates and regexes are not code", () => {
  const source = `
function outer() {
  // function fake() {
  /* } } } */
  const a = "function f() { }";
  const b = \`\${ { k: "}" }.k } function g() {\`;
  const c = /[{}]function h\\(\\)\\{/g;
  return [a, b, c];
}
`;
  assert.deepEqual(findFunctions(source), [{ name: "outer", start: 2, end: 9 }]);
});

Deno.test("checkSizes: a long function or command module is named, the sandbox is not", () => {
  const body = (lines: number) => Array.from({ length: lines }, () => "  step();").join("\n");
  const long = `function tooLong() {\n${body(FUNCTION_MAX_LINES - 1)}\n}\n`;
  const fits = `function fits() {\n${body(FUNCTION_MAX_LINES - 2)}\n}\n`;
  const command = Array.from({ length: COMMAND_MAX_LINES + 1 }, (_, i) => `// ${i}`).join("\n");
  const violations = checkSizes(
    new Map([
      ["src/sync/run.ts", long + fits],
      ["src/sandbox/v1.ts", long],
      ["src/commands/erase.ts", command + "\n"],
      ["src/commands/ping.ts", fits],
    ]),
  ).map((v) => `${v.file}: ${v.rule}`);
  assert.deepEqual(violations, [
    `src/commands/erase.ts: ${COMMAND_MAX_LINES + 1} lines; a command module stays under ` +
    `${COMMAND_MAX_LINES} (move the work into its engine, behind the engine's mod.ts)`,
    `src/sync/run.ts:1: tooLong is ${FUNCTION_MAX_LINES + 1} lines; split it along its steps ` +
    `(at most ${FUNCTION_MAX_LINES})`,
  ]);
});

Deno.test("the repository keeps its command modules and functions within the size rules", async () => {
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
  const violations = checkSizes(await readSources(root));
  assert.deepEqual(violations.map((v) => `${v.file}: ${v.rule}`), []);
});
