/**
 * The seven entity commands: one code path, driven by the entity table. Opens the client and
 * the cache and runs the extraction stream (src/extract/), which writes each page as it arrives.
 */
import type { Entity, EntityName } from "../entities.ts";
import { UsageError } from "../errors.ts";
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
import { INDEX_FILE, openCache } from "../cache/mod.ts";
import { openClient } from "../cli/client.ts";
import { streamEntity, type StreamResult } from "../extract/stream.ts";

export interface ExtractCommand {
  kind: "extract";
  entity: EntityName;
  range: DateRange;
  cacheDir: string;
  connection: Connection;
  quiet: boolean;
}

export function extractSpec(entity: Entity): CommandSpec<ExtractCommand> {
  return {
    name: entity.name,
    summary: entity.summary,
    usage: `${entity.name} [options]`,
    description: `Lists ${endpoints(entity)} and writes one JSON file per record to ` +
      `<cache>/${entity.name}/, with <cache>/${entity.name}/${INDEX_FILE} (id,moniker,timestamp).` +
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
      const api = connection(values, env);
      if (entity.paths[api.api] === undefined) {
        const other = api.api === "v1" ? "v3" : "v1";
        throw new UsageError(
          `${entity.name}: Harvest ${api.api} has no list of ${entity.name}; run it with ` +
            `Harvest ${other} credentials (--api ${other})`,
        );
      }
      return {
        kind: "extract",
        entity: entity.name,
        range,
        cacheDir: cacheDir(values, env),
        connection: api,
        quiet: quiet(values),
      };
    },
  };
}

/** "/jobs", or "/scheduled_interviews (v3: /interviews)" where the versions differ. */
function endpoints(entity: Entity): string {
  const { v1, v3 } = entity.paths;
  if (v1 === undefined) return `${v3} (Harvest v3 only)`;
  if (v3 === undefined) return `${v1} (Harvest v1 only)`;
  return v1 === v3 ? v1 : `${v1} (v3: ${v3})`;
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
