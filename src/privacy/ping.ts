/**
 * The connection test: which commands this key can run. Each endpoint a command needs is probed
 * with the cheapest read (`GET <list>?per_page=1`; the per-candidate reads with the first
 * candidate the list returned); nothing is written, so the write endpoints erase needs are
 * reported as not verifiable. Permission names are Dev Center's on v1 ("Get: List Candidates")
 * and scopes on v3 (`harvest:candidates:list`).
 */
import {
  type ApiVersion,
  availableIn,
  ENTITIES,
  ENTITY_NAMES,
  type EntityName,
  entityPath,
} from "../entities.ts";
import { CredentialsRefused } from "../errors.ts";
import { type HarvestClient, requiredPermission, v1Permission, v3Scope } from "../harvest/mod.ts";
import { RELATED_LISTS } from "./personal_lists.ts";

/**
 * What a probe found: "ok"; "denied" (403: a permission or scope to grant); "not found" (404: this
 * tenant or API version has no such list, which a default sync skips); a write that cannot be
 * tried; a read not tried (no candidate to try it with).
 */
export type EndpointResult =
  | "ok"
  | "denied"
  | "not found"
  | "not verifiable without writing"
  | "not checked";

export interface EndpointCheck {
  /** The Dev Center permission (v1) or scope (v3) the endpoint needs. */
  permission: string;
  /** What was sent, e.g. "GET /users?per_page=1", or the write it stands for. */
  request: string;
  result: EndpointResult;
  /** The answer's status, when a request was sent. */
  status?: number;
}

export type CommandVerdict = "yes" | "no" | "not verifiable" | "unknown";

export interface CommandCheck {
  command: string;
  can: CommandVerdict;
  /** The permissions (v1) or scopes (v3) it needs. */
  needs: string[];
  /** Why not "yes": the permissions refused, not checked, or not verifiable. */
  detail?: string;
}

export interface PingReport {
  api: string;
  baseUrl: string;
  usable: boolean;
  /** Why not usable, one line. */
  reason?: string;
  rateLimit?: { limit: number | null; remaining: number | null; windowSeconds: number };
  endpoints: EndpointCheck[];
  commands: CommandCheck[];
}

type Key =
  | EntityName
  /** v1: a list's per-application endpoint, which `access` reads. */
  | `${EntityName} for application`
  | "activity"
  | "attachments"
  | "delete"
  | "edit"
  | "anonymize";

interface Probe {
  key: Key;
  permission: string;
  /** The read sent; writes have none. */
  path?: string;
  /**
   * The read needs an id: a candidate's (the first the candidates probe returned), or with
   * `ofApplication` one of that candidate's applications.
   */
  perCandidate?: (id: number) => { path: string; params: Record<string, string> };
  ofApplication?: boolean;
  /** A write, shown as this request. */
  write?: string;
}

/**
 * The permission of an entity's list endpoint, from the client's one table
 * (harvest/permissions.ts): on v1 its Dev Center name, the reference's section title ("Get: List
 * Candidate Tags" for /tags/candidate); on v3 the scope of its path's resource
 * (`harvest:candidate_tags:list`).
 */
export function listPermission(version: ApiVersion, name: EntityName): string {
  const path = ENTITIES[name].paths[version];
  const permission = path === undefined ? undefined : requiredPermission(version, "GET", path);
  // Every list of the entity table is in the table (tests/unit/sandbox_permissions_test.ts).
  if (permission === undefined) throw new TypeError(`listPermission: no ${version} list ${name}`);
  return permission;
}

/**
 * The v1 permission of a list's per-application endpoint (`GET /applications/{id}/offers`): its
 * Dev Center name, the reference's section title ("Get: List Scheduled Interviews for
 * Application").
 */
export function applicationListPermission(name: EntityName): string {
  const permission = v1Permission("GET", `/applications/1${ENTITIES[name].paths.v1 ?? ""}`);
  if (permission === undefined) throw new TypeError(`applicationListPermission: ${name}`);
  return permission;
}

