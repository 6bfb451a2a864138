/**
 * Attachments: every file listed in a cached candidate's `attachments[]`, downloaded into the
 * shared layout (src/cache/attachments.ts) with a completion marker beside it (download.ts).
 *
 * - A folder whose marker matches the file on disk (name and size; with `verify`, also SHA-256)
 *   is skipped.
 * - Signed URLs expire. A candidate whose cached copy is older than the URL lifetime is fetched
 *   again before downloading (50 per `GET /candidates?candidate_ids=`); a download answering
 *   403/400 with an expiry error refreshes that one candidate (`GET /candidates/{id}`). Refreshes
 *   go through the Harvest client (and its pacer) and update the candidate's file and index row.
 * - When the dialect fetches candidate data in batches (v3), the metadata comes from
 *   `GET /attachments?candidate_ids=…` (≤ 50 candidates per request, paginated) instead of the
 *   cached candidate's `attachments[]`; it is fresh, so there is no age-based refresh, and an
 *   expired URL is refreshed by listing that one candidate's attachments again. v3 URLs may
 *   redirect to a freshly minted signed URL: downloads follow redirects.
 * - A file that cannot be had leaves no folder; it is recorded in `.failures.json` (the cache's
 *   record of failures) with its candidate, folder, reason and time, once its chunk is done. A
 *   file refused for a lasting reason (over the size cap, a refused host) is not tried again by
 *   later runs unless `retryFailed`; the others are.
 */
import { dirname, isAbsolute, join, relative } from "node:path";
import {
  attachmentFolderNames,
  candidateAttachmentsDir,
  CANDIDATES_FOLDER,
  checkAttachmentFolder,
  type EntityFolder,
  type FailedItem,
  FailureRecord,
  recordedReason,
  sanitizeFileName,
} from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, entityPath } from "../entities.ts";
import { RunError } from "../errors.ts";
import { type CandidateBatch, getRecord, type HarvestClient } from "../harvest/mod.ts";
import { listByCandidate } from "./batch.ts";
import type { DependentResult } from "../dependent_result.ts";
import { ascendingIds, candidatesFolder, chunk, type DependentRun, withoutErased } from "./run.ts";
import { forEachConcurrent } from "../concurrency.ts";
import { throwIfInterrupted } from "../interrupt.ts";
import { listScope, StepProgress } from "./resume.ts";
import {
  type ApiAttachment,
  downloadJob,
  type FileRuleOptions,
  type FileRules,
  fileRules,
  type Job,
  type JobOutcome,
  refusalHolds,
  removeIfEmpty,
  reportGone,
} from "./download.ts";

export {
  type ApiAttachment,
  DEFAULT_MAX_ATTACHMENT_BYTES,
  downloadableUrl,
  isExpiryError,
} from "./download.ts";

/** "URLs expire in 7 days" (Harvest v1 docs). */
export const DEFAULT_URL_LIFETIME_MS = 7 * 86_400_000;
/** `candidate_ids=` returns at most 50 candidates per request. */
export const REFRESH_BATCH = 50;
/** How many cached candidate files are read and checked at the same time. */
const PLAN_CONCURRENCY = 16;
/** Candidates planned, refreshed and downloaded together. */
const CANDIDATE_CHUNK = 200;
const STEP = "attachments";

export interface AttachmentOptions extends FileRuleOptions {
  verify: boolean;
  urlLifetimeMs?: number;
  /** For tests; default `CANDIDATE_CHUNK`. */
  candidatesPerChunk?: number;
  /** Also try files the record says were refused for a lasting reason (`--retry-failed`). */
  retryFailed?: boolean;
  /**
   * A lasting refusal holds even when the setting that refused it changed (`check --repair`, whose
   * settings are the defaults: only `--retry-failed` tries such a file there).
   */
  refusalsHold?: boolean;
}

/** One candidate's work in a chunk. */
interface Plan {
  jobs: Job[];
  complete: number;
  /** What stays recorded whatever this run does (lasting refusals not tried again). */
  kept: FailedItem[];
}

