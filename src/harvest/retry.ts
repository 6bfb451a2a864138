/**
 * Pure retry policy: how long to wait, how often to try, and which failures are worth retrying.
 * No I/O and no clock of its own: callers pass `nowMs` and `random`.
 */
import type { ApiVersion } from "../entities.ts";
import { RunError } from "../errors.ts";
import { redactAndCut } from "../redact.ts";

export interface RetryPolicy {
  /** Sends of one request that failed for a retryable reason other than 429, first send included. */
  maxAttempts: number;
  /** Wall time budget for one request, all waits included. A wait that would pass it is not made. */
  maxTotalMs: number;
  /** 429 answers tolerated for one request (they do not count against maxAttempts). */
  maxRateLimitRetries: number;
  /** Exponential backoff base and cap. */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 6,
  maxTotalMs: 5 * 60_000,
  maxRateLimitRetries: 40,
  baseMs: 500,
  capMs: 30_000,
});

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (policy as Record<string, number>)[key] = value as number;
  }
  return policy;
}

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(cap, base × 2^(attempt-1))).
 * `attempt` is the number of failed sends so far (1 after the first failure).
 */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = DEFAULT_RETRY_POLICY.baseMs,
  capMs = DEFAULT_RETRY_POLICY.capMs,
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * exp);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function utc(
  year: number,
  monthName: string,
  day: number,
  h: number,
  m: number,
  s: number,
): number | undefined {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month < 0 || h > 23 || m > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, month, day, h, m, Math.min(s, 59));
  const d = new Date(ms);
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month) return undefined; // e.g. Feb 30
  return ms;
}

