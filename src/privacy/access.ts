/**
 * The subject-access bundle, shaped like DataGrail's collections: `candidate_records` (the
 * candidates carrying the address) and `apps_records` (their applications), then their records
 * in the other lists holding personal data (`related_records`: offers, scorecards, interviews,
 * application stages, demographic answers, EEOC responses; related.ts) with the lists left out
 * and why (`unavailable_lists`), plus on request `activity_records` (each candidate's activity
 * feed) and the attachments.
 *
 * Only list endpoints are used, so a key with the scopes privacy platforms grant (List
 * Candidates) is enough: v1 applications are the ones the candidate record embeds (as DataGrail
 * extracts them; the embedded copy has no application custom fields), v3's come from
 * `GET /applications?candidate_ids=`.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, type EntityName, entityPath } from "../entities.ts";
import { isPositiveId } from "../ids.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import type { RunContext } from "../context.ts";
import {
  type ApiAttachment,
  attachmentsByCandidate,
  attachmentsOf,
  downloadCandidateFiles,
  relistAttachments,
} from "../dependent/attachments.ts";
import { listByCandidate } from "../dependent/batch.ts";
import { listedCandidate } from "./lookup.ts";
import type { CacheOnlyBundle } from "./access_cache.ts";
import { owners } from "./personal_lists.ts";
import { fetchRelated, type UnavailableList } from "./related.ts";

export interface AccessBundle {
  candidate_records: ApiRecord[];
  apps_records: ApiRecord[];
  /** Per list read: the candidates' records in it (maybe none). */
  related_records: Partial<Record<EntityName, ApiRecord[]>>;
  /** The lists left out (the version has none, or the credentials may not read it), and why. */
  unavailable_lists: UnavailableList[];
  activity_records?: { candidate_id: number; activity_feed: unknown }[];
  /** Attachment metadata per candidate (the files themselves go to --out). */
  attachments?: AttachmentEntry[];
  /** What only the local cache holds (present when a cache was searched). */
  cache_only?: CacheOnlyBundle;
}

export interface AttachmentEntry {
  candidate_id: number;
  filename: unknown;
  type: unknown;
  created_at: unknown;
  url: unknown;
}

export interface BundleOptions {
  activity: boolean;
  attachments: boolean;
}

/** The applications a v1 candidate record embeds (objects with an id). */
function embeddedApplications(candidate: ApiRecord): ApiRecord[] {
  const list = Array.isArray(candidate.applications) ? candidate.applications : [];
  return list.filter((app: unknown) => isPositiveId((app as ApiRecord | null)?.id));
}

/**
 * Fetches what the bundle holds for the given candidates: v1, the embedded applications and one
 * GET per activity feed; v3 (batched candidate data), `GET /applications?candidate_ids=` and
 * `GET /notes?candidate_ids=` (each candidate's activity_feed is then `{"notes": […]}`, as in the
 * cache); on both, their records in the other personal lists (related.ts).
 */
export async function buildBundle(
  client: HarvestClient,
  candidates: ApiRecord[],
  opts: BundleOptions,
): Promise<AccessBundle> {
  const bundle: AccessBundle = {
    candidate_records: candidates,
    apps_records: [],
    related_records: {},
    unavailable_lists: [],
  };
  const ids = candidates.map((c) => c.id as number);
  const batch = client.dialect.candidateBatch;
  if (batch) {
    const path = entityPath(ENTITIES.applications, client.dialect);
    const apps = await listByCandidate(client, batch, path, ids);
    bundle.apps_records = ids.flatMap((id) => apps.get(id) ?? []);
  } else {
    for (const candidate of candidates) {
      bundle.apps_records.push(...embeddedApplications(candidate));
    }
  }
  // Their records in the other lists, by their candidates and applications (v1 candidates name
  // their applications even where the embedded copies are missing).
  // Only valid ids: they go into request paths (v1 `/applications/{id}/…`).
  const applicationIds: number[] = bundle.apps_records.map((app) => app.id).filter(isPositiveId);
  for (const candidate of candidates) {
    const named = Array.isArray(candidate.application_ids) ? candidate.application_ids : [];
    applicationIds.push(...named.filter(isPositiveId));
  }
  const related = await fetchRelated(client, owners(ids, applicationIds));
  bundle.related_records = related.records;
  bundle.unavailable_lists = related.unavailable;
  if (opts.activity) {
    if (batch) {
      const notes = await listByCandidate(client, batch, batch.notesPath, ids);
      bundle.activity_records = ids.map((id) => ({
        candidate_id: id,
        activity_feed: { notes: notes.get(id) ?? [] },
      }));
    } else {
      bundle.activity_records = [];
      for (const candidate of candidates) {
        const feed = await client.request("GET", `/candidates/${candidate.id}/activity_feed`);
        bundle.activity_records.push({ candidate_id: candidate.id, activity_feed: feed.body });
      }
    }
  }
  if (opts.attachments) {
    bundle.attachments = attachmentEntries(await attachmentsByCandidate(client, candidates));
  }
  return bundle;
}

