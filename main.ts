/**
 * greenhouse-extractor: parse argv, run the command, map errors to exit codes. Nothing else.
 * Exit codes: 0 success, 1 run-time failure, 2 usage error.
 */
import { parseCommand } from "./src/cli/args.ts";
import { processContext } from "./src/cli/context.ts";
import { COMMAND_GROUPS, run } from "./src/commands/mod.ts";
import { describeFailure } from "./src/failure.ts";
import { VERSION } from "./src/version.ts";

async function main(): Promise<number> {
  const ctx = processContext();
  try {
    const command = parseCommand(Deno.args, ctx.env, COMMAND_GROUPS);
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
