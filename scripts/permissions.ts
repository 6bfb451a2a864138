/**
 * The one permission set of the greenhouse-extractor binary, shared by `deno task compile`
 * (scripts/compile.ts), the end-to-end suite (tests/e2e/permissions_test.ts), which runs the
 * CLI through `deno run` with exactly these flags because `deno compile` cannot run everywhere,
 * the scheduled workflows (`deno task permissions` prints the flags they run with) and
 * docs/permissions.md (`deno task permissions --markdown` prints its table).
 *
 * Paths stay relative on purpose: flags given to `deno compile` are baked in as written and
 * resolved at run time against the directory the binary starts in.
 */
import { parseArgs } from "node:util";

/**
 * Hosts the binary may connect to, and why each is there.
 *
 * `*.greenhouse.io` rather than the two documented hosts: a v3 attachment's `url` is a Greenhouse
 * link that redirects to a short-lived file URL, and the host that link is on is not documented
 * (docs/permissions.md, "Where attachments come from"). Allowing only harvest. and auth. would
 * fail every v3 attachment if the link is on another Greenhouse host. The wildcard adds only
 * hosts Greenhouse controls; no credential is ever sent to a file host either way.
 */
export const NET_HOSTS: readonly { host: string; why: string }[] = [
  {
    host: "*.greenhouse.io",
    why: "Greenhouse: the Harvest API (`harvest.greenhouse.io`, v1 and v3), the v3 OAuth token " +
      "endpoint (`auth.greenhouse.io`), and v3 attachment links, which redirect to a short-lived " +
      "file URL",
  },
  {
    host: "*.amazonaws.com",
    why: "attachment files: signed S3 URLs on per-bucket hosts (`prod-heroku.s3.amazonaws.com`, " +
      "`grnhse-use1-prod-s2-ghr.s3.amazonaws.com`, …), path-style and regional S3 endpoints, " +
      "and redirects between them",
  },
  {
    host: "127.0.0.1",
    why: "`demo` and `sandbox` serve the embedded simulator on loopback and the CLI talks to it",
  },
];

/** Folders the binary may read and write, relative to the working directory. */
export const DEFAULT_CACHE_DIR = "./greenhouse-cache";
/** `access --out DIR` must point inside this folder (or inside the cache folder). */
export const DEFAULT_ACCESS_DIR = "./greenhouse-access";
/** Where `demo` writes by default. */
export const DEFAULT_DEMO_DIR = "./demo-cache";
/** Where `export` writes without --out (src/commands/export.ts). */
export const DEFAULT_EXPORT_DIR = "./greenhouse-export";

/**
 * Environment variables the tool reads. `GREENHOUSE_*` is the tool's own namespace (API key,
 * base URL, cache folder, v3 client id/secret/auth URL/API version/on-behalf-of): a prefix rather
 * than a list, because a variable missing from a list would silently read as unset.
 * Nothing in the tool enumerates the environment (tests/unit/permissions_test.ts checks).
 */
export const ENV_VARS: readonly { name: string; why: string }[] = [
  {
    name: "GREENHOUSE_*",
    why: "credentials (`GREENHOUSE_CLIENT_ID` and `GREENHOUSE_CLIENT_SECRET` for v3, " +
      "`GREENHOUSE_API_KEY` for v1) and settings; a prefix, so no setting silently reads as unset",
  },
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
  /**
   * Only the cache (and `extraPaths`): not the access, demo and export folders, for runs that
   * only sync and check (the scheduled workflows).
   */
  cacheOnly?: boolean;
  /** Further folders or files to read and write (e.g. the GitHub step-summary file). */
  extraPaths?: string[];
  /** Further hosts (e.g. a test server's host:port). */
  extraHosts?: string[];
}

export function allowedPaths(opts: PermissionOptions = {}): string[] {
  return unique(pathReasons(opts).map((p) => p.path));
}

export function allowedHosts(opts: PermissionOptions = {}): string[] {
  return unique([...NET_HOSTS.map((h) => h.host), ...(opts.extraHosts ?? [])]);
}

