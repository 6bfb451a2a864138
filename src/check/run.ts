/**
 * `check` from start to end on the engine's side: the audit with its progress line, and the
 * repair with what it leaves to fetch again. The command prints what these return.
 */
import type { RunContext } from "../context.ts";
import { RunError } from "../errors.ts";
import { Interrupted } from "../interrupt.ts";
import { progressFor } from "../progress.ts";
import { cacheFolderExists } from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { auditCache } from "./audit.ts";
import type { Report } from "./report_types.ts";
import { type RepairAction, repairCache } from "./repair.ts";
import { fetchAfterRepair } from "./follow_up.ts";

export interface AuditOptions {
  cacheDir: string;
  verify: boolean;
  strict: boolean;
  quiet: boolean;
}

/** Fails with one line when there is no cache to audit. */
export async function requireCache(dir: string): Promise<void> {
  if (await cacheFolderExists(dir)) return;
  throw new RunError(
    `check: no cache at ${dir}; run an entity command first, or point --cache-dir at the cache`,
  );
}

/** The audit, with its progress line. */
export async function audit(opts: AuditOptions, ctx: RunContext): Promise<Report> {
  const progress = progressFor(ctx, { quiet: opts.quiet, label: "check", unit: "files read" });
  try {
    return await auditCache(opts.cacheDir, {
      verify: opts.verify,
      schemas: opts.strict,
      now: () => ctx.clock.now(),
      onProgress: (done) => progress.update({ done }),
    });
  } finally {
    progress.done();
  }
}

export interface RepairRunOptions {
  cacheDir: string;
  dryRun: boolean;
  retryFailed: boolean;
  quiet: boolean;
  /** A new API client; none without credentials (nothing is fetched again then). */
  newClient?: () => HarvestClient;
  fileHosts?: readonly string[];
  /** One line per action, as it happens. */
  log: (line: string) => void;
}

/** What a repair did: its actions, the requests it sent, and the interruption that stopped it. */
export interface RepairRun {
  actions: RepairAction[];
  requests: number;
  interrupted?: Interrupted;
}

/**
 * Repairs what the audit found, then (with a client, and not a dry run) fetches again what the
 * repair left: feeds, attachments, folders a link stood in for. Ctrl-C or SIGTERM stop it between
 * two re-fetches, with what is done committed and what is left saved.
 */
export async function repair(
  report: Report,
  opts: RepairRunOptions,
  ctx: RunContext,
): Promise<RepairRun> {
  let client: HarvestClient | undefined;
  const { newClient } = opts;
  const progress = progressFor(ctx, {
    quiet: opts.quiet,
    label: "check --repair",
    unit: "records",
  });
  let actions: RepairAction[];
  try {
    actions = await repairCache(report, {
      dryRun: opts.dryRun,
      clock: ctx.clock,
      client: newClient ? () => client ??= newClient() : undefined,
      refetchAfter: newClient !== undefined,
      retryFailed: opts.retryFailed,
      log: opts.log,
      onProgress: (done, total) => progress.update({ done, total }),
      signal: ctx.signal,
    });
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    return { actions: [], requests: client?.stats.requests ?? 0, interrupted: error };
  } finally {
    progress.done();
  }
  const repaired = client?.stats.requests ?? 0;
  if (!newClient || opts.dryRun) return { actions, requests: repaired };
  const followed = await fetchAfterRepair({ ...opts, newClient }, actions, ctx);
  return {
    actions,
    requests: (client?.stats.requests ?? 0) + followed.requests,
    interrupted: followed.interrupted,
  };
}