/** One chunk of candidates: planned, refreshed and downloaded together. */
interface Chunk {
  run: DependentRun;
  candidates: EntityFolder;
  opts: AttachmentOptions;
  rules: FileRules;
  result: DependentResult;
  record: FailureRecord;
  plans: Map<number, Plan>;
  /** Per candidate of the chunk: what to record once it is done (none: all went well). */
  failures: Map<number, FailedItem[]>;
  /** Fresh attachment lists fetched this chunk, by candidate (once each). */
  fresh: Map<number, Promise<ApiAttachment[] | undefined>>;
  /** v3: the chunk's attachments as listed (fresh; no age-based refresh). */
  listed?: Map<number, ApiAttachment[]>;
}

/** Throws unless `path` lies inside `base` (defence in depth: names are sanitised already). */
export function assertInside(base: string, path: string): void {
  const rel = relative(base, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new RunError(`${path}: outside ${base}; refusing to write it`);
  }
}

/** The `attachments` array of a candidate record (objects only). */
export function attachmentsOf(record: unknown): ApiAttachment[] {
  const list = (record as ApiRecord | null)?.attachments;
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is ApiAttachment => a !== null && typeof a === "object");
}

/**
 * v3 lists newest first; ids ascending give the candidate's own order (v1's `attachments[]`), so
 * the `~N` suffixes of same type-and-time folders stay the same between runs and versions.
 */
async function listAttachments(
  client: HarvestClient,
  batch: CandidateBatch,
  ids: number[],
): Promise<Map<number, ApiAttachment[]>> {
  const byCandidate = await listByCandidate(client, batch, batch.attachmentsPath, ids);
  const key = (a: ApiRecord) => (typeof a?.id === "number" ? a.id : Infinity);
  for (const list of byCandidate.values()) list.sort((a, b) => key(a) - key(b));
  return byCandidate;
}

/**
 * Each candidate's attachments: from the batched endpoint when the dialect has one (v3), else
 * from the records' `attachments[]` (v1).
 */
export async function attachmentsByCandidate(
  client: HarvestClient,
  candidates: ApiRecord[],
): Promise<Map<number, ApiAttachment[]>> {
  const batch = client.dialect.candidateBatch;
  const ids = candidates.map((c) => c.id as number);
  if (batch) return await listAttachments(client, batch, ids);
  return new Map(candidates.map((c) => [c.id as number, attachmentsOf(c)]));
}

/**
 * One candidate's attachments listed again, for fresh URLs: v3 lists its attachments, v1 reads
 * the candidate. Undefined when v1 says the candidate is gone.
 */
export async function relistAttachments(
  client: HarvestClient,
  id: number,
): Promise<ApiAttachment[] | undefined> {
  const batch = client.dialect.candidateBatch;
  if (batch) return (await listAttachments(client, batch, [id])).get(id);
  const record = await getRecord(client, entityPath(ENTITIES.candidates, client.dialect), id);
  return record && attachmentsOf(record);
}

/**
 * Downloads the attachments of `candidateIds`, `CANDIDATE_CHUNK` candidates at a time (planned,
 * refreshed and downloaded together), so memory follows the chunk, not the tenant. Progress counts
 * candidates. After each chunk the failures are recorded and the step's progress saved
 * (resume.ts): a run after a kill or an interrupt skips the chunks finished, without listing them
 * again. An interrupt stops before the next file; the files in flight are finished. A file host
 * this build may not reach stops the step at once, naming the host.
 */
