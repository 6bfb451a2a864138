/**
 * The export engine: each selected entity of the cache into one file `<out>/<entity>.<format>`,
 * streamed (records read and written one batch at a time) and written atomically (a temporary
 * name in the output folder, renamed when whole, so a loader never sees half a file and a killed
 * export leaves the previous file in place).
 *
 * NDJSON is one pass. CSV and Parquet need their columns before their first row, so they take
 * two: the first reads the cache, learns the records' shape (shape.ts) and writes them to a
 * staging NDJSON file beside the output; the second reads that file back and writes the format.
 * The staging file also makes both passes see the same records while a sync changes the cache.
 *
 * Reads the cache without its lock (see records.ts); takes a lock on the output folder instead,
 * so two exports never write the same files.
 */
import { join } from "node:path";
import {
  acquireLock,
  type AtomicFile,
  cacheFolderExists,
  type Lock,
  openAtomic,
  removeTempFiles,
} from "../cache/mod.ts";
import type { Clock } from "../clock.ts";
import type { ApiRecord, EntityName } from "../entities.ts";
import { RunError } from "../errors.ts";
import { collectGarbage } from "../memory.ts";
import { Progress, type ProgressCounts } from "../progress.ts";
import type { RunContext } from "../context.ts";
import {
  csvWriter,
  type ExportFormat,
  type FormatWriter,
  ndjsonWriter,
  parquetWriter,
} from "./formats.ts";
import { type ReadCounts, type ReadProblem, readRecords } from "./records.ts";
import { csvColumns, parquetColumns, ShapeScan } from "./shape.ts";

export interface ExportOptions {
  cacheDir: string;
  outDir: string;
  format: ExportFormat;
  /** In the order to export them. */
  entities: readonly EntityName[];
  /** Only records the cache wrote at or after this time (their index timestamp). */
  since?: Date;
  quiet: boolean;
}

export interface EntityExport {
  entity: EntityName;
  /** absent: the cache has no folder for it (never extracted); nothing was written. */
  status: "exported" | "absent";
  /** The file written, inside the output folder. */
  file?: string;
  records: number;
  /** Left out by --since. */
  older: number;
  /** In the index, but removed by a concurrent run before they were read. */
  vanished: number;
  /** Index lines or record files that could not be exported (see ExportResult.problems). */
  problems: number;
  /** CSV and Parquet: the columns written. */
  columns?: number;
  bytes: number;
  seconds: number;
}

export interface ExportResult {
  entities: EntityExport[];
  /** The first MAX_PROBLEMS problems (problemCount has them all). */
  problems: ReadProblem[];
  problemCount: number;
}

/** Problems kept for the report; the rest are counted. */
export const MAX_PROBLEMS = 25;

/** The file an entity is exported to, inside the output folder. */
export function exportFileName(entity: EntityName, format: ExportFormat): string {
  return `${entity}.${format}`;
}

/** Records handed to a format writer at a time when reading the staging file back. */
const BATCH = 200;

