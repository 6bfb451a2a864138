/**
 * Builds the Harvest client for a parsed connection: the one place commands get a client from,
 * and the one place the API version chooses the authentication and the dialect.
 */
import {
  type Auth,
  basicAuth,
  clientCredentialsAuth,
  DIALECTS,
  HarvestClient,
  type RetryPolicy,
  withPageSize,
} from "../harvest/mod.ts";
import { registerSecrets } from "../redact.ts";
import { USER_AGENT } from "../version.ts";
import type { Connection } from "./options.ts";
import type { RunContext } from "../context.ts";

/** The connection's credentials; their secrets (v3 tokens included) are kept out of all output. */
export function connectionAuth(connection: Connection, ctx: RunContext): Auth {
  const auth = makeAuth(connection, ctx);
  if (auth.secrets) registerSecrets(auth.secrets);
  return auth;
}

function makeAuth(connection: Connection, ctx: RunContext): Auth {
  if (connection.api === "v1") return basicAuth(connection.apiKey);
  return clientCredentialsAuth({
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    authUrl: connection.authUrl,
    onBehalfOf: connection.onBehalfOf,
    clock: ctx.clock,
    userAgent: USER_AGENT,
  });
}

/** Waits for Greenhouse's rate limit at least this long are announced (shorter ones are pacing). */
export const ANNOUNCE_WAIT_MS = 5_000;

/** `retry`: a policy of the command's own (doctor gives up sooner than a sync). */
export function openClient(
  connection: Connection,
  ctx: RunContext,
  retry?: Partial<RetryPolicy>,
): HarvestClient {
  return new HarvestClient({
    retry,
    baseUrl: connection.baseUrl,
    auth: connectionAuth(connection, ctx),
    dialect: connection.perPage === undefined
      ? DIALECTS[connection.api]
      : withPageSize(DIALECTS[connection.api], connection.perPage),
    rateTarget: connection.rateTarget,
    userAgent: USER_AGENT,
    clock: ctx.clock,
    onEvent: (event) => {
      if (event.type === "waiting" && event.waitMs >= ANNOUNCE_WAIT_MS) {
        ctx.err(`${ctx.stderrIsTerminal ? "\r\x1b[K" : ""}${describeWait(event)}\n`);
      }
    },
  });
}

/** One line: how long every request now waits, and why. */
export function describeWait(event: { waitMs: number; cause: "paused" | "used up" }): string {
  const seconds = Math.ceil(event.waitMs / 1000);
  const why = event.cause === "paused"
    ? "Greenhouse answered 429 Too Many Requests"
    : "Greenhouse's X-RateLimit-Remaining leaves this run nothing until its window resets";
  return `rate limit: waiting ${seconds}s before the next request (${why})`;
}
