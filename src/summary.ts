/**
 * The JSON summary every command that changes the cache prints with `--json` (the entity
 * commands, `activity_feeds`, `attachments`, `sync`, `erase`, `check --repair`): one envelope,
 * and one entry per unit of work in `steps` (sync's steps; the one step of the other commands).
 * Scripts read `ok` (the exit code was 0), `interrupted` (stopped by SIGINT/SIGTERM), `failed`
 * (the steps that failed) and each step's `status`. docs/commands.md documents every field.
 *
 * A leaf: the commands and the sync engine's summary build it.
 */

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

export interface RunSummary<S extends SummaryStep = SummaryStep> {
  command: string;
  startedAt: Date;
  seconds: number;
  steps: S[];
  /** Stopped by SIGINT or SIGTERM. */
  interrupted?: boolean;
  /** Whether the exit code is 0; by default: no step failed and not interrupted. */
  ok?: boolean;
}

/** The summary as one JSON document (and a newline); `extra` fields come after the envelope. */
export function formatSummaryJson<S extends SummaryStep>(
  summary: RunSummary<S>,
  extra: Record<string, unknown> = {},
): string {
  const failed = summary.steps.filter((s) => s.status === "failed").map((s) => s.step);
  const interrupted = summary.interrupted === true;
  return JSON.stringify(
    {
      command: summary.command,
      ok: summary.ok ?? (failed.length === 0 && !interrupted),
      interrupted,
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