export async function downloadAttachments(
  run: DependentRun,
  selected: number[],
  opts: AttachmentOptions,
): Promise<DependentResult> {
  const ids = ascendingIds(await withoutErased(run, selected));
  const candidates = await candidatesFolder(run.cache);
  const result: DependentResult = {
    done: 0,
    skipped: 0,
    resumed: 0,
    failed: [],
    bytes: 0,
    refreshed: 0,
    notRetried: 0,
  };
  const rules = fileRules(run, opts);
  const record = await FailureRecord.open(run.cacheDir, run.ctx.err);
  const scope = run.scope ?? listScope(ids);
  const progress = await StepProgress.open(run.cacheDir, STEP, scope, run.ctx);
  const report = (done: number) =>
    run.onItem?.({
      done,
      total: ids.length,
      detail: `${result.done} files (${formatBytes(result.bytes!)})`,
    });
  let done = 0;
  report(done);
  const chunks = chunk(ids, opts.candidatesPerChunk ?? CANDIDATE_CHUNK);
  for (const [index, chunkIds] of chunks.entries()) {
    throwIfInterrupted(run.ctx.signal);
    const wanted: number[] = [];
    for (const id of chunkIds) {
      if (await progress.covers(id, candidates)) result.resumed!++;
      else wanted.push(id);
    }
    done += chunkIds.length - wanted.length;
    const failedBefore = result.failed.length;
    if (wanted.length > 0) {
      const state: Chunk = {
        run,
        candidates,
        opts,
        rules,
        result,
        record,
        plans: new Map(),
        failures: new Map(),
        fresh: new Map(),
      };
      await downloadChunk(state, wanted, () => report(++done));
    }
    for (const { id } of result.failed.slice(failedBefore)) progress.fail(id);
    // downloadChunk committed the refreshed candidates and recorded the failures: the progress
    // may claim the chunk.
    await record.save();
    progress.finish(index, chunkIds[chunkIds.length - 1]);
    await progress.save();
    report(done);
  }
  if (run.pass) {
    // From the start of the pass: an interrupted run of it may have done part of it.
    record.completePass(STEP, new Date(progress.startedAt), run.pass === "full");
    await record.save();
  }
  await progress.clear();
  return result;
}

/** Bytes as people read them: `512 B`, `12.3 KB`, `4.5 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Plans, refreshes and downloads one chunk, then puts what failed in the record;
 * `candidateDone` is called as each candidate is finished.
 */
async function downloadChunk(
  state: Chunk,
  candidateIds: number[],
  candidateDone: () => void,
): Promise<void> {
  await planChunk(state, candidateIds);
  try {
    await refreshStale(state);
    await downloadPlanned(state, candidateIds, candidateDone);
  } finally {
    // Refreshed candidates are in the cache before the next chunk starts.
    await state.candidates.commit();
  }
  for (const id of candidateIds) {
    state.record.replace(STEP, id, state.failures.get(id) ?? []);
  }
}

/** What is already complete: from the attachments endpoint (v3) or the cached candidates. */
async function planChunk(state: Chunk, candidateIds: number[]): Promise<void> {
  const { run } = state;
  const batch = run.client.dialect.candidateBatch;
  if (batch) state.listed = await listAttachments(run.client, batch, candidateIds);
  await forEachConcurrent(candidateIds, PLAN_CONCURRENCY, async (id) => {
    if (state.listed) return await planCandidate(state, id, state.listed.get(id) ?? []);
    let record: unknown;
    try {
      record = JSON.parse(await Deno.readTextFile(state.candidates.filePath(id)));
    } catch (error) {
      fail(state, id, `cannot read its cached file: ${(error as Error).message}`, false);
      return;
    }
    await planCandidate(state, id, attachmentsOf(record));
  });
}

/**
 * One candidate's files not yet complete become jobs, except those the record says were refused
 * for a lasting reason (kept, not tried again unless `retryFailed`).
 */
async function planCandidate(
  state: Chunk,
  id: number,
  attachments: ApiAttachment[],
): Promise<void> {
  const { run, opts } = state;
  const names = attachmentFolderNames(attachments);
  const base = candidateAttachmentsDir(run.cacheDir, id);
  const refused = new Map(
    state.record.of(STEP, id)
      .filter((item) => item.lasting && item.folder !== undefined && !opts.retryFailed)
      .map((item) => [item.folder!, item]),
  );
  const plan: Plan = { jobs: [], complete: 0, kept: [] };
  for (let i = 0; i < attachments.length; i++) {
    const folder = join(base, names[i]);
    const file = sanitizeFileName(attachments[i].filename);
    assertInside(join(run.cacheDir, CANDIDATES_FOLDER), join(folder, file));
    const refusal = refused.get(names[i]);
    if (await isComplete(folder, file, opts.verify)) plan.complete++;
    else if (
      refusal && (opts.refusalsHold || refusalHolds(refusal.setting, attachments[i], state.rules))
    ) {
      plan.kept.push(refusal);
    } else {
      const attachment = attachments[i];
      plan.jobs.push({ candidateId: id, folder, folderName: names[i], file, attachment });
    }
  }
  state.plans.set(id, plan);
  state.failures.set(id, [...plan.kept]);
  state.result.notRetried! += plan.kept.length;
}

