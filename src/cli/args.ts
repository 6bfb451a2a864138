/**
 * Turns argv into one command (whichever spec of the given table matches), or a UsageError, and
 * renders --help from the same table. Sends and writes nothing. The table is passed in by
 * main.ts, so this module needs no command module.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { VERSION } from "../version.ts";
import type { Env } from "../context.ts";
import { formatOptionHelp } from "./options.ts";
import type { CommandSpec } from "./spec.ts";

const PROGRAM = "greenhouse-extractor";

/** A titled section of the command list in --help. */
export interface CommandGroup<C> {
  title: string;
  specs: CommandSpec<C>[];
}

/** The words that ask for the version instead of a command. */
export const VERSION_FLAGS: readonly string[] = ["--version", "-V"];

/** What argv asks for besides a command: help (on a topic) or the version. */
export type HelpRequest = { kind: "help"; topic?: string };
export type VersionRequest = { kind: "version" };

/**
 * What argv asks for, read leniently before it is parsed: the command it names (when the table
 * has it) and whether `--json` is among the options (before a `--`). A usage error found while
 * parsing is then still answered in JSON when `--json` was given.
 */
export function peekCommand<C>(
  argv: string[],
  groups: readonly CommandGroup<C>[],
): { command: string | null; json: boolean } {
  const [first] = argv;
  const known = groups.some((group) => group.specs.some((spec) => spec.name === first));
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  return { command: known ? first : null, json: options.includes("--json") };
}

export function parseCommand<C>(
  argv: string[],
  env: Env,
  groups: readonly CommandGroup<C>[],
): C | HelpRequest | VersionRequest {
  const specs = groups.flatMap((group) => group.specs);
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    return { kind: "help", topic: first === "help" ? rest[0] : undefined };
  }
  if (VERSION_FLAGS.includes(first)) return { kind: "version" };
  if (first.startsWith("-")) {
    throw new UsageError(
      `"${first}" comes before any command: give the command first; run ${PROGRAM} --help for ` +
        "the list",
    );
  }
  const spec = specs.find((candidate) => candidate.name === first);
  if (!spec) {
    throw new UsageError(
      `unknown command "${first}"${suggest(first, specs)}; run ${PROGRAM} --help`,
    );
  }
  if (rest.includes("--help") || rest.includes("-h")) return { kind: "help", topic: spec.name };

  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: spec.options,
      strict: true,
      allowPositionals: spec.positionals === true,
    });
  } catch (error) {
    throw new UsageError(`${spec.name}: ${describeParseError(error)}`);
  }
  return spec.parse(parsed.values, parsed.positionals, env);
}

/** node:util's messages are long and mention internals; keep the useful part on one line. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option "${unknown[1]}"`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `option "${missing[1].split(",").pop()?.trim()}" needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}"`;
  return message.split("\n")[0].replace(/\. To specify.*$/, "");
}

function suggest<C>(name: string, specs: CommandSpec<C>[]): string {
  const close = specs.map((spec) => spec.name).find((candidate) =>
    candidate.startsWith(name.slice(0, 3)) || name.startsWith(candidate.slice(0, 4))
  );
  return close ? ` (did you mean "${close}"?)` : "";
}

export function helpText<C>(groups: readonly CommandGroup<C>[], topic?: string): string {
  const specs = groups.flatMap((group) => group.specs);
  if (topic) {
    const spec = specs.find((candidate) => candidate.name === topic);
    if (!spec) throw new UsageError(`no help for unknown command "${topic}"`);
    return commandHelp(spec);
  }
  const width = Math.max(...specs.map((spec) => spec.name.length)) + 2;
  const list = groups.map((group) =>
    `${group.title}:\n` +
    group.specs.map((spec) => `  ${spec.name.padEnd(width)}${spec.summary}`).join("\n")
  ).join("\n\n");
  return `${PROGRAM} ${VERSION}: copy a Greenhouse tenant's hiring data out of the Harvest API into local files.

Usage: ${PROGRAM} <command> [options]

${list}

Credentials come from the environment only: GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET
(Harvest v3), or GREENHOUSE_API_KEY (legacy Harvest v1).
Run "${PROGRAM} <command> --help" for a command's options. "${PROGRAM} demo" needs no credentials.
`;
}

function commandHelp<C>(spec: CommandSpec<C>): string {
  const description = spec.description ? `\n${wrap(spec.description)}\n` : "";
  const options = spec.help.length ? `\nOptions:\n${formatOptionHelp(spec.help)}\n` : "";
  return `Usage: ${PROGRAM} ${spec.usage}\n\n${spec.summary}.\n${description}${options}`;
}

function wrap(text: string, width = 88): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}
