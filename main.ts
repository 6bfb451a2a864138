/**
 * greenhouse-extractor: parse argv, run the command, map errors to exit codes. Nothing else.
 * Exit codes: 0 success, 1 run-time failure, 2 usage error.
 */
import { parseCommand } from "./src/cli/args.ts";
import { processContext } from "./src/cli/context.ts";
import { COMMAND_GROUPS, run } from "./src/commands/mod.ts";
import type { RunContext } from "./src/context.ts";
import { describeFailure } from "./src/failure.ts";
import { VERSION } from "./src/version.ts";

async function main(): Promise<number> {
  return await cli(Deno.args, processContext());
}

/** One run of the CLI: `args` parsed and run; anything thrown is one line on stderr. */
export async function cli(args: string[], ctx: RunContext): Promise<number> {
  try {
    const command = parseCommand(args, ctx.env, COMMAND_GROUPS);
    if (command.kind === "version") {
      ctx.out(`greenhouse-extractor ${VERSION}\n`);
      return 0;
    }
    return await run(command, ctx);
  } catch (error) {
    const failure = describeFailure(error);
    ctx.err(`error: ${failure.message}\n`);
    return failure.exitCode;
  }
}

if (import.meta.main) Deno.exit(await main());
