/**
 * A sync from start to end on the engine's side: the cache opened and locked, the change log
 * of the run, erasures a killed `erase` left unfinished, the steps, and old change logs removed.
 * The command binds the dependent steps (it owns them) and prints the summary.
 */
import type { RunContext } from "../context.ts";
import { CredentialsRefused } from "../errors.ts";
import { Interrupted } from "../interrupt.ts";
import { redactRegistered } from "../redact.ts";
import {
  type Cache,
  type ChangeLog,
  openCache,
  openChangeLog,
  removeChangeLogsBefore,
} from "../cache/mod.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { finishInterruptedErasures } from "../privacy/mod.ts";
import { runSync, type StepReport, type SyncDependents, type SyncOptions } from "./run.ts";

/** What a candidate-dependent step needs from the sync (the DependentRun of src/dependent/). */
export interface SyncResources {
  client: HarvestClient;
  cache: Cache;
  cacheDir: string;
  ctx: RunContext;
  quiet: boolean;
  /** `--file-hosts`: the only hosts attachment files may come from. */
  fileHosts?: readonly string[];
}

/**
 * Binds the activity-feed and attachment steps to the sync's client and cache (one client, so
 * one pacer, for the whole sync). Injected so tests can stand in for them.
 */
export type BindDependents = (run: SyncResources) => SyncDependents;

export interface SyncSessionOptions extends Omit<SyncOptions, "dependents"> {
  cacheDir: string;
  /** Change manifests of runs that started longer ago than this are removed. */
  keepChangesDays: number;
  fileHosts?: readonly string[];
}

/** The steps' reports, when the run started, and its change log (closed) for `--json`. */
export interface SyncSession {
  reports: StepReport[];
  started: Date;
  changes: ChangeLog;
}

export async function syncCache(
  client: HarvestClient,
  opts: SyncSessionOptions,
  ctx: RunContext,
  bindDependents: BindDependents,
): Promise<SyncSession> {
  const started = new Date(ctx.clock.now());
  const cache = await openCache(opts.cacheDir);
  const changes = openChangeLog(cache.dir, "sync", started);
  try {
    await finishErasures(client, cache, ctx, changes);
    const dependents = bindDependents({
      client,
      cache,
      cacheDir: opts.cacheDir,
      ctx,
      quiet: opts.quiet,
      fileHosts: opts.fileHosts,
    });
    const reports = await runSteps({ ...opts, dependents }, { client, cache, ctx, changes });
    await changes.close(new Date(ctx.clock.now()));
    const keepFrom = ctx.clock.now() - opts.keepChangesDays * 86_400_000;
    await removeChangeLogsBefore(cache.dir, new Date(keepFrom));
    return { reports, started, changes };
  } finally {
    await changes.close(new Date(ctx.clock.now())).catch(() => {});
    await cache.close();
  }
}

/** Erasures a killed `erase` left: finished first, or a warning (the next run tries again). */
async function finishErasures(
  client: HarvestClient,
  cache: Cache,
  ctx: RunContext,
  changes: ChangeLog,
): Promise<void> {
  try {
    await finishInterruptedErasures(client, cache, ctx, changes);
  } catch (error) {
    if (error instanceof Interrupted || error instanceof CredentialsRefused) throw error;
    ctx.err(
      `warning: could not finish an interrupted erase (${
        (error as Error).message
      }); the next sync or erase tries again\n`,
    );
  }
}

/** The steps; refused credentials end the run, and the job page still says why. */
async function runSteps(
  opts: SyncOptions,
  env: Parameters<typeof runSync>[1],
): Promise<StepReport[]> {
  try {
    return await runSync(opts, env);
  } catch (error) {
    // The message is redacted already.
    if (error instanceof CredentialsRefused) {
      await appendStepSummary(
        env.ctx,
        `### greenhouse-extractor sync\n\nFailed: ${error.message}\n`,
      );
    }
    throw error;
  }
}

/** Appends Markdown to $GITHUB_STEP_SUMMARY when it is set (a warning if it cannot). */
export async function appendStepSummary(ctx: RunContext, markdown: string): Promise<void> {
  const summaryFile = ctx.env("GITHUB_STEP_SUMMARY");
  if (!summaryFile) return;
  try {
    // The file is read by others (the job page): no secret may reach it, however it got in.
    await Deno.writeTextFile(summaryFile, redactRegistered(markdown), { append: true });
  } catch (error) {
    ctx.err(
      `warning: could not append the summary to GITHUB_STEP_SUMMARY: ${(error as Error).message}\n`,
    );
  }
}
