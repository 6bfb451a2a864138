/**
 * Keeps the local cache consistent with an erasure upstream: after a delete, every cached trace
 * of the candidate goes; after an anonymisation, the cached candidate is replaced by the API's
 * anonymised record and its attachments and activity feed go. Call with the cache lock held.
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
  removeTempFolders,
  tempPathFor,
} from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, ENTITY_NAMES, type EntityName } from "../entities.ts";
import { isDirectory } from "../files.ts";
import { isPositiveId } from "../ids.ts";

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

async function removeFeed(cache: Cache, candidateId: number, report: PurgeReport) {
  await removeRecords(
    await cache.existingFolder(ACTIVITY_FEEDS_FOLDER, feedMoniker),
    [candidateId],
    report,
  );
}

/**
 * After `DELETE /candidates/{id}`: the candidate and everything cached about them, including the
 * records the entity table marks as theirs or their applications' (`erasure`). Removed records
 * of entities are recorded in `changes` (the run's manifest) first.
 */
export async function purgeDeleted(
  cache: Cache,
  candidate: ApiRecord,
  changes?: ChangeLog,
): Promise<PurgeReport> {
  const log = (entity: EntityName) => ({ log: changes, entity });
  const id: number = candidate.id;
  const report: PurgeReport = { removed: {}, attachmentsRemoved: false, replaced: false };
  await sweepTempFolders(cache);
  report.attachmentsRemoved = await removeAttachments(cache, id);
  await removeFeed(cache, id, report);

  const prefix = `${id}/`;
  const applications = await entityFolder(cache, "applications");
  const applicationIds = new Set(await idsByMoniker(applications, (m) => m.startsWith(prefix)));
  for (const appId of Array.isArray(candidate.application_ids) ? candidate.application_ids : []) {
    if (isPositiveId(appId)) applicationIds.add(appId);
  }
  // Records of the candidate and of their applications in the other lists (EEOC, interviews…),
  // before the applications: until those go, a re-run can still tell which records they are.
  const owners = { candidate: new Set([String(id)]), application: new Set<string>() };
  for (const appId of applicationIds) owners.application.add(String(appId));
  for (const name of ENTITY_NAMES) {
    const erasure = ENTITIES[name].erasure;
    if (!erasure) continue;
    const folder = await entityFolder(cache, name);
    const owned = (moniker: string) => owners[erasure].has(moniker.split("/", 1)[0]);
    await removeRecords(folder, await idsByMoniker(folder, owned), report, log(name));
  }
  await removeRecords(applications, [...applicationIds], report, log("applications"));
  const offers = await entityFolder(cache, "offers");
  const offerIds = await idsByMoniker(offers, (m) => m.startsWith(prefix));
  await removeRecords(offers, offerIds, report, log("offers"));
  const scorecards = await entityFolder(cache, "scorecards");
  const scorecardIds = await idsByMoniker(scorecards, (m) => m === String(id));
  await removeRecords(scorecards, scorecardIds, report, log("scorecards"));
  // The candidate's own record last: until then a re-run can still see what to purge.
  await removeRecords(await entityFolder(cache, "candidates"), [id], report, log("candidates"));
  return report;
}

/** After an anonymisation: the API's anonymised record replaces the cached one. */
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
  await removeFeed(cache, id, report);
  const candidates = await entityFolder(cache, "candidates");
  if (candidates && await candidates.has(id)) {
    await changes?.record("candidates", "changed", [id]);
    await candidates.writeRecords([anonymized], at);
    await candidates.commit();
    report.replaced = true;
  }
  return report;
}
