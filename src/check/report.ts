/** `check`'s output: a short summary, then each category with its count and ids; or JSON. */
import { ACTIVITY_FEEDS_FOLDER } from "../cache/mod.ts";
import type { Category, Report } from "./report_types.ts";

/** Problems listed per category unless `--all`. */
export const LIST_LIMIT = 25;

export function formatReport(report: Report, opts: { all: boolean; strict: boolean }): string {
  const lines: string[] = [];
  const records = report.folders
    .filter((f) => f.name !== ACTIVITY_FEEDS_FOLDER)
    .reduce((n, f) => n + f.records, 0);
  const { complete, incomplete, notDownloaded } = report.attachments;
  const missing = notDownloaded > 0 ? `, ${notDownloaded} not downloaded` : "";
  lines.push(
    `Cache ${report.cacheDir}: ${count(records, "record")} in ${
      count(report.folders.filter((f) => f.name !== ACTIVITY_FEEDS_FOLDER).length, "entity folder")
    }, ${count(complete + incomplete, "attachment")} (${complete} complete, ${incomplete} ` +
      `incomplete${missing}), ${count(report.activityFeeds, "activity feed")}.`,
  );
  lines.push(
    `${count(report.integrityProblems, "integrity problem")}, ` +
      `${count(report.crossReferenceGaps, "cross-reference gap")}` +
      (report.schemasChecked ? `, ${count(report.schemaProblems, "schema problem")}` : "") +
      (report.upstreamFailures > 0
        ? `, ${count(report.upstreamFailures, "item")} the upstream did not give (warnings)`
        : "") +
      (opts.strict
        ? " (--strict: schema problems, references to records not in the cache and items not " +
          "downloaded fail the check)"
        : "") +
      "." +
      (report.verify ? " Attachments verified by SHA-256." : ""),
  );
  if (report.lock === "held") {
    lines.push("Note: another run holds the cache lock; what it is writing may show as problems.");
  }
  lines.push("");
  const width = Math.max(6, ...report.folders.map((f) => f.name.length));
  lines.push(
    `${"folder".padEnd(width)}  ${"records".padStart(8)}  oldest extraction         newest`,
  );
  for (const f of report.folders) {
    lines.push(
      `${f.name.padEnd(width)}  ${String(f.records).padStart(8)}  ${
        (f.oldest ?? "-").padEnd(24)
      }  ${f.newest ?? "-"}`,
    );
  }
  const sections = (title: string, categories: Category[]) => {
    const found = categories.filter((c) => c.problems.length > 0);
    if (found.length === 0) return;
    lines.push("", `${title}:`);
    for (const category of found) lines.push(...formatCategory(category, opts.all));
  };
  sections("Integrity problems", report.integrity);
  sections("Cross-reference gaps", report.crossReferences);
  sections("Schema problems", report.schema);
  sections(
    `Not downloaded (recorded upstream failures: warnings${
      opts.strict ? "; --strict fails on them" : ", not damage"
    })`,
    report.upstream,
  );
  return lines.join("\n") + "\n";
}

function formatCategory(category: Category, all: boolean): string[] {
  const { problems } = category;
  const total = category.total ?? problems.length;
  const shown = all ? problems : problems.slice(0, LIST_LIMIT);
  const lines = [`  ${category.title}: ${total} (${category.advice})`];
  for (const p of shown) {
    const who = p.id === undefined ? p.entity : `${p.entity} ${p.id}`;
    lines.push(`    ${who}: ${p.path}: ${p.detail}`);
  }
  if (shown.length < problems.length) {
    lines.push(`    … and ${problems.length - shown.length} more (--all lists every one)`);
  }
  if (problems.length < total) {
    lines.push(
      `    … and ${total - problems.length} more not kept (the first ${problems.length} are)`,
    );
  }
  return lines;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}
