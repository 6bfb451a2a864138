/** The sandbox as tests start it: closed by `await using`, optionally on a frozen clock. */
import { ManualClock } from "../../src/clock.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/mod.ts";

export type TestSandbox = Sandbox & AsyncDisposable;

/** `await using sandbox = await startSandboxDisposable({...})` closes it when the test ends. */
export async function startSandboxDisposable(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox(options);
  return Object.assign(sandbox, { [Symbol.asyncDispose]: () => sandbox.close() });
}

/**
 * A clock that only moves when the test says: signed attachment URLs stay identical between the
 * sandbox serving a record and the test comparing it.
 */
export function frozenClock(): ManualClock {
  return new ManualClock(Date.parse("2026-11-01T00:00:00Z"));
}
