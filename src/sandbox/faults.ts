/**
 * Injected faults, mutable at run time through `sandbox.faults`. Each trigger is deterministic:
 * `every: N` fires on the N-th, 2N-th, … eligible request; `times: N` fires on the next N
 * eligible requests; both together fire on every N-th, at most `times` times. Assigning a new
 * trigger object restarts its counting. Eligible requests are /v1 requests (`scope: "api"`, the
 * default), attachment downloads (`"files"`), or both (`"all"`); `tokenRefusal` counts v3 token
 * requests, whatever its scope says.
 */

export interface FaultTrigger {
  every?: number;
  times?: number;
  scope?: "api" | "files" | "all";
  /** Only requests with one of these methods are eligible, e.g. ["DELETE"] (default: any). */
  methods?: string[];
}

export type RetryAfterForm = "seconds" | "epoch" | "http-date" | "none";

export interface Faults {
  /** Forced 429 regardless of the limit. `seconds` is the wait (default 1). */
  rate429?: FaultTrigger & { retryAfter?: RetryAfterForm; seconds?: number };
  /** A 5xx with `{"message":"Server error"}` (status default 500). */
  status5xx?: FaultTrigger & { status?: 500 | 502 | 503 };
  /** Error the body stream after `afterBytes` (default half the body): the connection is cut. */
  reset?: FaultTrigger & { afterBytes?: number };
  /**
   * "short" (default): declare the full Content-Length but end the body at half (the client sees
   * a premature end); "cut": send half the body as a complete response (invalid JSON / short file).
   */
  truncate?: FaultTrigger & { mode?: "short" | "cut" };
  /** Delay the response by `ms` before answering. */
  stall?: FaultTrigger & { ms: number };
  /**
   * Delay the answer by `ms` after the request took effect (a write is applied, then its answer
   * hangs): for tests that kill a client between a write and what it does next.
   */
  stallAnswer?: FaultTrigger & { ms: number };
  /**
   * A hostile server: replace a 2xx body with one that never ends ("endless", `[` then spaces
   * forever, no Content-Length) or with a gzip bomb ("gzip": a small gzip stream that decodes to
   * `decodedBytes`, default 1 GiB, of JSON whitespace).
   */
  hugeBody?: FaultTrigger & { mode?: "endless" | "gzip"; decodedBytes?: number };
  /**
   * A hostile server: answer `status` (default 422) with a body that echoes the request's
   * credentials (and on v3 the client secret, Basic `client_id:client_secret` and any refresh
   * token) in every spelling of src/sandbox/echo.ts, the first starting at character `offset`
   * (default 190, so that it straddles a 200-character cut). `at`: on the API (default), on the
   * v3 token endpoint, or both; `json`: as `{"message": …}` instead of plain text.
   */
  echoCredentials?: FaultTrigger & {
    status?: number;
    offset?: number;
    at?: "api" | "token" | "both";
    json?: boolean;
  };
  /**
   * A hostile server: a 2xx answer says the key's requests are used up (`X-RateLimit-Remaining:
   * 0`) until `resetSeconds` from now (default an hour).
   */
  exhaustedRateLimit?: FaultTrigger & { resetSeconds?: number };
  /**
   * A hostile server (v1 lists): every page links to a next page, forever, each serving the first
   * page's records again, while `rel="last"` keeps the real count.
   */
  endlessPages?: FaultTrigger;
  /** A file download answers 302 to `location` (scope "files"). */
  fileRedirect?: FaultTrigger & { location: string };
  /**
   * A file host that drips (scope "files"): the file `bytes` at a time (default 1 KiB), one piece
   * every `everyMs`, with its full Content-Length. With `endless`, a file that never ends: no
   * Content-Length, and pieces forever.
   */
  fileDrip?: FaultTrigger & { everyMs: number; bytes?: number; endless?: boolean };
  /**
   * The v3 token endpoint refuses the credentials: it answers `status` (default 401 for
   * `invalid_client`, 400 for any other code) with `{"error": <error>}`, one of RFC 6749 §5.2's
   * codes (`invalid_client`, `invalid_request`, `unauthorized_client`, `invalid_grant`,
   * `unsupported_grant_type`, `invalid_scope`). Counts token requests only.
   */
  tokenRefusal?: FaultTrigger & { error: string; status?: 400 | 401 };
  /** Added to every response (api and files), for benchmarks. */
  latencyMs?: number;
  /** Pause between the 64 KB chunks of a file download (a slow file host, for kill tests). */
  fileChunkDelayMs?: number;
}

export class FaultState {
  #seen = new WeakMap<object, { seen: number; fired: number }>();

  /** Whether `trigger` fires for this request (counts the request as seen). */
  fires(
    trigger: FaultTrigger | undefined,
    scope: "api" | "files" | "token",
    method = "GET",
  ): boolean {
    if (!trigger) return false;
    const want = scope === "token" ? "token" : trigger.scope ?? "api";
    if (want !== "all" && want !== scope) return false;
    if (trigger.methods && !trigger.methods.includes(method.toUpperCase())) return false;
    let st = this.#seen.get(trigger);
    if (!st) {
      st = { seen: 0, fired: 0 };
      this.#seen.set(trigger, st);
    }
    st.seen++;
    if (trigger.times !== undefined && st.fired >= trigger.times) return false;
    if (trigger.every !== undefined && trigger.every > 0 && st.seen % trigger.every !== 0) {
      return false;
    }
    if (trigger.every === undefined && trigger.times === undefined) return false;
    st.fired++;
    return true;
  }

  /** How many times `trigger` has fired so far. */
  firings(trigger: FaultTrigger): number {
    return this.#seen.get(trigger)?.fired ?? 0;
  }
}