export function attachmentEntries(byCandidate: Map<number, ApiAttachment[]>): AttachmentEntry[] {
  return [...byCandidate].flatMap(([candidateId, list]) =>
    list.map((a) => ({
      candidate_id: candidateId,
      filename: a?.filename ?? null,
      type: a?.type ?? null,
      created_at: a?.created_at ?? null,
      url: a?.url ?? null,
    }))
  );
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

/**
 * Writes the bundle's files into `dir` (created if needed), each atomically; returns their names:
 * `candidate_records.json`, `apps_records.json`, `<list>_records.json` per related list read,
 * `unavailable_lists.json` (always; `[]` when nothing was left out), then those asked for.
 */
export async function writeBundle(dir: string, bundle: AccessBundle): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, value: unknown) => {
    await writeFileAtomic(join(dir, name), json(value));
    written.push(name);
  };
  await put("candidate_records.json", bundle.candidate_records);
  await put("apps_records.json", bundle.apps_records);
  for (const [list, records] of Object.entries(bundle.related_records)) {
    await put(`${list}_records.json`, records);
  }
  await put("unavailable_lists.json", bundle.unavailable_lists);
  if (bundle.activity_records) await put("activity_records.json", bundle.activity_records);
  if (bundle.attachments) {
    written.push(...await writeAccessAttachments(dir, bundle.attachments));
  }
  if (bundle.cache_only) await put("cache_only.json", bundle.cache_only);
  return written;
}

/**
 * The attachments index of the bundle: `attachments.json` (each attachment's candidate,
 * filename, type, created_at and url). The files themselves are downloaded by
 * `downloadAccessFiles` into `<dir>/attachments/<candidate id>/…`.
 */
export async function writeAccessAttachments(
  dir: string,
  attachments: AttachmentEntry[],
): Promise<string[]> {
  await writeFileAtomic(join(dir, "attachments.json"), json(attachments));
  return ["attachments.json"];
}

/**
 * Downloads every candidate's attachment files into `<dir>/attachments/<candidate id>/`, with
 * the cache's layout, sanitising and markers. Returns the written paths and the failures.
 */
export async function downloadAccessFiles(
  ctx: RunContext,
  client: HarvestClient,
  dir: string,
  candidates: ApiRecord[],
  fileHosts?: readonly string[],
): Promise<{ files: string[]; failed: string[] }> {
  const result = { files: [] as string[], failed: [] as string[] };
  // Expired URLs are refreshed through list endpoints too (v1: the candidates list, not Retrieve).
  const refreshOne = client.dialect.candidateBatch
    ? (id: number) => relistAttachments(client, id)
    : async (id: number) => {
      const record = await listedCandidate(client, id);
      return record && attachmentsOf(record);
    };
  const lists = await attachmentsByCandidate(client, candidates);
  for (const candidate of candidates) {
    const base = join(dir, "attachments", String(candidate.id));
    const outcome = await downloadCandidateFiles(
      { ctx, client, fileHosts },
      candidate.id,
      lists.get(candidate.id) ?? [],
      base,
      { refreshOne },
    );
    result.files.push(
      ...outcome.files.map((file) => join("attachments", String(candidate.id), file)),
    );
    result.failed.push(...outcome.failed.map((reason) => `candidate ${candidate.id} ${reason}`));
  }
  return result;
}
