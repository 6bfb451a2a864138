/**
 * The entity commands: one code path, driven by the entity table. Opens the client and
 * the cache and runs the extraction stream (src/extract/), which writes each page as it arrives.
 */
import {
  API_VERSIONS,
  type ApiVersion,
  availableIn,
  type Entity,
  type EntityName,
} from "../entities.ts";
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
import { openClient } from "../cli/client.ts";
import { runInterruptible } from "../cli/context.ts";
import {
  formatSummaryJson,
  rateLimitWaitNote,
  type SummaryStep,
  waitedSeconds,
} from "../summary.ts";
import { extractEntity as extractToCache, type ExtractResult, INDEX_FILE } from "../extract/mod.ts";

export interface ExtractCommand {
  kind: "extract";
  entity: EntityName;
  range: DateRange;
  cacheDir: string;
  connection: Connection;
  quiet: boolean;
  /** Print the summary as JSON (src/summary.ts). */
  json: boolean;
}

/** The versions that list `entity`, with and without a creation-date filter (v1 sources lack one). */
function createdFilterVersions(
  entity: Entity,
): { filtered: ApiVersion[]; unfiltered: ApiVersion[] } {
  const listed = API_VERSIONS.filter((version) => availableIn(entity, version));
  return {
    filtered: listed.filter((version) => entity.createdFilters[version]),
    unfiltered: listed.filter((version) => !entity.createdFilters[version]),
  };
}

export function extractSpec(entity: Entity): CommandSpec<ExtractCommand> {
  const { filtered, unfiltered } = createdFilterVersions(entity);
  const anyFilter = filtered.length > 0;
  return {
    name: entity.name,
    summary: entity.summary,
    usage: `${entity.name} [options]`,
    description: `Lists ${endpoints(entity)} and writes one JSON file per record to ` +
      `<cache>/${entity.name}/, with <cache>/${entity.name}/${INDEX_FILE} (id,moniker,timestamp).` +
      (unfiltered.length === 0
        ? ""
        : !anyFilter
        ? ` The API has no creation-date filter for ${entity.name}.`
        : ` Harvest ${unfiltered.join(" and ")} has no creation-date filter for ${entity.name}` +
          " (-a/-b work on the other version)."),
    options: {
      ...dateOptions,
      json: { type: "boolean" },
      ...cacheOptions,
      ...connectionOptions,
      ...outputOptions,
    },
    help: [
      ...(anyFilter ? dateHelp : []),
      ["--json", "Print the summary as one JSON document (fields in docs/commands.md)"],
      ...cacheHelp,
      ...connectionHelp,
      ...outputHelp,
    ],
    parse(values, _positionals, env) {
      const range = dateRange(values);
      const conn = connection(values, env);
      if (!availableIn(entity, conn.api)) {
        const other = conn.api === "v1" ? "v3" : "v1";
        throw new UsageError(
          `${entity.name}: Harvest ${conn.api} has no list of ${entity.name}; run it with ` +
            `Harvest ${other} credentials (--api ${other})`,
        );
      }
      if (!entity.createdFilters[conn.api] && (range.after || range.before)) {
        const other = filtered.find((version) => version !== conn.api);
        throw new UsageError(
          `${entity.name} cannot be filtered by creation date on Harvest ${conn.api}: its list ` +
            "has no such filter there; leave out -a/-b" +
            (other ? `, or use Harvest ${other} (--api ${other}), which has one` : ""),
        );
      }
      return {
        kind: "extract",
        entity: entity.name,
        range,
        cacheDir: cacheDir(values, env),
        connection: conn,
        quiet: quiet(values),
        json: values.json === true,
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

export type { ExtractResult };

/**
 * Extracts the entity, then prints its summary (one line, or JSON with --json). Ctrl-C or
 * SIGTERM stop it after the page being written, with the index committed: exit 130/143.
 */
export function runExtract(cmd: ExtractCommand, ctx: RunContext): Promise<number> {
  return runInterruptible(ctx, async (ctx) => {
    const startedAt = new Date(ctx.clock.now());
    const result = await extractEntity(cmd, ctx);
    if (cmd.json) ctx.out(extractJson(cmd, startedAt, result));
    else if (!result.interrupted) ctx.out(formatSummary(result) + "\n");
    if (result.interrupted) throw result.interrupted;
    return 0;
  });
}

/** The entity listed into the cache with a client from the command's connection. */
export function extractEntity(cmd: ExtractCommand, ctx: RunContext): Promise<ExtractResult> {
  return extractToCache(openClient(cmd.connection, ctx), cmd, ctx);
}

/** The JSON summary (src/summary.ts) of an entity command: one step. */
function extractJson(cmd: ExtractCommand, startedAt: Date, r: ExtractResult): string {
  return formatSummaryJson({
    command: r.entity,
    startedAt,
    seconds: r.seconds,
    steps: [extractStep(r, cmd.range.after !== undefined || cmd.range.before !== undefined)],
    interrupted: r.interrupted !== undefined,
  });
}

/** An entity extraction as a summary step (`filtered`: with a creation-date filter). */
export function extractStep(r: ExtractResult, filtered = false): SummaryStep {
  const base = { step: r.entity, requests: r.requests, seconds: r.seconds };
  return r.interrupted ? { ...base, status: "interrupted" as const } : {
    ...base,
    status: "ok" as const,
    mode: filtered ? "filtered" : "full",
    written: r.records,
    pages: r.pages,
    retries: r.retries,
    waitedSeconds: waitedSeconds(r.waitedMs),
  } as SummaryStep;
}

export function formatSummary(r: ExtractResult): string {
  const waited = rateLimitWaitNote(r.waitedMs);
  return `${r.entity}: ${r.records} records written (${plural(r.pages, "page")}), ` +
    `${plural(r.requests, "request")}, ${plural(r.retries, "retry", "retries")}${waited}, ` +
    `${r.seconds.toFixed(1)}s`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
