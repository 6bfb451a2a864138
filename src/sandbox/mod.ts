/**
 * An embedded Harvest simulator (v1 and v3) for end-to-end tests, `demo` and benchmarks.
 *
 * ```ts
 * const sandbox = await startSandbox({ candidates: 200 });
 * // GREENHOUSE_BASE_URL=sandbox.url GREENHOUSE_API_KEY=sandbox.apiKey
 * await sandbox.close();
 * ```
 *
 * Where the public docs are silent, the sandbox's choices are listed where they are made:
 * v1.ts (v1 lists and writes), v3.ts and v3_candidate_data.ts (v3), v3_auth.ts (OAuth),
 * server.ts (HTTP).
 */
import { type Clock, systemClock } from "../clock.ts";
import {
  type ApiRecord,
  type ApiVersion,
  ENTITIES,
  entityListings,
  type EntityName,
} from "../entities.ts";
import { V3_LISTS } from "./catalog.ts";
import { servedListing } from "./catalog_routes.ts";
import type { FieldDrift } from "./drift.ts";
import { v3Scope } from "./permissions.ts";
import type { Faults } from "./faults.ts";
import {
  decodeToken,
  encodeToken,
  fileBytes,
  type FileRef,
  fileSha256,
  type FileSpec,
} from "./files.ts";
import { type RequestLogEntry, SandboxServer } from "./server.ts";
import { LIST_ENTITIES, type SandboxEntity, Tenant } from "./tenant.ts";
import { V3_CORE_PATHS, V3Api } from "./v3.ts";

export type { FieldDrift } from "./drift.ts";
export type { Faults, FaultTrigger, RetryAfterForm } from "./faults.ts";
export type { RequestLogEntry } from "./server.ts";
export { HOSTILE_FILENAMES, LIST_ENTITIES, Tenant } from "./tenant.ts";
export type { HostileKind, SandboxEntity } from "./tenant.ts";
export { AWKWARD_NAMES } from "./vocab.ts";
export { v1Permission, v3Scope } from "./permissions.ts";
export { CURSOR_WITH_PARAMS, V3Api } from "./v3.ts";
export { toV3 } from "./v3_shape.ts";
export { MINTED_LIFETIME_MS, v3Attachments, v3Notes } from "./v3_candidate_data.ts";

export interface SandboxOptions {
  /** Default 1; the same seed (and clock time) gives a byte-identical tenant. */
  seed?: number;
  /** Default 60; scales to 100_000+ with flat memory. */
  candidates?: number;
  /** Default max(4, ceil(candidates / 20)). */
  jobs?: number;
  /** Maximum applications per candidate (each has 0–3, capped by this). Default 3. */
  applicationsPerCandidate?: number;
  /** Number of users. Default 12; the last one is disabled. */
  users?: number;
  /**
   * v1 X-Ratelimit-Limit per window; default 50; 0 = unlimited on both versions (headers still
   * sent) unless v3RateLimit says otherwise.
   */
  rateLimit?: number;
  /** Fixed window length; default 10_000. */
  windowMs?: number;
  /** Drop X-Ratelimit-Limit/Remaining on 429s (the pre-2023 documented behaviour). */
  omitRateLimitHeadersOn429?: boolean;
  /** Default 0 = a free port. The hostname is always 127.0.0.1. */
  port?: number;
  /** Default "sandbox-key". */
  apiKey?: string;
  /** Signed URL lifetime; default 7 days. */
  attachmentLifetimeMs?: number;
  /** Drives windows, URL expiry and write timestamps; default systemClock. */
  clock?: Clock;
  /** Exact size of every attachment file; default 2–20 KB varying. */
  attachmentBytes?: number;
  /** Give one candidate (tenant.hugeAttachmentCandidateId()) a file of this size. Default 0. */
  hugeAttachmentBytes?: number;
  /** Endpoint prefixes this key may not use, e.g. ["/candidates"] → 403. */
  deniedPaths?: string[];
  /**
   * List paths this tenant does not have, e.g. ["/job_notes"] (relative to /v1 or /v3, either
   * version): they answer 404 as an unknown route does, to try what a tenant lacking a feature,
   * or a path the tool has wrong, looks like. Read on every request: a test may change the array
   * while the sandbox runs (a list that appears later).
   */
  missingPaths?: string[];
  /**
   * v1: exactly the endpoints the key is granted, by their Dev Center names ("Get: List Users",
   * "Delete: Delete Candidate", …; see permissions.ts); others answer 403. Default: all.
   */
  permissions?: string[];
  /** v3: exactly the scopes tokens carry ("harvest:candidates:list", …); others 403. Default: all. */
  v3Scopes?: string[];
  /**
   * The token answer names the token's scopes in `scope`, space-separated (RFC 6749 §5.1 allows
   * it; whether Greenhouse's does is not documented): v3Scopes, or every scope the sandbox checks.
   */
  tokenScopes?: boolean;
  /**
   * Pretend to be a tenant whose records differ from the documented shape: fields renamed,
   * dropped, added or retyped on chosen lists (drift.ts). Default none.
   */
  fieldDrift?: FieldDrift[];
  /**
   * The sandbox's clock runs this far ahead of `clock` (negative: behind), as a server whose
   * clock is off: its Date headers, rate windows, token and URL expiry all follow it. Default:
   * not off, and Date headers are Deno's own (the real time).
   */
  clockSkewMs?: number;
  /** Initial faults (also mutable later through sandbox.faults). */
  faults?: Faults;
  /**
   * v3 OAuth client credentials; defaults "sandbox-client-id-1" / "sandbox-client-secret". A
   * client id without its `-<n>` suffix is refused with 400, as Greenhouse does.
   */
  clientId?: string;
  clientSecret?: string;
  /** v3 access-token life; default 1 h. */
  tokenLifetimeMs?: number;
  /** How the token answer states the life: "expires_at" (RFC 3339, default) or "expires_in". */
  tokenExpiry?: "expires_at" | "expires_in";
  /** v3 access tokens: opaque `gh3_…` (default) or JWT-shaped (header.claims.signature). */
  tokenShape?: "opaque" | "jwt";
  /** v3 token answers carry a `refresh_token` too (default false). */
  refreshTokens?: boolean;
  /** v3 token requests per 60 s window (their own window); default 0 = unlimited (Greenhouse publishes no figure). */
  tokenRateLimit?: number;
  /**
   * v3 requests per 30 s window; default 75 (the value reported for real tenants), or unlimited
   * when rateLimit is 0; 0 = unlimited.
   */
  v3RateLimit?: number;
  /** v3 window; default 30_000. */
  v3WindowMs?: number;
}

