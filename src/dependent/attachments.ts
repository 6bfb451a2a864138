/**
 * Attachments: every file listed in a cached candidate's `attachments[]`, downloaded into the
 * shared layout (src/cache/attachments.ts) with a completion marker beside it.
 *
 * - A folder whose marker matches the file on disk (name and size; with `verify`, also SHA-256)
 *   is skipped.
 * - Signed URLs expire. A candidate whose cached copy is older than the URL lifetime is fetched
 *   again before downloading (50 per `GET /candidates?candidate_ids=`); a download answering
 *   403/400 with an expiry error refreshes that one candidate (`GET /candidates/{id}`). Refreshes
 *   go through the Harvest client (and its pacer) and update the candidate's file and index row.
 * - Files come from the file host with a plain `fetch`: no Authorization header (the API key
 *   never leaves for another host) and no Harvest pacing. Each is streamed to a temporary file
 *   while hashed, its status and Content-Length checked, then renamed into place; only then is
 *   the marker written. A kill at any moment leaves at worst a temporary file (removed by the
 *   next run) or a whole file without a marker (downloaded again), never a marker beside a
 *   partial file. Error bodies are never written to disk.
 * - URLs are API data: each one, and each redirect (followed by hand, at most 5), must be on a
 *   host this build may reach (else the step stops, naming it), within `--file-hosts` when given,
 *   and lead to a public address (file_fetch.ts); and a file may not pass `maxBytes` (default 1 GiB): one that
 *   declares more is not fetched, one that streams past it is stopped and its partial file
 *   removed. The Harvest API gives no size for an attachment, so Content-Length and the cap are
 *   the bounds.
 * - When the dialect fetches candidate data in batches (v3), the metadata comes from
 *   `GET /attachments?candidate_ids=…` (≤ 50 candidates per request, paginated) instead of the
 *   cached candidate's `attachments[]`; it is fresh, so there is no age-based refresh, and an
 *   expired URL is refreshed by listing that one candidate's attachments again. v3 URLs may
 *   redirect to a freshly minted signed URL: downloads follow redirects.
 */
import { createHash } from "node:crypto";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import {
  attachmentFolderNames,
  candidateAttachmentsDir,
  CANDIDATES_FOLDER,
  checkAttachmentFolder,
  type EntityFolder,
  makeAttachmentFolder,
  type Marker,
  MARKER_FILE,
  openAtomic,
  readMarker,
  removeTempFiles,
  sanitizeFileName,
  writeMarker,
} from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, entityPath } from "../entities.ts";
import { RunError } from "../errors.ts";
import { collectGarbage } from "../memory.ts";
import { type CandidateBatch, getRecord, type HarvestClient } from "../harvest/mod.ts";
import { listByCandidate } from "./batch.ts";
import {
  ascendingIds,
  candidatesFolder,
  chunk,
  type DependentResult,
  type DependentRun,
  withoutErased,
} from "./run.ts";
import { forEachConcurrent } from "../concurrency.ts";
import { removeIfPresent } from "../files.ts";
import { Interrupted, throwIfInterrupted } from "../interrupt.ts";
import { listScope, StepProgress } from "./resume.ts";
import { fetchFile, FileHostPolicy, type Resolver } from "./file_fetch.ts";

/** "URLs expire in 7 days" (Harvest v1 docs). */
export const DEFAULT_URL_LIFETIME_MS = 7 * 86_400_000;
/** `candidate_ids=` returns at most 50 candidates per request. */
export const REFRESH_BATCH = 50;
/** Attempts per file for network errors, 5xx and short bodies. */
const MAX_ATTEMPTS = 4;
/** A download that receives nothing for this long is abandoned (and retried). */
const IDLE_TIMEOUT_MS = 60_000;
/** Downloaded bytes between two garbage collections (when enabled). */
const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
/** How many cached candidate files are read and checked at the same time. */
const PLAN_CONCURRENCY = 16;
/** Candidates planned, refreshed and downloaded together. */
const CANDIDATE_CHUNK = 200;
/**
 * The largest attachment downloaded unless told otherwise (`--max-attachment-mb`). Résumés and
 * offer packets are megabytes; a gigabyte leaves room for recorded interviews and stops a file
 * host that sends without end from filling the disk.
 */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 1024 ** 3;

