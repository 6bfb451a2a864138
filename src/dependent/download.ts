/**
 * One attachment file, downloaded into its folder (`<type>-<created_at>[~N]/<file>`) with its
 * completion marker, or not at all:
 *
 * - Files come from the file host with a plain `fetch`: no Authorization header (the API key
 *   never leaves for another host) and no Harvest pacing. Each is streamed to a temporary file
 *   while hashed, its status and Content-Length checked, then renamed into place; only then is
 *   the marker written. A kill at any moment leaves at worst a temporary file (removed by the
 *   next run) or a whole file without a marker (downloaded again), never a marker beside a
 *   partial file. Error bodies are never written to disk.
 * - URLs are API data: each one, and each redirect (followed by hand, at most 5), must be on a
 *   host this build may reach (else the step stops, naming it), within `--file-hosts` when
 *   given, and lead to a public address (file_fetch.ts); and a file may not pass `maxBytes`
 *   (default 1 GiB): one that declares more is not fetched, one that streams past it is stopped.
 * - Every transfer has a total deadline that grows with what arrived (deadline.ts): a file host
 *   that drips is stopped, not waited on for days.
 * - A file that cannot be had leaves nothing: its folder (and the candidate's, when that is
 *   left empty) is removed, and the caller records the failure (`.failures.json`), saying
 *   whether the reason lasts (too large, a refused host, no URL) or may pass (an error answer,
 *   a cut connection, too slow).
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import {
  attachmentFolderNames,
  checkAttachmentFolder,
  makeAttachmentFolder,
  type Marker,
  MARKER_FILE,
  openAtomic,
  readMarker,
  removeTempFiles,
  sanitizeFileName,
  writeMarker,
} from "../cache/mod.ts";
import type { Clock } from "../clock.ts";
import type { RunContext } from "../context.ts";
import { RunError } from "../errors.ts";
import { removeIfPresent } from "../files.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { Interrupted } from "../interrupt.ts";
import { collectGarbage } from "../memory.ts";
import { DEFAULT_DOWNLOAD_LIMITS, type DownloadLimits, TransferWatch } from "./deadline.ts";
import { fetchFile, FileHostPolicy, type Resolver } from "./file_fetch.ts";

/** Attempts per file for network errors, 5xx and short bodies. */
const MAX_ATTEMPTS = 4;
/** Downloaded bytes between two garbage collections (when enabled). */
const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
/**
 * The largest attachment downloaded unless told otherwise (`--max-attachment-mb`). Résumés and
 * offer packets are megabytes; a gigabyte leaves room for recorded interviews and stops a file
 * host that sends without end from filling the disk.
 */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 1024 ** 3;

/** An attachment as the API lists it; every field is untrusted. */
export interface ApiAttachment {
  filename?: unknown;
  url?: unknown;
  type?: unknown;
  created_at?: unknown;
}

/** One file to download. */
export interface Job {
  candidateId: number;
  folder: string;
  folderName: string;
  file: string;
  attachment: ApiAttachment;
}

/** What every download of a run checks: where files may come from, how large, how slow. */
export interface FileRules {
  policy: FileHostPolicy;
  /** `--file-hosts`, when given. */
  fileHosts?: readonly string[];
  maxBytes: number;
  limits: DownloadLimits;
  fetchFn: typeof fetch;
  clock: Clock;
}

/** The rules' inputs a caller may set (tests set the network and the resolver). */
export interface FileRuleOptions {
  fetchFn?: typeof fetch;
  maxBytes?: number;
  limits?: Partial<DownloadLimits>;
  resolve?: Resolver;
}

export function fileRules(
  run: { client: HarvestClient; fileHosts?: readonly string[]; ctx: RunContext },
  opts: FileRuleOptions,
): FileRules {
  return {
    policy: new FileHostPolicy(run.client.baseUrl, {
      resolve: opts.resolve,
      narrowed: run.fileHosts,
    }),
    fileHosts: run.fileHosts,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
    limits: { ...DEFAULT_DOWNLOAD_LIMITS, ...opts.limits },
    fetchFn: opts.fetchFn ?? fetch,
    clock: run.ctx.clock,
  };
}

/**
 * What became of one file. `lasting`: a retry cannot change it (too large, refused, no URL) until
 * `setting`, the setting that refused it, changes (settingHolds).
 */
export type JobOutcome =
  | { kind: "ok"; size: number }
  | { kind: "gone" }
  | { kind: "fail"; reason: string; lasting: boolean; setting?: string };