/** The flags for `deno compile` and `deno run`, in a stable order. */
export function permissionFlags(opts: PermissionOptions = {}): string[] {
  const paths = allowedPaths(opts);
  const hosts = allowedHosts(opts);
  for (const item of [...paths, ...hosts]) {
    if (item.includes(",")) throw new Error(`Cannot allow "${item}": a comma would split the flag`);
    // An empty item would leave `--allow-write=a,`: never let an unset variable widen a flag.
    if (item.trim() === "") throw new Error("Cannot allow an empty path or host");
  }
  return [
    "--no-prompt",
    `--allow-net=${hosts.join(",")}`,
    `--allow-read=${paths.join(",")}`,
    `--allow-write=${paths.join(",")}`,
    `--allow-env=${ENV_VARS.map((v) => v.name).join(",")}`,
    `--allow-sys=${SYS.join(",")}`,
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Why each folder is allowed, for the documentation table. */
function pathReasons(opts: PermissionOptions): { path: string; why: string }[] {
  const others = [
    {
      path: opts.accessDir ?? DEFAULT_ACCESS_DIR,
      why: "`access --out DIR` must point inside it (or inside the cache)",
    },
    { path: DEFAULT_DEMO_DIR, why: "where `demo` writes" },
    { path: DEFAULT_EXPORT_DIR, why: "where `export` writes without `--out`" },
  ];
  return [
    { path: opts.cacheDir ?? DEFAULT_CACHE_DIR, why: "the cache (the default `--cache-dir`)" },
    ...(opts.cacheOnly ? [] : others),
    ...(opts.extraPaths ?? []).map((path) => ({ path, why: "added with `--also`" })),
  ];
}

/** The permission table of docs/permissions.md, one row per allowed item. */
export function permissionTable(opts: PermissionOptions = {}): string {
  const rows: [string, string, string][] = [];
  const group = (flag: string, items: { what: string; why: string }[]) =>
    items.forEach((item, i) => rows.push([i === 0 ? flag : "", item.what, item.why]));
  group("`--allow-net`", [
    ...NET_HOSTS.map((h) => ({ what: `\`${h.host}\``, why: h.why })),
    ...(opts.extraHosts ?? []).map((host) => ({
      what: `\`${host}\``,
      why: "added with `--also-host`",
    })),
  ]);
  group(
    "`--allow-read`, `--allow-write`",
    pathReasons(opts).map((p) => ({ what: `\`${p.path}\``, why: p.why })),
  );
  group("`--allow-env`", ENV_VARS.map((v) => ({ what: `\`${v.name}\``, why: v.why })));
  group("`--allow-sys`", [{
    what: SYS.map((s) => `\`${s}\``).join(", "),
    why: "written into the cache lock, so a second run can say who holds it",
  }]);
  const lines = [
    "| Permission | Allowed | Why |",
    "| --- | --- | --- |",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ];
  return lines.join("\n");
}

/**
 * Options that widen or move the permission set, shared by `deno task compile` and
 * `deno task permissions` so the binary and the workflows take the same spelling.
 */
export const SCOPE_OPTIONS = {
  "cache-dir": { type: "string" },
  "access-dir": { type: "string" },
  "cache-only": { type: "boolean" },
  also: { type: "string", multiple: true },
  "also-host": { type: "string", multiple: true },
} as const;

/** The values parsed with SCOPE_OPTIONS, as PermissionOptions. */
export function scopeFromValues(values: {
  "cache-dir"?: string;
  "access-dir"?: string;
  "cache-only"?: boolean;
  also?: string[];
  "also-host"?: string[];
}): PermissionOptions {
  return {
    cacheDir: values["cache-dir"],
    accessDir: values["access-dir"],
    cacheOnly: values["cache-only"],
    extraPaths: values.also,
    extraHosts: values["also-host"],
  };
}

export const SCOPE_USAGE =
  `  --cache-dir PATH   the cache folder (default ${DEFAULT_CACHE_DIR}; relative paths resolve
                     against the directory the program runs in)
  --access-dir PATH  where \`access --out\` may write (default ${DEFAULT_ACCESS_DIR})
  --cache-only       read and write the cache alone (and --also), not the access, demo and
                     export folders: for runs that only sync and check
  --also PATH        one more folder or file to read and write (repeatable)
  --also-host HOST   one more host to connect to (repeatable), e.g. a file host your tenant's
                     attachments come from`;

const USAGE = `usage: deno task permissions [options]
Prints the flags \`deno run\` needs to run main.ts with the binary's permission set, one per line
(for scripts: \`mapfile -t flags < <(deno task permissions)\`).
${SCOPE_USAGE}
  --markdown         print the permission table of docs/permissions.md instead`;

/** `deno task permissions [options]`: exit code and what to print. */
export function permissionsCommand(argv: string[]): { code: number; out: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...SCOPE_OPTIONS,
        markdown: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { code: 2, out: `permissions: ${(error as Error).message}\n${USAGE}` };
  }
  if (values.help) return { code: 0, out: USAGE };
  const scope = scopeFromValues(values);
  try {
    if (values.markdown) return { code: 0, out: permissionTable(scope) };
    return { code: 0, out: [V8_FLAGS, ...permissionFlags(scope)].join("\n") };
  } catch (error) {
    return { code: 2, out: `permissions: ${(error as Error).message}` };
  }
}

if (import.meta.main) {
  const { code, out } = permissionsCommand(Deno.args);
  (code === 0 ? console.log : console.error)(out);
  Deno.exit(code);
}
