/**
 * `erase`: deletes or anonymises every candidate carrying an address, on behalf of a Greenhouse
 * user, then makes the local cache forget what was erased and records each action (without the
 * address) in `<cache>/.privacy-log.jsonl`.
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  actingAs,
  cacheDir,
  cacheHelp,
  cacheOptions,
  type Connection,
  connection,
  connectionHelp,
  connectionOptions,
} from "../cli/options.ts";
import { openClient } from "../cli/client.ts";
import { RunError, UsageError } from "../errors.ts";
import {
  confirmPrompt,
  DEFAULT_ANONYMIZE_FIELDS,
  type EraseMode,
  type EraseReport,
  type ErasurePreview,
  erasureStep,
  formatDryRun,
  formatErasureJson,
  formatLookup,
  formatLookupJson,
  formatMatches,
  formatOutcomes,
  keptUpstream,
  lookupErasuresOf,
  noCacheNote,
  PRIVACY_LOG_FILE,
  runErasure,
  unverifiableNote,
} from "../privacy/mod.ts";
import { anonymizeFieldsOption, emailOption, emailOptions, onBehalfOf } from "./privacy_options.ts";
import { describeFailure } from "../failure.ts";

/** `erase --lookup`: whether the privacy log records an erasure of an address (reads only). */
export interface EraseLookupCommand {
  kind: "erase";
  lookup: true;
  email: string;
  cacheDir: string;
  /** Print the entries found as one JSON document (src/summary.ts). */
  json?: boolean;
}

export type EraseCommand = EraseRequestCommand | EraseLookupCommand;

export interface EraseRequestCommand {
  kind: "erase";
  lookup?: false;
  email: string;
  mode: EraseMode;
  /** Fields to anonymize upstream with Harvest's anonymize endpoint too (anonymize mode). */
  anonymizeFields?: readonly string[];
  onBehalfOf: number;
  dryRun: boolean;
  yes: boolean;
  cacheDir: string;
  connection: Connection;
  /** Print the summary as JSON (src/summary.ts) instead of the human lines. */
  json?: boolean;
}

