/**
 * Maps anything thrown to one line and an exit code, so users never see a stack trace for their
 * errors. A leaf: main.ts reports the run's failure with it, and sync a failed step's (it carries
 * on with the other steps).
 */
import { CredentialsRefused, RunError, UsageError } from "./errors.ts";
import { Interrupted } from "./interrupt.ts";

/**
 * What kind of failure it was, as `--json` documents name it (`error.kind`): a usage error
 * (exit 2), a failure at run time (exit 1), or a stop on SIGINT/SIGTERM (exit 130/143).
 */
export type FailureKind = "usage" | "run" | "interrupted";

export interface Failure {
  kind: FailureKind;
  message: string;
  /** 1 run-time failure, 2 usage error, 130/143 stopped by SIGINT/SIGTERM. */
  exitCode: 1 | 2 | 130 | 143;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { kind: "usage", message: error.message, exitCode: 2 };
  if (error instanceof Interrupted) {
    return { kind: "interrupted", message: error.message, exitCode: error.exitCode };
  }
  return { kind: "run", ...describeRunFailure(error) };
}

/** The kind of failure an exit code stands for (the codes above; anything else is "run"). */
export function failureKindOf(exitCode: number): FailureKind {
  return exitCode === 2 ? "usage" : exitCode === 130 || exitCode === 143 ? "interrupted" : "run";
}

function describeRunFailure(error: unknown): Omit<Failure, "kind"> {
  // A RunError may wrap Deno's permission message ("Cannot create cache folder X: Requires …").
  if (error instanceof RunError) return { message: explainPermission(error.message), exitCode: 1 };
  if (error instanceof CredentialsRefused) return { message: error.message, exitCode: 1 };
  if (error instanceof Deno.errors.NotCapable) {
    return { message: explainPermission(error.message.split("\n")[0]), exitCode: 1 };
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return {
      message:
        `the operating system refused access: ${error.message}; check the folder's permissions`,
      exitCode: 1,
    };
  }
  if (/No space left/i.test(String(error))) {
    return {
      message: "the disk is full: free some space and run again (the cache is intact)",
      exitCode: 1,
    };
  }
  // An unexpected bug: keep the stack, since it is ours to fix.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    message: `unexpected internal error; please report it with this output:\n${detail}`,
    exitCode: 1,
  };
}

/** `files.example.net:443` → `files.example.net` (`[::1]:8080` → `[::1]`). */
function hostOf(target: string): string {
  return target.replace(/:\d+$/, "");
}

const DENO_PERMISSION_MESSAGE =
  /Requires \w+ access(?: to "[^"]*")?, run again with the --allow-[a-z-]+ flag/;

/** Replaces Deno's advice ("run again with …", useless inside a binary) by what the user can do. */
function explainPermission(message: string): string {
  return message.replace(DENO_PERMISSION_MESSAGE, (found) => permissionHint(found));
}

/**
 * Deno 2.9 says `Requires write access to "../outside", run again with the --allow-write flag`
 * (net: `"host:port"`; env/sys without a name: `Requires env access, run again with …`).
 * The binary carries a fixed permission set (scripts/permissions.ts), so say which flag and which
 * path or host, and what the user can do about it.
 */
export function permissionHint(message: string): string {
  const match = /Requires (\w+) access(?: to "([^"]*)")?.*?(--allow-[a-z-]+)/.exec(message);
  if (!match) return `missing permission: ${message.split("\n")[0]}`;
  const [, kind, target, flag] = match;
  const what = target === undefined ? "" : ` "${target}"`;
  switch (kind) {
    case "read":
    case "write":
      return `this build may not ${kind}${what} (${flag}): it only ${kind}s inside the folders ` +
        "it was built for (by default ./greenhouse-cache, ./greenhouse-access, ./demo-cache and " +
        "./greenhouse-export, " +
        "relative to the working directory); use a folder inside them, or build your own binary " +
        "with `deno task compile --cache-dir PATH` (from source, `deno task start` allows the " +
        "folder --cache-dir names)";
    case "net": {
      const host = target === undefined ? "HOST" : hostOf(target);
      return `this build may not connect to${what} (${flag}): it only reaches the Harvest API, ` +
        "the OAuth token host, attachment file hosts and loopback; check --base-url and " +
        "--auth-url, or allow " +
        `the host: \`deno task compile --also-host ${host}\` builds a binary that may reach it ` +
        `(\`deno task permissions --also-host ${host}\` prints the flags for \`deno run\`)`;
    }
    case "env":
      return `this build may not read the environment variable${what} (${flag})`;
    default:
      return `this build lacks ${kind} access${what} (${flag})`;
  }
}
