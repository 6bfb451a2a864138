/**
 * `demo`: the first thing a newcomer runs. Starts the sandbox on a free port and runs every
 * entity command against it into ./demo-cache, with no credentials or setup needed.
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import { type Connection, outputHelp, outputOptions, quiet } from "../cli/options.ts";
import { INDEX_FILE } from "../extract/mod.ts";
import { type ApiVersion, entityNamesFor } from "../entities.ts";
import { UsageError } from "../errors.ts";
import { startSandbox } from "../sandbox/mod.ts";
import { extractEntity, extractStep, formatSummary } from "./extract.ts";
import { activityFeeds, formatActivityFeedsSummary } from "./activity_feeds.ts";
import { attachments, formatAttachmentsSummary } from "./attachments.ts";
import { DEFAULT_CONCURRENCY, dependentStep, reportFailures } from "../dependent/mod.ts";
import { formatSummaryJson, type SummaryStep } from "../summary.ts";

export interface DemoCommand {
  kind: "demo";
  cacheDir: string;
  /** v3 by default: it is what every tenant runs since v1 closed on 31 August 2026. */
  api: ApiVersion;
  quiet: boolean;
  /** Print one JSON document (src/summary.ts) instead of the lines. */
  json: boolean;
}

export const DEFAULT_DEMO_DIR = "./demo-cache";

export const demoSpec: CommandSpec<DemoCommand> = {
  name: "demo",
  summary: "Extract a synthetic tenant from the built-in sandbox into ./demo-cache",
  usage: "demo [--cache-dir DIR] [--api v3|v1] [--json]",
  description: "Needs no credentials: starts the sandbox on a free loopback port, runs every " +
    "entity command the Harvest version has (v3 lists a few that v1 does not), then " +
    "activity_feeds and attachments, against it, and prints a summary of what was written.",
  options: {
    "cache-dir": { type: "string" },
    api: { type: "string" },
    json: { type: "boolean" },
    ...outputOptions,
  },
  help: [
    ["--cache-dir DIR", `Where to write the demo cache (default ${DEFAULT_DEMO_DIR})`],
    ["--api v3|v1", "Which Harvest version the sandbox speaks (default v3; v1 is legacy)"],
    ["--json", "Print the summary as one JSON document (fields in docs/commands.md)"],
    ...outputHelp,
  ],
  parse(values) {
    const dir = typeof values["cache-dir"] === "string" ? values["cache-dir"] : DEFAULT_DEMO_DIR;
    if (dir.trim() === "") throw new UsageError("--cache-dir must not be empty");
    const api = values.api ?? "v3";
    if (api !== "v1" && api !== "v3") {
      throw new UsageError(`--api "${api}" must be v3 or v1`);
    }
    return {
      kind: "demo",
      cacheDir: dir,
      api,
      quiet: quiet(values),
      json: values.json === true,
    };
  },
};

export async function runDemo(cmd: DemoCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  // Unlimited: a newcomer's first run should take seconds, not wait out rate-limit windows
  // (pacing is measured in BENCHMARKS.md and shown by ping against a real tenant).
  const sandbox = await startSandbox({ rateLimit: 0 });
  // The lines a person reads; with --json one document instead, at the end.
  const say = (line: string) => {
    if (!cmd.json) ctx.out(`${line}\n`);
  };
  const steps: SummaryStep[] = [];
  let failed = 0;
  try {
    const connection: Connection = cmd.api === "v3"
      ? {
        api: "v3",
        baseUrl: sandbox.v3Url,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        authUrl: sandbox.authUrl,
        rateTarget: 0.8,
      }
      : { api: "v1", baseUrl: sandbox.url, apiKey: sandbox.apiKey, rateTarget: 0.8 };
    say(`Sandbox serving a synthetic tenant at ${connection.baseUrl} (Harvest ${cmd.api})`);
    // Every list the version has (v3 lists job openings, approvals and more that v1 does not).
    for (const entity of entityNamesFor(cmd.api)) {
      const result = await extractEntity(
        {
          kind: "extract",
          entity,
          range: {},
          cacheDir: cmd.cacheDir,
          connection,
          quiet: cmd.quiet,
          json: false,
        },
        ctx,
      );
      steps.push(extractStep(result));
      say(formatSummary(result));
    }
    const dependent = {
      cacheDir: cmd.cacheDir,
      connection,
      quiet: cmd.quiet,
      concurrency: DEFAULT_CONCURRENCY,
    };
    const feeds = await activityFeeds({ kind: "activity_feeds", ...dependent }, ctx);
    steps.push(dependentStep("activity_feeds", feeds));
    say(formatActivityFeedsSummary(feeds));
    const files = await attachments({ kind: "attachments", verify: false, ...dependent }, ctx);
    steps.push(dependentStep("attachments", files));
    say(formatAttachmentsSummary(files));
    failed = reportFailures("activity_feeds", feeds.result, ctx) +
      reportFailures("attachments", files.result, ctx);
    say(`Done. Look inside ${cmd.cacheDir}/ (one folder per entity, each with ${INDEX_FILE}).`);
  } finally {
    await sandbox.close();
  }
  if (cmd.json) {
    const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
    ctx.out(formatSummaryJson(
      { command: "demo", startedAt, seconds, steps },
      { api: cmd.api, cacheDir: cmd.cacheDir },
    ));
  }
  return failed > 0 ? 1 : 0;
}