const IMF_FIXDATE =
  /^[a-z]{3},\s*(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(?:GMT|UTC|Z|\+0000)$/i;
const RFC_850 = /^[a-z]+,\s*(\d{1,2})-([a-z]{3})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s+GMT$/i;
const ASCTIME = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/i;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An HTTP-date (IMF-fixdate, RFC 850 or asctime, all GMT) or an ISO-8601 time with a zone → epoch ms. */
export function parseHttpDate(value: string): number | undefined {
  const v = value.trim();
  let m = IMF_FIXDATE.exec(v);
  if (m) return utc(+m[3], m[2], +m[1], +m[4], +m[5], +m[6]);
  m = RFC_850.exec(v);
  if (m) {
    let year = +m[3];
    if (m[3].length === 2) year += year < 70 ? 2000 : 1900;
    return utc(year, m[2], +m[1], +m[4], +m[5], +m[6]);
  }
  m = ASCTIME.exec(v);
  if (m) return utc(+m[6], m[1], +m[2], +m[3], +m[4], +m[5]);
  if (ISO_8601.test(v)) {
    const ms = Date.parse(v.replace(" ", "T"));
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/**
 * A number or date header → ms to wait from `nowMs`, never negative. Numbers: ≤ 1e9 are
 * delta-seconds; > 1e9 are epoch seconds; > 1e12 are epoch milliseconds. Anything else → undefined.
 */
function waitFromHeader(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(?:\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (!Number.isFinite(n)) return undefined;
    if (n > 1e12) return Math.max(0, Math.ceil(n - nowMs));
    if (n > 1e9) return Math.max(0, Math.ceil(n * 1000 - nowMs));
    return Math.ceil(n * 1000);
  }
  const at = parseHttpDate(v);
  return at === undefined ? undefined : Math.max(0, at - nowMs);
}

/** `Retry-After` → ms to wait: delta-seconds, epoch seconds (> 1e9), or HTTP-date. Garbage → undefined. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  return waitFromHeader(value, nowMs);
}

/** `X-RateLimit-Reset` → ms to wait: epoch seconds (or ms, or small delta-seconds) or an HTTP date. */
export function resetWaitMs(
  xRateLimitReset: string | null | undefined,
  nowMs: number,
): number | undefined {
  return waitFromHeader(xRateLimitReset, nowMs);
}

/** How long a 429 asks us to wait: Retry-After, else X-RateLimit-Reset, else undefined (use backoff). */
export function rateLimitWaitMs(headers: Headers, nowMs: number): number | undefined {
  return parseRetryAfter(headers.get("retry-after"), nowMs) ??
    resetWaitMs(headers.get("x-ratelimit-reset"), nowMs);
}

/** The outcome of one response, as policy sees it. */
export type Classification =
  | { kind: "ok" }
  | { kind: "retry"; reason: string; rateLimited: boolean }
  | { kind: "fatal"; status: number; error: RunError };

/** The longest error detail shown from an API answer, in characters. */
export const ERROR_DETAIL_CHARS = 200;

/**
 * The API's `message` and `errors[]` messages (or a text body) as one line of at most
 * ERROR_DETAIL_CHARS characters; tolerates any shape (or none). `secrets` are redacted from the
 * whole text before it is cut (see src/redact.ts), so none can survive in part at the cut.
 */
export function apiErrorText(body: unknown, secrets: Iterable<string> = []): string {
  const parts: string[] = [];
  if (typeof body === "string") {
    parts.push(body);
  } else if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.message === "string" && b.message.trim()) parts.push(b.message.trim());
    else if (typeof b.error === "string" && b.error.trim()) parts.push(b.error.trim());
    if (Array.isArray(b.errors)) {
      for (const e of b.errors) {
        if (typeof e === "string") parts.push(e);
        else if (e && typeof e === "object") {
          const err = e as Record<string, unknown>;
          const msg = typeof err.message === "string" ? err.message : JSON.stringify(err);
          parts.push(typeof err.field === "string" && err.field ? `${err.field}: ${msg}` : msg);
        }
      }
    }
  }
  const text = parts.join("; ").replace(/\s+/g, " ").trim();
  return redactAndCut(text, secrets, ERROR_DETAIL_CHARS);
}

/**
 * Classifies a response status. `endpoint` is `"<METHOD> <path>"` (no host, no query); `secrets`
 * are redacted from the API's message.
 * Retryable: 5xx, 408 and 429 (rateLimited). Fatal: 401, 403 and every other 4xx (and 3xx).
 */
export function classifyStatus(
  status: number,
  endpoint: string,
  body: unknown,
  secrets: Iterable<string> = [],
  version: ApiVersion = "v1",
  /** What the request needs, as Greenhouse names it (permissions.ts), for a 403's advice. */
  permission?: string,
): Classification {
  if (status >= 200 && status < 300) return { kind: "ok" };
  const detail = apiErrorText(body, secrets);
  const suffix = detail ? `: ${detail}` : "";
  if (status === 429) {
    return { kind: "retry", reason: `rate limited (429)${suffix}`, rateLimited: true };
  }
  if (status >= 500 || status === 408) {
    return { kind: "retry", reason: `HTTP ${status}${suffix}`, rateLimited: false };
  }
  // v1 keys are granted endpoint by endpoint; v3 credentials carry scopes (harvestdocs
  // authentication). Both are managed in Configure → Dev Center → API Credential Management.
  const where = "in Greenhouse (Configure → Dev Center → API Credential Management)";
  if (status === 401) {
    return {
      kind: "fatal",
      status,
      error: new RunError(
        version === "v1"
          ? `${endpoint}: Greenhouse rejected the API key (401)${suffix}; check that ` +
            "GREENHOUSE_API_KEY holds a valid Harvest API key that has not been revoked"
          : `${endpoint}: Greenhouse rejected the access token (401) even after a new one was ` +
            `issued${suffix}; check that the v3 credential in GREENHOUSE_CLIENT_ID and ` +
            `GREENHOUSE_CLIENT_SECRET is active ${where}`,
      ),
    };
  }
  if (status === 403) {
    const lacks = version === "v1"
      ? `the API key lacks the permission ${permission ? `"${permission}"` : `for ${endpoint}`}`
      : `the v3 credential lacks the scope ${permission ?? `for ${endpoint}`}`;
    return {
      kind: "fatal",
      status,
      error: new RunError(
        `${endpoint}: Greenhouse refused access (403)${suffix}; ${lacks}: grant it ${where} ` +
          "(ping lists every permission the commands need), then run again",
      ),
    };
  }
  return {
    kind: "fatal",
    status,
    error: new RunError(
      `${endpoint}: Greenhouse answered ${status}${suffix || " with no message"}`,
    ),
  };
}

/** A fetch failure (no response): always retryable; `notSent` when it surely never reached the server. */
export function classifyNetworkError(err: unknown): { reason: string; notSent: boolean } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return { reason: "timed out", notSent: false };
  const message = [e?.message, e?.cause?.message, e?.cause?.code].filter(Boolean).join(": ") ||
    String(err);
  const notSent = /connection refused|ECONNREFUSED|dns error|failed to lookup|ENOTFOUND|EAI_AGAIN/i
    .test(message);
  return { reason: `network error: ${message}`, notSent };
}
