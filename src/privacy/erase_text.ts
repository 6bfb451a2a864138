/**
 * What `erase` prints: the candidates found, the dry run's requests, each outcome, the closing
 * line and the privacy log's entries for `--lookup`. Pure text from the erasure's results.
 */
import { join } from "node:path";
import { PRIVACY_KEY_FILE, PRIVACY_LOG_FILE } from "../cache/mod.ts";
import type { CandidateWrites } from "../harvest/mod.ts";
import { ENTITIES, personName } from "../entities.ts";
import { type EraseMode, formatRequest } from "./erase.ts";
import type { KeptList } from "./anonymize.ts";
import type { PurgeReport } from "./purge.ts";
import { listTitle, PERSONAL_LISTS } from "./personal_lists.ts";
import type { Lookup, PrivacyLogEntry } from "./log.ts";
import { formatSummaryJson } from "../summary.ts";
import type { FailureKind } from "../failure.ts";
import type { CacheOnly, EraseReport, ErasurePreview, ErasureResult } from "./erasure.ts";

/** What happens locally to a cache-only match: to be done, done in a dry run, or done. */
function cacheOnlyAction(c: CacheOnly, when: "to be" | "would be" | "done"): string {
  const verb = when === "done" ? "" : `${when} `;
  return c.upstream === undefined
    ? `gone from Greenhouse: ${verb}purged from the cache`
    : `in Greenhouse without this address: the cached copy ${
      when === "done" ? "was " : verb
    }replaced by Greenhouse's`;
}