export interface Sandbox {
  /** Base URL, e.g. "http://127.0.0.1:PORT/v1". */
  url: string;
  apiKey: string;
  /** v3 base URL, e.g. "http://127.0.0.1:PORT/v3". */
  v3Url: string;
  /** v3 token endpoint, e.g. "http://127.0.0.1:PORT/token". */
  authUrl: string;
  clientId: string;
  clientSecret: string;
  /** The v3 side: `v3.all(entity)` lists records in v3 shape and order; `v3.revokeTokens()`. */
  v3: V3Api;
  /**
   * Every record an entity's listing gets from this version now (the entity table's path, list
   * parameters and variants, one listing per variant), in the version's shape and order; [] where
   * the version has no such list.
   */
  served(version: ApiVersion, entity: EntityName): ApiRecord[];
  /** Mutable at run time. */
  faults: Faults;
  tenant: Tenant;
  /** Every request received, in arrival order. */
  log: RequestLogEntry[];
  counts(): { requests: number; byPath: Record<string, number>; rateLimited: number };
  /** The bytes an attachment URL serves (by URL, or by candidate id and attachment index). */
  attachmentBytes(url: string): Uint8Array;
  attachmentBytes(candidateId: number, index: number): Uint8Array;
  /** Hex sha256 of an attachment, computed chunk-wise (fine for the huge file). */
  attachmentSha256(url: string): string;
  attachmentSha256(candidateId: number, index: number): string;
  /** Size in bytes of an attachment. */
  attachmentSize(url: string): number;
  attachmentSize(candidateId: number, index: number): number;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const base = opts.clock ?? systemClock;
  // A server whose clock is off is off everywhere: Date, windows, token and URL expiry, writes.
  const skew = opts.clockSkewMs;
  const clock: Clock = skew === undefined ? base : {
    now: () => base.now() + skew,
    sleep: (ms) => base.sleep(ms),
  };
  const apiKey = opts.apiKey ?? "sandbox-key";
  const candidates = opts.candidates ?? 60;
  const tenant = new Tenant({
    seed: opts.seed ?? 1,
    candidates,
    jobs: opts.jobs ?? Math.max(4, Math.ceil(candidates / 20)),
    applicationsPerCandidate: opts.applicationsPerCandidate ?? 3,
    users: opts.users ?? 12,
    attachmentBytes: opts.attachmentBytes,
    hugeAttachmentBytes: opts.hugeAttachmentBytes ?? 0,
    attachmentLifetimeMs: opts.attachmentLifetimeMs ?? 7 * 86_400_000,
    apiKey,
    clock,
  });
  const log: RequestLogEntry[] = [];
  const clientId = opts.clientId ?? "sandbox-client-id-1";
  const clientSecret = opts.clientSecret ?? "sandbox-client-secret";
  const v3 = new V3Api({
    clientId,
    clientSecret,
    tokenLifetimeMs: opts.tokenLifetimeMs ?? 3_600_000,
    tokenExpiry: opts.tokenExpiry ?? "expires_at",
    tokenShape: opts.tokenShape,
    refreshTokens: opts.refreshTokens,
    tokenRateLimit: opts.tokenRateLimit ?? 0,
    scopeAnswer: opts.tokenScopes ? (opts.v3Scopes ?? everyV3Scope()) : undefined,
    clock,
  }, tenant);
  const sandbox = {} as Sandbox;
  const server = new SandboxServer({
    tenant,
    clock,
    apiKey,
    rateLimit: opts.rateLimit ?? 50,
    windowMs: opts.windowMs ?? 10_000,
    deniedPaths: opts.deniedPaths ?? [],
    missingPaths: opts.missingPaths ?? [],
    fieldDrift: opts.fieldDrift ?? [],
    dateFromClock: skew !== undefined,
    permissions: opts.permissions,
    v3Scopes: opts.v3Scopes,
    omitRateLimitHeadersOn429: opts.omitRateLimitHeadersOn429 ?? false,
    faults: () => sandbox.faults,
    log,
    v3,
    // "No rate limit" asked of a sandbox means both versions, unless v3 is given its own.
    v3RateLimit: opts.v3RateLimit ?? (opts.rateLimit === 0 ? 0 : 75),
    v3WindowMs: opts.v3WindowMs ?? 30_000,
  });
  const addr = await server.start(opts.port ?? 0);
  const origin = `http://127.0.0.1:${addr.port}`;
  tenant.fileOrigin = origin;

