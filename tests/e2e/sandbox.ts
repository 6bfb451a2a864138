/** The sandbox as tests start it: closed by `await using`, optionally on a frozen clock. */
import { ManualClock } from "../../src/clock.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/mod.ts";

export type TestSandbox = Sandbox & AsyncDisposable;

/**
 * `await using sandbox = await startSandboxDisposable({...})` closes it when the test ends.
 * Unlimited unless the test gives `rateLimit`: under the sandbox's default limits (v1 50 per
 * 10 s, v3 75 per 30 s) the CLI paces every request a quarter to half a second apart in real
 * time. Pacing and 429s are proven where a test asks for a limit (tests/e2e/pacing_test.ts, the
 * unit tests of the pacer and the client).
 */
export async function startSandboxDisposable(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ rateLimit: 0, ...options });
  return Object.assign(sandbox, { [Symbol.asyncDispose]: () => sandbox.close() });
}

/**
 * A clock that only moves when the test says: signed attachment URLs stay identical between the
 * sandbox serving a record and the test comparing it.
 */
export function frozenClock(): ManualClock {
  return new ManualClock(Date.parse("2026-11-01T00:00:00Z"));
}
