/**
 * The seven entity commands: one code path, driven by the entity table.
 * Lists the entity page by page and writes each page to the cache as it arrives.
 */
import {
  type ApiRecord,
  ENTITIES,
  type Entity,
  type EntityName,
  entityPath,
  recordId,
} from "../entities.ts";
import { RunError, UsageError } from "../errors.ts";
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  cacheDir,
  cacheHelp,
  cacheOptions,
  type Connection,
  connection,
  connectionHelp,
  connectionOptions,
  dateHelp,
  dateOptions,
  type DateRange,
  dateRange,
  outputHelp,
  outputOptions,
  quiet,
} from "../cli/options.ts";
import { Progress } from "../progress.ts";
import { type Cache, type EncodedRecords, type EntityFolder, openCache } from "../cache/mod.ts";
import type { HarvestClient, LazyPage } from "../harvest/mod.ts";
import { openClient } from "../cli/client.ts";
import { prefetch } from "../prefetch.ts";
import { collectGarbage } from "../memory.ts";

export interface ExtractCommand {
  kind: "extract";
  entity: EntityName;
  range: DateRange;
  cacheDir: string;
  connection: Connection;
  quiet: boolean;
}

/** Commit the index every this many pages, so a long run's index stays close to its files. */
const COMMIT_EVERY_PAGES = 20;

export function extractSpec(entity: Entity): CommandSpec<ExtractCommand> {
  return {
    name: entity.name,
    summary: entity.summary,
    usage: `${entity.name} [options]`,
    description:
      `Lists ${entity.path} and writes one JSON file per record to <cache>/${entity.name}/, ` +
      `with <cache>/${entity.name}/index.csv (id,moniker,timestamp).` +
      (entity.createdFilters ? "" : ` The API has no creation-date filter for ${entity.name}.`),
    options: {
      ...dateOptions,
      ...cacheOptions,
      ...connectionOptions,
      ...outputOptions,
    },
    help: [
      ...(entity.createdFilters ? dateHelp : []),
      ...cacheHelp,
      ...connectionHelp,
      ...outputHelp,
    ],
    parse(values, _positionals, env) {
      const range = dateRange(values);
      if (!entity.createdFilters && (range.after || range.before)) {
        throw new UsageError(
          `${entity.name} cannot be filtered by creation date: the API has no such filter for it`,
        );
      }
      return {
        kind: "extract",
        entity: entity.name,
        range,
        cacheDir: cacheDir(values, env),
        connection: connection(values, env),
        quiet: quiet(values),
      };
    },
  };
}

export interface ExtractResult {
  entity: EntityName;
  records: number;
  pages: number;
  requests: number;
  retries: number;
  waitedMs: number;
  seconds: number;
}

export async function runExtract(cmd: ExtractCommand, ctx: RunContext): Promise<number> {
  const result = await extractEntity(cmd, ctx);
  ctx.out(formatSummary(result) + "\n");
  return 0;
}

export async function extractEntity(cmd: ExtractCommand, ctx: RunContext): Promise<ExtractResult> {
  const started = ctx.clock.now();
  const client = openClient(cmd.connection, ctx);
  const cache = await openCache(cmd.cacheDir);
  let streamed: StreamResult;
  try {
    streamed = await streamEntity({
      entity: cmd.entity,
      client,
      cache,
      ctx,
      quiet: cmd.quiet,
      params: client.dialect.dateFilters(cmd.range.after, cmd.range.before),
    });
  } finally {
    await cache.close();
  }
  return {
    entity: cmd.entity,
    ...streamed,
    requests: client.stats.requests,
    retries: client.stats.retries,
    waitedMs: client.stats.waitedMs,
    seconds: (ctx.clock.now() - started) / 1000,
  };
}

