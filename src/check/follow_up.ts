/**
 * What `check --repair` fetches once the repair is done, because it takes more than a record:
 * whole folders a link stood in for (listed as their entity command does, schema included),
 * schemas whose file was a link, activity feeds, attachments (verified).
 */
import type { RunContext } from "../context.ts";
import { ENTITIES, type EntityName } from "../entities.ts";
import { Interrupted } from "../interrupt.ts";
import { openCache } from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { publishSchema, streamEntity } from "../extract/mod.ts";
import {
  DEFAULT_CONCURRENCY,
  downloadAttachments,
  fetchActivityFeeds,
  reportFailures,
  runDependent,
} from "../dependent/mod.ts";
import type { RepairAction } from "./repair.ts";

export interface FollowUpOptions {
  cacheDir: string;
  quiet: boolean;
  retryFailed: boolean;
  /** A new client for each fetch (each counts its own requests). */
  newClient: () => HarvestClient;
  fileHosts?: readonly string[];
}

/** What the follow-up fetched, in requests; stops at an interruption, returning it. */
export interface FollowUp {
  requests: number;
  interrupted?: Interrupted;
}

/** Fetches, in order, what the repair's actions left to fetch. */
export async function fetchAfterRepair(
  opts: FollowUpOptions,
  actions: RepairAction[],
  ctx: RunContext,
): Promise<FollowUp> {
  let requests = 0;
  const relist = actions.filter((a) => a.action === "relist" || a.action === "republish-schema");
  if (relist.length > 0) {
    const relisted = await relistFolders(opts, relist, ctx);
    requests += relisted.requests;
    if (relisted.interrupted) return { requests, interrupted: relisted.interrupted };
  }
  const feeds = actions.find((a) => a.action === "refetch-feeds");
  if (feeds) {
    const outcome = await runDependent(
      "activity_feeds",
      "feeds",
      { ...dependentOptions(opts), candidates: feeds.ids, full: true },
      ctx,
      fetchActivityFeeds,
    );
    requests += outcome.requests;
    if (outcome.interrupted) return { requests, interrupted: outcome.interrupted };
    reportFailures("check --repair: activity_feeds", outcome.result, ctx);
  }
  const redownload = actions.find((action) => action.action === "redownload-attachments");
  // A linked candidates/ held the attachments too: every candidate's are downloaded again.
  const everyFile = relist.some((a) => a.action === "relist" && a.entity === "candidates");
  if (redownload?.ids || everyFile) {
    const outcome = await runDependent(
      "attachments",
      "files",
      {
        ...dependentOptions(opts),
        candidates: everyFile ? undefined : redownload!.ids,
        full: true,
      },
      ctx,
      (run, selected) =>
        downloadAttachments(run, selected, {
          verify: true,
          retryFailed: opts.retryFailed,
          refusalsHold: true,
        }),
    );
    requests += outcome.requests;
    if (outcome.interrupted) return { requests, interrupted: outcome.interrupted };
    reportFailures("check --repair: attachments", outcome.result, ctx);
  }
  return { requests };
}

/** What the dependent runner needs to fetch for a repair. */
function dependentOptions(opts: FollowUpOptions) {
  return {
    cacheDir: opts.cacheDir,
    client: opts.newClient,
    fileHosts: opts.fileHosts,
    quiet: opts.quiet,
    concurrency: DEFAULT_CONCURRENCY,
    retryFailed: opts.retryFailed,
  };
}

/** Lists again, whole, each entity whose folder was a link; publishes schemas whose file was. */
async function relistFolders(
  opts: FollowUpOptions,
  actions: RepairAction[],
  ctx: RunContext,
): Promise<FollowUp> {
  const client = opts.newClient();
  const cache = await openCache(opts.cacheDir);
  try {
    for (const action of actions) {
      const entity = action.entity as EntityName;
      if (action.action === "republish-schema") {
        const folder = await cache.folder(entity, ENTITIES[entity].moniker);
        await publishSchema(folder.dir, entity, client.dialect.version);
        continue;
      }
      await streamEntity({ entity, client, cache, ctx, quiet: opts.quiet, params: {} });
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    return { requests: client.stats.requests, interrupted: error };
  } finally {
    await cache.close();
  }
  return { requests: client.stats.requests };
}