/** One attempt. */
type Attempt =
  | { kind: "ok"; size: number; sha256: string; contentType: string | null }
  | { kind: "expired"; reason: string }
  | { kind: "retry"; reason: string }
  | { kind: "fail"; reason: string; lasting: boolean; setting?: string };

/** The setting behind a refusal by size. */
function sizeSetting(rules: FileRules): string {
  return `max-bytes:${rules.maxBytes}`;
}

/** The setting behind a refused host or address (the hosts `--file-hosts` allowed). */
function hostsSetting(rules: FileRules): string {
  return `file-hosts:${[...rules.fileHosts ?? []].sort().join(",")}`;
}

/**
 * Whether a file refused for a lasting reason would be refused again under these rules: by size
 * while the cap is not raised, a host while `--file-hosts` is the same, no URL while there is
 * none. A refusal without a setting holds until `--retry-failed`.
 */
export function refusalHolds(
  setting: string | undefined,
  attachment: ApiAttachment,
  rules: FileRules,
): boolean {
  if (setting === undefined) return true;
  if (setting === "url") return downloadableUrl(attachment.url) === undefined;
  if (setting.startsWith("max-bytes:")) {
    return rules.maxBytes <= Number(setting.slice("max-bytes:".length));
  }
  if (setting.startsWith("file-hosts:")) return setting === hostsSetting(rules);
  return true;
}

/** Fresh attachments of a candidate (undefined when it is gone upstream). */
export type RefreshOne = (id: number) => Promise<ApiAttachment[] | undefined>;

/** Whether a file host's error answer says the signed URL has expired (S3 and the like). */
export function isExpiryError(status: number, body: string): boolean {
  return (status === 403 || status === 400) &&
    /expired|ExpiredToken|Request has expired/i.test(body);
}

