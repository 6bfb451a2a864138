/**
 * One entity command's work: the entity listed into the cache (opened and locked for it), with
 * the client's figures, stopping cleanly after the page being written on SIGINT/SIGTERM.
 */
import type { RunContext } from "../context.ts";
import type { EntityName } from "../entities.ts";
import { Interrupted } from "../interrupt.ts";
import { openCache } from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { streamEntity, type StreamResult } from "./stream.ts";

export interface ExtractOptions {
  entity: EntityName;
  cacheDir: string;
  quiet: boolean;
  /** Only records created in this range (the dialect's filter; v1 sources lack one). */
  range: { after?: Date; before?: Date };
}

export interface ExtractResult {
  entity: EntityName;
  /** Set when SIGINT/SIGTERM stopped it (what was written is committed). */
  interrupted?: Interrupted;
  records: number;
  pages: number;
  requests: number;
  retries: number;
  waitedMs: number;
  seconds: number;
}

export async function extractEntity(
  client: HarvestClient,
  opts: ExtractOptions,
  ctx: RunContext,
): Promise<ExtractResult> {
  const started = ctx.clock.now();
  const cache = await openCache(opts.cacheDir);
  let streamed: StreamResult = { records: 0, pages: 0 };
  let interrupted: Interrupted | undefined;
  try {
    streamed = await streamEntity({
      entity: opts.entity,
      client,
      cache,
      ctx,
      quiet: opts.quiet,
      params: client.dialect.dateFilters(opts.range.after, opts.range.before),
    });
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    interrupted = error;
  } finally {
    await cache.close();
  }
  return {
    entity: opts.entity,
    ...streamed,
    interrupted,
    requests: client.stats.requests,
    retries: client.stats.retries,
    waitedMs: client.stats.waitedMs,
    seconds: (ctx.clock.now() - started) / 1000,
  };
}
