/** The two API versions of the sandbox, for suites that run the same behaviour against both. */
import {
  API_VERSIONS,
  type ApiRecord,
  type ApiVersion,
  ENTITIES,
  ENTITIES_IN_ORDER,
  ENTITY_NAMES,
  type EntityName,
  entityNamesFor,
} from "../../src/entities.ts";
import { PERSONAL_LISTS } from "../../src/privacy/personal_lists.ts";
import { type Sandbox, type SandboxEntity, toV3 } from "../../src/sandbox/mod.ts";

export type Api = ApiVersion;
export const APIS: readonly Api[] = API_VERSIONS;

/** The environment selecting one API version of the sandbox; `secret` replaces the credential. */
export function apiEnv(api: Api, sandbox: Sandbox, secret?: string): Record<string, string> {
  if (api === "v1") {
    return { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: secret ?? sandbox.apiKey };
  }
  return {
    GREENHOUSE_BASE_URL: sandbox.v3Url,
    GREENHOUSE_AUTH_URL: sandbox.authUrl,
    GREENHOUSE_CLIENT_ID: sandbox.clientId,
    GREENHOUSE_CLIENT_SECRET: secret ?? sandbox.clientSecret,
  };
}

/** A tenant record (v1 shape) as that version serves it. */
export function asServed(api: Api, entity: SandboxEntity, record: ApiRecord): ApiRecord {
  return api === "v1" ? record : toV3(entity, record);
}

/** Requests to the API itself from log position `from` on (not v3's token endpoint, not files). */
export function apiRequests(api: Api, sandbox: Sandbox, from = 0) {
  return sandbox.log.slice(from).filter((e) => e.path.startsWith(`/${api}/`));
}

/** A v3 bearer token from the sandbox's token endpoint (client credentials, `sub` if given). */
export async function sandboxToken(sandbox: Sandbox, sub?: number): Promise<string> {
  const res = await fetch(sandbox.authUrl, {
    method: "POST",
    headers: {
      Authorization: `Basic ${btoa(`${sandbox.clientId}:${sandbox.clientSecret}`)}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: `grant_type=client_credentials${sub === undefined ? "" : `&sub=${sub}`}`,
  });
  const token = (await res.json()).access_token;
  if (typeof token !== "string") throw new Error(`no token: ${res.status}`);
  return token;
}

/**
 * The seven lists the tool started with, as `sync --only` takes them: what a test about one sync
 * behaviour (resume, prune, a failing step) syncs when the other ~50 v3 lists would only cost
 * time. Every list is still synced end to end by sync_test's full sync, extract_test,
 * more_entities_test, deletions_test and v3_parity_test.
 */
export const CORE_LISTS: readonly EntityName[] = ENTITIES_IN_ORDER.filter((name) =>
  !ENTITIES[name].optional
);

/** `sync` arguments selecting the core lists and `more` steps (e.g. "deletions"). */
export function onlyCore(...more: string[]): string[] {
  return ["--only", [...CORE_LISTS, ...more].join(",")];
}

/**
 * `sync --skip` of every list the version has but `keep`: still a default sync (no list is
 * named, so an optional list's refusal or a missing list stays a warning, as --only would not
 * leave it), of only the lists a test is about.
 */
export function skipAllBut(api: Api, keep: readonly string[]): string[] {
  return ["--skip", entityNamesFor(api).filter((e) => !keep.includes(e)).join(",")];
}

/**
 * `sync --only` the lists that hold people's records: candidates and every personal list the
 * version has. The set-up of a test about what access or erase reads and changes in the cache,
 * which touch no other list: no other list names a candidate or a personal list's record (checked
 * here, so the shortcut fails loudly if the entity table ever grows such a reference), so the
 * other ~45 lists would only cost the set-up their files.
 */
export function onlyPersonal(api: Api): string[] {
  const personal = new Set<string>(["candidates", ...PERSONAL_LISTS]);
  for (const name of ENTITY_NAMES.filter((name) => !personal.has(name))) {
    const named = ENTITIES[name].references.find((r) => personal.has(r.entity));
    if (named) throw new Error(`${name} names ${named.entity}: sync it in onlyPersonal too`);
  }
  return ["--only", entityNamesFor(api).filter((name) => personal.has(name)).join(",")];
}