/** Only http(s) URLs are fetched: a `file:` or `data:` URL from the API must never be read. */
export function downloadableUrl(url: unknown): URL | undefined {
  if (typeof url !== "string") return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function reportGone(ctx: RunContext, id: number, files: number): void {
  ctx.err(
    `attachments: candidate ${id} not found (deleted upstream?); ${files} file${
      files === 1 ? "" : "s"
    } skipped\n`,
  );
}

/**
 * Downloads one file into its folder, retrying what may pass (4 attempts) and refreshing an
 * expired URL once. Anything but success leaves no folder behind. A refused host of this build
 * (NotCapable) or an interrupt is thrown, after the folder is cleared.
 */
export async function downloadJob(
  ctx: RunContext,
  job: Job,
  rules: FileRules,
  refreshOne: RefreshOne,
): Promise<JobOutcome> {
  await prepareFolder(job);
  let outcome: JobOutcome;
  try {
    outcome = await attemptAll(ctx, job, rules, refreshOne);
  } catch (error) {
    // Stopped between the old marker's removal and a new one: leave no incomplete folder.
    if (error instanceof Interrupted || error instanceof Deno.errors.NotCapable) {
      await discardFolder(job.folder);
    }
    throw error;
  }
  if (outcome.kind !== "ok") await discardFolder(job.folder);
  return outcome;
}

/**
 * `<root>/<id>-attachments/<folder>` (the access bundle: `<root>/<id>/<folder>`), made one level
 * at a time and never through a link (a link there would carry the file out); then the old
 * marker goes first: from here until the new marker, the folder claims nothing.
 */
async function prepareFolder(job: Job): Promise<void> {
  const owner = dirname(job.folder);
  await makeAttachmentFolder(dirname(owner), [basename(owner), basename(job.folder)]);
  const old = await readMarker(job.folder);
  await removeIfPresent(join(job.folder, MARKER_FILE));
  if (typeof old === "object" && old.file !== job.file) {
    await removeIfPresent(join(job.folder, sanitizeFileName(old.file)));
  }
  await removeTempFiles(job.folder);
}

async function attemptAll(
  ctx: RunContext,
  job: Job,
  rules: FileRules,
  refreshOne: RefreshOne,
): Promise<JobOutcome> {
  let attachment = job.attachment;
  let refreshed = false;
  let failures = 0;
  for (;;) {
    const url = downloadableUrl(attachment.url);
    const attempt: Attempt = url ? await fetchToFile(url, join(job.folder, job.file), rules) : {
      kind: "fail",
      reason: "no http(s) URL in the candidate record",
      lasting: true,
      setting: "url",
    };
    if (attempt.kind === "ok") {
      await writeMarker(job.folder, markerOf(job, attachment, attempt, rules.clock));
      return { kind: "ok", size: attempt.size };
    }
    if (attempt.kind === "fail") return attempt;
    if (attempt.kind === "expired") {
      if (refreshed) {
        return { kind: "fail", reason: `${attempt.reason} even after a refresh`, lasting: false };
      }
      refreshed = true;
      const fresh = await freshAttachment(ctx, job, refreshOne);
      if (fresh === undefined) return { kind: "gone" };
      attachment = fresh;
      continue;
    }
    if (++failures >= MAX_ATTEMPTS) {
      return {
        kind: "fail",
        reason: `${attempt.reason} (after ${failures} attempts)`,
        lasting: false,
      };
    }
    await rules.clock.sleep(500 * 2 ** (failures - 1) * (0.5 + Math.random()));
  }
}

/** The job's attachment listed again (fresh URL); undefined (said) when it is gone. */
async function freshAttachment(
  ctx: RunContext,
  job: Job,
  refreshOne: RefreshOne,
): Promise<ApiAttachment | undefined> {
  const attachments = await refreshOne(job.candidateId);
  if (attachments === undefined) {
    reportGone(ctx, job.candidateId, 1);
    return undefined;
  }
  const index = attachmentFolderNames(attachments).indexOf(job.folderName);
  if (index < 0) {
    ctx.err(
      `attachments: candidate ${job.candidateId} no longer lists ${job.folderName}; skipped\n`,
    );
    return undefined;
  }
  return attachments[index];
}

function markerOf(
  job: Job,
  attachment: ApiAttachment,
  attempt: { size: number; sha256: string; contentType: string | null },
  clock: Clock,
): Marker {
  return {
    file: job.file,
    filename: typeof attachment.filename === "string" ? attachment.filename : "",
    size: attempt.size,
    sha256: attempt.sha256,
    content_type: attempt.contentType,
    downloaded_at: new Date(clock.now()).toISOString(),
    type: typeof attachment.type === "string" ? attachment.type : "",
    created_at: typeof attachment.created_at === "string" ? attachment.created_at : null,
  };
}

/**
 * Removes an attachment folder left without a valid marker: a file that could not be had leaves
 * no trace that looks like damage. (The candidate's folder, if left empty, goes once all its
 * files are done: `removeIfEmpty`; a sibling download may be making its own folder in it now.)
 */
export async function discardFolder(folder: string): Promise<void> {
  const state = await checkAttachmentFolder(folder, { verify: false }).catch(() => undefined);
  if (state?.complete) return;
  await Deno.remove(folder, { recursive: true }).catch(() => {});
}

/** Removes `dir` if it is an empty folder (not recursive: anything in it keeps it). */
export async function removeIfEmpty(dir: string): Promise<void> {
  await Deno.remove(dir).catch(() => {});
}

class StreamError extends Error {}
class TooLarge extends Error {}

/**
 * One download attempt: streams a 200 answer to a temporary file beside `path` while hashing,
 * checks the length, renames. Anything else leaves no file: a refused host or redirect, a file
 * over the size limit (declared or streamed), an error answer, a transfer past its deadline.
 */
async function fetchToFile(url: URL, path: string, rules: FileRules): Promise<Attempt> {
  const controller = new AbortController();
  const watch = new TransferWatch(rules.limits, rules.clock, () => controller.abort());
  try {
    const answer = await requestFile(url, rules, controller.signal, watch);
    if (answer.kind !== "body") return answer;
    return await saveBody(answer.response, answer.expected, path, rules, watch);
  } finally {
    watch.stop();
  }
}

/** The file host's answer: a body to save, or why there is none. */
async function requestFile(
  url: URL,
  rules: FileRules,
  signal: AbortSignal,
  watch: TransferWatch,
): Promise<Attempt | { kind: "body"; response: Response; expected: number | undefined }> {
  let response: Response;
  try {
    const fetched = await fetchFile(url, rules.policy, rules.fetchFn, signal);
    if (fetched.kind === "refused") {
      const reason = `refused: ${fetched.reason}`;
      return { kind: "fail", reason, lasting: true, setting: hostsSetting(rules) };
    }
    response = fetched.response;
  } catch (error) {
    // A host this build may not reach is a matter of permissions: no retry can help, and
    // every file on that host would hit it, so the step stops (the caller names the host).
    if (error instanceof Deno.errors.NotCapable) throw error;
    if (watch.expired === "deadline") {
      return { kind: "fail", reason: watch.describe(), lasting: false };
    }
    return { kind: "retry", reason: `cannot reach the file host: ${describe(error)}` };
  }
  if (response.status !== 200 || response.body === null) {
    const text = await readErrorBody(response);
    const summary = `the file host answered ${response.status}${errorCode(text)}`;
    if (isExpiryError(response.status, text)) return { kind: "expired", reason: summary };
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return { kind: "retry", reason: summary };
    }
    return { kind: "fail", reason: summary, lasting: false };
  }
  const declared = response.headers.get("content-length");
  const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (expected !== undefined && expected > rules.maxBytes) {
    await response.body.cancel().catch(() => {});
    return {
      kind: "fail",
      reason: `the file is ${formatLimit(expected)}, over the ${formatLimit(rules.maxBytes)} ` +
        "limit (--max-attachment-mb); not downloaded",
      lasting: true,
      setting: sizeSetting(rules),
    };
  }
  return { kind: "body", response, expected };
}

