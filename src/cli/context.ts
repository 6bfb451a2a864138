/**
 * The process's RunContext: real stdout, stderr, stdin, environment and clock, every line written
 * passing through the registered secrets' redaction (src/redact.ts) on its way out; and the
 * signal listeners that let long work stop cleanly on Ctrl-C or SIGTERM.
 */
import { systemClock } from "../clock.ts";
import type { RunContext } from "../context.ts";
import { UsageError } from "../errors.ts";
import { Interrupted, interruptibleClock, listenForInterrupts } from "../interrupt.ts";
import { redactRegistered, registerSecrets } from "../redact.ts";

const encoder = new TextEncoder();

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

/** The tool's own variables (scripts/permissions.ts allows the prefix). */
const OWN_PREFIX = "GREENHOUSE_";

/**
 * Reads one environment variable. One of the tool's own (`GREENHOUSE_*`) that this run may not
 * read is a usage error: it may well be set, and taking it for unset would pick the wrong
 * credentials or settings. Any other unreadable variable (GITHUB_STEP_SUMMARY, TERM, …) reads as
 * unset.
 */
export function readEnv(name: string): string | undefined {
  if (envPermission(name) === "denied") return unreadable(name);
  try {
    return Deno.env.get(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return unreadable(name);
    throw error;
  }
}

function envPermission(name: string): Deno.PermissionState {
  return Deno.permissions.querySync({ name: "env", variable: name }).state;
}

function unreadable(name: string): undefined {
  if (!name.startsWith(OWN_PREFIX)) return undefined;
  throw new UsageError(
    `${name}: this run may not read it (--allow-env), so whether it is set is unknown; allow ` +
      `the tool's variables with --allow-env=${OWN_PREFIX}* (\`deno task permissions\` prints ` +
      "every flag the tool needs)",
  );
}

/** Seconds between two progress lines off a terminal (0: a line per update). */
export const PROGRESS_INTERVAL_VARIABLE = "GREENHOUSE_PROGRESS_INTERVAL";

/** The credentials in the environment, with the HTTP Basic values made from them. */
function environmentSecrets(): string[] {
  // An unreadable one is reported by the command that needs it, with its exit code; here it
  // simply has nothing to redact.
  const read = (name: string) => {
    try {
      return readEnv(name)?.trim();
    } catch (error) {
      if (error instanceof UsageError) return undefined;
      throw error;
    }
  };
  const key = read("GREENHOUSE_API_KEY");
  const id = read("GREENHOUSE_CLIENT_ID");
  const secret = read("GREENHOUSE_CLIENT_SECRET");
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
  const err = (text: string) => writeAll(Deno.stderr, redactRegistered(text));
  return {
    env: readEnv,
    out: (text) => writeAll(Deno.stdout, redactRegistered(text)),
    err,
    stderrIsTerminal: Deno.stderr.isTerminal(),
    stdinIsTerminal: Deno.stdin.isTerminal(),
    readLine: readStdinLine,
    clock: systemClock,
    progressIntervalMs: progressInterval(err),
  };
}

/**
 * GREENHOUSE_PROGRESS_INTERVAL in ms, or undefined for the default. Only the look of the output
 * depends on it, so a value that is not a whole number of seconds up to an hour is a warning.
 */
function progressInterval(warn: (text: string) => void): number | undefined {
  let text: string | undefined;
  try {
    text = readEnv(PROGRESS_INTERVAL_VARIABLE)?.trim();
  } catch {
    return undefined; // not readable: the command's own reads of GREENHOUSE_* report it
  }
  if (!text) return undefined;
  if (/^\d{1,4}$/.test(text) && Number(text) <= 3600) return Number(text) * 1000;
  warn(
    `warning: ${PROGRESS_INTERVAL_VARIABLE} "${text.slice(0, 20)}" is not a whole number of ` +
      "seconds from 0 to 3600; progress lines come every 10 s\n",
  );
  return undefined;
}

/**
 * Runs long work that stops cleanly when asked: while it runs, SIGINT and SIGTERM abort
 * `ctx.signal` (and end the clock's sleeps) instead of ending the process, and the engines stop
 * between records. A context that already has a signal (a test's) is used as it is.
 */
export async function withInterrupts<T>(
  ctx: RunContext,
  work: (ctx: RunContext) => Promise<T>,
): Promise<T> {
  if (ctx.signal) return await work(ctx);
  using listener = listenForInterrupts();
  const { signal } = listener;
  return await work({ ...ctx, signal, clock: interruptibleClock(ctx.clock, signal) });
}

/**
 * `withInterrupts` for a command: an interruption prints one line on stderr
 * ("interrupted; run again to continue") and gives exit code 130 (SIGINT) or 143 (SIGTERM).
 */
export async function runInterruptible(
  ctx: RunContext,
  work: (ctx: RunContext) => Promise<number>,
): Promise<number> {
  try {
    return await withInterrupts(ctx, work);
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    ctx.err(`${error.message}\n`);
    return error.exitCode;
  }
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
