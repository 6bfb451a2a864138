/** Builds the Harvest client for a parsed connection: the one place commands get a client from. */
import { basicAuth, HarvestClient, v1Dialect } from "../harvest/mod.ts";
import { USER_AGENT } from "../version.ts";
import type { Connection } from "./options.ts";
import type { RunContext } from "./context.ts";

export function openClient(connection: Connection, ctx: RunContext): HarvestClient {
  return new HarvestClient({
    baseUrl: connection.baseUrl,
    auth: basicAuth(connection.apiKey),
    dialect: v1Dialect,
    rateTarget: connection.rateTarget,
    userAgent: USER_AGENT,
    clock: ctx.clock,
  });
}
