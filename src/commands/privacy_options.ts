/** Options of the privacy commands (access, erase), validated at parse time (before any request). */
import type { Env } from "../context.ts";
import type { ApiVersion } from "../entities.ts";
import { integerOption, type OptionsConfig, type OptionValues } from "../cli/options.ts";
import { UsageError } from "../errors.ts";
import { positiveId } from "../ids.ts";
import { ANONYMIZE_FIELD_NAMES, DEFAULT_ANONYMIZE_FIELDS } from "../privacy/mod.ts";

export const emailOptions: OptionsConfig = { email: { type: "string" } };

/** The subject's address: required, one `@`, no spaces inside. Kept as typed (trimmed). */
export function emailOption(values: OptionValues, command: string): string {
  const value = values.email;
  if (typeof value !== "string") {
    throw new UsageError(`${command} needs --email ADDRESS (the data subject's e-mail address)`);
  }
  const address = value.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
    throw new UsageError(`--email "${value}" is not an e-mail address`);
  }
  return address;
}

/** The Greenhouse user every write is made on behalf of: --on-behalf-of or GREENHOUSE_ON_BEHALF_OF. */
export function onBehalfOf(values: OptionValues, env: Env): number {
  const flag = integerOption(values, "on-behalf-of", 0, 1, Number.MAX_SAFE_INTEGER);
  if (flag > 0) return flag;
  const fromEnv = env("GREENHOUSE_ON_BEHALF_OF");
  if (fromEnv === undefined || fromEnv.trim() === "") {
    throw new UsageError(
      "erase needs --on-behalf-of USER_ID (or GREENHOUSE_ON_BEHALF_OF): the Greenhouse user " +
        "the erasure is recorded against; nothing was sent",
    );
  }
  const text = fromEnv.trim();
  // Leading zeros are accepted here ("007" is user 7): people type this one by hand.
  const value = /^\d+$/.test(text) ? positiveId(Number(text)) : undefined;
  if (value === undefined) {
    throw new UsageError(`GREENHOUSE_ON_BEHALF_OF "${fromEnv}" must be a positive whole number`);
  }
  return value;
}

/**
 * `--anonymize-fields LIST`: the names Harvest's anonymize endpoint takes (comma-separated), or
 * `default` for the candidate's files and activity. Only with `--mode anonymize`.
 */
export function anonymizeFieldsOption(
  values: OptionValues,
  mode: string,
  version: ApiVersion,
): readonly string[] | undefined {
  const text = values["anonymize-fields"];
  if (text === undefined) return undefined;
  if (mode !== "anonymize") {
    throw new UsageError(
      "--anonymize-fields goes with --mode anonymize: a deleted candidate has nothing left to anonymize",
    );
  }
  if (typeof text !== "string" || text.trim() === "") {
    throw new UsageError(
      `--anonymize-fields needs field names (e.g. attachments,notes) or "default"`,
    );
  }
  if (text.trim() === "default") return DEFAULT_ANONYMIZE_FIELDS;
  const names = [...new Set(text.split(",").map((name) => name.trim()).filter((n) => n !== ""))];
  // Each version's own names (v3's enum has v1's and more): checked before any request.
  const known = ANONYMIZE_FIELD_NAMES[version];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    const other = version === "v1" ? "v3" : "v1";
    const elsewhere = unknown.filter((name) => ANONYMIZE_FIELD_NAMES[other].includes(name));
    throw new UsageError(
      `--anonymize-fields: ${unknown.map((n) => JSON.stringify(n)).join(", ")} ` +
        `${unknown.length === 1 ? "is not a field" : "are not fields"} Harvest ${version}'s ` +
        "anonymize endpoint takes" +
        (elsewhere.length > 0 ? ` (${elsewhere.join(", ")}: ${other} only)` : "") +
        `; use "default" or names from: ${known.join(", ")}`,
    );
  }
  return names;
}
