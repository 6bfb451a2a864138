/**
 * A subject-access request from start to end: Greenhouse's search and the bundle built from it,
 * the candidates only the cache still holds, and (with an output folder) the bundle's files and
 * attachments. The command prints what this returns.
 */
import { cacheFolderExists } from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import type { ApiRecord } from "../entities.ts";
import type { RunContext } from "../context.ts";
import { type AccessBundle, buildBundle, downloadAccessFiles, writeBundle } from "./access.ts";
import { findCandidates } from "./search.ts";
import { findInCache } from "./cache_search.ts";
import { buildCacheOnly, copyCachedAttachments } from "./access_cache.ts";

export interface AccessOptions {
  email: string;
  /** The folder the bundle's files go to; none: the caller prints the bundle. */
  out?: string;
  activity: boolean;
  attachments: boolean;
  cacheDir: string;
  /** Hosts attachment files may be fetched from besides Greenhouse's own. */
  fileHosts?: readonly string[];
}

export interface AccessResult {
  /** The candidates Greenhouse's search found. */
  candidates: ApiRecord[];
  bundle: AccessBundle;
  /** With `out`: what was written there, one phrase per kind of file. */
  files: string[];
  /** With `out` and attachments: the files that could not be downloaded, one line each. */
  failed: string[];
}

export async function runAccess(
  client: HarvestClient,
  options: AccessOptions,
  ctx: RunContext,
): Promise<AccessResult> {
  // Before any request: a file in the cache's place is said at once.
  const hasCache = await cacheFolderExists(options.cacheDir);
  const candidates = await findCandidates(client, options.email);
  const bundle = await buildBundle(client, candidates, {
    activity: options.activity,
    attachments: options.attachments,
  });
  // The local cache may still hold people Greenhouse's search no longer finds.
  if (hasCache) {
    const known = new Set(candidates.map((c) => c.id as number));
    const cached = (await findInCache(options.cacheDir, options.email))
      .filter((c) => !known.has(c.id));
    bundle.cache_only = await buildCacheOnly(options.cacheDir, cached, {
      activity: options.activity,
      attachments: options.attachments && options.out !== undefined,
    });
  } else {
    ctx.err(`note: no cache at ${options.cacheDir}; only Greenhouse was searched\n`);
  }
  const result: AccessResult = { candidates, bundle, files: [], failed: [] };
  if (options.out === undefined) return result;
  result.files = await writeBundle(options.out, bundle);
  if (options.attachments) {
    const downloads = await downloadAccessFiles(
      ctx,
      client,
      options.out,
      candidates,
      options.fileHosts,
    );
    const copied = bundle.cache_only
      ? await copyCachedAttachments(options.cacheDir, options.out, bundle.cache_only)
      : [];
    result.files.push(`${downloads.files.length + copied.length} attachment files`);
    result.failed = downloads.failed;
  }
  return result;
}
