/**
 * The options with which `sandbox` pretends to be a different tenant (lists missing or refused,
 * fields renamed, dropped, added or retyped, a clock that is off, ...), validated at parse time.
 */
import { integerOption, type OptionValues } from "../cli/options.ts";
import { UsageError } from "../errors.ts";
import type { FieldDrift, SandboxOptions } from "../sandbox/mod.ts";

/** A list path as the options name it: `/candidates`, `/demographics/questions`. */
const LIST_PATH = /^\/[a-z_]+(\/[a-z_]+)*$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function strings(values: OptionValues, name: string): string[] {
  const raw = values[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

/** `--missing /jobs,/eeoc`: list paths, each checked. */
function pathList(values: OptionValues, name: string): string[] | undefined {
  const given = strings(values, name);
  if (given.length === 0) return undefined;
  const paths = given.flatMap((text) => text.split(",")).map((p) => p.trim()).filter(Boolean);
  const bad = paths.find((path) => !LIST_PATH.test(path));
  if (bad !== undefined || paths.length === 0) {
    throw new UsageError(
      `--${name} "${bad ?? given.join(",")}" is not a list path; name paths like /candidates, ` +
        "comma-separated",
    );
  }
  return paths;
}

/** `PATH:FIELD` or `PATH:FIELD=VALUE` → its parts, or a usage error naming the option. */
function fieldSpec(name: string, text: string, valued: boolean): [string, string, string?] {
  const m = /^(\/[^:]*):([^=]+)(?:=(.*))?$/.exec(text.trim());
  const [path, field, value] = m ? [m[1], m[2], m[3]] : [];
  const ok = path !== undefined && LIST_PATH.test(path) && FIELD.test(field!) &&
    (valued || value === undefined);
  if (!ok) {
    const form = name === "rename-field"
      ? "PATH:FIELD=NEW_NAME"
      : valued
      ? "PATH:FIELD[=VALUE]"
      : "PATH:FIELD";
    throw new UsageError(`--${name} "${text}" must read ${form}, e.g. /candidates:title`);
  }
  return [path!, field!, value];
}

/** The field drifts of --rename-field, --drop-field, --add-field and --retype-field, by path. */
function fieldDrift(values: OptionValues): FieldDrift[] {
  const byPath = new Map<string, FieldDrift>();
  const drift = (path: string) => {
    let d = byPath.get(path);
    if (!d) byPath.set(path, d = { path });
    return d;
  };
  for (const text of strings(values, "rename-field")) {
    const [path, field, to] = fieldSpec("rename-field", text, true);
    if (to === undefined || !FIELD.test(to)) {
      throw new UsageError(`--rename-field "${text}" must read PATH:FIELD=NEW_NAME`);
    }
    drift(path).rename = { ...drift(path).rename, [field]: to };
  }
  for (const text of strings(values, "drop-field")) {
    const [path, field] = fieldSpec("drop-field", text, false);
    drift(path).drop = [...drift(path).drop ?? [], field];
  }
  for (const text of strings(values, "add-field")) {
    const [path, field, value] = fieldSpec("add-field", text, true);
    let parsed: unknown = value ?? "sandbox";
    try {
      if (value !== undefined) parsed = JSON.parse(value);
    } catch { /* not JSON: the text itself */ }
    drift(path).add = { ...drift(path).add, [field]: parsed };
  }
  for (const text of strings(values, "retype-field")) {
    const [path, field] = fieldSpec("retype-field", text, false);
    drift(path).retype = [...drift(path).retype ?? [], field];
  }
  return [...byPath.values()];
}

/** `--clock-skew=-600`: whole seconds, either sign. */
function clockSkew(values: OptionValues): number | undefined {
  const text = values["clock-skew"];
  if (typeof text !== "string") return undefined;
  if (!/^[+-]?\d{1,9}$/.test(text.trim())) {
    throw new UsageError(
      `--clock-skew "${text}" must be whole seconds, e.g. --clock-skew=-600 for 10 min behind`,
    );
  }
  return Number(text) * 1000;
}

function tokenExpiry(values: OptionValues): "expires_at" | "expires_in" | undefined {
  const text = values["token-expiry"];
  if (text === undefined) return undefined;
  if (text !== "expires_at" && text !== "expires_in") {
    throw new UsageError(`--token-expiry "${text}" must be expires_at or expires_in`);
  }
  return text;
}

/** The "different tenant" options (undefined where not given: the sandbox's defaults). */
export function tenantOptions(values: OptionValues): SandboxOptions {
  const seconds = (name: string, max: number) =>
    values[name] === undefined ? undefined : integerOption(values, name, 0, 1, max) * 1000;
  const count = (name: string) =>
    values[name] === undefined ? undefined : integerOption(values, name, 0, 0, 100_000);
  const options: SandboxOptions = {
    missingPaths: pathList(values, "missing"),
    deniedPaths: pathList(values, "deny"),
    v3Scopes: strings(values, "scopes").length
      ? strings(values, "scopes").flatMap((s) => s.split(/[\s,]+/)).filter(Boolean)
      : undefined,
    tokenScopes: values["token-scopes"] === true || undefined,
    fieldDrift: fieldDrift(values),
    v3RateLimit: count("v3-rate-limit"),
    windowMs: seconds("window", 3600),
    v3WindowMs: seconds("v3-window", 3600),
    tokenLifetimeMs: seconds("token-lifetime", 30 * 86_400),
    tokenExpiry: tokenExpiry(values),
    clockSkewMs: clockSkew(values),
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length)),
  );
}
