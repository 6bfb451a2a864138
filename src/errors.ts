/**
 * The kinds of failure the CLI reports without a stack trace.
 * main.ts maps them to exit codes: UsageError → 2, RunError and CredentialsRefused → 1.
 */

/** The user asked for something invalid; detected before any request or write. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Something failed at run time (API, network, disk, lock). Exit 1. The message says what and what to do. */
export class RunError extends Error {
  override name = "RunError";
}

/**
 * Greenhouse refused to authenticate this run: the v3 token endpoint answered 400/401 (or
 * another 4xx), v1 answered 401 to the API key, or v3 refused a freshly minted token. Every later
 * request would be refused the same way, so the whole command stops at once (exit 1), naming the
 * variable to check: not a RunError, so that no per-item handler (a candidate, a sync step) takes
 * it for one item's failure and carries on.
 */
export class CredentialsRefused extends Error {
  override name = "CredentialsRefused";
}
