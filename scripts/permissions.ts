/**
 * The one permission set of the greenhouse-extractor binary, shared by `deno task compile`
 * (scripts/compile.ts) and the end-to-end suite (tests/e2e/permissions_test.ts), which runs the
 * CLI through `deno run` with exactly these flags because `deno compile` cannot run everywhere.
 *
 * Paths stay relative on purpose: flags given to `deno compile` are baked in as written and
 * resolved at run time against the directory the binary starts in.
 */

/** Hosts the binary may connect to, and why each is there. */
export const NET_HOSTS: readonly { host: string; why: string }[] = [
  { host: "harvest.greenhouse.io", why: "the Harvest API (v1 and v3)" },
  { host: "auth.greenhouse.io", why: "the OAuth token endpoint for v3 (client credentials)" },
  {
    host: "*.amazonaws.com",
    why: "attachment files: Greenhouse serves them as signed S3 URLs " +
      "(prod-heroku.s3.amazonaws.com; S3 also answers in path style and on regional endpoints " +
      "such as s3.us-east-1.amazonaws.com, and may redirect between them)",
  },
  {
    host: "127.0.0.1",
    why: "the embedded sandbox: `demo` and `sandbox` listen on loopback and the CLI talks to it",
  },
];

/** Folders the binary may read and write, relative to the working directory. */
export const DEFAULT_CACHE_DIR = "./greenhouse-cache";
/** `access --out DIR` must point inside this folder (or inside the cache folder). */
export const DEFAULT_ACCESS_DIR = "./greenhouse-access";
/** Where `demo` writes by default. */
export const DEFAULT_DEMO_DIR = "./demo-cache";

/**
 * Environment variables the tool reads. `GREENHOUSE_*` is the tool's own namespace (API key,
 * base URL, cache folder, v3 client id/secret/auth URL/API version/on-behalf-of): a prefix rather
 * than a list, because a variable missing from a list would silently read as unset.
 * Nothing in the tool enumerates the environment (tests/unit/permissions_test.ts checks).
 */
export const ENV_VARS: readonly { name: string; why: string }[] = [
  { name: "GREENHOUSE_*", why: "credentials and settings (GREENHOUSE_API_KEY, …)" },
  { name: "GITHUB_STEP_SUMMARY", why: "`sync` appends a summary there in GitHub Actions" },
  { name: "NO_COLOR", why: "output styling: plain output when set (no colour codes)" },
  { name: "TERM", why: "output styling: no live progress line on a dumb terminal" },
];

/**
 * V8 flags the binary runs with, beside its permissions. `--expose-gc` lets long runs collect
 * garbage between pages (src/memory.ts) and a young generation of at most 8 MB per semi-space
 * keeps V8 from growing it to 64 MB: together they hold a 100,000-record extraction near 120 MB
 * peak RSS instead of ~200 MB, at the same speed (BENCHMARKS.md).
 */
export const V8_FLAGS = "--v8-flags=--expose-gc,--max-semi-space-size=8";

/** System information: only the host name, written into the cache lock to tell who holds it. */
export const SYS = ["hostname"];

export interface PermissionOptions {
  /** The cache folder; default ./greenhouse-cache. */
  cacheDir?: string;
  /** The folder `access --out` writes into; default ./greenhouse-access. */
  accessDir?: string;
  /** Further folders to read and write (e.g. the GitHub step-summary folder). */
  extraPaths?: string[];
  /** Further hosts (e.g. a test server's host:port). */
  extraHosts?: string[];
}

export function allowedPaths(opts: PermissionOptions = {}): string[] {
  return unique([
    opts.cacheDir ?? DEFAULT_CACHE_DIR,
    opts.accessDir ?? DEFAULT_ACCESS_DIR,
    DEFAULT_DEMO_DIR,
    ...(opts.extraPaths ?? []),
  ]);
}

export function allowedHosts(opts: PermissionOptions = {}): string[] {
  return unique([...NET_HOSTS.map((h) => h.host), ...(opts.extraHosts ?? [])]);
}

/** The flags for `deno compile` and `deno run`, in a stable order. */
export function permissionFlags(opts: PermissionOptions = {}): string[] {
  const paths = allowedPaths(opts);
  for (const path of paths) {
    if (path.includes(",")) throw new Error(`Cannot allow "${path}": a comma would split the flag`);
  }
  return [
    "--no-prompt",
    `--allow-net=${allowedHosts(opts).join(",")}`,
    `--allow-read=${paths.join(",")}`,
    `--allow-write=${paths.join(",")}`,
    `--allow-env=${ENV_VARS.map((v) => v.name).join(",")}`,
    `--allow-sys=${SYS.join(",")}`,
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
