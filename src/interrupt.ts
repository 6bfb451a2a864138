/**
 * Stopping long work cleanly when the process is asked to stop: Ctrl-C (SIGINT) or SIGTERM (a
 * cancelled or timed-out CI job). The signal becomes an AbortSignal that the engines check between
 * records, pages and files: they finish what is in flight, commit the index and release the lock,
 * then throw `Interrupted`, which the command turns into one line and exit 130 (SIGINT) or 143
 * (SIGTERM). Nothing here exits the process.
 *
 * A leaf: commands install the listeners (`listenForInterrupts`) only around work that checks the
 * signal, so every other command keeps the default behaviour (the process ends at once). After the
 * first signal the listeners are removed, so a second Ctrl-C ends the process the default way; the
 * cache survives that too (it survives kill -9).
 */
import type { Clock } from "./clock.ts";

export type StopSignal = "SIGINT" | "SIGTERM";

/** What the user sees when a run stops on a signal. */
export const INTERRUPTED_MESSAGE = "interrupted; run again to continue";

/** Thrown by an engine that stopped early because the process was asked to stop. */
export class Interrupted extends Error {
  override name = "Interrupted";
  constructor(readonly by: StopSignal) {
    super(INTERRUPTED_MESSAGE);
  }

  /** The shell's convention: 128 + the signal's number. */
  get exitCode(): 130 | 143 {
    return this.by === "SIGINT" ? 130 : 143;
  }
}

/** The Interrupted an aborted signal carries (a plain abort, or none, counts as SIGINT). */
export function interruptionOf(signal: AbortSignal | undefined): Interrupted {
  return signal?.reason instanceof Interrupted ? signal.reason : new Interrupted("SIGINT");
}

/** Throws the signal's Interrupted once it has fired; a missing signal never fires. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptionOf(signal);
}

/** SIGTERM cannot be listened for on Windows (Deno supports SIGINT and SIGBREAK there). */
export function stopSignals(os: typeof Deno.build.os = Deno.build.os): StopSignal[] {
  return os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
}

export interface InterruptListener extends Disposable {
  /** Aborts (reason: an Interrupted) on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
}

/**
 * Listens for SIGINT and SIGTERM until disposed. The first one aborts `signal` and removes the
 * listeners (a second signal then ends the process the default way).
 */
export function listenForInterrupts(): InterruptListener {
  const controller = new AbortController();
  const handlers = new Map<StopSignal, () => void>();
  const remove = () => {
    for (const [name, handler] of handlers) Deno.removeSignalListener(name, handler);
    handlers.clear();
  };
  for (const name of stopSignals()) {
    const handler = () => {
      remove();
      controller.abort(new Interrupted(name));
    };
    handlers.set(name, handler);
    Deno.addSignalListener(name, handler);
  }
  return { signal: controller.signal, [Symbol.dispose]: remove };
}

/**
 * `clock` whose sleeps end early, by throwing the Interrupted, once `signal` fires: a run waiting
 * for the rate limit (or backing off before a retry) stops at once instead of sending again.
 */
export function interruptibleClock(clock: Clock, signal: AbortSignal): Clock {
  return {
    now: () => clock.now(),
    sleep(ms) {
      if (signal.aborted) return Promise.reject(interruptionOf(signal));
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(interruptionOf(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        clock.sleep(ms).then(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        }, reject);
      });
    },
  };
}
