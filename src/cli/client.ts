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
  withPageSize,
} from "../harvest/mod.ts";
import { USER_AGENT } from "../version.ts";
import type { Connection } from "./options.ts";
import type { RunContext } from "../context.ts";

export function connectionAuth(connection: Connection, ctx: RunContext): Auth {
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

export function openClient(connection: Connection, ctx: RunContext): HarvestClient {
  return new HarvestClient({
    baseUrl: connection.baseUrl,
    auth: connectionAuth(connection, ctx),
    dialect: connection.perPage === undefined
      ? DIALECTS[connection.api]
      : withPageSize(DIALECTS[connection.api], connection.perPage),
    rateTarget: connection.rateTarget,
    userAgent: USER_AGENT,
    clock: ctx.clock,
  });
}
