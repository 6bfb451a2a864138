/**
 * Every command: the tagged union the parser produces, the list --help shows, and the dispatcher.
 * A command's module (its spec and its runner, and through them its engine) is loaded only when
 * argv names it: `check` never loads the sync engine, the sandbox or the Parquet writer, so each
 * run starts on about half the CPU (BENCHMARKS.md, startup). --help's list loads them all.
 * Adding a command: write its module (spec + run), add its name to GROUPS and its loader to
 * MODULES.
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
import { ENTITIES, ENTITY_NAMES, type EntityName, isEntityName } from "../entities.ts";
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

type RunnableKind = Exclude<Command["kind"], "help" | "version">;
type CommandOf<K extends RunnableKind> = Extract<Command, { kind: K }>;

/** A command module as the dispatcher uses it: the spec argv `name` parses against, the runner. */
interface CommandModule<C> {
  spec: (name: string) => CommandSpec<C>;
  // A property, not a method: its parameter is then checked strictly against the kind's command.
  run: (command: C, ctx: RunContext) => Promise<number>;
}

/**
 * Each kind of command and how to load its module: the one place a command's module is named.
 * String-literal imports, so `deno compile` embeds them.
 */
const MODULES: { [K in RunnableKind]: () => Promise<CommandModule<CommandOf<K>>> } = {
  extract: async () => {
    const m = await import("./extract.ts");
    return { spec: (name) => m.extractSpec(ENTITIES[name as EntityName]), run: m.runExtract };
  },
  activity_feeds: async () => {
    const m = await import("./activity_feeds.ts");
    return { spec: () => m.activityFeedsSpec, run: m.runActivityFeeds };
  },
  attachments: async () => {
    const m = await import("./attachments.ts");
    return { spec: () => m.attachmentsSpec, run: m.runAttachments };
  },
  sync: async () => {
    const m = await import("./sync.ts");
    return { spec: () => m.syncSpec, run: m.runSyncCommand };
  },
  doctor: async () => {
    const m = await import("./doctor.ts");
    return { spec: () => m.doctorSpec, run: m.runDoctorCommand };
  },
  export: async () => {
    const m = await import("./export.ts");
    return { spec: () => m.exportSpec, run: m.runExportCommand };
  },
  ping: async () => {
    const m = await import("./ping.ts");
    return { spec: () => m.pingSpec, run: m.runPing };
  },
  access: async () => {
    const m = await import("./access.ts");
    return { spec: () => m.accessSpec, run: m.runAccess };
  },
  erase: async () => {
    const m = await import("./erase.ts");
    return { spec: () => m.eraseSpec, run: m.runErase };
  },
  check: async () => {
    const m = await import("./check.ts");
    return { spec: () => m.checkSpec, run: m.runCheck };
  },
  demo: async () => {
    const m = await import("./demo.ts");
    return { spec: () => m.demoSpec, run: m.runDemo };
  },
  sandbox: async () => {
    const m = await import("./sandbox.ts");
    return { spec: () => m.sandboxSpec, run: m.runSandbox };
  },
};

/** The module of a kind, typed as the dispatcher's union (each entry is checked against its kind). */
function moduleOf(kind: RunnableKind): Promise<CommandModule<Command>> {
  return MODULES[kind]() as Promise<CommandModule<Command>>;
}

/** One command's spec (options, help, parse), loading its module and nothing else. */
async function loadSpec(name: string): Promise<CommandSpec<Command>> {
  const kind = isEntityName(name) ? "extract" : name;
  if (!Object.hasOwn(MODULES, kind)) {
    throw new Error(`command "${name}" is in GROUPS but has no module in MODULES`);
  }
  return (await moduleOf(kind as RunnableKind)).spec(name);
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
    default:
      return await (await moduleOf(command.kind)).run(command, ctx);
  }
}
