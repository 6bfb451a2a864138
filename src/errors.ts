/**
 * The two kinds of failure the CLI reports without a stack trace.
 * main.ts maps them to exit codes: UsageError → 2, RunError → 1.
 */

/** The user asked for something invalid; detected before any request or write. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Something failed at run time (API, network, disk, lock). Exit 1. The message says what and what to do. */
export class RunError extends Error {
  override name = "RunError";
}
