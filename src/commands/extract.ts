/**
 * The seven entity commands: one code path, driven by the entity table. Opens the client and
 * the cache and runs the extraction stream (src/extract/), which writes each page as it arrives.
 */
import { API_VERSIONS, type ApiVersion, type Entity, type EntityName } from "../entities.ts";
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

/** The versions whose list of `entity` has no creation-date filter (v1 sources, for one). */
function withoutCreatedFilter(entity: Entity): ApiVersion[] {
  return API_VERSIONS.filter((version) => !entity.createdFilters[version]);
}

export function extractSpec(entity: Entity): CommandSpec<ExtractCommand> {
  const unfiltered = withoutCreatedFilter(entity);
  const anyFilter = unfiltered.length < API_VERSIONS.length;
  return {
    name: entity.name,
    summary: entity.summary,
    usage: `${entity.name} [options]`,
    description:
      `Lists ${entity.path} and writes one JSON file per record to <cache>/${entity.name}/, ` +
      `with <cache>/${entity.name}/${INDEX_FILE} (id,moniker,timestamp).` +
      (unfiltered.length === 0
        ? ""
        : ` Harvest ${unfiltered.join(" and ")} has no creation-date filter for ${entity.name}` +
          (anyFilter ? " (-a/-b work on the other version)." : ".")),
    options: {
      ...dateOptions,
      ...cacheOptions,
      ...connectionOptions,
      ...outputOptions,
    },
    help: [
      ...(anyFilter ? dateHelp : []),
      ...cacheHelp,
      ...connectionHelp,
      ...outputHelp,
    ],
    parse(values, _positionals, env) {
      const range = dateRange(values);
      const conn = connection(values, env);
      if (!entity.createdFilters[conn.api] && (range.after || range.before)) {
        throw new UsageError(
          `${entity.name} cannot be filtered by creation date on Harvest ${conn.api}: its list ` +
            "has no such filter there; leave out -a/-b" +
            (conn.api === "v1" ? ", or use Harvest v3 (--api v3), which has one" : ""),
        );
      }
      return {
        kind: "extract",
        entity: entity.name,
        range,
        cacheDir: cacheDir(values, env),
        connection: conn,
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
