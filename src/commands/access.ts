/**
 * `access`: the subject-access bundle for an address: the candidates carrying it, their
 * applications and their records in the other lists holding personal data (and, on request,
 * activity feeds and attachments), as files in --out DIR or one JSON document on stdout. Reads
 * only; changes nothing upstream or in the cache.
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
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
  accessStep,
  cacheOnlyCount,
  formatAccessLine,
  NO_MATCH,
  runAccess as collectAccess,
} from "../privacy/mod.ts";
import { emailOption, emailOptions } from "./privacy_options.ts";
import { formatSummaryJson } from "../summary.ts";

export interface AccessCommand {
  kind: "access";
  email: string;
  out?: string;
  activity: boolean;
  attachments: boolean;
  cacheDir: string;
  connection: Connection;
  /**
   * Print one JSON document (src/summary.ts): with --out the summary instead of the human line,
   * without it the bundle inside the envelope (without --json the bundle alone).
   */
  json?: boolean;
}

export const accessSpec: CommandSpec<AccessCommand> = {
  name: "access",
  summary: "Export everything Greenhouse holds on the candidates with an e-mail address",
  usage: "access --email ADDRESS [--out DIR] [--json] [--include-activity] [--include-attachments]",
  description: "Searches GET /candidates?email= (case-insensitive, every match) and takes " +
    "their applications (v1: embedded in the candidate; v3: GET /applications?candidate_ids=) " +
    "and their records in every other list holding personal data (offers, scorecards, " +
    "interviews, application stages, demographic answers, EEOC; v1 per application, v3 by " +
    "application_ids), then searches the local cache too: candidates only the cache still holds " +
    "(deleted or changed upstream) are reported apart, under cache_only. A list the version " +
    "lacks or the credentials may not read is left out and named, with the permission to " +
    "grant, in unavailable_lists. With --out, writes candidate_records.json, " +
    "apps_records.json, <list>_records.json per other list and unavailable_lists.json (plus " +
    "activity_records.json, attachments.json and cache_only.json when they apply) into DIR; " +
    "otherwise prints one JSON document. No match is not an error: the bundle is empty and " +
    "exit is 0.",
  options: {
    ...emailOptions,
    out: { type: "string" },
    "include-activity": { type: "boolean" },
    "include-attachments": { type: "boolean" },
    json: { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
  },
  help: [
    ["--email ADDRESS", "The data subject's address (matched trimmed and case-insensitively)"],
    ["--out DIR", "Write the bundle's files into DIR (default: one JSON document on stdout)"],
    ["--include-activity", "Add each candidate's activity feed (activity_records.json)"],
    ["--include-attachments", "Add the candidates' attachments (needs --out)"],
    [
      "--json",
      "Print one JSON document (docs/commands.md): with --out the summary, else the bundle in it",
    ],
    ...cacheHelp,
    ...connectionHelp,
  ],
  parse(values, _positionals, env) {
    const email = emailOption(values, "access");
    const out = values.out;
    if (out !== undefined && (typeof out !== "string" || out.trim() === "")) {
      throw new UsageError("--out must name a folder");
    }
    const attachments = values["include-attachments"] === true;
    if (attachments && out === undefined) {
      throw new UsageError("--include-attachments needs --out DIR: files cannot go to stdout");
    }
    return {
      kind: "access",
      email,
      out: out as string | undefined,
      activity: values["include-activity"] === true,
      attachments,
      cacheDir: cacheDir(values, env),
      connection: connection(values, env),
      json: values.json === true,
    };
  },
};

export async function runAccess(cmd: AccessCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  const client = openClient(cmd.connection, ctx);
  const result = await collectAccess(client, {
    email: cmd.email,
    out: cmd.out,
    activity: cmd.activity,
    attachments: cmd.attachments,
    cacheDir: cmd.cacheDir,
    fileHosts: cmd.connection.fileHosts,
  }, ctx);
  const { bundle, failed } = result;
  const none = result.candidates.length === 0 && cacheOnlyCount(result) === 0;
  if (cmd.out === undefined) {
    if (cmd.json) {
      // The envelope every --json document has, the bundle inside it.
      const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
      const step = { step: "access", status: "ok" as const, requests: client.stats.requests };
      ctx.out(formatSummaryJson({
        command: "access",
        startedAt,
        seconds,
        steps: [{ ...step, seconds }],
      }, { bundle }));
    } else ctx.out(JSON.stringify(bundle, null, 2) + "\n");
    if (none) ctx.err(NO_MATCH + "\n");
    // The document says it too (unavailable_lists); a person reading stderr should not miss it.
    for (const u of bundle.unavailable_lists) {
      ctx.err(`note: access: ${u.list} is not in the bundle: ${u.reason}\n`);
    }
    return 0;
  }
  const failure = failed.length === 0 ? undefined : new RunError(
    `access: ${failed.length} attachment file(s) could not be downloaded (listed above); ` +
      `the rest of the bundle is in ${cmd.out}; run again to retry`,
  );
  for (const reason of failed) ctx.err(`access: ${reason}\n`);
  if (cmd.json) {
    const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
    ctx.out(formatSummaryJson({
      command: "access",
      startedAt,
      seconds,
      steps: [{
        step: "access",
        status: failure ? "failed" : "ok",
        requests: client.stats.requests,
        seconds,
        ...(failure ? { error: failure.message } : {}),
        ...accessStep(result, cmd.out, cmd.attachments),
      }],
      ...(failure ? { error: { kind: "run" as const, message: failure.message } } : {}),
    }));
  }
  if (failure) throw failure;
  if (!cmd.json) ctx.out(formatAccessLine(result, cmd.out));
  return 0;
}
