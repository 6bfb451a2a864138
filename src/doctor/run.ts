/**
 * `doctor`: first contact with a tenant. For the credentials given, the first page of every list
 * the nightly sync reads, each checked against its published schema, and what the answers say
 * about the rate limit, the token, the server's clock and where attachment files come from; then
 * whether a nightly sync would work (verdict.ts). One request per list, paced like every other
 * run. The result holds no value of any record (types.ts).
 */
import type { ApiRecord } from "../entities.ts";
import type { RunContext } from "../context.ts";
import { describeFailure } from "../failure.ts";
import { type HarvestClient, statusOf } from "../harvest/mod.ts";
import type { FileHostPolicy } from "../dependent/file_fetch.ts";
import { progressFor } from "../progress.ts";
import { VERSION } from "../version.ts";
import { FILE_TIMEOUT_MS, type FileHostSeen, firstFileUrl, resolveFileHost } from "./files.ts";
import { shareableHeaders } from "./headers.ts";
import { AnswerObserver } from "./observe.ts";
import { type Probe, probesFor } from "./probes.ts";
import { listShape } from "./shape.ts";
import type { DoctorReport, ListRow } from "./types.ts";
import { judge, tokenSeen } from "./verdict.ts";

export interface DoctorRun {
  client: HarvestClient;
  ctx: RunContext;
  quiet: boolean;
  perPage: number;
  /** Whether the base URL is the default one. */
  defaultBaseUrl: boolean;
  /** How attachment downloads choose hosts (`--file-hosts`, the build's reach). */
  filePolicy: FileHostPolicy;
  /** The overlap an incremental sync re-reads (its default), against the server's clock. */
  overlapMs: number;
  /** For the file host (the API goes through the client); default fetch. */
  fetchFn?: typeof fetch;
}

/**
 * Statuses returned rather than thrown: every refusal is a row. Not 401 (the client renews the
 * token once first, then throws) nor 429 (waited out).
 */
const ANSWERED = Array.from({ length: 100 }, (_, i) => 400 + i)
  .filter((status) => status !== 401 && status !== 429);
/** Records of one page looked at, whatever per_page the server honoured. */
const MAX_RECORDS = 500;
const SCOPE_IN_BODY = /Missing required scope: (harvest:[a-z_]+:[a-z_]+)/;

/** The row of one answered probe, and its records (kept for the file URL; a page is small). */
function answeredRow(
  probe: Probe,
  status: number,
  headers: Headers,
  body: unknown,
): { row: ListRow; records: ApiRecord[] } {
  const row = (fields: Pick<ListRow, "status" | "blocks" | "grant" | "detail" | "shape">) => ({
    list: probe.list,
    path: probe.path,
    httpStatus: status,
    ...fields,
    headers: shareableHeaders(headers),
  });
  const refused = (fields: Parameters<typeof row>[0]) => ({ row: row(fields), records: [] });
  if (status === 403) {
    const named = SCOPE_IN_BODY.exec(JSON.stringify(body ?? ""))?.[1];
    const grant = named ?? probe.permission;
    return refused({ status: "unavailable", grant, blocks: probe.required });
  }
  if (status === 404) return refused({ status: "not found", blocks: probe.required });
  if (status >= 300) {
    return refused({ status: "error", blocks: true, detail: `answered ${status}` });
  }
  // A v1 activity feed is one object; every list is an array (read up to MAX_RECORDS of it).
  const records = Array.isArray(body)
    ? (body as ApiRecord[]).slice(0, MAX_RECORDS)
    : probe.perCandidate
    ? [body as ApiRecord]
    : undefined;
  if (records === undefined) {
    const detail = "the answer is not a JSON array of records";
    return refused({ status: "error", blocks: true, detail });
  }
  const shape = listShape(records, probe.schema);
  const drifts = shape.problems.length > 0 || shape.moreProblems > 0;
  const withoutId = shape.withoutId > 0 && !probe.perCandidate;
  const detail = withoutId
    ? `${shape.withoutId} record(s) without a positive integer id: sync refuses the page`
    : undefined;
  const verdict = drifts || withoutId ? "drift" : "ok";
  return { row: row({ status: verdict, blocks: withoutId, detail, shape }), records };
}

