/** `check --json`'s document and the one line saying why an audit fails. */
import type { RunContext } from "../context.ts";
import { formatSummaryJson, type SummaryStep } from "../summary.ts";
import { exitCodeOf, type Report } from "./report_types.ts";

/** What the verdict depends on. */
export interface VerdictOptions {
  cacheDir: string;
  strict: boolean;
}

/**
 * `check --json`: the summary envelope every command prints (src/summary.ts), its steps (the
 * repair, then the audit), then the audit's report and `extra` (the repair's actions).
 */
export function checkJson(
  startedAt: Date,
  ctx: RunContext,
  report: Report,
  opts: VerdictOptions,
  extra: Record<string, unknown> = {},
  before: SummaryStep[] = [],
): string {
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  const ok = exitCodeOf(report, opts.strict) === 0;
  const auditStep: SummaryStep = {
    step: "check",
    status: ok ? "ok" : "failed",
    requests: 0,
    seconds,
  };
  const steps = [...before, auditStep];
  return formatSummaryJson(
    {
      command: "check",
      startedAt,
      seconds,
      steps,
      ok,
      ...(ok ? {} : { error: { kind: "run" as const, message: verdict(report, opts) } }),
    },
    { ...report, ...extra },
  );
}

/** Why the audit fails (exit 1), in one line. */
export function verdict(report: Report, opts: VerdictOptions): string {
  if (report.integrityProblems > 0) {
    return `check: ${report.integrityProblems} integrity problem(s) in ${opts.cacheDir}; ` +
      "the report lists them: run check --repair";
  }
  const dangling = report.crossReferences.filter((c) => !c.informational)
    .reduce((n, c) => n + (c.total ?? c.problems.length), 0);
  return `check --strict: ${report.schemaProblems} schema problem(s) and ${dangling} ` +
    "reference(s) to records not in the cache; the report lists them: run sync, or " +
    "check --repair";
}

/** `check --repair --json` stopped by Ctrl-C or SIGTERM: the steps so far. */
export function interruptedJson(startedAt: Date, ctx: RunContext, steps: SummaryStep[]): string {
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  return formatSummaryJson({ command: "check", startedAt, seconds, steps, interrupted: true });
}
