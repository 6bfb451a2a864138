/**
 * Options shared by several commands, parsed once here so every command spells and validates
 * them the same way.
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";
import { parseIsoDate } from "./dates.ts";
import type { Env } from "../context.ts";
import type { ApiVersion } from "../entities.ts";
import {
  parseFileHosts,
  processMayReach,
  type ReachQuery,
  withinReach,
} from "../dependent/file_hosts.ts";

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export const DEFAULT_BASE_URLS: Record<ApiVersion, string> = {
  v1: "https://harvest.greenhouse.io/v1",
  v3: "https://harvest.greenhouse.io/v3",
};
export const DEFAULT_BASE_URL = DEFAULT_BASE_URLS.v1;
export const DEFAULT_AUTH_URL = "https://auth.greenhouse.io/token";
export const DEFAULT_CACHE_DIR = "./greenhouse-cache";
export const DEFAULT_RATE_TARGET = 0.8;

/**
 * The largest `per_page` either version takes: v1's documented maximum, and v3's, above which
 * v3 answers 422 rather than capping (src/harvest/dialect.ts).
 */
export const MAX_PER_PAGE = 500;

/** One help line per option: [flags, description]. */
export type OptionHelp = [string, string][];

export const cacheOptions: OptionsConfig = { "cache-dir": { type: "string" } };
export const cacheHelp: OptionHelp = [
  ["--cache-dir DIR", `Cache folder (env GREENHOUSE_CACHE_DIR, default ${DEFAULT_CACHE_DIR})`],
];

export const connectionOptions: OptionsConfig = {
  api: { type: "string" },
  "base-url": { type: "string" },
  "auth-url": { type: "string" },
  "rate-target": { type: "string" },
  "per-page": { type: "string" },
  "file-hosts": { type: "string" },
};
export const connectionHelp: OptionHelp = [
  [
    "--api v1|v3",
    "Harvest API version (env GREENHOUSE_API_VERSION; default follows the credentials set)",
  ],
  [
    "--base-url URL",
    "Harvest API base URL (env GREENHOUSE_BASE_URL, default https://harvest.greenhouse.io/<api>)",
  ],
  ["--auth-url URL", `v3 token endpoint (env GREENHOUSE_AUTH_URL, default ${DEFAULT_AUTH_URL})`],
  ["--rate-target F", "Share of the API rate limit to use, 0.1 to 1 (default 0.8)"],
  ["--per-page N", `Records per list page, 1 to ${MAX_PER_PAGE} (default ${MAX_PER_PAGE})`],
  [
    "--file-hosts LIST",
    "Only download attachment files from these hosts (host, host:port or *.domain, " +
    "comma-separated; env GREENHOUSE_FILE_HOSTS); narrows this build's hosts, never widens them",
  ],
];

export const outputOptions: OptionsConfig = { quiet: { type: "boolean", short: "q" } };
export const outputHelp: OptionHelp = [["-q, --quiet", "No progress output (the summary stays)"]];

export const dateOptions: OptionsConfig = {
  created_after: { type: "string", short: "a" },
  "created-after": { type: "string" },
  created_before: { type: "string", short: "b" },
  "created-before": { type: "string" },
};
export const dateHelp: OptionHelp = [
  ["-a, --created_after DATE", "Only records created at or after DATE (ISO-8601)"],
  ["-b, --created_before DATE", "Only records created before DATE (ISO-8601)"],
];

/** What every connection has, whatever the version. */
interface ConnectionCommon {
  baseUrl: string;
  rateTarget: number;
  /** `--per-page`; undefined = the maximum. */
  perPage?: number;
  /** `--file-hosts` / GREENHOUSE_FILE_HOSTS; undefined = every host this build may reach. */
  fileHosts?: string[];
}

/** Where and how to reach Harvest: one variant per API version, each with its own credentials. */
export type Connection =
  | ConnectionCommon & { api: "v1"; apiKey: string }
  | ConnectionCommon & {
    api: "v3";
    clientId: string;
    clientSecret: string;
    authUrl: string;
    /** Greenhouse user id the token acts as (token `sub`); v1 sends On-Behalf-Of per request. */
    onBehalfOf?: string;
  };

