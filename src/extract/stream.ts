/**
 * The extraction stream: one listing of an entity, page by page, into an open cache. What the
 * entity commands and `sync` share; the caller opens (and closes) the client and the cache.
 * Where the version's list hides records by default (`Entity.listVariants`: v3 job posts), the
 * listing is one request chain per variant, run one after the other into the same folder.
 */
import {
  type ApiRecord,
  ENTITIES,
  entityListings,
  type EntityName,
  entityPath,
  recordId,
} from "../entities.ts";
import { RunError } from "../errors.ts";
import type { RunContext } from "../context.ts";
import { progressFor } from "../progress.ts";
import { Interrupted, throwIfInterrupted } from "../interrupt.ts";
import type { Cache, EncodedRecords, EntityFolder } from "../cache/mod.ts";
import { type HarvestClient, type LazyPage, listNotFound, statusOf } from "../harvest/mod.ts";
import { prefetch } from "../prefetch.ts";
import { collectGarbage } from "../memory.ts";
import { monikerLookup, type PageMonikers } from "./moniker_lookup.ts";
import { publishSchema } from "./schema.ts";

/** Commit the index every this many pages, so a long run's index stays close to its files. */
const COMMIT_EVERY_PAGES = 20;

/** One listing of an entity into an open cache: what `extractEntity` and `sync` share. */
export interface EntityStream {
  entity: EntityName;
  /** One client per process: its pacer paces every request. */
  client: HarvestClient;
  /** Open (and locked) by the caller, who also closes it. */
  cache: Cache;
  ctx: RunContext;
  quiet: boolean;
  /**
   * Filters for the first page of each variant (later pages follow the API's next link), on top
   * of the entity's own list parameters.
   */
  params: Record<string, string>;
  /** Resume here (a saved `next`) instead of the first page of the first variant. */
  start?: ListingPosition;
  /**
   * Reduces each record to a short string kept beside the page (e.g. its change timestamps), so
   * `beforeWrite` can compare without the page's parsed records being kept alive.
   */
  summarize?: (record: ApiRecord) => string;
  /** Sees each record once as it is parsed, before it is written (sync counts drift with it). */
  inspect?: (record: ApiRecord) => void;
  /**
   * Sees each page before it is written, e.g. to compare it with the cache; may give the ids whose
   * files already hold exactly the page's content (they are not written again).
   */
  beforeWrite?: (page: EncodedPage, folder: EntityFolder) => Promise<void | ReadonlySet<number>>;
  /** Runs after each page is written, e.g. to commit and checkpoint. */
  afterWrite?: (page: EncodedPage, folder: EntityFolder) => Promise<void>;
}

/**
 * Where a listing continues: the variant (index into `entityListings`) and the URL of its next
 * page as the API gave it (absent: the variant's first page).
 */
export interface ListingPosition {
  variant: number;
  url?: string;
}

/** A listed page, already encoded into file contents. */
export interface EncodedPage {
  encoded: EncodedRecords;
  count: number;
  lastPage?: number;
  /** Where the listing continues after this page (absent after the last page of the last variant). */
  next?: ListingPosition;
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
  const progress = progressFor(ctx, { quiet: run.quiet, label: entity.name });
  let records = 0;
  let pages = 0;
  let folder: EntityFolder | undefined;
  try {
    const path = entityPath(entity, client.dialect);
    const listings = entityListings(entity, client.dialect)
      .map((fixed) => ({ ...fixed, ...run.params }));
    const monikers = await monikerLookup(entity, client, run.cache);
    // The first page before the folder: a listing refused at once (403) leaves nothing behind.
    const listing = await firstPageFirst(variantPages(client, path, listings, run.start))
      .catch((error) => {
        throw statusOf(error) === 404 && !run.start?.url ? listNotFound(error) : error;
      });
    folder = await run.cache.folder(entity.name, entity.moniker);
    await publishSchema(folder.dir, entity.name, client.dialect.version);
    // Pages are encoded as they arrive (one record parsed at a time), so neither the page being
    // written nor the one prefetched meanwhile keeps parsed records alive.
    const encoded = encodedPages(listing, path, folder, run, monikers);
    for await (const page of prefetch(encoded)) {
      const unchanged = await run.beforeWrite?.(page, folder);
      await folder.writeEncoded(page.encoded, new Date(ctx.clock.now()), unchanged ?? undefined);
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
      // Between pages: stop if asked to (a listing that has just ended is finished instead).
      if (page.next) throwIfInterrupted(ctx.signal);
    }
    await folder.commit();
  } catch (error) {
    // Interrupted: what was written goes into index.csv, so the cache is clean when we stop.
    if (error instanceof Interrupted && folder) await folder.commit();
    throw error;
  } finally {
    progress.done();
  }
  return { records, pages };
}

/** The same pages, the first already fetched (so its failure is thrown here). */
async function firstPageFirst<T>(pages: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await pages.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* pages;
  })();
}

/** A listed page and where the listing continues after it. */
interface VariantPage {
  page: LazyPage;
  next?: ListingPosition;
}

/** The pages of every variant's listing in turn, from `start` on. */
async function* variantPages(
  client: HarvestClient,
  path: string,
  listings: Record<string, string>[],
  start: ListingPosition = { variant: 0 },
): AsyncGenerator<VariantPage> {
  if (!Number.isSafeInteger(start.variant) || start.variant < 0) {
    throw new RangeError(`listing variant ${start.variant} does not exist`);
  }
  for (let variant = start.variant; variant < listings.length; variant++) {
    const startUrl = variant === start.variant ? start.url : undefined;
    for await (const page of client.paginateLazily(path, listings[variant], { startUrl })) {
      const next = page.nextUrl
        ? { variant, url: page.nextUrl }
        : variant + 1 < listings.length
        ? { variant: variant + 1 }
        : undefined;
      yield { page, next };
    }
  }
}

/**
 * Encodes each page into file contents as it arrives, parsing its records one at a time, and
 * refuses a record whose id cannot name a file. With `monikers`, the page's monikers are looked
 * up first (see moniker_lookup.ts).
 */
async function* encodedPages(
  pages: AsyncIterable<VariantPage>,
  path: string,
  folder: EntityFolder,
  { summarize, inspect }: Pick<EntityStream, "summarize" | "inspect">,
  monikers?: PageMonikers,
): AsyncGenerator<EncodedPage> {
  for await (const { page, next } of pages) {
    const moniker = await monikers?.forPage(page.records.values());
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
        inspect?.(record);
        yield record;
      }
    };
    const count = page.records.length;
    const encoded = folder.encodeRecords(checked(), moniker);
    page.records.release();
    yield { encoded, count, lastPage: page.lastPage, next, records };
  }
}
