/**
 * Keeps the local cache consistent with an erasure upstream: after a delete, every cached trace
 * of the candidate goes; after an anonymisation, the cached candidate is replaced by the API's
 * anonymised record and every other trace goes (attachments, activity feed, and their records in
 * the lists holding personal data). Call with the cache lock held.
 *
 * Crash safety: index rows and record files go through EntityFolder.remove/writeRecords (atomic);
 * an attachments folder is first renamed to a temporary name (one atomic step that takes it out
 * of the layout), then deleted; a temporary folder left by a kill is swept by the next purge.
 */
import { join } from "node:path";
import {
  ACTIVITY_FEEDS_FOLDER,
  type Cache,
  candidateAttachmentsDir,
  CANDIDATES_FOLDER,
  type ChangeLog,
  type EntityFolder,
  forgetCandidates,
  removeTempFolders,
  tempPathFor,
} from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, type EntityName } from "../entities.ts";
import { isDirectory } from "../files.ts";
import { isPositiveId } from "../ids.ts";
import { monikerNamesOwner, owners, PERSONAL_LISTS } from "./personal_lists.ts";

/** What a purge removed, per cache folder (record counts), and whether attachments went. */
export interface PurgeReport {
  removed: Record<string, number>;
  attachmentsRemoved: boolean;
  replaced: boolean;
}

/** An entity's folder, only if it exists: a purge never creates folders. */
function entityFolder(cache: Cache, name: EntityName): Promise<EntityFolder | undefined> {
  return cache.existingFolder(name, ENTITIES[name].moniker);
}

/** Feeds carry no candidate id to derive a moniker from; the file name is the candidate id. */
const feedMoniker = () => "";

async function removeRecords(
  folder: EntityFolder | undefined,
  ids: number[],
  report: PurgeReport,
  changes?: { log: ChangeLog | undefined; entity: EntityName },
): Promise<void> {
  if (!folder) return;
  const present: number[] = [];
  for (const id of ids) if (await folder.has(id)) present.push(id);
  if (present.length === 0) return;
  await changes?.log?.record(changes.entity, "removed", present);
  await folder.remove(present);
  report.removed[folder.dir.split(/[\\/]/).pop()!] = present.length;
}

/** Rows of a folder whose moniker satisfies `test` (monikers carry the candidate id). */
async function idsByMoniker(
  folder: EntityFolder | undefined,
  test: (moniker: string) => boolean,
): Promise<number[]> {
  const ids: number[] = [];
  if (!folder) return ids;
  for await (const rows of folder.rows()) {
    for (const row of rows) if (test(row.moniker)) ids.push(row.id);
  }
  return ids;
}

/** Removes temporary folders left in candidates/ by a purge that was killed. */
async function sweepTempFolders(cache: Cache): Promise<void> {
  const dir = join(cache.dir, CANDIDATES_FOLDER);
  if (await isDirectory(dir)) await removeTempFolders(dir);
}

/** Takes the attachments folder out of the layout atomically, then deletes it. */
async function removeAttachments(cache: Cache, candidateId: number): Promise<boolean> {
  const dir = candidateAttachmentsDir(cache.dir, candidateId);
  if (!await isDirectory(dir)) return false;
  const doomed = tempPathFor(dir);
  await Deno.rename(dir, doomed);
  await Deno.remove(doomed, { recursive: true });
  return true;
}

async function removeFeeds(cache: Cache, candidateIds: number[], report: PurgeReport) {
  await removeRecords(
    await cache.existingFolder(ACTIVITY_FEEDS_FOLDER, feedMoniker),
    candidateIds,
    report,
  );
}

/**
 * Every cached record of the candidates in the lists holding personal data (personal_lists.ts:
 * applications, offers, scorecards, interviews, EEOC responses…), found by their index monikers;
 * the candidates' applications are also those their records name (`application_ids`). Each
 * list's index is read once, whatever the number of candidates. The other lists go first and the
 * applications last: until those go, a re-run can still tell which records are theirs. Removed
 * ids are recorded in `changes` (the run's manifest) first.
 */