/** v1: candidates with work whose cached URLs have outlived their lifetime, refreshed in batches. */
async function refreshStale(state: Chunk): Promise<void> {
  if (state.listed) return;
  const { run, candidates, plans, result } = state;
  const lifetime = state.opts.urlLifetimeMs ?? DEFAULT_URL_LIFETIME_MS;
  const now = run.ctx.clock.now();
  const stale: number[] = [];
  for (const [id, plan] of plans) {
    if (plan.jobs.length === 0) continue;
    const row = await candidates.row(id);
    const at = row ? Date.parse(row.timestamp) : NaN;
    if (!(now - at < lifetime)) stale.push(id);
  }
  for (const ids of chunk(stale, REFRESH_BATCH)) {
    const records = await refreshBatch(run, candidates, ids);
    result.refreshed! += records.size;
    for (const id of ids) {
      const record = records.get(id);
      const plan = plans.get(id)!;
      if (record === undefined) {
        reportGone(run.ctx, id, plan.jobs.length);
        result.skipped += plan.jobs.length + plan.complete;
        result.notRetried! -= plan.kept.length;
        plans.delete(id);
        state.failures.delete(id);
      } else {
        state.fresh.set(id, Promise.resolve(attachmentsOf(record)));
        result.notRetried! -= plan.kept.length;
        await planCandidate(state, id, attachmentsOf(record));
      }
    }
  }
}

/** Downloads what the plans hold, `concurrency` files at a time. */
async function downloadPlanned(
  state: Chunk,
  candidateIds: number[],
  candidateDone: () => void,
): Promise<void> {
  const { run, plans, result } = state;
  const jobs = [...plans.values()].flatMap((p) => p.jobs);
  result.skipped += [...plans.values()].reduce((n, p) => n + p.complete, 0);
  // Files left per candidate, for the progress line.
  const left = new Map<number, number>();
  for (const job of jobs) left.set(job.candidateId, (left.get(job.candidateId) ?? 0) + 1);
  for (const id of candidateIds) if (!left.has(id)) candidateDone();
  const refreshOne = (id: number) => refreshCandidate(state, id);
  await forEachConcurrent(jobs, run.concurrency, async (job) => {
    throwIfInterrupted(run.ctx.signal);
    countOutcome(state, job, await downloadJob(run.ctx, job, state.rules, refreshOne));
    const files = left.get(job.candidateId)! - 1;
    left.set(job.candidateId, files);
    if (files > 0) return;
    // Its last file is done: a folder its failures left empty goes.
    if (state.failures.get(job.candidateId)?.length) await removeIfEmpty(dirname(job.folder));
    candidateDone();
  });
}

function countOutcome(state: Chunk, job: Job, outcome: JobOutcome): void {
  const { result } = state;
  if (outcome.kind === "ok") {
    result.done++;
    result.bytes! += outcome.size;
  } else if (outcome.kind === "gone") {
    result.skipped++;
  } else {
    const { reason, lasting, setting } = outcome;
    fail(state, job.candidateId, reason, lasting, job.folderName, setting);
  }
}

/** A failure: in the run's result now, in the record once the chunk is done. */
function fail(
  state: Chunk,
  id: number,
  reason: string,
  lasting: boolean,
  folder?: string,
  setting?: string,
): void {
  state.result.failed.push({ id, reason: folder ? `${folder}: ${reason}` : reason, lasting });
  const item: FailedItem = {
    id,
    ...(folder === undefined ? {} : { folder }),
    reason: recordedReason(reason),
    lasting,
    at: new Date(state.run.ctx.clock.now()).toISOString(),
    ...(setting === undefined ? {} : { setting }),
  };
  state.failures.set(id, [...state.failures.get(id) ?? [], item]);
}

