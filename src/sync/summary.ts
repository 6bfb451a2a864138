/** The end-of-sync summary: a plain table for the terminal, Markdown for CI, JSON for scripts. */
import { formatSummaryJson } from "../summary.ts";
import type { StepReport } from "./run.ts";

const COLUMNS = ["new", "updated", "unchanged", "removed", "requests", "seconds"] as const;

function cells(r: StepReport): string[] {
  const status = r.status === "ok" ? r.mode : r.status;
  return [
    r.step,
    status,
    ...COLUMNS.map((c) => c === "seconds" ? r.seconds.toFixed(1) : String(r[c])),
  ];
}

const HEADER = ["step", "status", ...COLUMNS];

export function totals(reports: StepReport[]) {
  return {
    failed: reports.filter((r) => r.status === "failed").map((r) => r.step),
    requests: reports.reduce((sum, r) => sum + r.requests, 0),
    interrupted: reports.some((r) => r.status === "interrupted"),
  };
}

/** One line saying how it went, after the table. */
export function summaryLine(reports: StepReport[], seconds: number): string {
  const { failed, requests, interrupted } = totals(reports);
  const outcome = interrupted
    ? `sync interrupted${failed.length ? ` (failed: ${failed.join(", ")})` : ""}`
    : failed.length === 0
    ? "sync complete"
    : `sync finished with ${failed.length} failed step(s) (${failed.join(", ")})`;
  return `${outcome}: ${reports.length} step(s), ${requests} requests, ${seconds.toFixed(1)}s`;
}

export function formatTable(reports: StepReport[], seconds: number): string {
  const rows = [HEADER, ...reports.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  ")
      .trimEnd()
  );
  return lines.join("\n") + "\n" + summaryLine(reports, seconds) + "\n";
}

export function formatMarkdown(reports: StepReport[], seconds: number, when: Date): string {
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const lines = [
    `### Greenhouse sync, ${when.toISOString()}`,
    "",
    row(HEADER),
    row(HEADER.map((_, i) => (i < 2 ? "---" : "---:"))),
    ...reports.map((r) => row(cells(r))),
    "",
    summaryLine(reports, seconds),
  ];
  for (const r of reports) {
    if (r.error) lines.push("", `- **${r.step}** failed: ${r.error.replaceAll("|", "\\|")}`);
  }
  return lines.join("\n") + "\n\n";
}

export function formatJson(reports: StepReport[], seconds: number, when: Date): string {
  const { interrupted } = totals(reports);
  return formatSummaryJson({
    command: "sync",
    startedAt: when,
    seconds,
    steps: reports,
    interrupted,
  });
}
