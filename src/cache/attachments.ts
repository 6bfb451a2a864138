/**
 * The attachment layout (names in layout.ts), shared by the commands that download attachments
 * and by `check`:
 *
 *   <cache>/candidates/<candidate_id>-attachments/<type>-<created_at, ':' → 'c'>[~N]/<file name>
 *   <cache>/candidates/<candidate_id>-attachments/<type>-<created_at, ':' → 'c'>[~N]/complete
 *
 * API data never chooses a path: the type and timestamp are reduced to a safe alphabet, the file
 * name is sanitised, and the candidate id must be a positive integer.
 */
import { basename, dirname, join } from "node:path";
import { RunError } from "../errors.ts";
import { writeFileAtomic } from "./atomic.ts";
import { sha256File } from "./hash.ts";
import { isTempName, MARKER_FILE } from "./layout.ts";
import { ensureFolders, lstatOrUndefined, readTextNoFollow } from "./no_follow.ts";

/** What the completion marker records: written only once the file is whole under its final name. */
export interface Marker {
  /** The sanitised file name inside the folder. */
  file: string;
  /** The file name as the API gave it. */
  filename: string;
  size: number;
  sha256: string;
  content_type: string | null;
  downloaded_at: string;
  type: string;
  created_at: string | null;
}

function safeToken(value: unknown, fallback: string): string {
  const text = typeof value === "string" ? value : "";
  const safe = text.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "").slice(0, 64);
  return safe === "" ? fallback : safe;
}

/**
 * One folder name per attachment, in the order given. Two attachments of the same type and
 * upload time get `~2`, `~3`… in the order the API lists them, so names are stable across runs.
 */
export function attachmentFolderNames(
  attachments: readonly { type?: unknown; created_at?: unknown }[],
): string[] {
  const seen = new Map<string, number>();
  return attachments.map((attachment) => {
    const type = safeToken(attachment.type, "other");
    const created = typeof attachment.created_at === "string"
      ? safeToken(attachment.created_at.replaceAll(":", "c"), "undated")
      : "undated";
    const base = `${type}-${created}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}~${count}`;
  });
}

const ATTACHMENT_FOLDER = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(~[1-9][0-9]*)?$/;

