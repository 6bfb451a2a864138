/**
 * Pretending to be a tenant whose records differ from the documented shape: on a chosen list,
 * fields renamed, dropped, added or given another JSON type. What a user sees on first contact
 * when Greenhouse's answers are not what the tool's schemas say, for `doctor` and `sync`'s drift
 * counts to be tried against (`sandbox --rename-field …`, docs/commands.md).
 *
 * Applied to every 2xx JSON answer of a GET on the list's path or below it (its records by id
 * too), after the route built it: the tenant itself, and `sandbox.served()`, stay documented.
 */
import type { ApiVersion } from "../entities.ts";
import type { Reply } from "./reply.ts";

export interface FieldDrift {
  /** The list's path relative to the version's base URL, e.g. "/candidates". */
  path: string;
  /** Only this version's list; default both. */
  version?: ApiVersion;
  /** Fields renamed, old name → new name (top-level fields of each record). */
  rename?: Record<string, string>;
  /** Fields left out. */
  drop?: string[];
  /** Fields added to every record, with their value. */
  add?: Record<string, unknown>;
  /**
   * Fields whose value changes JSON type: a string becomes a number when it reads as one and a
   * one-item array otherwise; any other value becomes its JSON text.
   */
  retype?: string[];
}

function retyped(value: unknown): unknown {
  if (typeof value !== "string") return JSON.stringify(value) ?? "null";
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : [value];
}

function driftRecord(record: unknown, drift: FieldDrift): unknown {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return record;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (drift.drop?.includes(name)) continue;
    const renamed = drift.rename?.[name] ?? name;
    out[renamed] = drift.retype?.includes(name) ? retyped(value) : value;
  }
  return { ...out, ...drift.add };
}

function under(rel: string, prefix: string): boolean {
  return rel === prefix || rel.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
}

/** The reply with the drifts of `rel`'s list applied (unchanged when none applies). */
export function driftedReply(
  drifts: readonly FieldDrift[],
  version: ApiVersion,
  rel: string,
  reply: Reply,
): Reply {
  const mine = drifts.filter((d) => (d.version ?? version) === version && under(rel, d.path));
  if (mine.length === 0 || reply.status >= 300 || typeof reply.body !== "string") return reply;
  let body: unknown;
  try {
    body = JSON.parse(reply.body);
  } catch {
    return reply;
  }
  for (const drift of mine) {
    body = Array.isArray(body)
      ? body.map((record) => driftRecord(record, drift))
      : driftRecord(body, drift);
  }
  const headers = Object.fromEntries(
    Object.entries(reply.headers).filter(([name]) => name.toLowerCase() !== "content-length"),
  );
  return { ...reply, body: JSON.stringify(body), headers };
}