/** "2 applications, 1 offer": the personal-list records a purge removed. */
function removedText(purge: PurgeReport | undefined): string {
  const parts = PERSONAL_LISTS.filter((list) => purge?.removed[list])
    .map((list) => {
      const n = purge!.removed[list]!;
      return `${n} ${n === 1 ? ENTITIES[list].noun : listTitle(list)}`;
    });
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

/**
 * The lines saying in which lists Greenhouse keeps an anonymized candidate's records as they were
 * (no anonymize field given reaches them), grouped by what would reach them; none when nothing is
 * kept.
 */
export function keptLines(kept: KeptList[], when: "keeps" | "would keep"): string[] {
  if (kept.length === 0) return [];
  const groups = new Map<string, string[]>();
  for (const k of kept) {
    const key = k.missingFields.join(",");
    groups.set(key, [...groups.get(key) ?? [], k.list]);
  }
  return [
    `Greenhouse ${when} these records of the anonymized candidates as they were (cached copies ` +
    "are dropped; a later sync brings back those Greenhouse changes, sync --full all of them):",
    ...[...groups].map(([fields, lists]) =>
      `  ${lists.join(", ")}: ` +
      (fields === ""
        ? "no anonymize field reaches them (--mode delete removes them)"
        : `not anonymized without --anonymize-fields ${fields}`)
    ),
  ];
}

/** The candidates found, upstream and only in the cache, before any confirmation. */
export function formatMatches(preview: ErasurePreview, dryRun: boolean, cacheDir: string): string {
  const { matches, cacheOnly } = preview;
  let text = "";
  if (matches.length > 0) {
    const noun = matches.length === 1 ? "candidate has" : "candidates have";
    text += `${matches.length} ${noun} this address:\n`;
    for (const m of matches) {
      text += `  ${m.candidate.id}  ${personName(m.candidate)}` +
        (m.foundIn === "cache"
          ? "  (found in the local cache; Greenhouse's search missed it)"
          : "") +
        "\n";
    }
  } else text += "erase: Greenhouse's search finds no candidate with this address\n";
  if (cacheOnly.length > 0) {
    text += `${cacheOnly.length} more only in the local cache ${cacheDir}:\n`;
    for (const c of cacheOnly) {
      text += `  ${c.cached.id}  ${c.cached.name}  ${
        cacheOnlyAction(c, dryRun ? "would be" : "to be")
      }\n`;
    }
  }
  return text;
}

/** A dry run's exact requests, and what it would leave upstream. */
export function formatDryRun(
  preview: ErasurePreview,
  mode: EraseMode,
  baseUrl: string,
  writes: CandidateWrites,
): string {
  const requests = preview.plans.flat();
  let text = `\nDry run: these ${requests.length} request(s) would be sent; nothing was changed.\n`;
  if (preview.pendingLeft > 0) {
    text += `(${preview.pendingLeft} erasure(s) an interrupted run left unfinished would be ` +
      "finished first)\n";
  }
  if (mode === "anonymize") {
    text += "(first_name and last_name are drawn anew from a cryptographic source when sent)\n";
  }
  for (const plan of requests) text += `\n${formatRequest(plan, baseUrl, writes)}\n`;
  if (mode === "anonymize" && preview.matches.length > 0) {
    const lines = keptLines(preview.kept, "would keep");
    if (lines.length > 0) text += `\n${lines.join("\n")}\n`;
  }
  return text;
}

/** Each candidate's outcome, what Greenhouse keeps, and the closing line. */
export function formatOutcomes(result: ErasureResult, report: EraseReport, mode: EraseMode) {
  const { outcomes } = report;
  const { cacheOnly, hasCache } = result.preview;
  const done = outcomes.filter((o) => o.result !== "failed");
  const failed = outcomes.filter((o) => o.result === "failed");
  const past = mode === "delete" ? "deleted" : "anonymized";
  let text = "";
  for (const o of outcomes) {
    const local = hasCache
      ? `, cache ${result.cacheResults.get(o.id)}${removedText(result.purges.get(o.id))}`
      : "";
    text += o.result === "failed"
      ? `  ${o.id}  NOT ${past}: ${o.error}\n`
      : `  ${o.id}  ${past}${local}\n`;
  }
  for (const c of cacheOnly) {
    text += `  ${c.cached.id}  only in the cache: ${cacheOnlyAction(c, "done")}\n`;
  }
  if (outcomes.some((o) => o.result === "anonymized")) {
    for (const line of keptLines(result.preview.kept, "keeps")) text += `${line}\n`;
  }
  text += `erase: ${done.length} of ${outcomes.length} candidates ${past}` +
    (failed.length ? `; NOT ${past}: ${failed.map((o) => o.id).join(", ")}` : "") +
    (cacheOnly.length ? `; ${cacheOnly.length} found only in the local cache, updated there` : "") +
    "\n";
  const failure = failed.length === 0 ? undefined : `${failed.length} of ${outcomes.length} ` +
    `candidates were not ${past} (${failed.map((o) => o.id).join(", ")}): check them in ` +
    "Greenhouse, then run erase again";
  return { text, failure };
}

/** `erase --lookup`'s lines: the privacy log's entries naming the address. */
export function formatLookup(cacheDir: string, found: PrivacyLogEntry[]): string {
  const log = join(cacheDir, PRIVACY_LOG_FILE);
  if (found.length === 0) return `erase --lookup: no entry of ${log} names this address\n`;
  let text = `erase --lookup: ${found.length} entr${found.length === 1 ? "y" : "ies"} of ${log} ` +
    `name${found.length === 1 ? "s" : ""} this address:\n`;
  for (const e of found) {
    const who = e.candidate_id === null ? "no candidate" : `candidate ${e.candidate_id}`;
    text += `  ${e.time}  ${e.mode}  ${who}  ${e.result}  cache ${e.cache}` +
      (e.found_in === "cache" ? "  (found in the cache only)" : "") + "\n";
  }
  return text;
}

/** The note when some log entries could not be checked (the address key is gone). */
export function unverifiableNote(cacheDir: string, unverifiable: number): string {
  return `note: ${unverifiable} entr${unverifiable === 1 ? "y" : "ies"} could not be checked: ` +
    `${join(cacheDir, PRIVACY_KEY_FILE)} is missing\n`;
}

/** The fields of `erase --json`'s step (src/summary.ts), from what the erasure reported. */
export function erasureStep(
  report: EraseReport,
  mode: EraseMode,
  dryRun: boolean,
  kept: KeptList[],
) {
  return {
    requests: report.client?.stats.requests ?? 0,
    mode,
    dryRun,
    matched: report.matched,
    erased: report.outcomes.filter((o) => o.result !== "failed").map((o) => o.id),
    failures: report.outcomes.filter((o) => o.result === "failed")
      .map((o) => ({ id: o.id, reason: o.error ?? "" })),
    removedFromCache: report.removed,
    ...(mode === "anonymize" ? { keptUpstream: kept } : {}),
  };
}

/** The question asked on a terminal before anything is written. */
export function confirmPrompt(mode: EraseMode, { matches, cacheOnly }: ErasurePreview): string {
  const verb = mode === "delete" ? "erase" : "anonymize";
  const upstream = matches.length > 0
    ? `${verb} ${matches.length} candidate${matches.length === 1 ? "" : "s"}`
    : "";
  const local = cacheOnly.length > 0 ? `update ${cacheOnly.length} found only in the cache` : "";
  return `Type "yes" to ${[upstream, local].filter((p) => p !== "").join(" and ")}: `;
}

/** `erase --json`: the summary document around the erasure's step. */
export function formatErasureJson(
  step: ReturnType<typeof erasureStep>,
  startedAt: Date,
  seconds: number,
  ok: boolean,
  failure: { kind: FailureKind; message: string } | undefined,
): string {
  const { requests, ...fields } = step;
  return formatSummaryJson({
    command: "erase",
    startedAt,
    seconds,
    ok,
    ...(failure ? { error: { kind: failure.kind, message: failure.message } } : {}),
    steps: [{ step: "erase", status: ok ? "ok" : "failed", requests, seconds, ...fields }],
  });
}

/** `erase --lookup --json`: the entries found, in the summary document. */
export function formatLookupJson(lookup: Lookup, startedAt: Date, seconds: number): string {
  return formatSummaryJson({
    command: "erase",
    startedAt,
    seconds,
    steps: [{ step: "lookup", status: "ok", requests: 0, seconds }],
  }, { log: PRIVACY_LOG_FILE, entries: lookup.found, unverifiable: lookup.unverifiable });
}

/** Said after the confirmation when there is no cache to update. */
export function noCacheNote(cacheDir: string): string {
  return `note: no cache at ${cacheDir}; only Greenhouse is changed and no privacy log is ` +
    "written\n";
}
