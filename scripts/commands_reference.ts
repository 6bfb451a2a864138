/**
 * `deno task docs`: rewrites the "Options by command" section of docs/commands.md from the
 * command table that `--help` renders (src/commands/mod.ts), so the reference cannot drift from
 * `--help`. tests/unit/commands_reference_test.ts reads both and names every difference.
 *
 * The section is Markdown between two marker comments: per group of --help's command list, the
 * commands whose options are the same, then a table of those options as --help words them.
 */
import { fileURLToPath } from "node:url";
import type { CommandGroup } from "../src/cli/args.ts";
import type { OptionHelp } from "../src/cli/options.ts";
import { loadCommandGroups } from "../src/commands/mod.ts";

/** Every command, its module loaded (the CLI loads only the one argv names). */
const COMMAND_GROUPS = await loadCommandGroups();

export const REFERENCE_FILE = fileURLToPath(new URL("../docs/commands.md", import.meta.url));
export const BEGIN = "<!-- options by command: written by `deno task docs`, do not edit -->";
export const END = "<!-- end of options by command -->";

/** Each command's options as [flags, description], in --help's order. */
export type OptionsByCommand = Map<string, OptionHelp>;

/** Commands of one --help group that share their options, and those options. */
interface Cluster {
  names: string[];
  help: OptionHelp;
}

function clusters(group: CommandGroup<unknown>): Cluster[] {
  const out: Cluster[] = [];
  for (const spec of group.specs) {
    const key = JSON.stringify(spec.help);
    const same = out.find((cluster) => JSON.stringify(cluster.help) === key);
    if (same) same.names.push(spec.name);
    else out.push({ names: [spec.name], help: spec.help });
  }
  return out;
}

/**
 * Backslash-escapes what Markdown would read as markup: table pipes, tags, emphasis, code
 * (intraword underscores, as in GREENHOUSE_CACHE_DIR, are plain text in GitHub Markdown).
 */
function escapeCell(text: string): string {
  return text.replace(/[\\|<>*`[\]]/g, (c) => `\\${c}`);
}

function unescapeCell(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/** The section's body (between the markers), as `deno fmt` leaves it. */
export function renderReference(
  groups: readonly CommandGroup<unknown>[] = COMMAND_GROUPS,
): string {
  const lines: string[] = [];
  for (const group of groups) {
    lines.push(`### ${escapeCell(group.title)}`, "");
    for (const cluster of clusters(group)) {
      lines.push(...wrap(cluster.names.map((name) => `\`${name}\``).join(", ") + ":"), "");
      if (cluster.help.length === 0) {
        lines.push("No options.", "");
        continue;
      }
      lines.push(...table(cluster.help), "");
    }
  }
  return lines.join("\n");
}

/** A two-column table padded the way `deno fmt` pads it. */
function table(help: OptionHelp): string[] {
  const rows = help.map((
    [flags, text],
  ) => [`\`${flags.replaceAll("|", "\\|")}\``, escapeCell(text)]);
  const head = ["Option", "Meaning"];
  const widths = [0, 1].map((i) =>
    Math.max(head[i].length, 3, ...rows.map((row) => [...row[i]].length))
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell + " ".repeat(widths[i] - [...cell].length)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/** Words joined into lines of at most 100 characters, as `deno fmt` wraps prose. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The options the help of each command shows: the same table --help renders. */
export function helpOptions(
  groups: readonly CommandGroup<unknown>[] = COMMAND_GROUPS,
): OptionsByCommand {
  const out: OptionsByCommand = new Map();
  for (const group of groups) {
    for (const spec of group.specs) out.set(spec.name, spec.help);
  }
  return out;
}

/**
 * Reads the section back: a paragraph of `command` names ending in ":" starts a cluster; each
 * table row after it is one option of every command it names. Undefined without the markers.
 */
export function parseReference(markdown: string): OptionsByCommand | undefined {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) return undefined;
  const out: OptionsByCommand = new Map();
  let names: string[] = [];
  let paragraph = "";
  for (const line of markdown.slice(start + BEGIN.length, end).split("\n")) {
    if (line.startsWith("|")) {
      const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim());
      if (cells[0] === "Option" || /^-+$/.test(cells[0])) continue;
      const flags = unescapeCell(cells[0].replace(/^`|`$/g, ""));
      for (const name of names) out.get(name)!.push([flags, unescapeCell(cells[1] ?? "")]);
      continue;
    }
    if (line.trim() === "") {
      if (paragraph.endsWith(":")) {
        names = [...paragraph.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
        for (const name of names) out.set(name, out.get(name) ?? []);
      }
      paragraph = "";
    } else if (!line.startsWith("#")) paragraph = paragraph ? `${paragraph} ${line}` : line;
  }
  return out;
}

/**
 * Every difference between the reference and --help, one line each, naming the command and the
 * option: what the reference lacks, what it has that --help does not show, and wording.
 */
export function referenceProblems(doc: OptionsByCommand, help: OptionsByCommand): string[] {
  const problems: string[] = [];
  for (const [command, options] of help) {
    const listed = doc.get(command);
    if (!listed) {
      problems.push(
        `${command}: not in the reference (its --help shows ${options.length} options)`,
      );
      continue;
    }
    for (const [flags, text] of options) {
      const found = listed.find(([docFlags]) => docFlags === flags);
      if (!found) problems.push(`${command}: the reference lacks ${flags} (--help: "${text}")`);
      else if (found[1] !== text) {
        problems.push(
          `${command}: ${flags} reads "${found[1]}" in the reference, "${text}" in --help`,
        );
      }
    }
    for (const [flags] of listed) {
      if (!options.some(([helpFlags]) => helpFlags === flags)) {
        problems.push(`${command}: the reference lists ${flags}, which its --help does not show`);
      }
    }
  }
  for (const command of doc.keys()) {
    if (!help.has(command)) problems.push(`${command}: in the reference, but no such command`);
  }
  return problems;
}

/** docs/commands.md with the section between the markers replaced. */
export function withReference(markdown: string, body: string): string {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`${REFERENCE_FILE}: the markers ${BEGIN} and ${END} are missing`);
  }
  return `${markdown.slice(0, start + BEGIN.length)}\n\n${body.trimEnd()}\n\n${
    markdown.slice(end)
  }`;
}

if (import.meta.main) {
  const before = Deno.readTextFileSync(REFERENCE_FILE);
  const after = withReference(before, renderReference());
  if (after !== before) Deno.writeTextFileSync(REFERENCE_FILE, after);
  console.error(`${REFERENCE_FILE}: ${after === before ? "already current" : "rewritten"}`);
}
