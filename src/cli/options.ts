/**
 * Options shared by several commands, parsed once here so every command spells and validates
 * them the same way.
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";
import { parseIsoDate } from "./dates.ts";
import type { Env } from "./context.ts";

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export const DEFAULT_BASE_URL = "https://harvest.greenhouse.io/v1";
export const DEFAULT_CACHE_DIR = "./greenhouse-cache";
export const DEFAULT_RATE_TARGET = 0.8;

/** One help line per option: [flags, description]. */
export type OptionHelp = [string, string][];

export const cacheOptions: OptionsConfig = { "cache-dir": { type: "string" } };
export const cacheHelp: OptionHelp = [
  ["--cache-dir DIR", `Cache folder (env GREENHOUSE_CACHE_DIR, default ${DEFAULT_CACHE_DIR})`],
];

export const connectionOptions: OptionsConfig = {
  "base-url": { type: "string" },
  "rate-target": { type: "string" },
};
export const connectionHelp: OptionHelp = [
  ["--base-url URL", `Harvest API base URL (env GREENHOUSE_BASE_URL, default ${DEFAULT_BASE_URL})`],
  ["--rate-target F", "Share of the API rate limit to use, 0.1 to 1 (default 0.8)"],
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

export interface Connection {
  api: "v1";
  baseUrl: string;
  apiKey: string;
  rateTarget: number;
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

export function rateTarget(values: OptionValues): number {
  const text = stringValue(values, "rate-target");
  if (text === undefined) return DEFAULT_RATE_TARGET;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0.1 || value > 1 || text.trim() === "") {
    throw new UsageError(`--rate-target "${text}" must be a number from 0.1 to 1`);
  }
  return value;
}

export function connection(values: OptionValues, env: Env): Connection {
  const flag = stringValue(values, "base-url");
  const fromEnv = env("GREENHOUSE_BASE_URL");
  const baseUrl = flag !== undefined
    ? parseBaseUrl(flag, "--base-url")
    : fromEnv
    ? parseBaseUrl(fromEnv, "GREENHOUSE_BASE_URL")
    : DEFAULT_BASE_URL;
  const target = rateTarget(values);
  const apiKey = env("GREENHOUSE_API_KEY");
  if (!apiKey) {
    throw new UsageError(
      "GREENHOUSE_API_KEY is not set: export your Harvest API key in GREENHOUSE_API_KEY (it is never taken as a flag)",
    );
  }
  return { api: "v1", baseUrl, apiKey, rateTarget: target };
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