/** Whether `<cacheDir>/<entity>` is a folder (not a symbolic link, which could lead outside). */
export async function hasEntityFolder(cacheDir: string, entity: EntityName): Promise<boolean> {
  try {
    return (await Deno.lstat(join(cacheDir, entity))).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Fails with one line, before anything is written, when there is no cache, or when it lacks an
 * entity the user named (`named`: listed with --only, not just every entity).
 */
export async function requireExportable(
  cacheDir: string,
  entities: readonly EntityName[],
  named: boolean,
): Promise<void> {
  if (!await cacheFolderExists(cacheDir)) {
    throw new RunError(
      `export: no cache at ${cacheDir}; run sync or an entity command first, or point ` +
        "--cache-dir at the cache",
    );
  }
  if (!named) return;
  const missing: EntityName[] = [];
  for (const entity of entities) {
    if (!await hasEntityFolder(cacheDir, entity)) missing.push(entity);
  }
  if (missing.length > 0) {
    throw new RunError(
      `export: the cache at ${cacheDir} has no ${missing.join(", ")}; run sync (or the ` +
        "entity command) first, or leave them out of --only",
    );
  }
}

export async function runExport(opts: ExportOptions, ctx: RunContext): Promise<ExportResult> {
  try {
    await Deno.mkdir(opts.outDir, { recursive: true });
  } catch (error) {
    throw new RunError(
      `export folder ${opts.outDir}: cannot be created (${(error as Error).message}); check --out`,
    );
  }
  const lock = await lockOutput(opts.outDir, ctx.clock);
  const result: ExportResult = { entities: [], problems: [], problemCount: 0 };
  const onProblem = (problem: ReadProblem) => {
    if (result.problems.length < MAX_PROBLEMS) result.problems.push(problem);
    result.problemCount++;
  };
  try {
    // Temporaries an export killed earlier left (safe: the folder is ours while locked).
    await removeTempFiles(opts.outDir);
    for (const entity of opts.entities) {
      const started = ctx.clock.now();
      const report: EntityExport = {
        entity,
        status: "absent",
        records: 0,
        older: 0,
        vanished: 0,
        problems: 0,
        bytes: 0,
        seconds: 0,
      };
      if (await hasEntityFolder(opts.cacheDir, entity)) {
        await exportEntity(entity, opts, ctx, report, onProblem);
      }
      report.seconds = (ctx.clock.now() - started) / 1000;
      result.entities.push(report);
    }
  } finally {
    await lock.release();
  }
  return result;
}

async function lockOutput(dir: string, clock: Clock): Promise<Lock> {
  try {
    return await acquireLock(dir, { clock });
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    throw new RunError(
      `export folder ${dir}: another export is writing there (${error.message}); ` +
        "wait for it to finish, or choose another --out",
    );
  }
}

async function exportEntity(
  entity: EntityName,
  opts: ExportOptions,
  ctx: RunContext,
  report: EntityExport,
  onProblem: (problem: ReadProblem) => void,
): Promise<void> {
  const file = exportFileName(entity, opts.format);
  const target = await openOutput(join(opts.outDir, file));
  const staged: { file?: AtomicFile } = {};
  const counts: ReadCounts = { read: 0, older: 0, vanished: 0, problems: 0 };
  try {
    const progress = (label: string) => exportProgress(ctx, opts.quiet, label);
    const records = readRecords(opts.cacheDir, entity, counts, {
      since: opts.since,
      onProblem,
    });
    let writer: FormatWriter;
    if (opts.format === "ndjson") {
      writer = ndjsonWriter(target.file);
      await copy(records, writer, progress(`export ${entity}`), () => ({ done: counts.read }));
    } else {
      writer = await stageThenWrite(entity, opts, ctx, records, counts, target, report, staged);
    }
    writer.end();
    report.bytes = writer.bytes;
    await target.commit();
  } catch (error) {
    await target.abort().catch(() => {});
    if (error instanceof RunError || error instanceof Deno.errors.NotFound) {
      throw describeReadFailure(error, entity, opts.cacheDir);
    }
    throw new RunError(
      `export: ${entity} cannot be written to ${join(opts.outDir, file)} ` +
        `(${(error as Error).message}); check --out and the free space`,
    );
  } finally {
    await staged.file?.abort().catch(() => {});
  }
  report.status = "exported";
  report.file = file;
  report.records = counts.read;
  report.older = counts.older;
  report.vanished = counts.vanished;
  report.problems = counts.problems;
}

function exportProgress(ctx: RunContext, quiet: boolean, label: string): Progress {
  return new Progress({
    err: ctx.err,
    isTerminal: ctx.stderrIsTerminal,
    quiet,
    clock: ctx.clock,
    label,
    unit: "records",
  });
}

/**
 * CSV and Parquet need every record's shape before the first row: a first pass learns the shape
 * and stages the records (`staged.file`, removed by the caller), a second writes the format.
 * Returns the format's writer, every record written.
 */
async function stageThenWrite(
  entity: EntityName,
  opts: ExportOptions,
  ctx: RunContext,
  records: ReturnType<typeof readRecords>,
  counts: ReadCounts,
  target: AtomicFile,
  report: EntityExport,
  staged: { file?: AtomicFile },
): Promise<FormatWriter> {
  const staging = staged.file = await openOutput(join(opts.outDir, `${entity}.staging.ndjson`));
  const scan = new ShapeScan(entity);
  const stage = ndjsonWriter(staging.file);
  await copy(
    scanning(records, scan),
    stage,
    exportProgress(ctx, opts.quiet, `export ${entity} (reading)`),
    () => ({ done: counts.read }),
  );
  stage.end();
  // Second pass: the staging file back, into the format.
  let writer: FormatWriter;
  if (opts.format === "csv") {
    const columns = csvColumns(scan);
    writer = csvWriter(target.file, columns);
    report.columns = columns.length;
  } else {
    const columns = parquetColumns(scan);
    writer = parquetWriter(target.file, columns, entity);
    report.columns = columns.length;
  }
  let written = 0;
  await copy(
    readStaging(staging.tempPath, (n) => written += n),
    writer,
    exportProgress(ctx, opts.quiet, `export ${entity} (writing)`),
    () => ({ done: written, total: counts.read }),
  );
  return writer;
}

function describeReadFailure(error: Error, entity: EntityName, cacheDir: string): Error {
  if (!(error instanceof Deno.errors.NotFound)) return error;
  return new RunError(
    `export: ${join(cacheDir, entity)} has no index.csv (a run was interrupted before its ` +
      "first commit); run check --repair, or sync, then export again",
  );
}

async function openOutput(path: string): Promise<AtomicFile> {
  try {
    return await openAtomic(path);
  } catch (error) {
    throw new RunError(
      `export: cannot write into ${path} (${(error as Error).message}); check --out`,
    );
  }
}

/** Hands every batch to `writer`, drawing progress and collecting garbage as it goes. */
async function copy(
  batches: AsyncIterable<ApiRecord[]>,
  writer: FormatWriter,
  progress: Progress,
  counts: () => ProgressCounts,
): Promise<void> {
  let sinceCollect = 0;
  try {
    for await (const batch of batches) {
      writer.write(batch);
      sinceCollect += batch.length;
      if (sinceCollect >= 1000) {
        sinceCollect = 0;
        collectGarbage();
      }
      progress.update(counts());
    }
  } finally {
    progress.done();
  }
}

async function* scanning(
  batches: AsyncIterable<ApiRecord[]>,
  scan: ShapeScan,
): AsyncGenerator<ApiRecord[]> {
  for await (const batch of batches) {
    for (const record of batch) scan.add(record);
    yield batch;
  }
}

/** The staging file's records, BATCH at a time (one JSON object per line). */
async function* readStaging(
  path: string,
  counted: (n: number) => void,
): AsyncGenerator<ApiRecord[]> {
  using file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(256 * 1024);
  let rest = "";
  let batch: ApiRecord[] = [];
  while (true) {
    const n = await file.read(buffer);
    const text = n === null ? decoder.decode() : decoder.decode(buffer.subarray(0, n), {
      stream: true,
    });
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      batch.push(JSON.parse(line));
      if (batch.length >= BATCH) {
        counted(batch.length);
        yield batch;
        batch = [];
      }
    }
    if (n === null) break;
  }
  if (rest !== "") batch.push(JSON.parse(rest));
  if (batch.length > 0) {
    counted(batch.length);
    yield batch;
  }
}
