/** `attachments`: every file a cached candidate lists, into <cache>/candidates/<id>-attachments/. */
import { CANDIDATES_FOLDER, MARKER_FILE } from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import { cacheDir, connection, integerOption, quiet } from "../cli/options.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  DEFAULT_MAX_ATTACHMENT_BYTES,
  downloadAttachments,
  formatBytes,
} from "../dependent/attachments.ts";
import {
  candidateIds,
  concurrency,
  dependentHelp,
  type DependentOptions,
  dependentOptions,
  type DependentOutcome,
  formatApiFigures,
  runDependent,
  runDependentCommand,
} from "./dependent.ts";

export interface AttachmentsCommand extends DependentOptions {
  kind: "attachments";
  verify: boolean;
  /** The largest file downloaded, in bytes (default DEFAULT_MAX_ATTACHMENT_BYTES). */
  maxBytes?: number;
}

const MIB = 1024 * 1024;

export const attachmentsSpec: CommandSpec<AttachmentsCommand> = {
  name: "attachments",
  summary: "Download every cached candidate's attachment files (resumes, cover letters…)",
  usage: "attachments [options]",
  description: `Reads each candidate in <cache>/${CANDIDATES_FOLDER}/ and downloads its ` +
    `attachments to <cache>/${CANDIDATES_FOLDER}/<id>-attachments/<type>-<created_at>/<file name>, ` +
    `with a \`${MARKER_FILE}\` ` +
    "marker (size, SHA-256, content type) written once the file is whole. Folders with a " +
    "matching marker are skipped. Expired URLs are refreshed by fetching the candidate again.",
  options: {
    ...dependentOptions,
    verify: { type: "boolean" },
    "max-attachment-mb": { type: "string" },
  },
  help: [
    ["--verify", "Re-hash files that have a marker; download again any that do not match"],
    [
      "--max-attachment-mb N",
      `Skip (and report) files larger than N MiB (default ${DEFAULT_MAX_ATTACHMENT_BYTES / MIB})`,
    ],
    ...dependentHelp,
  ],
  parse(values, _positionals, env) {
    return {
      kind: "attachments",
      verify: values.verify === true,
      maxBytes: MIB *
        integerOption(values, "max-attachment-mb", DEFAULT_MAX_ATTACHMENT_BYTES / MIB, 1, MIB),
      concurrency: concurrency(values),
      candidates: candidateIds(values),
      cacheDir: cacheDir(values, env),
      connection: connection(values, env),
      quiet: quiet(values),
      json: values.json === true,
    };
  },
};

export function attachments(cmd: AttachmentsCommand, ctx: RunContext) {
  return runDependent(
    "attachments",
    "candidates",
    cmd,
    ctx,
    (run, ids) => downloadAttachments(run, ids, { verify: cmd.verify, maxBytes: cmd.maxBytes }),
  );
}

export function runAttachments(cmd: AttachmentsCommand, ctx: RunContext): Promise<number> {
  return runDependentCommand(
    "attachments",
    cmd,
    ctx,
    (ctx) => attachments(cmd, ctx),
    formatAttachmentsSummary,
  );
}

export function formatAttachmentsSummary(o: DependentOutcome): string {
  const { done, skipped, resumed = 0, failed, bytes = 0, refreshed = 0 } = o.result;
  const resumedText = resumed > 0
    ? `${resumed} candidates already done by an interrupted run, `
    : "";
  return `attachments: ${done} files downloaded (${formatBytes(bytes)}), ${skipped} already ` +
    `complete or skipped, ${resumedText}${failed.length} failed, ${refreshed} candidates ` +
    `refreshed, ${formatApiFigures(o)}`;
}
