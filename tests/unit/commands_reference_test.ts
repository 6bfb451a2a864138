/**
 * docs/commands.md's "Options by command" lists every option each command's `--help` shows, in
 * --help's words; a difference fails with one line per command and option. The help compared is
 * the text `--help` prints (helpText over the command table main.ts passes), not the table itself.
 */
import assert from "node:assert/strict";
import { helpText } from "../../src/cli/args.ts";
import type { OptionHelp } from "../../src/cli/options.ts";
import { loadCommandGroups } from "../../src/commands/mod.ts";
import {
  helpOptions,
  type OptionsByCommand,
  parseReference,
  REFERENCE_FILE,
  referenceProblems,
  renderReference,
  withReference,
} from "../../scripts/commands_reference.ts";

/** Every command, its module loaded (the CLI loads only the one argv names). */
const COMMAND_GROUPS = await loadCommandGroups();

/** The options `<command> --help` prints: the lines under "Options:", flags then 2+ spaces. */
function printedOptions(command: string): OptionHelp {
  const text = helpText(COMMAND_GROUPS, command);
  const section = text.split("\nOptions:\n")[1] ?? "";
  return section.split("\n").filter((line) => line.startsWith("  ")).map((line) => {
    const [flags, ...rest] = line.trim().split(/\s{2,}/);
    return [flags, rest.join("  ")];
  });
}

function printedHelp(): OptionsByCommand {
  const names = COMMAND_GROUPS.flatMap((group) => group.specs.map((spec) => spec.name));
  return new Map(names.map((name) => [name, printedOptions(name)]));
}

Deno.test("docs/commands.md lists every option each command's --help shows, worded the same", () => {
  const doc = parseReference(Deno.readTextFileSync(REFERENCE_FILE));
  assert.ok(doc, "docs/commands.md has no options-by-command section (its markers are missing)");
  const problems = referenceProblems(doc, printedHelp());
  assert.deepEqual(
    problems,
    [],
    `docs/commands.md differs from --help (run deno task docs):\n${problems.join("\n")}`,
  );
  // The commands whose options people asked about are there in full.
  for (const [command, flags] of [["sync", "--per-page N"], ["attachments", "--verify"]]) {
    assert.ok(doc.get(command)?.some(([f]) => f === flags), `${command} ${flags}`);
  }
  for (const command of ["activity_feeds", "attachments"]) {
    for (const flags of ["--api v1|v3", "--auth-url URL", "--per-page N"]) {
      assert.ok(doc.get(command)?.some(([f]) => f === flags), `${command} ${flags}`);
    }
  }
});

Deno.test("the reference is what deno task docs writes, and --help prints the table it is written from", () => {
  const text = Deno.readTextFileSync(REFERENCE_FILE);
  assert.equal(withReference(text, renderReference()), text, "run deno task docs");
  assert.deepEqual(printedHelp(), helpOptions());
});

Deno.test("a drifted reference is named by command and option", () => {
  const help = printedHelp();
  const text = withReference(Deno.readTextFileSync(REFERENCE_FILE), renderReference());
  // One option row dropped from the one table `sync` has to itself.
  const syncTable = text.indexOf("\n`sync`:\n");
  const perPage = text.indexOf("| `--per-page N`", syncTable);
  const dropped = text.slice(0, perPage) + text.slice(text.indexOf("\n", perPage) + 1);
  assert.deepEqual(referenceProblems(parseReference(dropped)!, help), [
    'sync: the reference lacks --per-page N (--help: "Records per list page, 1 to 500 (default 500)")',
  ]);

  // Reworded, added, and a command --help does not know.
  const doctored = new Map(help);
  doctored.set("export", [
    ...help.get("export")!.map(([f, t]): [string, string] => [f, f === "--out DIR" ? "x" : t]),
    ["--bogus", "never"],
  ]);
  doctored.set("frobnicate", []);
  doctored.delete("ping");
  assert.deepEqual(referenceProblems(doctored, help), [
    `export: --out DIR reads "x" in the reference, "${
      help.get("export")!.find(([f]) => f === "--out DIR")![1]
    }" in --help`,
    "export: the reference lists --bogus, which its --help does not show",
    `ping: not in the reference (its --help shows ${help.get("ping")!.length} options)`,
    "frobnicate: in the reference, but no such command",
  ]);
  assert.equal(parseReference("no markers here"), undefined);
});
