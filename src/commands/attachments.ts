/** `attachments`: every file a cached candidate lists, into <cache>/candidates/<id>-attachments/. */
import type { RunContext } from "../context.ts";
import { cacheDir, connection, integerOption, quiet } from "../cli/options.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  CANDIDATES_FOLDER,
  DEFAULT_DOWNLOAD_LIMITS,
  DEFAULT_MAX_ATTACHMENT_BYTES,
  type DependentOutcome,
  downloadAttachments,
  type DownloadLimits,
  formatApiFigures,
  formatBytes,
  MARKER_FILE,
} from "../dependent/mod.ts";
import { UsageError } from "../errors.ts";
import {
  candidateIds,
  concurrency,
  dependentHelp,
  type DependentOptions,
  dependentOptions,
  runDependent,
  runDependentCommand,
} from "./dependent.ts";

export interface AttachmentsCommand extends DependentOptions {
  kind: "attachments";
  verify: boolean;
  /** The largest file downloaded, in bytes (default DEFAULT_MAX_ATTACHMENT_BYTES). */
  maxBytes?: number;
  /** How slow a download may be (default DEFAULT_DOWNLOAD_LIMITS). */
  limits?: Partial<DownloadLimits>;
}

const MIB = 1024 * 1024;
const KIB = 1024;
const DEFAULT_GRACE_S = DEFAULT_DOWNLOAD_LIMITS.graceMs / 1000;
const DEFAULT_RATE_KIB = DEFAULT_DOWNLOAD_LIMITS.minBytesPerSecond / KIB;

/** `--download-grace S`: seconds, fractions allowed (0.1 to 3600). */
function graceMs(values: Record<string, unknown>): number | undefined {
  const text = values["download-grace"];
  if (typeof text !== "string") return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0.1 || value > 3600) {
    throw new UsageError(`--download-grace "${text}" must be a number of seconds from 0.1 to 3600`);
  }
  return Math.round(value * 1000);
}

export const attachmentsSpec: CommandSpec<AttachmentsCommand> = {
  name: "attachments",
  summary: "Download every cached candidate's attachment files (resumes, cover letters…)",
  usage: "attachments [options]",
  description: `Reads each candidate in <cache>/${CANDIDATES_FOLDER}/ and downloads its ` +
    `attachments to <cache>/${CANDIDATES_FOLDER}/<id>-attachments/<type>-<created_at>/<file name>, ` +
    `with a \`${MARKER_FILE}\` ` +
    "marker (size, SHA-256, content type) written once the file is whole. Folders with a " +
    "matching marker are skipped. Expired URLs are refreshed by fetching the candidate again. " +
    "A file that cannot be had leaves no folder and is recorded in <cache>/.failures.json: a " +
    "rerun asks only for what failed and what changed since; one refused for a lasting reason " +
    "(over the size cap, a refused host) is not tried again while the setting that refused it " +
    "holds, unless --retry-failed.",
  options: {
    ...dependentOptions,
    verify: { type: "boolean" },
    "max-attachment-mb": { type: "string" },
    "min-download-rate": { type: "string" },
    "download-grace": { type: "string" },
    "retry-failed": { type: "boolean" },
  },
  help: [
    ["--verify", "Re-hash files that have a marker; download again any that do not match"],
    [
      "--max-attachment-mb N",
      `Skip (and report) files larger than N MiB (default ${DEFAULT_MAX_ATTACHMENT_BYTES / MIB})`,
    ],
    [
      "--min-download-rate KIB",
      "Stop (and report) a download slower than KIB KiB/s on average once the grace is over " +
      `(default ${DEFAULT_RATE_KIB})`,
    ],
    [
      "--download-grace S",
      `Seconds a download may take before its average rate counts (default ${DEFAULT_GRACE_S})`,
    ],
    [
      "--retry-failed",
      "Also try the files an earlier run refused for a lasting reason (over the size cap, a " +
      "refused host)",
    ],
    ...dependentHelp,
  ],
  parse(values, _positionals, env) {
    return {
      kind: "attachments",
      verify: values.verify === true,
      maxBytes: MIB *
        integerOption(values, "max-attachment-mb", DEFAULT_MAX_ATTACHMENT_BYTES / MIB, 1, MIB),
      limits: {
        minBytesPerSecond: KIB *
          integerOption(values, "min-download-rate", DEFAULT_RATE_KIB, 1, MIB),
        graceMs: graceMs(values) ?? DEFAULT_DOWNLOAD_LIMITS.graceMs,
      },
      retryFailed: values["retry-failed"] === true,
      full: values.full === true,
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
    (run, ids) =>
      downloadAttachments(run, ids, {
        verify: cmd.verify,
        maxBytes: cmd.maxBytes,
        limits: cmd.limits,
        retryFailed: cmd.retryFailed,
      }),
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
  const { done, skipped, resumed = 0, failed, bytes = 0, refreshed = 0, notRetried = 0 } = o.result;
  const resumedText = resumed > 0
    ? `${resumed} candidates already done by an interrupted run, `
    : "";
  const refusedText = notRetried > 0 ? `${notRetried} refused earlier (not tried again), ` : "";
  return `attachments: ${done} files downloaded (${formatBytes(bytes)}), ${skipped} already ` +
    `complete or skipped, ${resumedText}${refusedText}${failed.length} failed, ${refreshed} ` +
    `candidates refreshed, ${formatApiFigures(o)}`;
}
