/** The two API versions of the sandbox, for suites that run the same behaviour against both. */
import type { ApiRecord } from "../../src/entities.ts";
import { type Sandbox, type SandboxEntity, toV3 } from "../../src/sandbox/mod.ts";

export type Api = "v1" | "v3";
export const APIS: readonly Api[] = ["v1", "v3"];

/** The environment selecting one API version of the sandbox. */
export function apiEnv(api: Api, sandbox: Sandbox): Record<string, string> {
  if (api === "v1") return { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
  return {
    GREENHOUSE_BASE_URL: sandbox.v3Url,
    GREENHOUSE_AUTH_URL: sandbox.authUrl,
    GREENHOUSE_CLIENT_ID: sandbox.clientId,
    GREENHOUSE_CLIENT_SECRET: sandbox.clientSecret,
  };
}

/** A tenant record (v1 shape) as that version serves it. */
export function asServed(api: Api, entity: SandboxEntity, record: ApiRecord): ApiRecord {
  return api === "v1" ? record : toV3(entity, record);
}