/** The connection acting as a user: v3 mints its token for that user; v1 is unchanged. */
export function actingAs(conn: Connection, userId: string): Connection {
  return conn.api === "v3" ? { ...conn, onBehalfOf: userId } : conn;
}

function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) return stringValue({ [name]: value[value.length - 1] }, name);
  return typeof value === "string" ? value : undefined;
}

export function cacheDir(values: OptionValues, env: Env): string {
  const dir = stringValue(values, "cache-dir") ?? env("GREENHOUSE_CACHE_DIR") ?? DEFAULT_CACHE_DIR;
  if (dir.trim() === "") throw new UsageError("--cache-dir must not be empty");
  return dir;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/** Validates a base URL before anything is sent: https, or http only on loopback (the sandbox). */
export function parseBaseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} "${value}" is not a URL`);
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    throw new UsageError(
      `${source} "${value}" uses plain http://, which would send the API key in clear: use https://`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${source} "${value}" must be an https:// URL`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${source} must not carry credentials: use GREENHOUSE_API_KEY`);
  }
  return url.href.replace(/\/+$/, "");
}

/** The Harvest base URL: as parseBaseUrl, and paths are joined to it, so no query or fragment. */
export function parseApiBaseUrl(value: string, source: string): string {
  const parsed = parseBaseUrl(value, source);
  const url = new URL(parsed);
  if (url.search || url.hash) {
    throw new UsageError(`${source} "${value}" must not have a query string or fragment`);
  }
  return parsed;
}