  const resolve = (a: string | number, index?: number): { token: string; spec: FileSpec } => {
    let ref: FileRef | undefined;
    if (typeof a === "string") {
      const m = /\/files\/(?:[rm]\/)?([^/?#]+)/.exec(a);
      ref = m ? decodeToken(m[1]) : undefined;
      if (!ref) throw new Error(`Cannot resolve attachment: not a sandbox file URL: ${a}`);
    } else {
      const slot = tenant.slotOf("candidates", a);
      if (slot === undefined) throw new Error(`Cannot resolve attachment: no candidate ${a}`);
      ref = { kind: "c", index: slot, n: index ?? 0 };
    }
    const spec = tenant.fileSpec(ref);
    if (!spec) throw new Error(`Cannot resolve attachment: no such file: ${JSON.stringify(a)}`);
    return { token: encodeToken(ref), spec };
  };

  Object.assign(sandbox, {
    url: `${origin}/v1`,
    apiKey,
    v3Url: `${origin}/v3`,
    authUrl: `${origin}/token`,
    clientId,
    clientSecret,
    v3,
    faults: opts.faults ?? {},
    tenant,
    log,
    counts() {
      const byPath: Record<string, number> = {};
      let rateLimited = 0;
      for (const e of log) {
        const p = e.path.split("?")[0];
        byPath[p] = (byPath[p] ?? 0) + 1;
        if (e.status === 429) rateLimited++;
      }
      return { requests: log.length, byPath, rateLimited };
    },
    attachmentBytes(a: string | number, index?: number) {
      const { token, spec } = resolve(a, index);
      return fileBytes(tenant.config.seed, token, spec);
    },
    attachmentSha256(a: string | number, index?: number) {
      const { token, spec } = resolve(a, index);
      return fileSha256(tenant.config.seed, token, spec);
    },
    attachmentSize(a: string | number, index?: number) {
      return resolve(a, index).spec.size;
    },
    served(version: ApiVersion, entity: EntityName) {
      const row = ENTITIES[entity];
      const path = row.paths[version];
      if (path === undefined) return [];
      if ((LIST_ENTITIES as readonly string[]).includes(entity)) {
        const name = entity as SandboxEntity;
        return version === "v1" ? tenant.list(name) : v3.all(name);
      }
      // Each variant's listing in turn (v3 job posts: active ones, then deleted ones).
      return entityListings(row, { version }).flatMap((params) => {
        const listed = servedListing(tenant, version, path, params);
        if (listed === undefined) throw new Error(`The sandbox does not serve ${version} ${path}`);
        return listed;
      });
    },
    close: () => server.close(),
  });
  return sandbox;
}

/** Every GET list path the sandbox serves on v3 (relative to /v3), e.g. "/applications". */
export function v3ListPaths(): string[] {
  return [...V3_CORE_PATHS, ...Object.keys(V3_LISTS)];
}

/** Every scope the sandbox's v3 routes check: each list's, and the candidate writes'. */
function everyV3Scope(): string[] {
  const paths = Object.values(ENTITIES).map((entity) => entity.paths.v3)
    .filter((path) => path !== undefined);
  const lists = [...paths, "/notes", "/attachments"].map((path) => v3Scope("GET", path!)!);
  const writes = ["destroy", "update", "anonymize"].map((action) => `harvest:candidates:${action}`);
  return [...new Set([...lists, ...writes])];
}

/** A few lines for the `sandbox` command: where it listens and how to point the CLI at it. */
export function describeSandbox(s: Sandbox): string {
  return [
    `Harvest v3 sandbox listening on ${s.v3Url} (token endpoint ${s.authUrl}):`,
    `export GREENHOUSE_BASE_URL=${s.v3Url} GREENHOUSE_AUTH_URL=${s.authUrl}`,
    `export GREENHOUSE_CLIENT_ID=${s.clientId} GREENHOUSE_CLIENT_SECRET=${s.clientSecret}`,
    "",
    `Legacy Harvest v1 on ${s.url} (API key ${s.apiKey}):`,
    `export GREENHOUSE_BASE_URL=${s.url} GREENHOUSE_API_KEY=${s.apiKey}`,
    "",
    "Synthetic data only (deterministic per seed); nothing leaves this machine.",
  ].join("\n");
}