export interface AttachmentOptions {
  verify: boolean;
  urlLifetimeMs?: number;
  /**
   * For tests: stands in for the network (default: the global fetch). Every hop is checked
   * against this build's hosts, `--file-hosts` and public addresses either way (file_fetch.ts).
   */
  fetchFn?: typeof fetch;
  /** For tests; default `CANDIDATE_CHUNK`. */
  candidatesPerChunk?: number;
  /** The largest file downloaded; default DEFAULT_MAX_ATTACHMENT_BYTES. */
  maxBytes?: number;
  /** For tests: how host names are resolved (default Deno.resolveDns). */
  resolve?: Resolver;
}

/** What every download of a run checks: where files may come from, and how large they may be. */
interface FileRules {
  policy: FileHostPolicy;
  maxBytes: number;
  fetchFn: typeof fetch;
}

function fileRules(
  run: Pick<DependentRun, "client" | "fileHosts">,
  opts: { fetchFn?: typeof fetch; maxBytes?: number; resolve?: Resolver },
): FileRules {
  return {
    policy: new FileHostPolicy(run.client.baseUrl, {
      resolve: opts.resolve,
      narrowed: run.fileHosts,
    }),
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
    fetchFn: opts.fetchFn ?? fetch,
  };
}

/** An attachment as the API lists it; every field is untrusted. */
export interface ApiAttachment {
  filename?: unknown;
  url?: unknown;
  type?: unknown;
  created_at?: unknown;
}

/** One file to download. */
interface Job {
  candidateId: number;
  folder: string;
  folderName: string;
  file: string;
  attachment: ApiAttachment;
}

interface Plan {
  jobs: Job[];
  complete: number;
}

type Outcome =
  | { kind: "ok"; size: number; sha256: string; contentType: string | null }
  | { kind: "expired"; reason: string }
  | { kind: "retry"; reason: string }
  | { kind: "fail"; reason: string };

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

/** Whether a file host's error answer says the signed URL has expired (S3 and the like). */
export function isExpiryError(status: number, body: string): boolean {
  return (status === 403 || status === 400) &&
    /expired|ExpiredToken|Request has expired/i.test(body);
}

