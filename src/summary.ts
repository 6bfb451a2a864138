/**
 * The one JSON document every command prints with `--json`: an envelope (`command`, `ok`,
 * `interrupted`, `error` when not ok, `startedAt`, `seconds`, `requests`, `failed`, `steps`), one
 * entry per unit of work in `steps` (sync's steps; the one step of the other commands), then
 * what the command adds. A command that fails before it has a summary (a usage error, a failure
 * at run time) prints the failure document instead: the envelope's first four members.
 * Scripts read `ok` (the exit code was 0), `error` (`kind` and `message` when it was not),
 * `interrupted` (stopped by SIGINT/SIGTERM), `failed` (the steps that failed) and each step's
 * `status`. docs/commands.md documents every field.
 *
 * A leaf: main.ts, the commands and the sync engine's summary build it.
 */
import type { FailureKind } from "./failure.ts";
import { INTERRUPTED_MESSAGE } from "./interrupt.ts";

/** One unit of work: what every step has, plus the counts that apply to it. */
export interface SummaryStep {
  step: string;
  /** "ok", "failed", "interrupted" (stopped by a signal) or "unavailable" (sync). */
  status: "ok" | "failed" | "interrupted" | "unavailable";
  requests: number;
  seconds: number;
  /** Why it failed, or why it was unavailable (one line). */
  error?: string;
}

/** Why a run did not succeed: its kind (usage, run, interrupted) and the line stderr shows. */
export interface SummaryError {
  kind: FailureKind;
  message: string;
}

export interface RunSummary<S extends SummaryStep = SummaryStep> {
  command: string;
  startedAt: Date;
  seconds: number;
  steps: S[];
  /** Stopped by SIGINT or SIGTERM. */
  interrupted?: boolean;
  /** Whether the exit code is 0; by default: no step failed, no error and not interrupted. */
  ok?: boolean;
  /** Why the exit code is not 0; by default derived from an interruption or the failed steps. */
  error?: SummaryError;
}

/** Time waited for the rate limit as a step reports it: seconds, one decimal. */
export function waitedSeconds(waitedMs: number): number {
  return Number((waitedMs / 1000).toFixed(1));
}

/** The summary line's note on the rate limit: ", waited 1.5s for the rate limit", or nothing. */
export function rateLimitWaitNote(waitedMs: number): string {
  return waitedMs >= 100 ? `, waited ${(waitedMs / 1000).toFixed(1)}s for the rate limit` : "";
}

/** The summary as one JSON document (and a newline); `extra` fields come after the envelope. */
export function formatSummaryJson<S extends SummaryStep>(
  summary: RunSummary<S>,
  extra: Record<string, unknown> = {},
): string {
  const failed = summary.steps.filter((s) => s.status === "failed").map((s) => s.step);
  const interrupted = summary.interrupted === true;
  const ok = summary.ok ?? (failed.length === 0 && !interrupted && summary.error === undefined);
  const error = ok ? undefined : summary.error ?? defaultError(summary, failed, interrupted);
  return JSON.stringify(
    {
      command: summary.command,
      ok,
      interrupted,
      ...(error ? { error } : {}),
      startedAt: summary.startedAt.toISOString(),
      seconds: summary.seconds,
      requests: summary.steps.reduce((sum, s) => sum + s.requests, 0),
      failed,
      steps: summary.steps,
      ...extra,
    },
    null,
    2,
  ) + "\n";
}

/** What went wrong when the command did not say: the interruption, or the steps that failed. */
function defaultError(
  summary: RunSummary,
  failed: string[],
  interrupted: boolean,
): SummaryError {
  if (interrupted) return { kind: "interrupted", message: INTERRUPTED_MESSAGE };
  const first = summary.steps.find((s) => s.status === "failed");
  const why = first?.error ? `: ${first.error.split("\n")[0]}` : "";
  return {
    kind: "run",
    message: failed.length === 0
      ? `${summary.command} did not succeed`
      : `${summary.command}: ${failed.join(", ")} failed${failed.length === 1 ? why : ""}`,
  };
}

/**
 * The document of a command that failed before it had a summary: a usage error (exit 2), a
 * failure at run time (exit 1) or an interruption (130/143). `command` is null when argv named
 * no known command.
 */
export function formatFailureJson(command: string | null, error: SummaryError): string {
  return JSON.stringify(
    {
      command,
      ok: false,
      interrupted: error.kind === "interrupted",
      error: { kind: error.kind, message: error.message },
    },
    null,
    2,
  ) + "\n";
}