export const eraseSpec: CommandSpec<EraseCommand> = {
  name: "erase",
  summary: "Delete or anonymise every candidate with an e-mail address, upstream and in the cache",
  usage: "erase --email ADDRESS --mode delete|anonymize [--anonymize-fields LIST] " +
    "--on-behalf-of USER_ID [--dry-run] [--yes]\n" +
    "       erase --lookup --email ADDRESS [--cache-dir DIR] [--json]",
  description: "Searches GET /candidates?email= (case-insensitive, every match), lists the " +
    "matches, asks for confirmation (on a terminal; otherwise --yes is required), then sends " +
    "DELETE /candidates/{id} or an anonymising PATCH /candidates/{id} for each (after Harvest's " +
    "anonymize of --anonymize-fields, if given), acting as the user (v1 On-Behalf-Of, v3 the " +
    "token's sub). The local cache is searched too. The cache then forgets what was erased, " +
    "erased ids are never fetched again, and each action is appended " +
    `to <cache>/${PRIVACY_LOG_FILE} (with a keyed hash of the address, never the address). ` +
    "Exit 1 if any candidate could not be erased, naming which. With --lookup, only reads " +
    "the privacy log and prints the erasures recorded for the address (no request is sent).",
  options: {
    ...emailOptions,
    mode: { type: "string" },
    "anonymize-fields": { type: "string" },
    "on-behalf-of": { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    lookup: { type: "boolean" },
    json: { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
  },
  help: [
    ["--email ADDRESS", "The data subject's address (matched trimmed and case-insensitively)"],
    ["--mode delete|anonymize", "Delete the candidates, or anonymise them (names randomised)"],
    [
      "--anonymize-fields LIST",
      "With anonymize: also anonymize these fields upstream with Harvest's anonymize endpoint " +
      `(comma-separated, e.g. attachments,notes; "default": ${DEFAULT_ANONYMIZE_FIELDS.join(",")})`,
    ],
    [
      "--on-behalf-of USER_ID",
      "Greenhouse user the writes are made for (env GREENHOUSE_ON_BEHALF_OF)",
    ],
    ["--dry-run", "Print the exact requests and change nothing, upstream or local"],
    ["--yes", "Do not ask for confirmation (required without a terminal)"],
    [
      "--lookup",
      `Only say whether <cache>/${PRIVACY_LOG_FILE} records erasures of the address (no request)`,
    ],
    ["--json", "Print the summary as one JSON document (fields in docs/commands.md)"],
    ...cacheHelp,
    ...connectionHelp,
  ],
  parse(values, _positionals, env) {
    const email = emailOption(values, "erase");
    if (values.lookup === true) {
      for (const flag of ["mode", "anonymize-fields", "on-behalf-of", "dry-run", "yes"]) {
        if (values[flag] !== undefined) {
          throw new UsageError(
            `--lookup reads the privacy log only: drop --${flag}, or drop --lookup to erase`,
          );
        }
      }
      return {
        kind: "erase",
        lookup: true,
        email,
        cacheDir: cacheDir(values, env),
        json: values.json === true,
      };
    }
    const mode = values.mode;
    if (mode !== "delete" && mode !== "anonymize") {
      throw new UsageError(
        mode === undefined
          ? "erase needs --mode delete or --mode anonymize"
          : `--mode "${mode}" must be delete or anonymize`,
      );
    }
    const conn = connection(values, env);
    const anonymizeFields = anonymizeFieldsOption(values, mode, conn.api);
    return {
      kind: "erase",
      email,
      mode,
      ...(anonymizeFields ? { anonymizeFields } : {}),
      onBehalfOf: onBehalfOf(values, env),
      dryRun: values["dry-run"] === true,
      yes: values.yes === true,
      cacheDir: cacheDir(values, env),
      connection: conn,
      json: values.json === true,
    };
  },
};

export function runErase(cmd: EraseCommand, ctx: RunContext): Promise<number> {
  return cmd.lookup ? runLookup(cmd, ctx) : runRequestReported(cmd, ctx);
}

/** Prints the privacy log's entries naming the address; reads only (the key is never created). */
async function runLookup(cmd: EraseLookupCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  const lookup = await lookupErasuresOf(cmd.cacheDir, cmd.email);
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  ctx.out(
    cmd.json
      ? formatLookupJson(lookup, startedAt, seconds)
      : formatLookup(cmd.cacheDir, lookup.found),
  );
  if (lookup.unverifiable > 0) ctx.err(unverifiableNote(cmd.cacheDir, lookup.unverifiable));
  return 0;
}

const NOT_CONFIRMED = "erase: not confirmed; nothing was changed";
const NO_MATCH = "erase: no candidate has this address; nothing to erase";

/** The erasure, with its summary as one JSON document instead of the human lines under --json. */
async function runRequestReported(cmd: EraseRequestCommand, ctx: RunContext): Promise<number> {
  const report: EraseReport = { matched: 0, outcomes: [], removed: {} };
  if (!cmd.json) return await runRequest(cmd, ctx, report);
  const startedAt = new Date(ctx.clock.now());
  let code: number | undefined;
  let error: unknown;
  try {
    code = await runRequest(cmd, { ...ctx, out: () => {} }, report);
  } catch (thrown) {
    if (thrown instanceof UsageError) throw thrown; // one line on stderr, nothing on stdout
    error = thrown;
  }
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  const failure = error !== undefined
    ? describeFailure(error)
    : code === 0
    ? undefined
    : { kind: "run" as const, message: NOT_CONFIRMED };
  // The human line stays on stderr (main.ts prints a thrown error's).
  if (error === undefined && failure) ctx.err(`${failure.message}\n`);
  const kept = keptUpstream(cmd.anonymizeFields, cmd.connection.api);
  const step = erasureStep(report, cmd.mode, cmd.dryRun, kept);
  ctx.out(formatErasureJson(step, startedAt, seconds, code === 0, failure));
  if (error !== undefined) throw error;
  return code!;
}

async function runRequest(
  cmd: EraseRequestCommand,
  ctx: RunContext,
  report: EraseReport,
): Promise<number> {
  // Without a terminal nobody can confirm: refuse before sending anything.
  if (!cmd.dryRun && !cmd.yes && !ctx.stdinIsTerminal) {
    throw new UsageError(
      "erase needs --yes when not run from a terminal (there is nobody to confirm); " +
        "run with --dry-run first to see what it would do",
    );
  }
  // v3 acts as the token's user (sub); v1 sends On-Behalf-Of (the dialect's candidateWrites).
  const client = openClient(actingAs(cmd.connection, String(cmd.onBehalfOf)), ctx);
  const confirm = async (preview: ErasurePreview): Promise<boolean> => {
    ctx.out(formatMatches(preview, cmd.dryRun, cmd.cacheDir));
    if (cmd.dryRun) {
      const { baseUrl, dialect } = client;
      ctx.out(formatDryRun(preview, cmd.mode, baseUrl, dialect.candidateWrites));
      return false;
    }
    if (!cmd.yes) {
      ctx.err(confirmPrompt(cmd.mode, preview));
      if ((await ctx.readLine())?.trim().toLowerCase() !== "yes") return false;
    }
    if (!preview.hasCache) ctx.err(noCacheNote(cmd.cacheDir));
    return true;
  };
  const options = { ...cmd, api: cmd.connection.api };
  const result = await runErasure(client, options, ctx, report, confirm);
  if (result.status === "not confirmed") {
    ctx.out(`${NOT_CONFIRMED}\n`);
    return 1;
  }
  if (result.status === "no match") ctx.out(`${NO_MATCH}\n`);
  if (result.status !== "done") return 0; // a dry run printed its requests when confirming
  const { text, failure } = formatOutcomes(result, report, cmd.mode);
  ctx.out(text);
  if (failure) throw new RunError(failure);
  return 0;
}