/**
 * Fresh attachments of one candidate (once per chunk): v3 lists them again; v1 fetches the
 * candidate and writes it to the cache. Undefined if the candidate is gone.
 */
function refreshCandidate(state: Chunk, id: number): Promise<ApiAttachment[] | undefined> {
  let pending = state.fresh.get(id);
  if (!pending) {
    const { run, candidates, result } = state;
    const fetched = state.listed
      ? relistAttachments(run.client, id)
      : refreshSingle(run, candidates, id).then((r) => r && attachmentsOf(r));
    pending = fetched.then((list) => {
      if (list) result.refreshed!++;
      return list;
    });
    state.fresh.set(id, pending);
  }
  return pending;
}

/**
 * Downloads one candidate's attachments into `baseDir/<type>-<created_at>[~N]/<file>` with
 * markers, outside the cache (the `access` bundle uses it). Same safety rules as the cache:
 * sanitised names, streamed atomic writes, marker last, no API key sent to the file host.
 */
export async function downloadCandidateFiles(
  run: Pick<DependentRun, "ctx" | "client" | "fileHosts">,
  candidateId: number,
  attachments: ApiAttachment[],
  baseDir: string,
  opts: FileRuleOptions & {
    refreshOne: (id: number) => Promise<ApiAttachment[] | undefined>;
  },
): Promise<{ files: string[]; failed: string[] }> {
  const rules = fileRules(run, opts);
  const names = attachmentFolderNames(attachments);
  const result = { files: [] as string[], failed: [] as string[] };
  for (let i = 0; i < attachments.length; i++) {
    const folder = join(baseDir, names[i]);
    const file = sanitizeFileName(attachments[i].filename);
    assertInside(baseDir, join(folder, file));
    const job: Job = {
      candidateId,
      folder,
      folderName: names[i],
      file,
      attachment: attachments[i],
    };
    const outcome = await downloadJob(run.ctx, job, rules, opts.refreshOne);
    if (outcome.kind === "ok") result.files.push(join(names[i], file));
    else if (outcome.kind === "fail") result.failed.push(`${names[i]}: ${outcome.reason}`);
  }
  if (result.failed.length > 0) await removeIfEmpty(baseDir);
  return result;
}

/** `GET /candidates?candidate_ids=…` (≤ 50): the fresh records by id, written to the cache. */
async function refreshBatch(
  run: DependentRun,
  candidates: EntityFolder,
  ids: number[],
): Promise<Map<number, ApiRecord>> {
  const body = await run.client.getJson("/candidates", {
    candidate_ids: ids.join(","),
    per_page: String(REFRESH_BATCH),
  });
  if (!Array.isArray(body)) {
    throw new RunError("GET /candidates?candidate_ids=…: expected a JSON array of candidates");
  }
  const wanted = new Set(ids);
  const records = (body as ApiRecord[]).filter((r) => wanted.has(r?.id));
  await candidates.writeRecords(records, new Date(run.ctx.clock.now()));
  return new Map(records.map((r) => [r.id as number, r]));
}

/** `GET /candidates/{id}`, written to the cache; undefined when the candidate is gone (404). */
async function refreshSingle(
  run: DependentRun,
  candidates: EntityFolder,
  id: number,
): Promise<ApiRecord | undefined> {
  const response = await run.client.request("GET", `/candidates/${id}`, { allowStatus: [404] });
  const record = response.body as ApiRecord | null;
  if (response.status === 404 || record === null || typeof record !== "object") return undefined;
  if (record.id !== id) {
    throw new RunError(`GET /candidates/${id} answered a different candidate (${record.id})`);
  }
  await candidates.writeRecords([record], new Date(run.ctx.clock.now()));
  return record;
}

/** Complete (check's rule: marker, size, and to verify SHA-256) and holding this very file. */
async function isComplete(folder: string, file: string, verify: boolean): Promise<boolean> {
  const state = await checkAttachmentFolder(folder, { verify });
  return state.complete && state.marker.file === file;
}