/** The first candidate id a candidates page gives (for v1's activity feed). */
function firstCandidateId(rows: Map<string, ApiRecord[]>): number | undefined {
  const id = rows.get("candidates")?.[0]?.id;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** Every list's first page; stops early when no request can be sent at all. */
async function probeLists(
  run: DoctorRun,
  observer: AnswerObserver,
): Promise<{ rows: ListRow[]; pages: Map<string, ApiRecord[]>; stopped: boolean }> {
  const { client, ctx } = run;
  const probes = probesFor(client.dialect, run.perPage);
  const progress = progressFor(ctx, { quiet: run.quiet, label: "doctor", unit: "lists" });
  const rows: ListRow[] = [];
  const pages = new Map<string, ApiRecord[]>();
  try {
    for (const probe of probes) {
      progress.update({ done: rows.length, total: probes.length, waitedMs: client.stats.waitedMs });
      let path = probe.path;
      if (probe.perCandidate) {
        const id = firstCandidateId(pages);
        if (id === undefined) {
          const detail = "no candidate was listed to read one";
          rows.push({ list: probe.list, path, status: "not checked", blocks: false, detail });
          continue;
        }
        path = probe.perCandidate(id);
      }
      const sent = client.stats.requests;
      try {
        const res = await client.request("GET", path, {
          params: probe.params,
          allowStatus: ANSWERED,
        });
        observer.observe(res.headers, ctx.clock.now());
        const { row, records } = answeredRow(probe, res.status, res.headers, res.body);
        rows.push(row);
        if (records.length > 0) pages.set(probe.list, records);
      } catch (error) {
        const message = describeFailure(error).message;
        const status = statusOf(error);
        // Nothing could be sent (the token refused, a host this build may not reach): every
        // other list would fail the same way.
        ctx.err(`doctor: ${probe.list}: ${message}\n`);
        if (client.stats.requests === sent || error instanceof Deno.errors.NotCapable) {
          const detail = "no request could be sent (the reason is on stderr)";
          rows.push({ list: probe.list, path: probe.path, status: "error", blocks: true, detail });
          return { rows, pages, stopped: true };
        }
        const detail = status === undefined ? "no usable answer" : `answered ${status}`;
        rows.push({
          list: probe.list,
          path: probe.path,
          status: "error",
          httpStatus: status,
          blocks: true,
          detail,
        });
      }
    }
  } finally {
    progress.done();
  }
  return { rows, pages, stopped: false };
}

/** Follows one file URL the first pages named, if any. */
async function fileHost(run: DoctorRun, pages: Map<string, ApiRecord[]>): Promise<FileHostSeen> {
  const url = firstFileUrl([...pages.get("attachments") ?? [], ...pages.get("candidates") ?? []]);
  if (url === undefined) {
    return {
      outcome: "no file seen",
      hosts: [],
      detail: "the first pages named no attachment file",
    };
  }
  return await resolveFileHost(
    url,
    run.filePolicy,
    run.fetchFn ?? fetch,
    AbortSignal.timeout(FILE_TIMEOUT_MS),
  );
}

export async function runDoctor(run: DoctorRun): Promise<DoctorReport> {
  const { client, ctx } = run;
  const started = ctx.clock.now();
  const observer = new AnswerObserver();
  const { rows, pages, stopped } = await probeLists(run, observer);
  const attachments = stopped
    ? { outcome: "no file seen" as const, hosts: [], detail: "not checked" }
    : await fileHost(run, pages);
  const rateLimit = observer.rateLimit(client.dialect.windowMs, client.stats.rateLimited);
  const clock = observer.clock();
  const needs = probesFor(client.dialect, run.perPage).map((probe) => probe.permission);
  const token = tokenSeen(client, needs);
  const judged = judge({
    rows,
    rateLimit,
    clock,
    token,
    attachments,
    stopped,
    overlapMs: run.overlapMs,
  });
  return {
    tool: `greenhouse-extractor ${VERSION}`,
    format: 1,
    api: client.dialect.version,
    baseUrl: run.defaultBaseUrl ? "default" : "other",
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((ctx.clock.now() - started) / 100) / 10,
    requests: client.stats.requests,
    perPage: run.perPage,
    ...judged,
    lists: rows,
    rateLimit,
    ...(token ? { token } : {}),
    clock,
    attachments,
  };
}
