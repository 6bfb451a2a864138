/** `sandbox`: serves the embedded Harvest simulator until interrupted. */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import { integerOption } from "../cli/options.ts";
import { describeSandbox, startSandbox } from "../sandbox/mod.ts";

export interface SandboxCommand {
  kind: "sandbox";
  port: number;
  candidates: number;
  seed: number;
  rateLimit: number;
}

export const sandboxSpec: CommandSpec<SandboxCommand> = {
  name: "sandbox",
  summary: "Serve the embedded Harvest API simulator on 127.0.0.1 (for trying the tool)",
  usage: "sandbox [--port N] [--candidates N] [--seed N] [--rate-limit N]",
  description:
    "A deterministic synthetic tenant with the documented record shapes, Link pagination " +
    "and rate-limit headers. Prints the base URL and key to export, then serves until Ctrl-C.",
  options: {
    port: { type: "string" },
    candidates: { type: "string" },
    seed: { type: "string" },
    "rate-limit": { type: "string" },
  },
  help: [
    ["--port N", "Port to listen on (default: a free port)"],
    ["--candidates N", "Number of candidates in the synthetic tenant (default 60)"],
    ["--seed N", "Seed of the synthetic tenant (default 1)"],
    [
      "--rate-limit N",
      "v1 requests allowed per 10 s window (default 50; v3: 75 per 30 s); 0: no limit on either",
    ],
  ],
  parse(values) {
    return {
      kind: "sandbox",
      port: integerOption(values, "port", 0, 0, 65535),
      candidates: integerOption(values, "candidates", 60, 1, 1_000_000),
      seed: integerOption(values, "seed", 1, 0, 2 ** 31),
      rateLimit: integerOption(values, "rate-limit", 50, 0, 100_000),
    };
  },
};

export async function runSandbox(cmd: SandboxCommand, ctx: RunContext): Promise<number> {
  const sandbox = await startSandbox({
    port: cmd.port,
    candidates: cmd.candidates,
    seed: cmd.seed,
    rateLimit: cmd.rateLimit,
  });
  ctx.out(describeSandbox(sandbox) + "\nPress Ctrl-C to stop.\n");
  await new Promise<void>((resolve) => {
    const stop = () => {
      Deno.removeSignalListener("SIGINT", stop);
      resolve();
    };
    Deno.addSignalListener("SIGINT", stop);
  });
  await sandbox.close();
  return 0;
}