async function purgePersonalRecords(
  cache: Cache,
  candidates: readonly ApiRecord[],
  report: PurgeReport,
  changes: ChangeLog | undefined,
): Promise<void> {
  const people = owners(candidates.map((c) => c.id as number), []);
  const applications = await entityFolder(cache, "applications");
  const named = (name: EntityName) => (moniker: string) => monikerNamesOwner(name, moniker, people);
  for (const appId of await idsByMoniker(applications, named("applications"))) {
    people.applications.add(appId);
  }
  for (const candidate of candidates) {
    const ids: unknown[] = Array.isArray(candidate.application_ids)
      ? candidate.application_ids
      : [];
    for (const appId of ids) if (isPositiveId(appId)) people.applications.add(appId);
  }
  for (const name of PERSONAL_LISTS) {
    if (name === "applications") continue;
    const folder = await entityFolder(cache, name);
    await removeRecords(folder, await idsByMoniker(folder, named(name)), report, {
      log: changes,
      entity: name,
    });
  }
  await removeRecords(applications, [...people.applications], report, {
    log: changes,
    entity: "applications",
  });
}

/**
 * After `DELETE /candidates/{id}`: the candidate and everything cached about them: attachments,
 * activity feed, their records in every personal list, and their own record last (until then a
 * re-run can still see what to purge).
 */
export function purgeDeleted(
  cache: Cache,
  candidate: ApiRecord,
  changes?: ChangeLog,
): Promise<PurgeReport> {
  return purgeDeletedMany(cache, [candidate], changes);
}

/**
 * `purgeDeleted` for many candidates at once (those `sync` finds deleted upstream): each list's
 * index is read once for all of them. `removed` counts the records of every folder together.
 */
export async function purgeDeletedMany(
  cache: Cache,
  candidates: readonly ApiRecord[],
  changes?: ChangeLog,
): Promise<PurgeReport> {
  const report: PurgeReport = { removed: {}, attachmentsRemoved: false, replaced: false };
  if (candidates.length === 0) return report;
  const ids: number[] = candidates.map((c) => c.id);
  await sweepTempFolders(cache);
  for (const id of ids) {
    if (await removeAttachments(cache, id)) report.attachmentsRemoved = true;
  }
  await removeFeeds(cache, ids, report);
  await forgetCandidates(cache.dir, ids);
  await purgePersonalRecords(cache, candidates, report, changes);
  await removeRecords(await entityFolder(cache, "candidates"), ids, report, {
    log: changes,
    entity: "candidates",
  });
  return report;
}

/**
 * After an anonymisation: the API's anonymised record replaces the cached one, and everything
 * else cached about the candidate goes as after a delete. The cached copies were taken before
 * Greenhouse anonymised what it did; a later sync brings back what Greenhouse keeps, as it then
 * holds it (`keptUpstream` in anonymize.ts says which lists that is).
 */
export async function replaceAnonymized(
  cache: Cache,
  anonymized: ApiRecord,
  at: Date,
  changes?: ChangeLog,
): Promise<PurgeReport> {
  const id: number = anonymized.id;
  const report: PurgeReport = { removed: {}, attachmentsRemoved: false, replaced: false };
  await sweepTempFolders(cache);
  report.attachmentsRemoved = await removeAttachments(cache, id);
  await removeFeeds(cache, [id], report);
  await forgetCandidates(cache.dir, [id]);
  await purgePersonalRecords(cache, [anonymized], report, changes);
  const candidates = await entityFolder(cache, "candidates");
  if (candidates && await candidates.has(id)) {
    await changes?.record("candidates", "changed", [id]);
    await candidates.writeRecords([anonymized], at);
    await candidates.commit();
    report.replaced = true;
  }
  return report;
}