/** Streams the body to a temporary file beside `path` while hashing; renames it when whole. */
async function saveBody(
  response: Response,
  expected: number | undefined,
  path: string,
  rules: FileRules,
  watch: TransferWatch,
): Promise<Attempt> {
  const hash = createHash("sha256");
  let size = 0;
  let sinceCollected = 0;
  const atomic = await openAtomic(path);
  const reader = response.body!.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new StreamError(describe(error));
      }
      if (next.done) break;
      if (!watch.add(next.value.length)) throw new StreamError("past the deadline");
      if (size + next.value.length > rules.maxBytes) throw new TooLarge();
      hash.update(next.value);
      await writeAll(atomic.file, next.value);
      size += next.value.length;
      // Each chunk is a fresh buffer that V8 frees lazily: collect every few MB so a large
      // file's chunks do not pile up (see src/memory.ts).
      if ((sinceCollected += next.value.length) >= COLLECT_EVERY_BYTES) {
        sinceCollected = 0;
        collectGarbage();
      }
    }
    if (expected !== undefined && size !== expected) {
      throw new StreamError(`the body ended after ${size} of ${expected} bytes`);
    }
    await atomic.commit();
  } catch (error) {
    await reader.cancel().catch(() => {});
    await atomic.abort();
    return failedBody(error, path, rules, watch);
  }
  const contentType = response.headers.get("content-type");
  return { kind: "ok", size, sha256: hash.digest("hex"), contentType };
}

/** What a body that could not be saved amounts to; a disk error stops the step. */
function failedBody(error: unknown, path: string, rules: FileRules, watch: TransferWatch): Attempt {
  if (error instanceof TooLarge) {
    return {
      kind: "fail",
      reason: `the file went on past the ${formatLimit(rules.maxBytes)} limit ` +
        "(--max-attachment-mb); stopped, and the partial file removed",
      lasting: true,
      setting: sizeSetting(rules),
    };
  }
  if (watch.expired === "deadline") {
    return { kind: "fail", reason: watch.describe(), lasting: false };
  }
  if (error instanceof StreamError) {
    const idle = watch.expired === "idle"
      ? `nothing received for ${watch.limits.idleMs / 1000} s`
      : error.message;
    return { kind: "retry", reason: `download interrupted: ${idle}` };
  }
  throw new RunError(`${path}: cannot be written: ${describe(error)}`);
}

/** `1 GiB`, `300 MiB`, `12.5 MiB`: a size as the limit's messages show it. */
function formatLimit(bytes: number): string {
  const units: [number, string][] = [[1024 ** 3, "GiB"], [1024 ** 2, "MiB"], [1024, "KiB"]];
  for (const [unit, name] of units) {
    if (bytes >= unit) return `${Number((bytes / unit).toFixed(1))} ${name}`;
  }
  return `${bytes} bytes`;
}

/** At most 8 KB of an error answer, to classify it; the rest is discarded, never stored. */
async function readErrorBody(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 8192) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } catch {
    // An unreadable error body is classified by its status alone.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder().decode(bytes);
}

/** The S3-style `<Code>` of an error body, for the report (never the whole body). */
function errorCode(text: string): string {
  const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,120})<\/Message>/.exec(text)?.[1];
  return code ? ` (${code}${message ? `: ${message}` : ""})` : "";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
