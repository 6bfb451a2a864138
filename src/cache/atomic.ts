/**
 * Atomic file replacement: write to a temporary file in the same folder, then rename it over the
 * target. A reader (or a run that was killed with -9) only ever sees the old file or the new
 * whole file, never a partial one. Leftover temporaries are recognisable by name (layout.ts) and
 * removed by `removeTempFiles` when a folder is opened.
 */
import { removeIfPresent } from "../files.ts";
import { tempPathFor } from "./layout.ts";

/** Writes `data` to `path` atomically (temporary file in the same folder + rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = tempPathFor(path);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    await Deno.writeFile(temp, bytes, { createNew: true });
    await Deno.rename(temp, path);
  } catch (error) {
    await removeIfPresent(temp).catch(() => {});
    throw error;
  }
}

export interface AtomicFile {
  /** Writable handle on the temporary file. Write through it; do not close it yourself. */
  file: Deno.FsFile;
  /** The temporary file's path. */
  tempPath: string;
  /** Closes the handle and renames the temporary over the target. */
  commit(): Promise<void>;
  /** Closes the handle and removes the temporary. Safe to call after a failed commit. */
  abort(): Promise<void>;
}

/** Streaming variant of `writeFileAtomic`, for large downloads. */
export async function openAtomic(path: string): Promise<AtomicFile> {
  const tempPath = tempPathFor(path);
  const file = await Deno.open(tempPath, { write: true, createNew: true });
  let closed = false;
  let done = false;
  const close = () => {
    if (!closed) {
      closed = true;
      file.close();
    }
  };
  return {
    file,
    tempPath,
    async commit() {
      if (done) throw new Error(`Atomic write of ${path} already finished`);
      try {
        close();
        await Deno.rename(tempPath, path);
        done = true;
      } catch (error) {
        await removeIfPresent(tempPath).catch(() => {});
        done = true;
        throw error;
      }
    },
    async abort() {
      close();
      if (!done) {
        done = true;
        await removeIfPresent(tempPath);
      }
    },
  };
}
