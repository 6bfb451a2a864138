/**
 * Every command: the tagged union the parser produces, the list --help shows, and the dispatcher.
 * A command's module (its spec and its runner, and through them its engine) is loaded only when
 * argv names it: `check` never loads the sync engine, the sandbox or the Parquet writer, so each
 * run starts in about two thirds of the time (BENCHMARKS.md, startup). --help's list loads them all.
 * Adding a command: write its module (spec + run), add its name to GROUPS, a case to loadSpec
 * and one to run.
 */
import type { RunContext } from "../context.ts";
import {
  type CommandGroup,
  type HelpRequest,
  helpText,
  VERSION_FLAGS,
  type VersionRequest,
} from "../cli/args.ts";
import type { CommandSpec } from "../cli/spec.ts";
import { ENTITIES, ENTITY_NAMES, isEntityName } from "../entities.ts";
import type { AccessCommand } from "./access.ts";
import type { ActivityFeedsCommand } from "./activity_feeds.ts";
import type { AttachmentsCommand } from "./attachments.ts";
import type { CheckCommand } from "./check.ts";
import type { DemoCommand } from "./demo.ts";
import type { DoctorCommand } from "./doctor.ts";
import type { EraseCommand } from "./erase.ts";
import type { ExportCommand } from "./export.ts";
import type { ExtractCommand } from "./extract.ts";
import type { PingCommand } from "./ping.ts";
import type { SandboxCommand } from "./sandbox.ts";
import type { SyncCommand } from "./sync.ts";
export type Command =
  | HelpRequest
  | VersionRequest
  | ExtractCommand
  | ActivityFeedsCommand
  | AttachmentsCommand
  | SandboxCommand
  | DemoCommand
  | PingCommand
  | AccessCommand
  | EraseCommand
  | CheckCommand
  | DoctorCommand
  | ExportCommand
  | SyncCommand;

/** The command list --help shows: titles and names, known without loading any command module. */
const GROUPS: readonly { title: string; names: readonly string[] }[] = [
  {
    title: "Entity commands (each writes <cache>/<entity>/)",
    names: ENTITY_NAMES.filter((name) => !ENTITIES[name].optional),
  },
  {
    title: "More entity commands: reference data and the other lists (docs/entities.md)",
    names: ENTITY_NAMES.filter((name) => ENTITIES[name].optional),
  },
  {
    title: "Candidate-dependent commands (run candidates first)",
    names: ["activity_feeds", "attachments"],
  },
  { title: "Scheduled use", names: ["sync", "doctor", "export"] },
  { title: "Privacy requests", names: ["ping", "access", "erase"] },
  { title: "Cache administration", names: ["check"] },
  { title: "Trying it out", names: ["demo", "sandbox"] },
];

/** One command's spec (options, help, parse), loading its module and nothing else. */
async function loadSpec(name: string): Promise<CommandSpec<Command>> {
  if (isEntityName(name)) return (await import("./extract.ts")).extractSpec(ENTITIES[name]);
  switch (name) {
    case "activity_feeds":
      return (await import("./activity_feeds.ts")).activityFeedsSpec;
    case "attachments":
      return (await import("./attachments.ts")).attachmentsSpec;
    case "sync":
      return (await import("./sync.ts")).syncSpec;
    case "doctor":
      return (await import("./doctor.ts")).doctorSpec;
    case "export":
      return (await import("./export.ts")).exportSpec;
    case "ping":
      return (await import("./ping.ts")).pingSpec;
    case "access":
      return (await import("./access.ts")).accessSpec;
    case "erase":
      return (await import("./erase.ts")).eraseSpec;
    case "check":
      return (await import("./check.ts")).checkSpec;
    case "demo":
      return (await import("./demo.ts")).demoSpec;
    case "sandbox":
      return (await import("./sandbox.ts")).sandboxSpec;
    default:
      throw new Error(`command "${name}" is in GROUPS but has no module in loadSpec`);
  }
}

/**
 * The command table cli/args.ts parses against and --help renders, for argv whose first word is
 * `first`: a command's own module alone, nothing for the version, and every command otherwise
 * (the list, a help topic, an unknown word). Loaded one after another: Deno prepares concurrent
 * dynamic imports of one graph several times over (three times the CPU, measured).
 */
export async function loadCommandGroups(first?: string): Promise<CommandGroup<Command>[]> {
  if (first !== undefined && VERSION_FLAGS.includes(first)) return [];
  const group = GROUPS.find((candidate) => first !== undefined && candidate.names.includes(first));
  if (group && first !== undefined) return [{ title: group.title, specs: [await loadSpec(first)] }];
  const groups: CommandGroup<Command>[] = [];
  for (const { title, names } of GROUPS) {
    const specs: CommandSpec<Command>[] = [];
    for (const one of names) specs.push(await loadSpec(one));
    groups.push({ title, specs });
  }
  return groups;
}

export async function run(command: Command, ctx: RunContext): Promise<number> {
  switch (command.kind) {
    case "help":
      ctx.out(helpText(await loadCommandGroups(command.topic), command.topic));
      return 0;
    case "version":
      return 0;
    case "extract":
      return (await import("./extract.ts")).runExtract(command, ctx);
    case "activity_feeds":
      return (await import("./activity_feeds.ts")).runActivityFeeds(command, ctx);
    case "attachments":
      return (await import("./attachments.ts")).runAttachments(command, ctx);
    case "sandbox":
      return (await import("./sandbox.ts")).runSandbox(command, ctx);
    case "sync":
      return (await import("./sync.ts")).runSyncCommand(command, ctx);
    case "demo":
      return (await import("./demo.ts")).runDemo(command, ctx);
    case "ping":
      return (await import("./ping.ts")).runPing(command, ctx);
    case "access":
      return (await import("./access.ts")).runAccess(command, ctx);
    case "erase":
      return (await import("./erase.ts")).runErase(command, ctx);
    case "check":
      return (await import("./check.ts")).runCheck(command, ctx);
    case "export":
      return (await import("./export.ts")).runExportCommand(command, ctx);
    case "doctor":
      return (await import("./doctor.ts")).runDoctorCommand(command, ctx);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
    }
  }
}