/** What to probe on this API version, in the order it is shown. */
function probesFor(client: HarvestClient): Probe[] {
  const d = client.dialect;
  const v = d.version;
  const probes: Probe[] = [{
    key: "users",
    permission: listPermission(v, "users"),
    path: "/users",
  }];
  // Candidates second: the per-candidate reads take their id from its answer.
  const others = ENTITY_NAMES.filter((n) => n !== "candidates" && n !== "users");
  for (const name of ["candidates", ...others] as const) {
    if (!availableIn(ENTITIES[name], v)) continue;
    probes.push({
      key: name,
      permission: listPermission(v, name),
      path: entityPath(ENTITIES[name], d),
    });
  }
  const batch = d.candidateBatch;
  if (batch) {
    const byCandidate = (path: string) => (id: number) => ({
      path,
      params: { [batch.idsParam]: String(id), per_page: "1" },
    });
    probes.push(
      {
        key: "activity",
        permission: v3Scope("GET", batch.notesPath)!,
        perCandidate: byCandidate(batch.notesPath),
      },
      {
        key: "attachments",
        permission: v3Scope("GET", batch.attachmentsPath)!,
        perCandidate: byCandidate(batch.attachmentsPath),
      },
    );
  } else {
    probes.push({
      key: "activity",
      permission: v1Permission("GET", "/candidates/1/activity_feed")!,
      perCandidate: (id) => ({ path: `/candidates/${id}/activity_feed`, params: {} }),
    });
    // The other personal lists, as access reads them on v1: per application.
    for (const name of RELATED_LISTS) {
      const path = ENTITIES[name].paths.v1;
      if (path === undefined) continue;
      probes.push({
        key: `${name} for application`,
        permission: applicationListPermission(name),
        perCandidate: (id) => ({ path: `/applications/${id}${path}`, params: { per_page: "1" } }),
        ofApplication: true,
      });
    }
  }
  const w = d.candidateWrites;
  const needs = (method: string, path: string) => requiredPermission(v, method, path)!;
  if (w.deletePath) {
    probes.push({
      key: "delete",
      permission: needs("DELETE", w.deletePath(1)),
      write: "DELETE /candidates/{id}",
    });
  }
  if (w.editPath) {
    probes.push({
      key: "edit",
      permission: needs("PATCH", w.editPath(1)),
      write: "PATCH /candidates/{id}",
    });
  }
  if (w.anonymize) {
    probes.push({
      key: "anonymize",
      permission: needs(w.anonymize.method, w.anonymize.path(1)),
      write: `${w.anonymize.method} /candidates/{id}/anonymize`,
    });
  }
  return probes;
}

/** The commands, each with the probes it needs (only those this version has). */
function commandsFor(client: HarvestClient, have: Set<Key>): [string, Key[]][] {
  const v3 = client.dialect.candidateBatch !== undefined;
  const entities = ENTITY_NAMES.filter((n) => have.has(n));
  const attachments: Key[] = v3 ? ["attachments"] : ["candidates"];
  const access: Key[] = v3 ? ["candidates", "applications"] : ["candidates"];
  const rows: [string, Key[]][] = entities.map((name) => [name, [name]]);
  // A default sync reports the optional lists it may not read as unavailable and carries on.
  const core = entities.filter((name) => !ENTITIES[name].optional);
  rows.push(
    ["activity_feeds", ["activity"]],
    ["attachments", attachments],
    ["sync", [...core, "activity", ...(v3 ? ["attachments" as const] : [])]],
    ["access", access],
    ["access --include-activity", [...access, "activity"]],
    ["access --include-attachments", v3 ? [...access, "attachments"] : access],
    ["erase --mode delete", ["users", "candidates", "delete"]],
    ["erase --mode anonymize", ["users", "candidates", "edit"]],
    ["erase --anonymize-fields", ["users", "candidates", "edit", "anonymize"]],
  );
  return rows.filter(([, needs]) => needs.every((key) => have.has(key)));
}

