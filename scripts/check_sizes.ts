/**
 * The size rules, enforced: no command module over COMMAND_MAX_LINES lines, and no function over
 * FUNCTION_MAX_LINES lines in main.ts and src/ outside the places allowed (the sandbox, whose
 * route tables and record builders are data written as code). Prints one line per violation and
 * exits 1 if any.
 *
 *   deno task check:sizes   (deno run --allow-read=. scripts/check_sizes.ts)
 *
 * Functions are found by their tokens, with comments, strings, template literals and regular
 * expressions skipped: `function` declarations and expressions, methods (class and object
 * literal, accessors and constructors included) and arrow functions with a block body. A
 * function's length runs from the line of its name (an arrow's `=>`) to the line of its closing
 * brace, nested functions included, as an editor shows it. An arrow whose body is an expression is
 * not measured (none is long).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSources } from "./check_imports.ts";
import { type Token, tokenize } from "./ts_tokens.ts";

/** A command parses, confirms, calls one engine entry point and prints: about 250 lines. */
export const COMMAND_MAX_LINES = 255;
export const FUNCTION_MAX_LINES = 80;
/** Folders (or files) whose functions are not measured, with why. */
export const LONG_FUNCTIONS_ALLOWED: readonly { path: string; why: string }[] = [
  {
    path: "src/sandbox/",
    why: "the simulator's routes and record builders follow the API's documents case by case",
  },
];

export interface FunctionSpan {
  name: string;
  /** 1-based lines, inclusive. */
  start: number;
  end: number;
}

/** Words before `(` that open a block but are not functions. */
const NOT_METHODS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "with",
  "return",
  "typeof",
  "await",
  "new",
  "super",
  "import",
  "in",
  "of",
  "function",
]);

/** Tokens a type can end with: a `{` after one of them opens a body, not a type literal. */
function endsType(text: string): boolean {
  return /^[\w$#]/.test(text) || [">", "]", ")", "}", "string", "?"].includes(text);
}

/** The index of the token closing the bracket opened at `open`. */
function matching(tokens: Token[], open: number): number {
  const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}", "<": ">" };
  const close = pairs[tokens[open].text];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (t === tokens[open].text) depth++;
    else if (t === close && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/**
 * After a parameter list closing at `close`: the index of the body's `{`, skipping a return type
 * (`): Promise<{ a: number }> {`), or -1 when none follows.
 */
function bodyAfter(tokens: Token[], close: number, arrow: boolean): number {
  let i = close + 1;
  if (tokens[i]?.text !== ":") {
    if (arrow) return tokens[i]?.text === "=>" && tokens[i + 1]?.text === "{" ? i + 1 : -1;
    return tokens[i]?.text === "{" ? i : -1;
  }
  let depth = 0;
  for (i++; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (depth === 0 && t === "=>" && arrow) return tokens[i + 1]?.text === "{" ? i + 1 : -1;
    if (depth === 0 && t === "{" && !arrow && endsType(tokens[i - 1].text)) return i;
    if (["(", "[", "{", "<"].includes(t)) depth++;
    else if ([")", "]", "}", ">"].includes(t)) depth--;
    else if (depth === 0 && [";", ",", "="].includes(t)) return -1;
    if (depth < 0) return -1;
  }
  return -1;
}

/** Every function with a block body, with its first and last line. */
export function findFunctions(source: string): FunctionSpan[] {
  const tokens = tokenize(source);
  const spans: FunctionSpan[] = [];
  const add = (name: string, start: number, body: number) => {
    spans.push({ name, start, end: tokens[matching(tokens, body)].line });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (t === "function") {
      let j = i + 1;
      if (tokens[j]?.text === "*") j++;
      const name = tokens[j]?.text !== "(" && tokens[j]?.text !== "<" ? tokens[j++].text : "";
      if (tokens[j]?.text === "<") j = matching(tokens, j) + 1;
      if (tokens[j]?.text !== "(") continue;
      const body = bodyAfter(tokens, matching(tokens, j), false);
      if (body >= 0) add(name || "<function>", tokens[i].line, body);
      continue;
    }
    if (t === "(" && i > 0) {
      // A method: `name(` or `name<T>(` with a body, its name not a keyword.
      let k = i - 1;
      if (tokens[k].text === ">") {
        let depth = 0;
        for (; k >= 0; k--) {
          if (tokens[k].text === ">") depth++;
          else if (tokens[k].text === "<" && --depth === 0) break;
        }
        k--;
      }
      const name = tokens[k]?.text ?? "";
      if (!/^[A-Za-z_$#][\w$]*$/.test(name) || NOT_METHODS.has(name)) continue;
      const before = tokens[k - 1]?.text === "*" ? k - 2 : k - 1;
      if (tokens[before]?.text === "function") continue; // counted above
      if (tokens[k - 1]?.text === ".") continue; // a call: a.b(...)
      const body = bodyAfter(tokens, matching(tokens, i), false);
      if (body >= 0) add(name, tokens[k].line, body);
      continue;
    }
    if (t === "=>" && tokens[i + 1]?.text === "{") add("<arrow>", tokens[i].line, i + 1);
  }
  return spans;
}

export interface SizeViolation {
  file: string;
  rule: string;
}

/** Checks the modules (repository path → source text) against the size rules. */
export function checkSizes(sources: ReadonlyMap<string, string>): SizeViolation[] {
  const violations: SizeViolation[] = [];
  for (const [file, source] of sources) {
    const lines = source.split("\n").length - (source.endsWith("\n") ? 1 : 0);
    if (file.startsWith("src/commands/") && lines > COMMAND_MAX_LINES) {
      violations.push({
        file,
        rule: `${lines} lines; a command module stays under ${COMMAND_MAX_LINES} (move the ` +
          "work into its engine, behind the engine's mod.ts)",
      });
    }
    if (LONG_FUNCTIONS_ALLOWED.some((allowed) => file.startsWith(allowed.path))) continue;
    for (const span of findFunctions(source)) {
      const length = span.end - span.start + 1;
      if (length <= FUNCTION_MAX_LINES) continue;
      violations.push({
        file: `${file}:${span.start}`,
        rule: `${span.name} is ${length} lines; split it along its steps (at most ` +
          `${FUNCTION_MAX_LINES})`,
      });
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file));
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const sources = await readSources(root);
  const violations = checkSizes(sources);
  for (const v of violations) console.log(`${v.file}: ${v.rule}`);
  if (violations.length > 0) {
    console.log(`check:sizes: ${violations.length} violation(s) in ${sources.size} modules`);
    Deno.exit(1);
  }
  console.log(`check:sizes: ${sources.size} modules within the size rules`);
}