/** Throws unless `path` lies inside `base` (defence in depth: names are sanitised already). */
export function assertInside(base: string, path: string): void {
  const rel = relative(base, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new RunError(`${path}: outside ${base}; refusing to write it`);
  }
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

/**
 * Downloads the attachments of `candidateIds`, `CANDIDATE_CHUNK` candidates at a time (planned,
 * refreshed and downloaded together), so memory follows the chunk, not the tenant. Progress counts
 * candidates. After each chunk the step's progress is saved (resume.ts): a run after a kill or an
 * interrupt skips the chunks finished, without listing them again. An interrupt stops before the
 * next file; the files in flight are finished. A file host this build may not reach stops the
 * step at once, naming the host.
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
  };
  const rules = fileRules(run, opts);
  const progress = await StepProgress.open(
    run.cacheDir,
    "attachments",
    run.scope ?? listScope(ids),
    run.ctx,
  );
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
      await downloadChunk(run, candidates, wanted, opts, rules, result, () => report(++done));
    }
    for (const { id } of result.failed.slice(failedBefore)) progress.fail(id);
    // downloadChunk committed the refreshed candidates: the progress may claim the chunk.
    progress.finish(index, chunkIds[chunkIds.length - 1]);
    await progress.save();
    report(done);
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

/** Plans, refreshes and downloads one chunk; `candidateDone` is called as each is finished. */
async function downloadChunk(
  run: DependentRun,
  candidates: EntityFolder,
  candidateIds: number[],
  opts: AttachmentOptions,
  rules: FileRules,
  result: DependentResult,
  candidateDone: () => void,
): Promise<void> {
  const lifetime = opts.urlLifetimeMs ?? DEFAULT_URL_LIFETIME_MS;
  const plans = new Map<number, Plan>();
  const fresh = new Map<number, Promise<ApiAttachment[] | undefined>>();
  const batch = run.client.dialect.candidateBatch;

  const plan = async (id: number, attachments: ApiAttachment[]): Promise<void> => {
    const names = attachmentFolderNames(attachments);
    const base = candidateAttachmentsDir(run.cacheDir, id);
    const jobs: Job[] = [];
    let complete = 0;
    for (let i = 0; i < attachments.length; i++) {
      const folder = join(base, names[i]);
      const file = sanitizeFileName(attachments[i].filename);
      assertInside(join(run.cacheDir, CANDIDATES_FOLDER), join(folder, file));
      if (await isComplete(folder, file, opts.verify)) complete++;
      else {jobs.push({
          candidateId: id,
          folder,
          folderName: names[i],
          file,
          attachment: attachments[i],
        });}
    }
    plans.set(id, { jobs, complete });
  };

  // 1. What is already complete: from the attachments endpoint (v3) or the cached candidates.
  const listed = batch ? await listAttachments(run.client, batch, candidateIds) : undefined;
  await forEachConcurrent(candidateIds, PLAN_CONCURRENCY, async (id) => {
    if (listed) return await plan(id, listed.get(id) ?? []);
    let record: unknown;
    try {
      record = JSON.parse(await Deno.readTextFile(candidates.filePath(id)));
    } catch (error) {
      result.failed.push({
        id,
        reason: `cannot read its cached file: ${(error as Error).message}`,
      });
      return;
    }
    await plan(id, attachmentsOf(record));
  });

  try {
    // 2. Candidates with work whose cached URLs have outlived their lifetime: refresh in batches.
    const now = run.ctx.clock.now();
    const stale: number[] = [];
    for (const [id, p] of plans) {
      if (listed || p.jobs.length === 0) continue;
      const row = await candidates.row(id);
      const at = row ? Date.parse(row.timestamp) : NaN;
      if (!(now - at < lifetime)) stale.push(id);
    }
    for (const ids of chunk(stale, REFRESH_BATCH)) {
      const records = await refreshBatch(run, candidates, ids);
      result.refreshed! += records.size;
      for (const id of ids) {
        const record = records.get(id);
        if (record === undefined) {
          reportGone(run, id, plans.get(id)!.jobs.length);
          result.skipped += plans.get(id)!.jobs.length + plans.get(id)!.complete;
          plans.delete(id);
        } else {
          fresh.set(id, Promise.resolve(attachmentsOf(record)));
          await plan(id, attachmentsOf(record));
        }
      }
    }

    // 3. Download what is missing.
    const jobs = [...plans.values()].flatMap((p) => p.jobs);
    result.skipped += [...plans.values()].reduce((n, p) => n + p.complete, 0);

    /**
     * Fresh attachments of one candidate (once per run): v3 lists them again; v1 fetches the
     * candidate and writes it to the cache. Undefined if the candidate is gone.
     */
    const refreshOne = (id: number): Promise<ApiAttachment[] | undefined> => {
      let pending = fresh.get(id);
      if (!pending) {
        const fetched = listed
          ? relistAttachments(run.client, id)
          : refreshSingle(run, candidates, id).then((r) => r && attachmentsOf(r));
        pending = fetched.then((list) => {
          if (list) result.refreshed!++;
          return list;
        });
        fresh.set(id, pending);
      }
      return pending;
    };

    // Files left per candidate, for the progress line.
    const left = new Map<number, number>();
    for (const job of jobs) left.set(job.candidateId, (left.get(job.candidateId) ?? 0) + 1);
    for (const id of candidateIds) if (!left.has(id)) candidateDone();
    await forEachConcurrent(jobs, run.concurrency, async (job) => {
      throwIfInterrupted(run.ctx.signal);
      let outcome;
      try {
        outcome = await downloadJob(run, job, rules, refreshOne);
      } catch (error) {
        // Stopped between the old marker's removal and a new one: leave no incomplete folder.
        if (error instanceof Interrupted || error instanceof Deno.errors.NotCapable) {
          await discardIncomplete(job.folder);
        }
        throw error;
      }
      if (outcome.kind === "ok") {
        result.done++;
        result.bytes! += outcome.size;
      } else if (outcome.kind === "gone") {
        result.skipped++;
      } else {
        result.failed.push({ id: job.candidateId, reason: `${job.folderName}: ${outcome.reason}` });
      }
      const files = left.get(job.candidateId)! - 1;
      left.set(job.candidateId, files);
      if (files === 0) candidateDone();
    });
  } finally {
    // Refreshed candidates are in the cache before the next chunk starts.
    await candidates.commit();
  }
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
  opts: {
    fetchFn?: typeof fetch;
    maxBytes?: number;
    resolve?: Resolver;
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
    const outcome = await downloadJob(run, job, rules, opts.refreshOne);
    if (outcome.kind === "ok") result.files.push(join(names[i], file));
    else if (outcome.kind === "fail") result.failed.push(`${names[i]}: ${outcome.reason}`);
  }
  return result;
}

function reportGone(run: Pick<DependentRun, "ctx">, id: number, files: number): void {
  run.ctx.err(
    `attachments: candidate ${id} not found (deleted upstream?); ${files} file${
      files === 1 ? "" : "s"
    } skipped\n`,
  );
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

async function downloadJob(
  run: Pick<DependentRun, "ctx">,
  job: Job,
  rules: FileRules,
  refreshOne: (id: number) => Promise<ApiAttachment[] | undefined>,
): Promise<{ kind: "ok"; size: number } | { kind: "gone" } | { kind: "fail"; reason: string }> {
  // `<root>/<id>-attachments/<folder>` (the access bundle: `<root>/<id>/<folder>`), made one
  // level at a time and never through a link (a link there would carry the file out).
  const owner = dirname(job.folder);
  await makeAttachmentFolder(dirname(owner), [basename(owner), basename(job.folder)]);
  // The marker goes first: from here until the new marker, the folder claims nothing.
  const old = await readMarker(job.folder);
  await removeIfPresent(join(job.folder, MARKER_FILE));
  if (typeof old === "object" && old.file !== job.file) {
    await removeIfPresent(join(job.folder, sanitizeFileName(old.file)));
  }
  await removeTempFiles(job.folder);

  let attachment = job.attachment;
  let refreshed = false;
  let failures = 0;
  for (;;) {
    const url = downloadableUrl(attachment.url);
    const outcome: Outcome = url
      ? await fetchToFile(url, join(job.folder, job.file), rules)
      : { kind: "fail", reason: "no http(s) URL in the candidate record" };
    if (outcome.kind === "ok") {
      const marker: Marker = {
        file: job.file,
        filename: typeof attachment.filename === "string" ? attachment.filename : "",
        size: outcome.size,
        sha256: outcome.sha256,
        content_type: outcome.contentType,
        downloaded_at: new Date(run.ctx.clock.now()).toISOString(),
        type: typeof attachment.type === "string" ? attachment.type : "",
        created_at: typeof attachment.created_at === "string" ? attachment.created_at : null,
      };
      await writeMarker(job.folder, marker);
      return { kind: "ok", size: outcome.size };
    }
    if (outcome.kind === "expired") {
      if (refreshed) return { kind: "fail", reason: `${outcome.reason} even after a refresh` };
      refreshed = true;
      const attachments = await refreshOne(job.candidateId);
      if (attachments === undefined) {
        reportGone(run, job.candidateId, 1);
        return { kind: "gone" };
      }
      const index = attachmentFolderNames(attachments).indexOf(job.folderName);
      if (index < 0) {
        run.ctx.err(
          `attachments: candidate ${job.candidateId} no longer lists ${job.folderName}; skipped\n`,
        );
        return { kind: "gone" };
      }
      attachment = attachments[index];
      continue;
    }
    if (outcome.kind === "fail") return outcome;
    failures++;
    if (failures >= MAX_ATTEMPTS) {
      return { kind: "fail", reason: `${outcome.reason} (after ${failures} attempts)` };
    }
    await run.ctx.clock.sleep(500 * 2 ** (failures - 1) * (0.5 + Math.random()));
  }
}

/** Removes an attachment folder left without a valid marker (it is downloaded again later). */
async function discardIncomplete(folder: string): Promise<void> {
  const state = await checkAttachmentFolder(folder, { verify: false });
  if (!state.complete) await Deno.remove(folder, { recursive: true }).catch(() => {});
}

class StreamError extends Error {}

/**
 * One download attempt: streams a 200 answer to a temporary file beside `path` while hashing,
 * checks the length, renames. Anything else leaves no file: a refused host or redirect, a file
 * over the size limit (declared or streamed), an error answer.
 */
async function fetchToFile(url: URL, path: string, rules: FileRules): Promise<Outcome> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), IDLE_TIMEOUT_MS);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), IDLE_TIMEOUT_MS);
  };
  const limit = formatLimit(rules.maxBytes);
  try {
    let response: Response;
    try {
      const fetched = await fetchFile(url, rules.policy, rules.fetchFn, controller.signal);
      if (fetched.kind === "refused") return { kind: "fail", reason: `refused: ${fetched.reason}` };
      response = fetched.response;
    } catch (error) {
      // A host this build may not reach is a matter of permissions: no retry can help, and
      // every file on that host would hit it, so the step stops (the caller names the host).
      if (error instanceof Deno.errors.NotCapable) throw error;
      return { kind: "retry", reason: `cannot reach the file host: ${describe(error)}` };
    }
    if (response.status !== 200 || response.body === null) {
      const text = await readErrorBody(response);
      const summary = `the file host answered ${response.status}${errorCode(text)}`;
      if (isExpiryError(response.status, text)) return { kind: "expired", reason: summary };
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        return { kind: "retry", reason: summary };
      }
      return { kind: "fail", reason: summary };
    }
    const declared = response.headers.get("content-length");
    const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    if (expected !== undefined && expected > rules.maxBytes) {
      await response.body.cancel().catch(() => {});
      return {
        kind: "fail",
        reason: `the file is ${formatLimit(expected)}, over the ${limit} limit ` +
          "(--max-attachment-mb); not downloaded",
      };
    }
    const hash = createHash("sha256");
    let size = 0;
    let sinceCollected = 0;
    const atomic = await openAtomic(path);
    const reader = response.body.getReader();
    try {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          throw new StreamError(describe(error));
        }
        if (next.done) break;
        touch();
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
      if (error instanceof TooLarge) {
        return {
          kind: "fail",
          reason: `the file went on past the ${limit} limit (--max-attachment-mb); stopped, ` +
            "and the partial file removed",
        };
      }
      if (error instanceof StreamError) {
        return { kind: "retry", reason: `download interrupted: ${error.message}` };
      }
      throw new RunError(`${path}: cannot be written: ${describe(error)}`);
    }
    return {
      kind: "ok",
      size,
      sha256: hash.digest("hex"),
      contentType: response.headers.get("content-type"),
    };
  } finally {
    clearTimeout(timer);
  }
}

class TooLarge extends Error {}

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
