/**
 * What a candidate-dependent run reports: its failures on stderr, its exit code, its `--json`
 * step and the figures of its closing line.
 */
import type { RunContext } from "../context.ts";
import {
  formatSummaryJson,
  rateLimitWaitNote,
  type SummaryStep,
  waitedSeconds,
} from "../summary.ts";
import type { DependentResult } from "../dependent_result.ts";
import { type DependentOutcome, plural } from "./runner.ts";

/**
 * Lists per-item failures on stderr (the first 20) and gives the exit code. Files not tried again
 * (refused earlier for a lasting reason) are one note, not a failure: they were named when they
 * failed, and `check` lists them.
 */
export function reportFailures(name: string, result: DependentResult, ctx: RunContext): number {
  const { failed, notRetried = 0 } = result;
  if (notRetried > 0) {
    ctx.err(
      `${name}: ${plural(notRetried, "file")} not tried again: refused earlier for a lasting ` +
        "reason under the same settings (over the size cap, a refused host; `check` lists " +
        "them); --retry-failed tries them again\n",
    );
  }
  if (failed.length === 0) return 0;
  for (const { id, reason } of failed.slice(0, 20)) {
    ctx.err(`${name}: candidate ${id}: ${reason}\n`);
  }
  if (failed.length > 20) ctx.err(`${name}: … and ${failed.length - 20} more failures\n`);
  ctx.err(`${failedLine(name, result)}\n`);
  return 1;
}

/** The last line of a run with failed items: how many, and what to do. */
/** What failed, and what the next run does about it. */
function failedLine(name: string, result: DependentResult): string {
  const { failed } = result;
  const lasting = failed.filter((f) => f.lasting).length;
  const others = failed.length - lasting;
  const retry = others === 0
    ? ""
    : `; run the command again to retry ${
      lasting === 0 ? "them" : "the others"
    } (it asks only for them and for what changed)`;
  const kept = lasting === 0 ? "" : ` (${lasting} refused for a lasting reason: not tried ` +
    "again until the setting that refused them changes, or --retry-failed)";
  return `${name}: ${failed.length} failed${kept}${retry}`;
}

/** LISTED failures in a JSON summary; `failed` counts them all. */
const LISTED_FAILURES = 100;

/** The JSON summary (src/summary.ts) of a candidate-dependent command: one step. */
export function dependentJson(name: string, startedAt: Date, o: DependentOutcome): string {
  const step = dependentStep(name, o);
  return formatSummaryJson({
    command: name,
    startedAt,
    seconds: o.seconds,
    steps: [step],
    interrupted: o.interrupted !== undefined,
    ...(step.status === "failed"
      ? { error: { kind: "run" as const, message: failedLine(name, o.result) } }
      : {}),
  });
}

/** A candidate-dependent run as a summary step. */
export function dependentStep(name: string, o: DependentOutcome): SummaryStep {
  const { done, skipped, resumed = 0, failed, bytes, refreshed, notRetried } = o.result;
  const base = { step: name, requests: o.requests, seconds: o.seconds };
  return o.interrupted ? { ...base, status: "interrupted" as const } : {
    ...base,
    status: failed.length > 0 ? "failed" as const : "ok" as const,
    mode: o.mode,
    ...(o.since === undefined ? {} : { since: o.since.toISOString() }),
    candidates: o.candidates,
    updated: done,
    unchanged: skipped,
    resumed,
    failed: failed.length,
    failures: failed.slice(0, LISTED_FAILURES).map(({ id, reason, lasting }) => ({
      id,
      reason,
      ...(lasting === undefined ? {} : { lasting }),
    })),
    ...(notRetried === undefined ? {} : { notRetried }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(refreshed === undefined ? {} : { refreshed }),
    retries: o.retries,
    waitedSeconds: waitedSeconds(o.waitedMs),
  } as SummaryStep;
}

export function formatApiFigures(o: DependentOutcome): string {
  const waited = rateLimitWaitNote(o.waitedMs);
  return `${plural(o.requests, "API request")}, ${
    plural(o.retries, "retry", "retries")
  }${waited}, ` +
    `${o.seconds.toFixed(1)}s`;
}
