/**
 * `sandbox`: serves the embedded Harvest simulator until Ctrl-C or SIGTERM, optionally pretending
 * to be a different tenant (lists missing or refused, fields renamed, dropped, added or retyped,
 * another rate limit or window, token life or scopes, a clock that is off), so `doctor` and `sync`
 * can be tried against each verdict. With `--json` it prints one document once it listens: its
 * URLs and settings, without the credentials (those stay in the human lines, on stderr then).
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import { integerOption } from "../cli/options.ts";
import { tenantOptions } from "./sandbox_options.ts";
import { withInterrupts } from "../cli/context.ts";
import { RunError } from "../errors.ts";
import {
  describeSandbox,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from "../sandbox/mod.ts";
import { formatSummaryJson } from "../summary.ts";

export interface SandboxCommand {
  kind: "sandbox";
  port: number;
  candidates: number;
  seed: number;
  rateLimit: number;
  /** The "different tenant" options, as startSandbox takes them. */
  tenant: SandboxOptions;
  /** Print one JSON document when ready (src/summary.ts) instead of the export lines. */
  json: boolean;
}

export const sandboxSpec: CommandSpec<SandboxCommand> = {
  name: "sandbox",
  summary: "Serve the embedded Harvest API simulator on 127.0.0.1 (for trying the tool)",
  usage:
    "sandbox [--port N] [--candidates N] [--seed N] [--rate-limit N] [tenant options] [--json]",
  description:
    "A deterministic synthetic tenant with the documented record shapes, Link pagination " +
    "and rate-limit headers. Prints the base URL and key to export, then serves until Ctrl-C " +
    "(or SIGTERM). With --json, stdout gets one JSON document once it listens (its URLs and " +
    "settings; the credentials to export stay on stderr). The tenant options make it answer as " +
    "a tenant that differs from the documentation, to see what doctor and sync say " +
    "(docs/commands.md#demo-and-sandbox).",
  options: {
    port: { type: "string" },
    candidates: { type: "string" },
    seed: { type: "string" },
    "rate-limit": { type: "string" },
    missing: { type: "string", multiple: true },
    deny: { type: "string", multiple: true },
    scopes: { type: "string", multiple: true },
    "token-scopes": { type: "boolean" },
    "rename-field": { type: "string", multiple: true },
    "drop-field": { type: "string", multiple: true },
    "add-field": { type: "string", multiple: true },
    "retype-field": { type: "string", multiple: true },
    "v3-rate-limit": { type: "string" },
    window: { type: "string" },
    "v3-window": { type: "string" },
    "token-lifetime": { type: "string" },
    "token-expiry": { type: "string" },
    "clock-skew": { type: "string" },
    json: { type: "boolean" },
  },
  help: [
    ["--port N", "Port to listen on (default: a free port)"],
    ["--candidates N", "Number of candidates in the synthetic tenant (default 60)"],
    ["--seed N", "Seed of the synthetic tenant (default 1)"],
    [
      "--rate-limit N",
      "v1 requests allowed per 10 s window (default 50; v3: 75 per 30 s); 0: no limit on either",
    ],
    ["--missing LIST", "These list paths answer 404, e.g. /job_posts,/eeoc"],
    ["--deny LIST", "These list paths answer 403 (no permission), e.g. /users"],
    ["--scopes LIST", "v3 tokens carry only these scopes (others answer 403)"],
    ["--token-scopes", "The v3 token answer names its scopes (`scope`)"],
    ["--rename-field PATH:FIELD=NEW", "A list's records name FIELD NEW instead (repeatable)"],
    ["--drop-field PATH:FIELD", "A list's records lack FIELD (repeatable)"],
    [
      "--add-field PATH:FIELD[=VALUE]",
      "A list's records carry a field the docs do not name (VALUE as JSON, or text; repeatable)",
    ],
    [
      "--retype-field PATH:FIELD",
      "FIELD comes as another JSON type: a string as a number or a list, others as text",
    ],
    ["--v3-rate-limit N", "v3 requests allowed per window (default 75; 0: no limit)"],
    ["--window SECONDS", "v1 rate-limit window (default 10)"],
    ["--v3-window SECONDS", "v3 rate-limit window (default 30)"],
    ["--token-lifetime SECONDS", "v3 access tokens live this long (default 3600)"],
    ["--token-expiry FORM", "How the token answer states it: expires_at (default) or expires_in"],
    [
      "--clock-skew=SECONDS",
      "The server's clock runs this far ahead (negative: behind) of the real time",
    ],
    ["--json", "Print one JSON document when listening: URLs and settings, no credentials"],
  ],
  parse(values) {
    return {
      kind: "sandbox",
      port: integerOption(values, "port", 0, 0, 65535),
      candidates: integerOption(values, "candidates", 60, 1, 1_000_000),
      seed: integerOption(values, "seed", 1, 0, 2 ** 31),
      rateLimit: integerOption(values, "rate-limit", 50, 0, 100_000),
      tenant: tenantOptions(values),
      json: values.json === true,
    };
  },
};

export async function runSandbox(cmd: SandboxCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  const sandbox = await listen(cmd);
  try {
    const differs = Object.keys(cmd.tenant);
    const note = differs.length
      ? `\nAnswering as a different tenant (${differs.join(", ")}): try doctor against it.\n`
      : "";
    const lines = describeSandbox(sandbox) + "\n" + note + "Press Ctrl-C to stop.\n";
    if (cmd.json) {
      ctx.out(readyJson(cmd, sandbox, startedAt, (ctx.clock.now() - startedAt.getTime()) / 1000));
      ctx.err(lines);
    } else ctx.out(lines);
    // Serves until the process is asked to stop: that is how it ends, so exit 0.
    await withInterrupts(ctx, ({ signal }) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        else signal?.addEventListener("abort", () => resolve(), { once: true });
      }));
  } finally {
    await sandbox.close();
  }
  return 0;
}

async function listen(cmd: SandboxCommand): Promise<Sandbox> {
  try {
    return await startSandbox({
      ...cmd.tenant,
      port: cmd.port,
      candidates: cmd.candidates,
      seed: cmd.seed,
      rateLimit: cmd.rateLimit,
    });
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new RunError(
      `sandbox: port ${cmd.port} on 127.0.0.1 is in use; choose another with --port, or leave ` +
        "--port out for a free one",
    );
  }
}

/** The document `--json` prints once the sandbox listens: where it is, never its credentials. */
function readyJson(cmd: SandboxCommand, s: Sandbox, startedAt: Date, seconds: number): string {
  return formatSummaryJson({
    command: "sandbox",
    startedAt,
    seconds,
    steps: [{ step: "sandbox", status: "ok", requests: 0, seconds }],
  }, {
    listening: true,
    port: Number(new URL(s.url).port),
    v3: { baseUrl: s.v3Url, authUrl: s.authUrl },
    v1: { baseUrl: s.url },
    tenant: {
      candidates: cmd.candidates,
      seed: cmd.seed,
      rateLimit: cmd.rateLimit,
      differs: Object.keys(cmd.tenant),
    },
  });
}
