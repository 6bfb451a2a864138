/**
 * `doctor`: will a nightly sync work against this tenant, and if not, exactly what is off? The
 * work is in src/doctor/; here the options, the output and the report file.
 *
 * Named `doctor` rather than `ping --deep`: ping answers "may these credentials run access and
 * erase?" (privacy), doctor "will the nightly sync work, and how do the answers differ from what
 * the tool expects?" (first contact), with its own verdict, exit code and report file.
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  type Connection,
  connection,
  connectionHelp,
  connectionOptions,
  DEFAULT_BASE_URLS,
  type OptionValues,
  outputHelp,
  outputOptions,
  quiet,
} from "../cli/options.ts";
import { openClient } from "../cli/client.ts";
import {
  doctorJson,
  FileHostPolicy,
  formatDoctor,
  runDoctor,
  writeDoctorReport,
} from "../doctor/mod.ts";
import { UsageError } from "../errors.ts";
import { redactRegistered } from "../redact.ts";
import { DEFAULT_OVERLAP_MINUTES } from "./sync.ts";

/** Records asked of each list: enough to see a shape, few enough to answer at once. */
export const DOCTOR_PER_PAGE = 10;

/**
 * Give up on a list sooner than a sync would: a second try after a failure, within 30 s. A
 * doctor run answers in about a minute; a list that fails twice is reported, not waited for.
 */
const DOCTOR_RETRY = { maxAttempts: 2, maxTotalMs: 30_000 };

export interface DoctorCommand {
  kind: "doctor";
  connection: Connection;
  json: boolean;
  /** `--report FILE`: where the shareable report goes. */
  report?: string;
  quiet: boolean;
}

/** The report path, refused before any request when this build may not write there. */
function reportOption(values: OptionValues): string | undefined {
  const raw = values.report;
  const path = Array.isArray(raw) ? raw.at(-1) : raw;
  if (path === undefined) return undefined;
  if (typeof path !== "string" || path.trim() === "") {
    throw new UsageError("--report needs a file name, e.g. --report greenhouse-cache/doctor.json");
  }
  if (Deno.permissions.querySync({ name: "write", path }).state !== "granted") {
    throw new UsageError(
      `--report ${path}: this build may not write there; write it inside its cache folder, ` +
        "e.g. --report greenhouse-cache/doctor.json (docs/permissions.md)",
    );
  }
  let isDirectory = false;
  try {
    isDirectory = Deno.lstatSync(path).isDirectory;
  } catch { /* not there yet: written at the end */ }
  if (isDirectory) throw new UsageError(`--report ${path}: is a folder; name a file in it`);
  return path;
}

export const doctorSpec: CommandSpec<DoctorCommand> = {
  name: "doctor",
  summary: "Will a nightly sync work? Every list, shape and limit checked in about a minute",
  usage: "doctor [--json] [--report FILE] [-q]",
  description: "For the credentials in the environment, reads the first page of every list " +
    `the API version has (per_page=${DOCTOR_PER_PAGE}, or --per-page) and of the lists sync's ` +
    "activity-feed and attachment steps read, at the usual pace; checks each record against " +
    "the list's published JSON Schema (fields it does not know, required fields missing, wrong " +
    "types); reports the rate limit and the window seen, the token's lifetime and scopes, the " +
    "server's clock against ours, and which host an attachment URL leads to (without " +
    "downloading it). Prints a row per list (ok, unavailable, not found, drift) and a verdict. " +
    "Exit 0 when a nightly sync would work, 1 otherwise. Writes nothing but --report.",
  options: {
    json: { type: "boolean" },
    report: { type: "string" },
    ...connectionOptions,
    ...outputOptions,
  },
  help: [
    ["--json", "Print the report as one JSON document (what --report writes)"],
    [
      "--report FILE",
      "Also write the report to FILE, safe to attach to a bug report: no names, e-mails, ids, " +
      "file names or URLs, only shapes (field paths, JSON types, counts) and protocol headers",
    ],
    ...connectionHelp,
    ...outputHelp,
  ],
  parse(values, _positionals, env) {
    return {
      kind: "doctor",
      connection: connection(values, env),
      json: values.json === true,
      report: reportOption(values),
      quiet: quiet(values),
    };
  },
};

export async function runDoctorCommand(cmd: DoctorCommand, ctx: RunContext): Promise<number> {
  const client = openClient(cmd.connection, ctx, DOCTOR_RETRY);
  const report = await runDoctor({
    client,
    ctx,
    quiet: cmd.quiet,
    perPage: cmd.connection.perPage ?? DOCTOR_PER_PAGE,
    defaultBaseUrl: client.baseUrl === DEFAULT_BASE_URLS[cmd.connection.api],
    filePolicy: new FileHostPolicy(client.baseUrl, { narrowed: cmd.connection.fileHosts }),
    overlapMs: DEFAULT_OVERLAP_MINUTES * 60_000,
  });
  // Nothing secret is in it by construction; redacting costs nothing and holds that anyway.
  const json = redactRegistered(doctorJson(report));
  if (cmd.report !== undefined) await writeDoctorReport(cmd.report, json);
  if (cmd.json) {
    ctx.out(json);
    // The verdict's one line on stderr too, as every command's failure under --json.
    if (!report.ok) ctx.err(`doctor: ${redactRegistered(report.verdict)}\n`);
  } else ctx.out(redactRegistered(formatDoctor(report, client.baseUrl)));
  if (cmd.report !== undefined && !cmd.quiet) {
    ctx.err(`doctor: report written to ${cmd.report} (attach it to a bug report as it is)\n`);
  }
  return report.ok ? 0 : 1;
}