/** A whole-number option from `min` to `max`; `fallback` when it is not given. */
export function integerOption(
  values: OptionValues,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = values[name];
  if (typeof text !== "string") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`--${name} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function rateTarget(values: OptionValues): number {
  const text = stringValue(values, "rate-target");
  if (text === undefined) return DEFAULT_RATE_TARGET;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0.1 || value > 1 || text.trim() === "") {
    throw new UsageError(`--rate-target "${text}" must be a number from 0.1 to 1`);
  }
  return value;
}

/** --api / GREENHOUSE_API_VERSION, else the version the credentials in the environment select. */
export function apiVersion(values: OptionValues, env: Env): ApiVersion {
  const flag = stringValue(values, "api");
  const source = flag !== undefined ? "--api" : "GREENHOUSE_API_VERSION";
  const text = flag ?? (env("GREENHOUSE_API_VERSION") || undefined);
  if (text !== undefined) {
    const v = text.trim().toLowerCase();
    if (v === "v1" || v === "v3") return v;
    throw new UsageError(`${source} "${text}" must be v1 or v3`);
  }
  const hasKey = !!env("GREENHOUSE_API_KEY");
  const hasV3 = !!env("GREENHOUSE_CLIENT_ID") || !!env("GREENHOUSE_CLIENT_SECRET");
  if (hasKey && hasV3) {
    throw new UsageError(
      "both GREENHOUSE_API_KEY (v1) and GREENHOUSE_CLIENT_ID/GREENHOUSE_CLIENT_SECRET (v3) are " +
        "set: unset one, or choose with --api v1|v3 (env GREENHOUSE_API_VERSION)",
    );
  }
  if (hasV3) return "v3";
  if (hasKey) return "v1";
  throw new UsageError(
    "no Harvest credentials: export GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET (v3), " +
      "or GREENHOUSE_API_KEY (v1); they are never taken as flags",
  );
}

function urlSetting(
  values: OptionValues,
  env: Env,
  flag: string,
  variable: string,
  fallback: string,
  parse: (value: string, source: string) => string = parseBaseUrl,
): string {
  const fromFlag = stringValue(values, flag);
  if (fromFlag !== undefined) return parse(fromFlag, `--${flag}`);
  const fromEnv = env(variable);
  return fromEnv ? parse(fromEnv, variable) : fallback;
}

/**
 * `--file-hosts` / GREENHOUSE_FILE_HOSTS: the hosts attachment downloads are limited to. Each must
 * lie within what this build may connect to: the option narrows, it never widens.
 */
export function fileHostsOption(
  values: OptionValues,
  env: Env,
  mayReach: ReachQuery = processMayReach,
): string[] | undefined {
  const flag = stringValue(values, "file-hosts");
  const source = flag !== undefined ? "--file-hosts" : "GREENHOUSE_FILE_HOSTS";
  const text = flag ?? (env("GREENHOUSE_FILE_HOSTS") || undefined);
  if (text === undefined) return undefined;
  const parsed = parseFileHosts(text);
  if ("bad" in parsed) {
    throw new UsageError(
      `${source} "${parsed.bad}" ${parsed.why}; give hosts such as ` +
        "prod-heroku.s3.amazonaws.com or *.amazonaws.com, separated by commas",
    );
  }
  for (const host of parsed.hosts) {
    if (!withinReach(host, mayReach)) {
      throw new UsageError(
        `${source} "${host}" is outside the hosts this build may connect to, and it can only ` +
          "narrow them; leave it out, or build with --also-host (docs/permissions.md)",
      );
    }
  }
  return parsed.hosts;
}

export function connection(values: OptionValues, env: Env): Connection {
  const api = apiVersion(values, env);
  const baseUrl = urlSetting(
    values,
    env,
    "base-url",
    "GREENHOUSE_BASE_URL",
    DEFAULT_BASE_URLS[api],
    parseApiBaseUrl,
  );
  const target = rateTarget(values);
  const common: Omit<ConnectionCommon, "baseUrl" | "rateTarget"> = {};
  if (values["per-page"] !== undefined) {
    common.perPage = integerOption(values, "per-page", MAX_PER_PAGE, 1, MAX_PER_PAGE);
  }
  const fileHosts = fileHostsOption(values, env);
  if (fileHosts) common.fileHosts = fileHosts;
  if (api === "v1") {
    const apiKey = env("GREENHOUSE_API_KEY");
    if (!apiKey) {
      throw new UsageError(
        "GREENHOUSE_API_KEY is not set: export your Harvest API key in GREENHOUSE_API_KEY (it is never taken as a flag)",
      );
    }
    return { api, baseUrl, apiKey, rateTarget: target, ...common };
  }
  const authUrl = urlSetting(values, env, "auth-url", "GREENHOUSE_AUTH_URL", DEFAULT_AUTH_URL);
  const clientId = env("GREENHOUSE_CLIENT_ID")?.trim();
  const clientSecret = env("GREENHOUSE_CLIENT_SECRET")?.trim();
  const missing = [
    clientId ? undefined : "GREENHOUSE_CLIENT_ID",
    clientSecret ? undefined : "GREENHOUSE_CLIENT_SECRET",
  ].filter(Boolean);
  if (missing.length) {
    throw new UsageError(
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set: Harvest v3 ` +
        "needs both the client id and the client secret of a v3 API credential in the " +
        "environment (never as flags)",
    );
  }
  return {
    api,
    baseUrl,
    rateTarget: target,
    ...common,
    clientId: clientId!,
    clientSecret: clientSecret!,
    authUrl,
  };
}

export interface DateRange {
  after?: Date;
  before?: Date;
}

export function dateRange(values: OptionValues): DateRange {
  const pick = (a: string, b: string, flag: string): Date | undefined => {
    const first = stringValue(values, a);
    const second = stringValue(values, b);
    if (first !== undefined && second !== undefined && first !== second) {
      throw new UsageError(`--${a} and --${b} are the same option: give it once`);
    }
    const text = first ?? second;
    return text === undefined ? undefined : parseIsoDate(text, flag);
  };
  const after = pick("created_after", "created-after", "--created_after");
  const before = pick("created_before", "created-before", "--created_before");
  if (after && before && after.getTime() >= before.getTime()) {
    throw new UsageError(
      `--created_after ${after.toISOString()} is not before --created_before ${before.toISOString()}: nothing can match`,
    );
  }
  return { after, before };
}

export function quiet(values: OptionValues): boolean {
  return values.quiet === true;
}

export function formatOptionHelp(help: OptionHelp): string {
  const width = Math.max(...help.map(([flags]) => flags.length)) + 2;
  return help.map(([flags, text]) => `  ${flags.padEnd(width)}${text}`).join("\n");
}
