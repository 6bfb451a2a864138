/** `activity_feeds`: each cached candidate's activity feed into <cache>/activity_feeds/. */
import type { RunContext } from "../context.ts";
import { cacheDir, connection, quiet } from "../cli/options.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  ACTIVITY_FEEDS_FOLDER as FEEDS,
  CANDIDATES_FOLDER,
  type DependentOutcome,
  fetchActivityFeeds,
  formatApiFigures,
  INDEX_FILE,
} from "../dependent/mod.ts";
import {
  candidateIds,
  concurrency,
  dependentHelp,
  type DependentOptions,
  dependentOptions,
  runDependent,
  runDependentCommand,
} from "./dependent.ts";

export interface ActivityFeedsCommand extends DependentOptions {
  kind: "activity_feeds";
}

export const activityFeedsSpec: CommandSpec<ActivityFeedsCommand> = {
  name: "activity_feeds",
  summary: "Each cached candidate's activity feed (notes, emails, activities)",
  usage: "activity_feeds [options]",
  description: `For every candidate in <cache>/${CANDIDATES_FOLDER}/${INDEX_FILE}, fetches ` +
    `/candidates/{id}/activity_feed and writes it to <cache>/${FEEDS}/<candidate_id>.json, ` +
    `with <cache>/${FEEDS}/${INDEX_FILE} (id = candidate id, moniker = the candidate's). ` +
    "Requests run concurrently under the rate limit; a candidate deleted upstream is skipped. " +
    'On Harvest v3 the file is {"notes": [...]} with every item GET /notes lists for the ' +
    "candidate (notes, e-mails, activities, told apart by type), 50 candidates a request. A " +
    "candidate that fails is recorded in <cache>/.failures.json: a rerun asks only for those " +
    "and for the candidates changed since (--full for all).",
  options: dependentOptions,
  help: dependentHelp,
  parse(values, _positionals, env) {
    return {
      kind: "activity_feeds",
      concurrency: concurrency(values),
      candidates: candidateIds(values),
      cacheDir: cacheDir(values, env),
      connection: connection(values, env),
      quiet: quiet(values),
      json: values.json === true,
      full: values.full === true,
    };
  },
};

export function activityFeeds(cmd: ActivityFeedsCommand, ctx: RunContext) {
  return runDependent("activity_feeds", "feeds", cmd, ctx, fetchActivityFeeds);
}

export function runActivityFeeds(cmd: ActivityFeedsCommand, ctx: RunContext): Promise<number> {
  return runDependentCommand(
    "activity_feeds",
    cmd,
    ctx,
    (ctx) => activityFeeds(cmd, ctx),
    formatActivityFeedsSummary,
  );
}

export function formatActivityFeedsSummary(o: DependentOutcome): string {
  const { done, skipped, resumed = 0, failed } = o.result;
  const resumedText = resumed > 0 ? `${resumed} already fetched by an interrupted run, ` : "";
  return `activity_feeds: ${done} feeds written, ${skipped} skipped (not found), ` +
    `${resumedText}${failed.length} failed, ${formatApiFigures(o)}`;
}
