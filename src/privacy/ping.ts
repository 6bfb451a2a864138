/**
 * The connection test: the cheapest read (`GET /users?per_page=1`, the "List Users" base scope),
 * then whether the key may list candidates (`GET /candidates?per_page=1`), which access and
 * erase need. Write scopes cannot be tested without writing.
 */
import type { HarvestClient } from "../harvest/mod.ts";

export interface ScopeCheck {
  scope: string;
  request: string;
  status: number;
  ok: boolean;
}

export interface PingReport {
  api: string;
  baseUrl: string;
  usable: boolean;
  /** Why not usable, one line. */
  reason?: string;
  rateLimit?: { limit: number | null; remaining: number | null; windowSeconds: number };
  checks: ScopeCheck[];
}

function headerNumber(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

export async function ping(client: HarvestClient): Promise<PingReport> {
  const report: PingReport = {
    api: client.dialect.version,
    baseUrl: client.baseUrl,
    usable: false,
    checks: [],
  };
  const users = await client.request("GET", "/users", {
    params: { per_page: "1" },
    allowStatus: [401, 403],
  });
  report.checks.push({
    scope: "Get: List Users",
    request: "GET /users?per_page=1",
    status: users.status,
    ok: users.status < 300,
  });
  report.rateLimit = {
    limit: headerNumber(users.headers, "x-ratelimit-limit"),
    remaining: headerNumber(users.headers, "x-ratelimit-remaining"),
    windowSeconds: client.dialect.windowMs / 1000,
  };
  if (users.status === 401) {
    report.reason =
      `Greenhouse rejected the credentials (401): check ${client.dialect.credentials}`;
    return report;
  }
  if (users.status === 403) {
    report.reason = 'the key lacks the "Get: List Users" scope (403 on GET /users): grant it ' +
      "under Configure › Dev Center › API Credential Management";
    return report;
  }
  const candidates = await client.request("GET", "/candidates", {
    params: { per_page: "1" },
    allowStatus: [401, 403],
  });
  report.checks.push({
    scope: "Get: List Candidates",
    request: "GET /candidates?per_page=1",
    status: candidates.status,
    ok: candidates.status < 300,
  });
  if (candidates.status >= 300) {
    report.reason = `the key lacks the "Get: List Candidates" scope (${candidates.status} on ` +
      "GET /candidates), which access and erase need: grant it under Configure › Dev Center › " +
      "API Credential Management";
    return report;
  }
  report.usable = true;
  return report;
}

export function formatPing(report: PingReport): string {
  const lines = [`API: Harvest ${report.api} at ${report.baseUrl}`];
  const rate = report.rateLimit;
  if (rate && rate.limit !== null) {
    lines.push(
      `Rate limit: ${rate.limit} requests per ${rate.windowSeconds} s` +
        (rate.remaining !== null ? ` (${rate.remaining} left in this window)` : ""),
    );
  } else lines.push("Rate limit: not reported by the server");
  for (const check of report.checks) {
    lines.push(
      `${check.ok ? "ok    " : "DENIED"} ${check.scope} (${check.request} → ${check.status})`,
    );
  }
  if (report.usable) {
    lines.push(
      "Not checked: the write scopes erase needs (Delete: Delete Candidate, Patch: Edit " +
        "Candidate) cannot be tested without writing; erase reports a 403 naming them.",
    );
    lines.push("ping: the key is usable");
  } else lines.push(`ping: not usable: ${report.reason}`);
  return lines.join("\n") + "\n";
}
