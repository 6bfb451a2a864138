/**
 * What a running command, and the engines it calls, may touch besides their arguments: the
 * output streams, terminal facts, one line of input, the environment and time. A leaf: the
 * process's real context is built in cli/context.ts; tests build their own.
 */
import type { Clock } from "./clock.ts";

/** Reads one environment variable; injected so parsing is testable and permissions stay scoped. */
export type Env = (name: string) => string | undefined;

export interface RunContext {
  env: Env;
  /** Writes to stdout (results, summaries). */
  out(text: string): void;
  /** Writes to stderr (progress, warnings). */
  err(text: string): void;
  stderrIsTerminal: boolean;
  stdinIsTerminal: boolean;
  /** Reads one line from stdin (for confirmations); null at end of input. */
  readLine(): Promise<string | null>;
  clock: Clock;
  /** Off a terminal, at most one progress line per this many ms (default 10 s). */
  progressIntervalMs?: number;
  /**
   * Fires when the process is asked to stop (SIGINT, SIGTERM): long work checks it between
   * records and stops cleanly (src/interrupt.ts). Absent where nothing can interrupt the run.
   */
  signal?: AbortSignal;
}