/** One listing of an entity into an open cache: what `extractEntity` and `sync` share. */
export interface EntityStream {
  entity: EntityName;
  /** One client per process: its pacer paces every request. */
  client: HarvestClient;
  /** Open (and locked) by the caller, who also closes it. */
  cache: Cache;
  ctx: RunContext;
  quiet: boolean;
  /** Filters for the first page (later pages follow the API's next link). */
  params: Record<string, string>;
  /** Resume from this page URL (a saved `nextUrl`) instead of the first page. */
  startUrl?: string;
  /**
   * Reduces each record to a short string kept beside the page (e.g. its change timestamps), so
   * `beforeWrite` can compare without the page's parsed records being kept alive.
   */
  summarize?: (record: ApiRecord) => string;
  /** Sees each page before it is written, e.g. to compare it with the cache. */
  beforeWrite?: (page: EncodedPage, folder: EntityFolder) => Promise<void>;
  /** Runs after each page is written, e.g. to commit and checkpoint. */
  afterWrite?: (page: EncodedPage, folder: EntityFolder) => Promise<void>;
}

/** A listed page, already encoded into file contents. */
export interface EncodedPage {
  encoded: EncodedRecords;
  count: number;
  lastPage?: number;
  /** The next page's URL, as the API gave it (absent on the last page). */
  nextUrl?: string;
  /** One entry per record, in order: its id and, with `summarize`, its summary. */
  records: { id: number; summary: string }[];
}

export interface StreamResult {
  records: number;
  pages: number;
}

/** Lists the entity page by page (the next page downloading meanwhile) and writes each page. */
export async function streamEntity(run: EntityStream): Promise<StreamResult> {
  const { client, ctx } = run;
  const entity = ENTITIES[run.entity];
  const progress = new Progress({
    err: ctx.err,
    isTerminal: ctx.stderrIsTerminal,
    quiet: run.quiet,
    clock: ctx.clock,
    label: entity.name,
  });
  let records = 0;
  let pages = 0;
  try {
    const folder = await run.cache.folder(entity.name, entity.moniker);
    const path = entityPath(entity, client.dialect);
    const listing = client.paginateLazily(path, run.params, { startUrl: run.startUrl });
    // Pages are encoded as they arrive (one record parsed at a time), so neither the page being
    // written nor the one prefetched meanwhile keeps parsed records alive.
    const encoded = encodedPages(listing, path, folder, run.summarize);
    for await (const page of prefetch(encoded)) {
      await run.beforeWrite?.(page, folder);
      await folder.writeEncoded(page.encoded, new Date(ctx.clock.now()));
      records += page.count;
      pages += 1;
      if (pages % COMMIT_EVERY_PAGES === 0) await folder.commit();
      collectGarbage();
      await run.afterWrite?.(page, folder);
      progress.update({
        done: records,
        pages,
        lastPage: page.lastPage,
        waitedMs: client.stats.waitedMs,
      });
    }
    await folder.commit();
  } finally {
    progress.done();
  }
  return { records, pages };
}

/**
 * Encodes each page into file contents as it arrives, parsing its records one at a time, and
 * refuses a record whose id cannot name a file.
 */
async function* encodedPages(
  pages: AsyncIterable<LazyPage>,
  path: string,
  folder: EntityFolder,
  summarize?: (record: ApiRecord) => string,
): AsyncGenerator<EncodedPage> {
  for await (const page of pages) {
    const records: EncodedPage["records"] = [];
    const checked = function* () {
      for (const record of page.records.values() as Iterable<ApiRecord>) {
        const id = recordId(record);
        if (id === undefined) {
          throw new RunError(
            `${path} returned a record whose id ${
              JSON.stringify(record?.id)
            } is not a positive integer; refusing to use it as a file name`,
          );
        }
        records.push({ id, summary: summarize ? summarize(record) : "" });
        yield record;
      }
    };
    const count = page.records.length;
    const encoded = folder.encodeRecords(checked());
    page.records.release();
    yield { encoded, count, lastPage: page.lastPage, nextUrl: page.nextUrl, records };
  }
}

export function formatSummary(r: ExtractResult): string {
  const waited = r.waitedMs >= 100
    ? `, waited ${(r.waitedMs / 1000).toFixed(1)}s for the rate limit`
    : "";
  return `${r.entity}: ${r.records} records written (${plural(r.pages, "page")}), ` +
    `${plural(r.requests, "request")}, ${plural(r.retries, "retry", "retries")}${waited}, ` +
    `${r.seconds.toFixed(1)}s`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
