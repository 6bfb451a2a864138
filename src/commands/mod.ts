/**
 * Every command: the tagged union the parser produces, the list --help shows, and the dispatcher.
 * Adding a command: write its module (spec + run), add its spec to COMMAND_GROUPS and a case to run.
 */
import type { RunContext } from "../context.ts";
import { type CommandGroup, type HelpRequest, helpText, type VersionRequest } from "../cli/args.ts";
import { ENTITIES, ENTITY_NAMES } from "../entities.ts";
import { type AccessCommand, accessSpec, runAccess } from "./access.ts";
import {
  type ActivityFeedsCommand,
  activityFeedsSpec,
  runActivityFeeds,
} from "./activity_feeds.ts";
import { type AttachmentsCommand, attachmentsSpec, runAttachments } from "./attachments.ts";
import { type CheckCommand, checkSpec, runCheck } from "./check.ts";
import { type DemoCommand, demoSpec, runDemo } from "./demo.ts";
import { type DoctorCommand, doctorSpec, runDoctorCommand } from "./doctor.ts";
import { type EraseCommand, eraseSpec, runErase } from "./erase.ts";
import { type ExportCommand, exportSpec, runExportCommand } from "./export.ts";
import { type ExtractCommand, extractSpec, runExtract } from "./extract.ts";
import { type PingCommand, pingSpec, runPing } from "./ping.ts";
import { runSandbox, type SandboxCommand, sandboxSpec } from "./sandbox.ts";
import { runSyncCommand, type SyncCommand, syncSpec } from "./sync.ts";

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

/** The command table: what argv may name (cli/args.ts parses against it) and --help lists. */
export const COMMAND_GROUPS: CommandGroup<Command>[] = [
  {
    title: "Entity commands (each writes <cache>/<entity>/)",
    specs: ENTITY_NAMES.filter((name) => !ENTITIES[name].optional)
      .map((name) => extractSpec(ENTITIES[name])),
  },
  {
    title: "More entity commands: reference data and the other lists (docs/entities.md)",
    specs: ENTITY_NAMES.filter((name) => ENTITIES[name].optional)
      .map((name) => extractSpec(ENTITIES[name])),
  },
  {
    title: "Candidate-dependent commands (run candidates first)",
    specs: [activityFeedsSpec, attachmentsSpec],
  },
  {
    title: "Scheduled use",
    specs: [syncSpec, doctorSpec, exportSpec],
  },
  {
    title: "Privacy requests",
    specs: [pingSpec, accessSpec, eraseSpec],
  },
  {
    title: "Cache administration",
    specs: [checkSpec],
  },
  {
    title: "Trying it out",
    specs: [demoSpec, sandboxSpec],
  },
];

export function run(command: Command, ctx: RunContext): Promise<number> {
  switch (command.kind) {
    case "help":
      ctx.out(helpText(COMMAND_GROUPS, command.topic));
      return Promise.resolve(0);
    case "version":
      return Promise.resolve(0);
    case "extract":
      return runExtract(command, ctx);
    case "activity_feeds":
      return runActivityFeeds(command, ctx);
    case "attachments":
      return runAttachments(command, ctx);
    case "sandbox":
      return runSandbox(command, ctx);
    case "sync":
      return runSyncCommand(command, ctx);
    case "demo":
      return runDemo(command, ctx);
    case "ping":
      return runPing(command, ctx);
    case "access":
      return runAccess(command, ctx);
    case "erase":
      return runErase(command, ctx);
    case "check":
      return runCheck(command, ctx);
    case "export":
      return runExportCommand(command, ctx);
    case "doctor":
      return runDoctorCommand(command, ctx);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
    }
  }
}
