/**
 * The process's RunContext: real stdout, stderr, stdin, environment and clock. Every line written
 * passes through the registered secrets' redaction (src/redact.ts) on its way out.
 */
import { systemClock } from "../clock.ts";
import type { RunContext } from "../context.ts";
import { redactRegistered, registerSecrets } from "../redact.ts";

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

/** The credentials in the environment, with the HTTP Basic values made from them. */
function environmentSecrets(): string[] {
  const key = readEnv("GREENHOUSE_API_KEY")?.trim();
  const id = readEnv("GREENHOUSE_CLIENT_ID")?.trim();
  const secret = readEnv("GREENHOUSE_CLIENT_SECRET")?.trim();
  const list: string[] = [];
  if (key) list.push(key, base64Utf8(`${key}:`));
  if (secret) list.push(secret, base64Utf8(`${id ?? ""}:${secret}`));
  return list;
}

function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function processContext(): RunContext {
  const fromEnvironment = environmentSecrets();
  registerSecrets(() => fromEnvironment);
  return {
    env: readEnv,
    out: (text) => writeAll(Deno.stdout, redactRegistered(text)),
    err: (text) => writeAll(Deno.stderr, redactRegistered(text)),
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
