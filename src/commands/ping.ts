/** `ping`: checks the credentials and scopes with the cheapest reads. Exit 0 when usable. */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import { type Connection, connection, connectionHelp, connectionOptions } from "../cli/options.ts";
import { openClient } from "../cli/client.ts";
import { formatPing, ping } from "../privacy/mod.ts";
import { formatSummaryJson } from "../summary.ts";

export interface PingCommand {
  kind: "ping";
  connection: Connection;
  json: boolean;
}

export const pingSpec: CommandSpec<PingCommand> = {
  name: "ping",
  summary: "Check the credentials: version, rate limit, and exactly which commands they can run",
  usage: "ping [--json]",
  description: "Probes every endpoint the commands need with the cheapest read (GET <list>" +
    "?per_page=1; per-candidate reads with the first candidate listed), sends no write, and " +
    "prints a table of endpoints (allowed, refused, or for writes: not verifiable without " +
    "writing) and of commands (can run: yes, no, not verifiable, unknown). Exit 0 when the " +
    "key may list users and candidates (what access and erase need), 1 otherwise with the reason.",
  options: { json: { type: "boolean" }, ...connectionOptions },
  help: [["--json", "Print the result as one JSON object"], ...connectionHelp],
  parse(values, _positionals, env) {
    return { kind: "ping", connection: connection(values, env), json: values.json === true };
  },
};

export async function runPing(cmd: PingCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  const client = openClient(cmd.connection, ctx);
  const report = await ping(client);
  if (cmd.json) {
    const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
    const error = report.usable ? undefined : report.reason;
    ctx.out(formatSummaryJson({
      command: "ping",
      startedAt,
      seconds,
      steps: [{
        step: "ping",
        status: error ? "failed" : "ok",
        requests: client.stats.requests,
        seconds,
        ...(error ? { error } : {}),
      }],
      ...(error ? { error: { kind: "run" as const, message: error } } : {}),
    }, { ...report }));
  } else ctx.out(formatPing(report));
  if (!report.usable) ctx.err(`error: ${report.reason}\n`);
  return report.usable ? 0 : 1;
}
