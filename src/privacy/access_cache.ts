/**
 * The part of a subject-access bundle only the local cache holds: candidates carrying the
 * address that Greenhouse's search no longer finds (deleted upstream, or changed there), with
 * their cached applications and records in the other personal lists (related.ts), and on request
 * their cached activity feed and attachment files.
 * Reads the cache only; nothing is fetched.
 */
import { join } from "node:path";
import { candidateAttachmentsDir, openAtomic } from "../cache/mod.ts";
import type { ApiRecord, EntityName } from "../entities.ts";
import { isPositiveId } from "../ids.ts";
import { owners } from "./personal_lists.ts";
import { cachedRelated } from "./related.ts";
import {
  cachedApplications,
  cachedAttachmentFiles,
  type CachedCandidate,
  cachedFeed,
} from "./cache_search.ts";

export interface CacheOnlyBundle {
  /** The cache they were found in. */
  cache_dir: string;
  candidate_records: ApiRecord[];
  apps_records: ApiRecord[];
  /** Per related list the cache has: their cached records in it. */
  related_records: Partial<Record<EntityName, ApiRecord[]>>;
  activity_records?: { candidate_id: number; activity_feed: unknown }[];
  /** Cached attachment files, `attachments/<candidate id>/<folder>/<file>` (copied with --out). */
  attachment_files?: string[];
}

export async function buildCacheOnly(
  cacheDir: string,
  cached: CachedCandidate[],
  opts: { activity: boolean; attachments: boolean },
): Promise<CacheOnlyBundle> {
  const apps = await cachedApplications(cacheDir, cached);
  const applicationIds: number[] = apps.map((app) => app.id).filter(isPositiveId);
  for (const c of cached) {
    const named = Array.isArray(c.record.application_ids) ? c.record.application_ids : [];
    applicationIds.push(...named.filter(isPositiveId));
  }
  const bundle: CacheOnlyBundle = {
    cache_dir: cacheDir,
    candidate_records: cached.map((c) => c.record),
    apps_records: apps,
    // Nobody only in the cache: no index needs reading.
    related_records: cached.length === 0
      ? {}
      : await cachedRelated(cacheDir, owners(cached.map((c) => c.id), applicationIds)),
  };
  if (opts.activity) {
    bundle.activity_records = [];
    for (const c of cached) {
      const feed = await cachedFeed(cacheDir, c.id);
      if (feed !== undefined) {
        bundle.activity_records.push({ candidate_id: c.id, activity_feed: feed });
      }
    }
  }
  if (opts.attachments) {
    bundle.attachment_files = [];
    for (const c of cached) {
      for (const file of await cachedAttachmentFiles(cacheDir, c.id)) {
        bundle.attachment_files.push(join("attachments", String(c.id), file));
      }
    }
  }
  return bundle;
}

/** Copies the bundle's cached attachment files into `<dir>/attachments/…`, each atomically. */
export async function copyCachedAttachments(
  cacheDir: string,
  dir: string,
  bundle: CacheOnlyBundle,
): Promise<string[]> {
  const copied: string[] = [];
  for (const relative of bundle.attachment_files ?? []) {
    const [, id, folder, file] = relative.split(/[\\/]/);
    const source = join(candidateAttachmentsDir(cacheDir, Number(id)), folder, file);
    const target = join(dir, relative);
    await Deno.mkdir(join(dir, "attachments", id, folder), { recursive: true });
    const out = await openAtomic(target);
    try {
      const input = await Deno.open(source, { read: true });
      await input.readable.pipeTo(out.file.writable, { preventClose: true });
      await out.commit();
    } catch (error) {
      await out.abort();
      throw error;
    }
    copied.push(relative);
  }
  return copied;
}
