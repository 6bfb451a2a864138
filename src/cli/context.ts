/** The process's RunContext: real stdout, stderr, stdin, environment and clock. */
import { systemClock } from "../clock.ts";
import type { RunContext } from "../context.ts";

const encoder = new TextEncoder();

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

/** Reads one environment variable, treating a missing permission like an unset variable. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
}

export function processContext(): RunContext {
  return {
    env: readEnv,
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    stdinIsTerminal: Deno.stdin.isTerminal(),
    readLine: readStdinLine,
    clock: systemClock,
  };
}

async function readStdinLine(): Promise<string | null> {
  const buffer = new Uint8Array(1);
  const bytes: number[] = [];
  while (true) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) return bytes.length ? new TextDecoder().decode(new Uint8Array(bytes)) : null;
    if (buffer[0] === 0x0a) {
      return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
    }
    bytes.push(buffer[0]);
  }
}
