/** `doctor`'s report as people read it: a row per list, the facts seen, the verdict last. */
import { dirname } from "node:path";
import { writeFileAtomic } from "../cache/mod.ts";
import { formatSummaryJson } from "../summary.ts";
import type { DoctorReport, ListRow } from "./types.ts";
import { driftPhrase } from "./verdict.ts";

/** Columns padded to their widest cell, two spaces apart (the last one not padded). */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
  );
}

/** A row's result: `ok (10 records)`, `unavailable (403: grant …)`, `not found (404: /path)`. */
export function rowResult(row: ListRow): string {
  const n = row.shape?.records;
  const records = n === undefined ? "" : ` (${n} record${n === 1 ? "" : "s"})`;
  switch (row.status) {
    case "ok":
      return `ok${records}`;
    case "drift":
      return `drift${records}: ${row.detail ?? driftPhrase(row.shape!)}`;
    case "unavailable":
      return `unavailable (403: grant ${row.grant})`;
    case "not found":
      return `not found (404: ${row.path})`;
    case "refused":
      return "refused (401: the credentials)";
    default:
      return `${row.status}${row.detail ? `: ${row.detail}` : ""}`;
  }
}

function rateLine(report: DoctorReport): string {
  const rate = report.rateLimit;
  const limit = rate.limits.length
    ? `${rate.limits.join(" / ")} requests per window (X-RateLimit-Limit)`
    : "no X-RateLimit-Limit sent";
  const w = rate.window;
  const window = w.seen === "exact"
    ? `window seen: ${w.seconds} s`
    : w.seen === "at least"
    ? `window seen: at least ${w.seconds} s`
    : "window: not seen in this run";
  return `Rate limit: ${limit}; ${window} (the tool paces for ${rate.assumedWindowSeconds} s)` +
    (rate.rateLimited ? `; ${rate.rateLimited} answer(s) 429` : "");
}

function tokenLine(report: DoctorReport): string | undefined {
  const token = report.token;
  if (!token) return undefined;
  const life = token.lifetimeSeconds === undefined
    ? `no lifetime stated (the tool assumes ${token.assumedSeconds} s)`
    : `lives ${token.lifetimeSeconds} s (${token.lifetimeFrom})`;
  const scopes = token.scopes
    ? `${token.scopes.length} scope(s) named (${token.scopesFrom})` +
      (token.missingScopes?.length ? `, ${token.missingScopes.length} needed not among them` : "")
    : "scopes: not named";
  return `Token: ${life}; ${scopes}`;
}

function clockLine(report: DoctorReport): string {
  const skew = report.clock.skewSeconds;
  if (skew === undefined) return "Clock: no answer carried a Date header";
  if (Math.abs(skew) <= 1) return "Clock: the server's clock agrees with ours (within a second)";
  return `Clock: the server's clock is ${Math.abs(skew)} s ${
    skew > 0 ? "ahead of" : "behind"
  } ours`;
}

function filesLine(report: DoctorReport): string {
  const files = report.attachments;
  const hosts = files.hosts.length ? files.hosts.join(" → ") : "";
  switch (files.outcome) {
    case "ok":
      return `Attachments: a file URL leads to ${hosts} (allowed; body not read)`;
    case "no file seen":
      return `Attachments: not checked (${files.detail})`;
    default:
      return `Attachments: ${hosts ? `${hosts}: ` : ""}${files.outcome}: ${files.detail}`;
  }
}

export function formatDoctor(report: DoctorReport, baseUrl: string): string {
  const lines = [
    `API: Harvest ${report.api} at ${baseUrl}, first page of each list (per_page=${report.perPage})`,
    "",
    ...table([
      ["List", "Path", "Result"],
      ...report.lists.map((row) => [row.list, row.path, rowResult(row)]),
    ]),
    "",
    rateLine(report),
  ];
  const token = tokenLine(report);
  if (token) lines.push(token);
  lines.push(clockLine(report), filesLine(report));
  if (report.blockers.length) {
    lines.push(
      "",
      "Would stop a nightly sync:",
      ...report.blockers.map((b) => `- ${b}`),
    );
  }
  if (report.warnings.length) {
    lines.push(
      "",
      "Worth knowing:",
      ...report.warnings.map((w) => `- ${w}`),
    );
  }
  lines.push("", `${report.requests} requests in ${report.seconds} s`, report.verdict);
  return lines.join("\n") + "\n";
}

/**
 * The report as the one `--json` document every command prints (src/summary.ts): the envelope,
 * with one step `doctor` and the verdict as the error when a nightly sync would not work, then the
 * report's own members. `--report` writes the same document.
 */
export function doctorJson(report: DoctorReport): string {
  const { startedAt, seconds, requests, ok, ...rest } = report;
  const status = ok ? "ok" as const : "failed" as const;
  return formatSummaryJson({
    command: "doctor",
    startedAt: new Date(startedAt),
    seconds,
    steps: [{ step: "doctor", status, requests, seconds }],
    ok,
    ...(ok ? {} : { error: { kind: "run" as const, message: report.verdict } }),
  }, rest);
}

/** `--report FILE`: the document, written atomically (its folder made first). */
export async function writeDoctorReport(path: string, json: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, json);
}
