/** The end-of-sync summary: a plain table for the terminal, Markdown for CI, JSON for scripts. */
import { relative } from "node:path";
import { CHANGE_KINDS, type ChangeLog } from "../cache/mod.ts";
import { formatSummaryJson } from "../summary.ts";
import { driftLine, type EntityDrift } from "./drift.ts";
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

/** One line per entity whose records differ from its published schema. */
export function driftLines(reports: StepReport[]): string[] {
  return reports.filter((r) => r.drift).map((r) => driftLine(r.step, r.drift!));
}

export function formatTable(reports: StepReport[], seconds: number): string {
  const rows = [HEADER, ...reports.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  ")
      .trimEnd()
  );
  return [...lines, ...driftLines(reports), summaryLine(reports, seconds)].join("\n") + "\n";
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
    if (r.error) {
      const what = r.status === "failed" ? "failed" : "was skipped";
      lines.push("", `- **${r.step}** ${what}: ${r.error.replaceAll("|", "\\|")}`);
    }
  }
  for (const line of driftLines(reports)) lines.push("", `- ${line.replaceAll("*", "\\*")}`);
  return lines.join("\n") + "\n\n";
}

/**
 * The JSON summary, with `drift`: per entity whose records differ from its published schema,
 * what EntityDrift says (`{}` when none does).
 */
export function formatJson(reports: StepReport[], seconds: number, when: Date): string {
  const { interrupted, failed } = totals(reports);
  const message = summaryLine(reports, seconds);
  const drift: Record<string, EntityDrift> = {};
  const steps = reports.map(({ drift: found, ...step }) => {
    if (found) drift[step.step] = found;
    return step;
  });
  return formatSummaryJson({
    command: "sync",
    startedAt: when,
    seconds,
    steps,
    interrupted,
    // The line stderr ends with (`sync finished with 2 failed step(s) (…)`).
    ...(failed.length > 0 && !interrupted ? { error: { kind: "run" as const, message } } : {}),
  }, { drift });
}

/**
 * `formatJson`'s document with a `changes` member: the run's manifest (its path relative to the
 * cache folder, or null when the run changed nothing) and, per entity, the ids added, changed
 * and removed. The ids are read back from the manifest and written a line at a time, so a
 * 100,000-record first sync does not hold them.
 */
export async function writeJsonWithChanges(
  out: (text: string) => void,
  json: string,
  changes: ChangeLog,
  cacheDir: string,
): Promise<void> {
  const head = json.replace(/\n}\n$/, "");
  const manifest = changes.path === undefined ? null : relative(cacheDir, changes.path);
  out(`${head},\n  "changes": {\n    "manifest": ${JSON.stringify(manifest)},\n    "entities": {`);
  const entities = Object.keys(changes.counts());
  for (const [e, entity] of entities.entries()) {
    out(`${e === 0 ? "" : ","}\n      ${JSON.stringify(entity)}: {`);
    for (const [k, kind] of CHANGE_KINDS.entries()) {
      out(`${k === 0 ? "" : ", "}"${kind}": [`);
      let first = true;
      for await (const ids of changes.ids(entity, kind)) {
        if (ids.length === 0) continue;
        out(`${first ? "" : ","}${ids.join(",")}`);
        first = false;
      }
      out("]");
    }
    out("}");
  }
  out(`${entities.length === 0 ? "" : "\n    "}}\n  }\n}\n`);
}
