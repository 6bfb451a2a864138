/** Maps anything thrown to one line and an exit code, so users never see a stack trace for their errors. */
import { RunError, UsageError } from "../errors.ts";

export interface Failure {
  message: string;
  exitCode: 1 | 2;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { message: error.message, exitCode: 2 };
  if (error instanceof RunError) return { message: error.message, exitCode: 1 };
  if (error instanceof Deno.errors.NotCapable) {
    return { message: `${permissionHint(error.message)}`, exitCode: 1 };
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return {
      message:
        `the operating system refused access: ${error.message}. Check the folder's permissions.`,
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

/** Deno says e.g. `Requires write access to "/etc/x", run again with the --allow-write flag`. */
function permissionHint(message: string): string {
  const match = /Requires (\w+) access to "?([^",]+)"?.*?(--allow-[a-z]+)/.exec(message);
  if (match) {
    return `this build lacks ${match[1]} access to ${match[2]} (${match[3]}); ` +
      `use a path or host the binary allows, or rebuild with that permission`;
  }
  return `missing permission: ${message.split("\n")[0]}`;
}