function headerNumber(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

function firstCandidateId(body: unknown): number | undefined {
  const id = Array.isArray(body) ? body[0]?.id : undefined;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The first application a v1 candidate names (`application_ids`), if any. */
function firstApplicationId(body: unknown): number | undefined {
  const ids = Array.isArray(body) ? body[0]?.application_ids : undefined;
  const id = Array.isArray(ids) ? ids[0] : undefined;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * What `access` leaves out of the bundle with this key: the other personal lists (related.ts)
 * refused, or not checked (v1 probes them with an application of the first candidate listed).
 */
function accessDetail(client: HarvestClient, byKey: Map<Key, EndpointCheck>): string | undefined {
  const v1 = client.dialect.candidateBatch === undefined;
  const checks = RELATED_LISTS.map((name) => byKey.get(v1 ? `${name} for application` : name))
    .filter((e) => e !== undefined);
  const names = (result: EndpointResult) => [
    ...new Set(checks.filter((e) => e.result === result).map((e) => e.permission)),
  ];
  const parts = [
    ...(names("denied").length
      ? [`leaves out the lists refused: ${names("denied").join(", ")}`]
      : []),
    ...(names("not checked").length ? [`not checked: ${names("not checked").join(", ")}`] : []),
  ];
  return parts.length ? parts.join("; ") : undefined;
}

/**
 * What a default sync leaves out with these credentials: the lists beyond the seven refused (403)
 * or not found (404), and the v3 notes and attachments lists when not found (sync/run.ts).
 */
function syncDetail(client: HarvestClient, byKey: Map<Key, EndpointCheck>): string | undefined {
  const optional: Key[] = ENTITY_NAMES.filter((name) => ENTITIES[name].optional);
  const dependent: Key[] = client.dialect.candidateBatch ? ["activity", "attachments"] : [];
  const checks = [...optional, ...dependent].map((key) => byKey.get(key));
  const names = (result: EndpointResult, among = checks) => [
    ...new Set(among.filter((e) => e?.result === result).map((e) => e!.permission)),
  ];
  const refused = names("denied", optional.map((key) => byKey.get(key)));
  const missing = names("not found");
  const parts = [
    ...(refused.length ? [`refused: ${refused.join(", ")}`] : []),
    ...(missing.length ? [`not found: ${missing.join(", ")}`] : []),
  ];
  return parts.length ? `skips the lists ${parts.join("; ")}` : undefined;
}

function verdict(needs: EndpointCheck[]): Pick<CommandCheck, "can" | "detail"> {
  const names = (result: EndpointResult) =>
    needs.filter((e) => e.result === result).map((e) => e.permission);
  const denied = names("denied");
  const missing = names("not found");
  if (denied.length || missing.length) {
    const parts = [
      ...(denied.length ? [`refused: ${denied.join(", ")}`] : []),
      ...(missing.length ? [`not found: ${missing.join(", ")}`] : []),
    ];
    return { can: "no", detail: parts.join("; ") };
  }
  const unchecked = names("not checked");
  if (unchecked.length) return { can: "unknown", detail: `not checked: ${unchecked.join(", ")}` };
  const writes = names("not verifiable without writing");
  if (writes.length) {
    return {
      can: "not verifiable",
      detail: `reads ok; ${writes.join(", ")} cannot be tested without writing`,
    };
  }
  return { can: "yes" };
}

export async function ping(client: HarvestClient): Promise<PingReport> {
  const report: PingReport = {
    api: client.dialect.version,
    baseUrl: client.baseUrl,
    usable: false,
    endpoints: [],
    commands: [],
  };
  const byKey = await probeAll(client, report);
  if (byKey === undefined) return report; // the credentials were refused: report.reason says so
  report.commands = commandChecks(client, byKey);
  report.reason = unusableReason(client.dialect.version, byKey);
  report.usable = report.reason === undefined;
  return report;
}

/**
 * Sends every probe, in order, into `report.endpoints`; the checks by key, or undefined when the
 * credentials were refused (401, or the v3 token endpoint's refusal), with `report.reason` set.
 */
async function probeAll(
  client: HarvestClient,
  report: PingReport,
): Promise<Map<Key, EndpointCheck> | undefined> {
  const byKey = new Map<Key, EndpointCheck>();
  const ids: { candidate?: number; application?: number } = {};
  /** Lists sharing an endpoint (v3 degrees, schools, disciplines) are asked once. */
  const byPath = new Map<string, EndpointCheck>();
  for (const probe of probesFor(client)) {
    const asked = probe.path === undefined ? undefined : byPath.get(probe.path);
    if (asked) {
      byKey.set(probe.key, asked);
      continue;
    }
    let check: EndpointCheck;
    if (probe.write) {
      check = {
        permission: probe.permission,
        request: probe.write,
        result: "not verifiable without writing",
      };
    } else {
      const read = await probeRead(client, probe, ids, report);
      if (read === undefined) return undefined;
      check = read;
    }
    report.endpoints.push(check);
    byKey.set(probe.key, check);
    if (probe.path !== undefined) byPath.set(probe.path, check);
  }
  return byKey;
}

/**
 * One read probe (with the candidate or application the candidates probe found, when it needs
 * one); undefined when the credentials were refused, with `report.reason` set.
 */
async function probeRead(
  client: HarvestClient,
  probe: Probe,
  ids: { candidate?: number; application?: number },
  report: PingReport,
): Promise<EndpointCheck | undefined> {
  const id = probe.ofApplication ? ids.application : ids.candidate;
  const target = probe.perCandidate
    ? id === undefined ? undefined : probe.perCandidate(id)
    : { path: probe.path!, params: { per_page: "1" } };
  if (target === undefined) {
    const request = probe.perCandidate!(0).path.replace(/\/0(\/|$)/, "/{id}$1");
    return { permission: probe.permission, request: `GET ${request}`, result: "not checked" };
  }
  const query = new URLSearchParams(target.params).toString();
  let response;
  try {
    response = await client.request("GET", target.path, {
      params: target.params,
      allowStatus: [401, 403, 404],
    });
  } catch (error) {
    // The v3 token endpoint refused the credentials: nothing else can be probed.
    if (!(error instanceof CredentialsRefused)) throw error;
    report.reason = error.message;
    return undefined;
  }
  const status = response.status;
  const check: EndpointCheck = {
    permission: probe.permission,
    request: `GET ${target.path}${query ? "?" + query : ""}`,
    status,
    result: status < 300 ? "ok" : status === 404 ? "not found" : "denied",
  };
  report.rateLimit ??= {
    limit: headerNumber(response.headers, "x-ratelimit-limit"),
    remaining: headerNumber(response.headers, "x-ratelimit-remaining"),
    windowSeconds: client.dialect.windowMs / 1000,
  };
  if (status === 401) {
    report.endpoints.push(check);
    report.reason =
      `Greenhouse rejected the credentials (401): check ${client.dialect.credentials}`;
    return undefined;
  }
  if (probe.key === "candidates" && status < 300) {
    ids.candidate = firstCandidateId(response.body);
    ids.application = firstApplicationId(response.body);
  }
  return check;
}

/** Each command's verdict from the probes it needs. */
function commandChecks(client: HarvestClient, byKey: Map<Key, EndpointCheck>): CommandCheck[] {
  const v3 = client.dialect.candidateBatch !== undefined;
  return commandsFor(client, new Set(byKey.keys())).map(([command, keys]) => {
    // A default sync skips the v3 notes or attachments list when it is not found (sync/run.ts).
    const skipped = (key: Key) =>
      command === "sync" && v3 && (key === "activity" || key === "attachments") &&
      byKey.get(key)!.result === "not found";
    const needs = keys.filter((key) => !skipped(key)).map((key) => byKey.get(key)!);
    const check: CommandCheck = {
      command,
      needs: needs.map((e) => e.permission),
      ...verdict(needs),
    };
    if (command === "sync" && check.can === "yes") check.detail = syncDetail(client, byKey);
    if (command.startsWith("access") && check.can === "yes") {
      check.detail = accessDetail(client, byKey);
    }
    return check;
  });
}

/** Why the key is not usable for access and erase (users and candidates), if it is not. */
function unusableReason(version: ApiVersion, byKey: Map<Key, EndpointCheck>): string | undefined {
  for (const key of ["users", "candidates"] as const) {
    const check = byKey.get(key)!;
    const endpoint = check.request.split("?")[0];
    if (check.result === "not found") {
      return `${endpoint} answered 404 (not found), and access and erase need it: check ` +
        "--base-url (GREENHOUSE_BASE_URL)";
    }
    if (check.result !== "ok") {
      return `the key lacks the "${check.permission}" ${
        version === "v3" ? "scope" : "permission"
      }` +
        ` (${check.status} on ${endpoint}), which access and erase need: grant it under ` +
        "Configure › Dev Center › API Credential Management";
    }
  }
  return undefined;
}

/** Columns padded to their widest cell, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
  );
}

/** The rate limit seen and the table of endpoints probed. */
function endpointLines(report: PingReport): string[] {
  const rate = report.rateLimit;
  const kind = report.api === "v3" ? "Scope" : "Permission";
  return [
    rate && rate.limit !== null
      ? `Rate limit: ${rate.limit} requests per ${rate.windowSeconds} s` +
        (rate.remaining !== null ? ` (${rate.remaining} left in this window)` : "")
      : "Rate limit: not reported by the server",
    "",
    ...table([
      ["Endpoint", kind, "Result"],
      ...report.endpoints.map((e) => [
        e.request,
        e.permission,
        e.result + (e.status !== undefined && e.result !== "ok" ? ` (${e.status})` : ""),
      ]),
    ]),
  ];
}

export function formatPing(report: PingReport): string {
  const lines = [`API: Harvest ${report.api} at ${report.baseUrl}`];
  // Nothing was probed when the credentials were refused before the first request.
  if (report.endpoints.length > 0) lines.push(...endpointLines(report));
  if (report.commands.length > 0) {
    lines.push(
      "",
      ...table([
        ["Command", "Can run", "Why"],
        ...report.commands.map((c) => [c.command, c.can, c.detail ?? ""]),
      ]).map((line) => line.trimEnd()),
    );
  }
  lines.push("");
  lines.push(report.usable ? "ping: the key is usable" : `ping: not usable: ${report.reason}`);
  return lines.join("\n") + "\n";
}