/** Whether `name` is one `attachmentFolderNames` can give (no separator, never hidden). */
export function isAttachmentFolderName(name: string): boolean {
  return name.length <= 160 && ATTACHMENT_FOLDER.test(name);
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const MAX_NAME_BYTES = 180;
const MAX_EXTENSION = 16;
const encoder = new TextEncoder();

/**
 * A file name from the API made safe on every platform: no separators, no `..`, no control
 * characters, no reserved device names, not the marker's name, not hidden, at most 180 bytes
 * (keeping the extension), never empty.
 */
export function sanitizeFileName(name: unknown): string {
  let safe = (typeof name === "string" ? name : "").normalize("NFC")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .replace(/[/\\<>:"|?*]/g, "_")
    .trim()
    .replace(/^\.+/, (dots) => "_".repeat(dots.length))
    .replace(/[. ]+$/, "");
  if (safe === "") safe = "attachment";
  if (WINDOWS_RESERVED.test(safe) || safe.toLowerCase() === MARKER_FILE) safe = `_${safe}`;
  return truncateKeepingExtension(safe);
}

function truncateKeepingExtension(name: string): string {
  if (encoder.encode(name).length <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION ? name.slice(dot) : "";
  const stem = [...name.slice(0, name.length - extension.length)];
  const budget = MAX_NAME_BYTES - encoder.encode(extension).length;
  let kept = "";
  for (const char of stem) {
    if (encoder.encode(kept + char).length > budget) break;
    kept += char;
  }
  return kept + extension;
}

/**
 * Makes the folders of `relative` below `root` (root created with its parents if missing), one
 * level at a time and never through a link: `root` is `<cache>/candidates` (or the access
 * bundle's folder), `relative` e.g. `12-attachments/resume-2024…`. Returns the folder's path.
 */
export async function makeAttachmentFolder(root: string, relative: string[]): Promise<string> {
  return await ensureFolders(root, relative);
}

export async function writeMarker(folder: string, marker: Marker): Promise<void> {
  await writeFileAtomic(join(folder, MARKER_FILE), JSON.stringify(marker, null, 2) + "\n");
}

/** The marker in a folder, undefined when there is none, or "invalid" when it cannot be read. */
export async function readMarker(folder: string): Promise<Marker | "invalid" | undefined> {
  let text: string;
  try {
    text = await readTextNoFollow(join(folder, MARKER_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof RunError) return "invalid"; // a link or a folder: never read through
    throw error;
  }
  try {
    const marker = JSON.parse(text);
    const valid = typeof marker?.file === "string" && typeof marker.size === "number" &&
      typeof marker.sha256 === "string" && marker.file === sanitizeFileName(marker.file);
    return valid ? marker as Marker : "invalid";
  } catch {
    return "invalid";
  }
}

/** Why an attachment folder is not complete (check reports each as `attachment_<problem>`). */
export type AttachmentProblem = "no_file" | "no_marker" | "size_mismatch" | "sha_mismatch";

/** What a folder holds: a marker that matches its file, or the first thing wrong with it. */
export type AttachmentFolderState =
  | { complete: true; marker: Marker }
  | { complete: false; problem: AttachmentProblem; detail: string };

/**
 * Whether the attachment folder `dir` is complete: its marker is readable and names a file that
 * is there with the marker's size (and, to `verify`, its SHA-256). Shared by the downloader (which
 * skips complete folders) and `check` (which reports the others). Read only; a missing folder
 * holds no file.
 */
export async function checkAttachmentFolder(
  dir: string,
  opts: { verify: boolean },
): Promise<AttachmentFolderState> {
  // A link in place of the folder or of `<id>-attachments` holds nothing of the cache's.
  for (const path of [dirname(dir), dir]) {
    if ((await lstatOrUndefined(path))?.isSymlink) {
      const detail = `${basename(path)} is a symbolic link, which the cache never follows`;
      return { complete: false, problem: "no_file", detail };
    }
  }
  const marker = await readMarker(dir);
  let state: AttachmentFolderState;
  if (marker === undefined) {
    state = {
      complete: false,
      problem: "no_marker",
      detail: `no "${MARKER_FILE}" marker: incomplete`,
    };
  } else if (marker === "invalid") {
    state = {
      complete: false,
      problem: "no_marker",
      detail: `"${MARKER_FILE}" marker is unreadable`,
    };
  } else {
    state = await checkMarkedFile(dir, marker, opts.verify);
  }
  // Only an incomplete folder is listed, to say when it holds no file at all.
  if (!state.complete && !await holdsAFile(dir)) {
    return { complete: false, problem: "no_file", detail: "folder holds no attachment file" };
  }
  return state;
}

async function checkMarkedFile(
  dir: string,
  marker: Marker,
  verify: boolean,
): Promise<AttachmentFolderState> {
  const path = join(dir, marker.file);
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path); // a link is not the file: never hashed or trusted
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const detail = `marker names ${marker.file}, which is missing`;
    return { complete: false, problem: "no_file", detail };
  }
  if (!info.isFile) {
    const detail = `marker names ${marker.file}, which is not a file`;
    return { complete: false, problem: "no_file", detail };
  }
  if (info.size !== marker.size) {
    const detail = `${marker.file} is ${info.size} bytes, marker says ${marker.size}`;
    return { complete: false, problem: "size_mismatch", detail };
  }
  if (verify) {
    const sha = await sha256File(path);
    if (sha !== marker.sha256.toLowerCase()) {
      const detail = `${marker.file} SHA-256 ${sha.slice(0, 12)}… ≠ marker ${
        marker.sha256.slice(0, 12)
      }…`;
      return { complete: false, problem: "sha_mismatch", detail };
    }
  }
  return { complete: true, marker };
}

/** Whether `dir` holds a file other than the marker and temporaries; false if `dir` is missing. */
async function holdsAFile(dir: string): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name !== MARKER_FILE && !isTempName(entry.name)) return true;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  return false;
}
