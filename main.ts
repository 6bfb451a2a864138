/**
 * greenhouse-extractor: parse argv, run the command, map errors to exit codes. Nothing else.
 * Exit codes: 0 success, 1 run-time failure, 2 usage error, 130/143 stopped by SIGINT/SIGTERM.
 * With `--json`, stdout carries exactly one JSON document whatever happens: the command's
 * summary, or the failure document (src/summary.ts) when it failed before printing one.
 */
import { parseCommand, peekCommand } from "./src/cli/args.ts";
import { processContext } from "./src/cli/context.ts";
import { loadCommandGroups, run } from "./src/commands/mod.ts";
import type { RunContext } from "./src/context.ts";
import { describeFailure, failureKindOf } from "./src/failure.ts";
import { INTERRUPTED_MESSAGE } from "./src/interrupt.ts";
import { formatFailureJson } from "./src/summary.ts";
import { VERSION } from "./src/version.ts";

/** Runs one command line in `ctx` and gives its exit code (exported for tests). */
export async function cli(argv: string[], context: RunContext): Promise<number> {
  // Loads the named command's module only (or every one, for the list or an unknown word).
  const groups = await loadCommandGroups(argv[0]);
  const { command: name, json } = peekCommand(argv, groups);
  let printed = false;
  const ctx: RunContext = {
    ...context,
    out: (text) => {
      printed = true;
      context.out(text);
    },
  };
  let code: number;
  try {
    const command = parseCommand(argv, ctx.env, groups);
    if (command.kind === "version") {
      ctx.out(`greenhouse-extractor ${VERSION}\n`);
      return 0;
    }
    code = await run(command, ctx);
  } catch (error) {
    const failure = describeFailure(error);
    ctx.err(`error: ${failure.message}\n`);
    if (json && !printed) context.out(formatFailureJson(name, failure));
    return failure.exitCode;
  }
  // A command stopped by a signal before its summary (its one line is on stderr already).
  if (json && !printed && code !== 0) {
    const kind = failureKindOf(code);
    context.out(formatFailureJson(name, {
      kind,
      message: kind === "interrupted" ? INTERRUPTED_MESSAGE : `${name} failed (exit ${code})`,
    }));
  }
  return code;
}

if (import.meta.main) Deno.exit(await cli(Deno.args, processContext()));
