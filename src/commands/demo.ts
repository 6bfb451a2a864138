/**
 * `demo`: the first thing a newcomer runs. Starts the sandbox on a free port and runs every
 * entity command against it into ./demo-cache, with no credentials or setup needed.
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import { outputHelp, outputOptions, quiet } from "../cli/options.ts";
import { INDEX_FILE } from "../cache/mod.ts";
import { ENTITY_NAMES } from "../entities.ts";
import { UsageError } from "../errors.ts";
import { startSandbox } from "../sandbox/mod.ts";
import { extractEntity, formatSummary } from "./extract.ts";
import { activityFeeds, formatActivityFeedsSummary } from "./activity_feeds.ts";
import { attachments, formatAttachmentsSummary } from "./attachments.ts";
import { DEFAULT_CONCURRENCY, reportFailures } from "./dependent.ts";

export interface DemoCommand {
  kind: "demo";
  cacheDir: string;
  quiet: boolean;
}

export const DEFAULT_DEMO_DIR = "./demo-cache";

export const demoSpec: CommandSpec<DemoCommand> = {
  name: "demo",
  summary: "Extract a synthetic tenant from the built-in sandbox into ./demo-cache",
  usage: "demo [--cache-dir DIR]",
  description: "Needs no credentials: starts the sandbox on a free loopback port, runs every " +
    "entity command, then activity_feeds and attachments, against it, and prints a summary of what was written.",
  options: { "cache-dir": { type: "string" }, ...outputOptions },
  help: [
    ["--cache-dir DIR", `Where to write the demo cache (default ${DEFAULT_DEMO_DIR})`],
    ...outputHelp,
  ],
  parse(values) {
    const dir = typeof values["cache-dir"] === "string" ? values["cache-dir"] : DEFAULT_DEMO_DIR;
    if (dir.trim() === "") throw new UsageError("--cache-dir must not be empty");
    return { kind: "demo", cacheDir: dir, quiet: quiet(values) };
  },
};

export async function runDemo(cmd: DemoCommand, ctx: RunContext): Promise<number> {
  const sandbox = await startSandbox({});
  try {
    ctx.out(`Sandbox serving a synthetic tenant at ${sandbox.url}\n`);
    const connection = {
      api: "v1" as const,
      baseUrl: sandbox.url,
      apiKey: sandbox.apiKey,
      rateTarget: 0.8,
    };
    for (const entity of ENTITY_NAMES) {
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
      ctx.out(formatSummary(result) + "\n");
    }
    const dependent = {
      cacheDir: cmd.cacheDir,
      connection,
      quiet: cmd.quiet,
      concurrency: DEFAULT_CONCURRENCY,
    };
    const feeds = await activityFeeds({ kind: "activity_feeds", ...dependent }, ctx);
    ctx.out(formatActivityFeedsSummary(feeds) + "\n");
    const files = await attachments({ kind: "attachments", verify: false, ...dependent }, ctx);
    ctx.out(formatAttachmentsSummary(files) + "\n");
    const failed = reportFailures("activity_feeds", feeds.result, ctx) +
      reportFailures("attachments", files.result, ctx);
    ctx.out(
      `Done. Look inside ${cmd.cacheDir}/ (one folder per entity, each with ${INDEX_FILE}).\n`,
    );
    return failed > 0 ? 1 : 0;
  } finally {
    await sandbox.close();
  }
}
