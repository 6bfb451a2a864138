/**
 * Publishes the JSON Schema of an entity's records beside them, as `<folder>/schema.json`, for
 * the API version being listed: written atomically, and only when it differs from what is there
 * (a symlink or an oversized file in its place is replaced, never followed or read whole).
 */
import { join } from "node:path";
import { SCHEMA_FILE, writeFileAtomic } from "../cache/mod.ts";
import type { ApiVersion, EntityName } from "../entities.ts";
import { publishedSchema } from "../schemas/mod.ts";

/** Larger than any schema this tool writes: a bigger file is not ours, so it is replaced. */
const MAX_SCHEMA_BYTES = 1024 * 1024;

/** Writes `<folderDir>/schema.json` unless it already holds this entity's schema for `version`. */
export async function publishSchema(
  folderDir: string,
  entity: EntityName,
  version: ApiVersion,
): Promise<void> {
  const text = publishedSchema(entity, version);
  if (text === undefined) return;
  const path = join(folderDir, SCHEMA_FILE);
  if (await holds(path, text)) return;
  await writeFileAtomic(path, text);
}

async function holds(path: string, text: string): Promise<boolean> {
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size > MAX_SCHEMA_BYTES) return false;
    return await Deno.readTextFile(path) === text;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
