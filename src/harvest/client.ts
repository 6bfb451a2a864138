/**
 * The Harvest HTTP client: authentication, pacing, retries and pagination. Knows nothing of files.
 */
import { type Clock, systemClock } from "../clock.ts";
import type { ApiRecord } from "../entities.ts";
import { CredentialsRefused, RunError } from "../errors.ts";
import { redactSecrets } from "../redact.ts";
import type { Auth, TokenFacts } from "./auth.ts";
import type { Dialect } from "./dialect.ts";
import { JsonArrayBytes } from "./json_array.ts";
import { readUpTo } from "./body.ts";
import { parseLinkHeader } from "./link.ts";
import { Pacer } from "./pacer.ts";
import { requiredPermission } from "./permissions.ts";
import {
  apiErrorText,
  backoffMs,
  classifyNetworkError,
  classifyStatus,
  parseRetryAfter,
  rateLimitWaitMs,
  type RetryPolicy,
  retryPolicy,
} from "./retry.ts";

/** A per-request deadline. `clear` must be called when the request is over. */
export interface Deadline {
  signal: AbortSignal;
  clear(): void;
}
/** Makes deadlines; injectable so tests can fire timeouts without waiting. */
export type DeadlineFactory = (ms: number) => Deadline;

/** The default: a real-time timer that aborts with a "TimeoutError" DOMException. */
export const realDeadline: DeadlineFactory = (ms) => {
  const controller = new AbortController();
  const id = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")),
    ms,
  );
  return { signal: controller.signal, clear: () => clearTimeout(id) };
};

export interface ClientOptions {
  /** e.g. `https://harvest.greenhouse.io/v1`; plain http only for loopback hosts. */
  baseUrl: string;
  auth: Auth;
  dialect: Dialect;
  /** Fraction of the server's rate limit to use, in (0, 1]. */
  rateTarget: number;
  userAgent: string;
  clock?: Clock;
  fetchFn?: typeof fetch;
  /** Per request (send + whole body), default 60_000. */
  timeoutMs?: number;
  /** How timeouts are timed; default `realDeadline`. */
  deadline?: DeadlineFactory;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  onEvent?: (e: ClientEvent) => void;
  /** Share one pacer across clients of the same key; default: a new one for this client. */
  pacer?: Pacer;
  /** Most bytes read from one 2xx answer, after decoding; default DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /** Most pages one listing may have; default DEFAULT_MAX_PAGES. */
  maxPages?: number;
}

/**
 * The most one API answer may hold once decoded (a gzip bomb counts at its decoded size): far
 * above a page of 500 large candidates or a long activity feed (a few MB), far below what would
 * exhaust memory. A bigger answer is not Harvest's; the request fails instead of reading on.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Of an error answer (not 2xx), only this much is read: enough for its message. */
export const ERROR_BODY_BYTES = 64 * 1024;
/**
 * The most pages one listing may have: 50 million records at 500 a page, beyond any tenant,
 * while an endless chain of next links (which v3, with no `last`, cannot otherwise tell from a
 * long list) stops.
 */
export const DEFAULT_MAX_PAGES = 100_000;

export type ClientEvent =
  | { type: "request"; method: string; url: string }
  | { type: "retry"; url: string; attempt: number; reason: string; waitMs: number }
  | { type: "rate-limited"; waitMs: number }
  /** Every send waits for Greenhouse's rate limit (once per wait): after a 429, or used up. */
  | { type: "waiting"; waitMs: number; cause: "paused" | "used up" };

export interface Page {
  records: ApiRecord[];
  /** The URL this page was fetched from. */
  url: string;
  /** The next page's URL exactly as the API gave it; undefined on the last page. */
  nextUrl?: string;
  /** 1-based: the URL's `page` parameter when it has one, else counted from the first page. */
  pageNumber: number;
  /** From rel="last" when the API gives it (v1 without skip_count). */
  lastPage?: number;
}

/** A page whose records are parsed when read (`records.values()`); `records.length` is known. */
export interface LazyPage extends Omit<Page, "records"> {
  records: JsonArrayBytes;
}

export interface RequestOptions {
  params?: Record<string, string> | URLSearchParams;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default true for GET/HEAD/PUT/DELETE, false for POST/PATCH: those are not retried once they may have reached the server. */
  idempotent?: boolean;
  /** Statuses returned instead of thrown, e.g. [404]. */
  allowStatus?: number[];
  /**
   * A 2xx body that is a valid JSON array comes back as JsonArrayBytes (elements parsed when
   * read) instead of a parsed array; any other body is handled as usual.
   */
  arrayBytes?: boolean;
}

export interface ClientResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface ClientStats {
  /** Sends, retries included. */
  requests: number;
  /** Retries of any kind (429, 5xx, network, timeout, bad body, 401 refresh). */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /**
   * Wall-clock time during which at least one of this client's requests waited for the pacer
   * (429 pauses included). Concurrent waits overlap, so they are not added up.
   */
  waitedMs: number;
  /** Time slept in backoff after 5xx, network errors, timeouts and bad bodies. */
  backoffMs: number;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || LOOPBACK_V4.test(h);
}

type Sent =
  | { kind: "network"; error: unknown }
  | {
    kind: "response";
    status: number;
    headers: Headers;
    body: unknown;
    bodyError?: string;
    /** A 2xx body passed the cap: never retried (the same answer would come again). */
    tooLarge?: true;
  };

/** One `request()` call: what is sent, and what its tries have used of the retry policy. */
interface Call {
  method: string;
  url: string;
  /** "<METHOD> <path>", for messages (no host, no query). */
  endpoint: string;
  idempotent: boolean;
  bodyText?: string;
  started: number;
  sends: number;
  /** Retryable failures other than 429 so far. */
  failures: number;
  rateLimits: number;
  /** Whether a 401 has already refreshed the credentials. */
  refreshed: boolean;
}

/** What to do after a send. */
type Next =
  | { kind: "done"; response: ClientResponse }
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  | { kind: "again" };

function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10}s` : `${Math.round(ms / 1000)}s`;
}

/** The HTTP status an API error was answered with (thrown by `request`), if it was one. */
export function statusOf(error: unknown): number | undefined {
  const cause = error instanceof RunError ? error.cause : undefined;
  const status = (cause as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * A list's first page answered 404: the list itself is missing on this tenant or API version
 * (a feature the tenant lacks, or a path the tool has wrong). The error says so; its status stays
 * its cause, so callers can still tell it apart (statusOf).
 */
export function listNotFound(error: RunError): RunError {
  return new RunError(
    `${error.message}; no such list on this tenant or API version: run ping to see which ` +
      "lists answer",
    { cause: error.cause },
  );
}

export class HarvestClient {
  readonly baseUrl: string;
  readonly pacer: Pacer;
  readonly stats: ClientStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    waitedMs: 0,
    backoffMs: 0,
  };
  readonly dialect: Dialect;
  #waiting = 0;
  #waitingSince = 0;
  #origin: string;
  #auth: Auth;
  #userAgent: string;
  #clock: Clock;
  #fetch: typeof fetch;
  #timeoutMs: number;
  #deadline: DeadlineFactory;
  #policy: RetryPolicy;
  #random: () => number;
  #onEvent?: (e: ClientEvent) => void;
  #maxBodyBytes: number;
  #maxPages: number;
  /** Set once Greenhouse refused the credentials: every later request throws it unsent. */
  #refused: CredentialsRefused | undefined;

  constructor(opts: ClientOptions) {
    // cli/options.ts validates the base URL and rate target a user gives; these are assertions.
    const url = new URL(opts.baseUrl);
    if (url.protocol === "http:" ? !isLoopback(url.hostname) : url.protocol !== "https:") {
      throw new TypeError(`HarvestClient: ${url.origin} is neither https:// nor loopback http://`);
    }
    if (url.username || url.password || url.search || url.hash) {
      throw new TypeError("HarvestClient: the base URL carries credentials, a query or a fragment");
    }
    if (!(opts.rateTarget > 0 && opts.rateTarget <= 1)) {
      throw new RangeError(`HarvestClient: rate target ${opts.rateTarget} is not in (0, 1]`);
    }
    this.#origin = url.origin;
    this.baseUrl = url.origin + url.pathname.replace(/\/+$/, "");
    this.#auth = opts.auth;
    this.dialect = opts.dialect;
    this.#userAgent = opts.userAgent;
    this.#clock = opts.clock ?? systemClock;
    this.#fetch = opts.fetchFn ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    this.#deadline = opts.deadline ?? realDeadline;
    this.#policy = retryPolicy(opts.retry);
    this.#random = opts.random ?? Math.random;
    this.#onEvent = opts.onEvent;
    this.#maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
    this.pacer = opts.pacer ??
      new Pacer({
        rateTarget: opts.rateTarget,
        windowMs: opts.dialect.windowMs,
        clock: this.#clock,
        onWait: (wait) => this.#onEvent?.({ type: "waiting", waitMs: wait.ms, cause: wait.cause }),
      });
  }

  /**
   * One API call with pacing and retries. Returns 2xx responses (and `allowStatus` ones); throws
   * RunError for everything else. The body is parsed JSON (null when empty; raw text for a
   * non-JSON error body).
   */
  async request(
    method: string,
    pathOrUrl: string,
    init: RequestOptions = {},
  ): Promise<ClientResponse> {
    if (this.#refused) throw this.#refused;
    const call = this.#startCall(method, pathOrUrl, init);
    for (;;) {
      const sent = await this.#sendOnce(call, init);
      let next: Next;
      try {
        next = await this.#classify(call, sent, init);
      } finally {
        if (sent.kind === "response" && sent.status === 401) {
          this.pacer.observe(sent.headers, sent.status);
        }
      }
      if (next.kind === "done") return next.response;
      if (next.kind === "retry") await this.#backOff(call, next.reason, next.retryAfterMs);
      // "again": credentials were refreshed, or the pacer paused for a 429; send again now.
    }
  }

  #startCall(method: string, pathOrUrl: string, init: RequestOptions): Call {
    method = method.toUpperCase();
    const url = this.#resolve(pathOrUrl, init.params);
    return {
      method,
      url,
      endpoint: `${method} ${new URL(url).pathname}`,
      idempotent: init.idempotent ?? !(method === "POST" || method === "PATCH"),
      bodyText: init.body === undefined ? undefined : JSON.stringify(init.body),
      started: this.#clock.now(),
      sends: 0,
      failures: 0,
      rateLimits: 0,
      refreshed: false,
    };
  }

  /**
   * Waits for the pacer, then sends once and reads the whole body. The credentials are checked
   * after the wait, right before the send: a token fresh before a long wait (a 429's pause, a
   * slow rate limit) may be due for renewal by its end, and is renewed then. (One that needs
   * minting anyway is minted before the wait, so the send keeps its slot.)
   */
  async #sendOnce(call: Call, init: RequestOptions): Promise<Sent> {
    await this.#auth.header();
    this.#startWaiting();
    try {
      await this.pacer.acquire();
    } finally {
      this.#stopWaiting();
    }
    let headers: Headers;
    try {
      // Refused while this call waited (a concurrent one's 401): send nothing more.
      if (this.#refused) throw this.#refused;
      const authorization = this.#auth.current?.() ?? await this.#auth.header();
      headers = this.#headers(authorization, init.headers, call.bodyText !== undefined);
      call.sends++;
      this.stats.requests++;
      this.#onEvent?.({ type: "request", method: call.method, url: call.url });
    } catch (error) {
      this.pacer.observe(new Headers(), 0); // every acquire() is matched by one observe()
      throw error;
    }
    return await this.#send(call, headers, init.arrayBytes === true);
  }

  /**
   * What one send's result means: a response to return, an error to throw, a send to retry
   * after a backoff, or one to make again at once (after a credential refresh or a 429 pause).
   */
  async #classify(call: Call, sent: Sent, init: RequestOptions): Promise<Next> {
    if (sent.kind === "network") {
      const failure = classifyNetworkError(sent.error);
      if (!call.idempotent && !failure.notSent) throw this.#notRetried(call, failure.reason);
      return { kind: "retry", reason: failure.reason };
    }
    const { status, headers, body } = sent;
    if (sent.tooLarge) {
      const cap = formatBytes(this.#maxBodyBytes);
      throw new RunError(this.#redact(
        `${call.endpoint}: the answer is larger than ${cap}, the most this tool reads from one ` +
          "API response; stopped reading it; check that --base-url (GREENHOUSE_BASE_URL) points " +
          "at Greenhouse, and report it to Greenhouse if it does",
      ));
    }
    if (sent.bodyError && status >= 200 && status < 300) {
      if (!call.idempotent) throw this.#notRetried(call, sent.bodyError);
      return { kind: "retry", reason: sent.bodyError };
    }
    if (init.allowStatus?.includes(status)) {
      return { kind: "done", response: { status, headers, body } };
    }
    const verdict = classifyStatus(
      status,
      call.endpoint,
      body,
      this.#secrets(),
      this.dialect.version,
      status === 403 ? this.#permissionFor(call) : undefined,
    );
    if (verdict.kind === "ok") return { kind: "done", response: { status, headers, body } };
    if (verdict.kind === "fatal") return await this.#fatal(call, status, body, verdict.error);
    if (verdict.rateLimited) {
      this.#pauseForRateLimit(call, verdict.reason, headers);
      return { kind: "again" };
    }
    if (!call.idempotent) throw this.#notRetried(call, verdict.reason);
    const retryAfterMs = parseRetryAfter(headers.get("retry-after"), this.#clock.now());
    return { kind: "retry", reason: verdict.reason, retryAfterMs };
  }

  /** The permission or scope the call needs, named as Greenhouse shows it (permissions.ts). */
  #permissionFor(call: Call): string | undefined {
    const base = new URL(this.baseUrl).pathname;
    const path = new URL(call.url).pathname;
    if (!path.startsWith(base)) return undefined;
    return requiredPermission(this.dialect.version, call.method, path.slice(base.length));
  }

  /** A 401 refreshes the credentials once (then "again"); anything else fatal is thrown. */
  async #fatal(call: Call, status: number, body: unknown, error: RunError): Promise<Next> {
    if (status === 401 && !call.refreshed && this.#auth.refresh) {
      call.refreshed = true;
      if (await this.#auth.refresh()) {
        this.stats.retries++;
        this.#onEvent?.({
          type: "retry",
          url: call.url,
          attempt: call.sends,
          reason: "401: refreshed credentials",
          waitMs: 0,
        });
        return { kind: "again" };
      }
    }
    if (status === 401) {
      // The credentials themselves are refused: every later request would be too (see
      // CredentialsRefused); this client sends none.
      const detail = apiErrorText(body, this.#secrets());
      const message = this.#auth.unauthorized?.(call.endpoint, detail ? `: ${detail}` : "") ??
        error.message;
      throw (this.#refused = new CredentialsRefused(this.#redact(message)));
    }
    const hint = this.dialect.errorHint?.(status, body) ?? "";
    // The status rides along as the cause, for callers that treat one status apart (statusOf).
    throw new RunError(this.#redact(error.message + (hint ? `; ${hint}` : "")), {
      cause: { status },
    });
  }

  /**
   * A 429: pauses the pacer for as long as Greenhouse asks (every request waits, not just this
   * one), unless that passes the policy's limits.
   */
  #pauseForRateLimit(call: Call, reason: string, headers: Headers): void {
    const policy = this.#policy;
    call.rateLimits++;
    this.stats.rateLimited++;
    const now = this.#clock.now();
    const wait = rateLimitWaitMs(headers, now) ??
      backoffMs(call.rateLimits, this.#random, policy.baseMs, policy.capMs);
    if (call.rateLimits > policy.maxRateLimitRetries) {
      throw this.#giveUp(call, this.#redact(reason));
    }
    if (now - call.started + wait > policy.maxTotalMs) {
      throw this.#giveUp(
        call,
        `${this.#redact(reason)}, and Greenhouse asked to wait ${seconds(wait)}`,
      );
    }
    this.pacer.pause(wait);
    this.stats.retries++;
    this.#onEvent?.({ type: "rate-limited", waitMs: wait });
    this.#onEvent?.({
      type: "retry",
      url: call.url,
      attempt: call.sends,
      reason: this.#redact(reason),
      waitMs: wait,
    });
  }

  /** Sleeps before the next try (backoff, or Retry-After up to the cap), or gives up. */
  async #backOff(call: Call, reason: string, retryAfterMs?: number): Promise<void> {
    const policy = this.#policy;
    reason = this.#redact(reason);
    call.failures++;
    if (call.failures >= policy.maxAttempts) throw this.#giveUp(call, reason);
    const wait = Math.max(
      backoffMs(call.failures, this.#random, policy.baseMs, policy.capMs),
      Math.min(retryAfterMs ?? 0, policy.capMs),
    );
    if (this.#clock.now() - call.started + wait > policy.maxTotalMs) {
      throw this.#giveUp(call, reason);
    }
    this.stats.retries++;
    this.#onEvent?.({ type: "retry", url: call.url, attempt: call.sends, reason, waitMs: wait });
    await this.#clock.sleep(wait);
    this.stats.backoffMs += wait;
  }

  #giveUp(call: Call, lastError: string): RunError {
    const elapsed = this.#clock.now() - call.started;
    const sends = call.sends;
    return new RunError(this.#redact(
      `${call.endpoint}: gave up after ${sends} attempt${sends === 1 ? "" : "s"} over ` +
        `${
          seconds(elapsed)
        }: ${lastError}; check your network or Greenhouse's status and run again`,
    ));
  }

  #notRetried(call: Call, reason: string): RunError {
    return new RunError(this.#redact(
      `${call.endpoint}: ${reason}; not retried because the request may have reached Greenhouse; ` +
        "check whether it took effect before running again",
    ));
  }

  /** GET → parsed JSON body; RunError on fatal statuses. */
  async getJson(
    pathOrUrl: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<unknown> {
    return (await this.request("GET", pathOrUrl, { params })).body;
  }

  /**
   * Every page of a list endpoint. The first request is baseUrl + path with
   * dialect.firstPageParams(params); then the dialect's next link is followed exactly as given.
   * No next link, or an empty page, ends the list. `startUrl` resumes from a saved nextUrl.
   */
  async *paginate(
    path: string,
    params: Record<string, string> = {},
    opts: { startUrl?: string } = {},
  ): AsyncGenerator<Page> {
    for await (const page of this.#pages(path, params, opts, false)) yield page as Page;
  }

  /**
   * `paginate`, with each page's records kept as bytes and parsed one at a time when read: a
   * long extraction's memory then stays flat (see JsonArrayBytes).
   */
  async *paginateLazily(
    path: string,
    params: Record<string, string> = {},
    opts: { startUrl?: string } = {},
  ): AsyncGenerator<LazyPage> {
    for await (const page of this.#pages(path, params, opts, true)) yield page as LazyPage;
  }

  /** The pagination loop both share; `lazy` only chooses how a page body is read. */
  async *#pages(
    path: string,
    params: Record<string, string>,
    opts: { startUrl?: string },
    lazy: boolean,
  ): AsyncGenerator<Omit<Page, "records"> & { records: ApiRecord[] | JsonArrayBytes }> {
    let url: string;
    if (opts.startUrl) url = opts.startUrl;
    else {
      const query = this.dialect.firstPageParams(new URLSearchParams(params)).toString();
      url = this.#resolve(path, undefined);
      if (query) url += (url.includes("?") ? "&" : "?") + query;
    }
    let counter = 0;
    let lastPage: number | undefined;
    const seen = new Set<string>();
    for (;;) {
      seen.add(url);
      // Lazily, a valid JSON array always arrives as JsonArrayBytes; eagerly, as an array.
      const { headers, body } = await this.request("GET", url, { arrayBytes: lazy });
      const endpoint = `GET ${new URL(this.#resolve(url, undefined)).pathname}`;
      const records = lazy
        ? (body instanceof JsonArrayBytes ? body : undefined)
        : (Array.isArray(body) ? body as ApiRecord[] : undefined);
      if (records === undefined) {
        const got = body === null ? "null" : typeof body;
        throw new RunError(
          this.#redact(`${endpoint}: expected a JSON array of records, got ${got}`),
        );
      }
      const links = parseLinkHeader(headers.get("link"));
      let next = this.dialect.nextUrl(links);
      if (next && !/^[a-z][a-z0-9+.-]*:/i.test(next)) {
        next = new URL(next, this.#absolute(url)).href;
      }
      if (records.length === 0) next = undefined;
      counter++;
      // The latest page's count: a tenant that grows during the listing moves `last` on.
      lastPage = this.dialect.lastPage(links) ?? lastPage;
      yield {
        records,
        url,
        nextUrl: next,
        pageNumber: pageParam(url) ?? counter,
        lastPage: this.dialect.lastPage(links),
      };
      if (!next) return;
      if (seen.has(next)) {
        throw new RunError(
          this.#redact(`${endpoint}: the next-page link points back at a page already read`),
        );
      }
      const nextPage = pageParam(next);
      if (lastPage !== undefined && nextPage !== undefined && nextPage > lastPage) {
        throw new RunError(this.#redact(
          `${endpoint}: the next-page link asks for page ${nextPage}, past the last page ` +
            `(${lastPage}) the API announced; stopped there; run again, and report it to ` +
            "Greenhouse if it repeats",
        ));
      }
      if (counter >= this.#maxPages) {
        throw new RunError(this.#redact(
          `${endpoint}: still a next page after ${counter.toLocaleString("en-US")} pages, the ` +
            "most one listing may have; stopped there; run again, and report it to Greenhouse " +
            "if it repeats",
        ));
      }
      url = next;
    }
  }

  #absolute(pathOrUrl: string): string {
    return this.#resolve(pathOrUrl, undefined);
  }

  /** Absolute URLs must be on the base URL's origin (the key goes nowhere else); paths join the base. */
  #resolve(
    pathOrUrl: string,
    params: Record<string, string> | URLSearchParams | undefined,
  ): string {
    let url: string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
      let parsed: URL;
      try {
        parsed = new URL(pathOrUrl);
      } catch {
        throw new RunError("link to follow: Greenhouse gave a URL that is not valid");
      }
      if (parsed.origin !== this.#origin || parsed.username || parsed.password) {
        throw new RunError(
          `${parsed.protocol}//${parsed.host}: not the base URL's host (${this.#origin}); ` +
            "refusing to send the API key there",
        );
      }
      url = pathOrUrl;
    } else {
      url = this.baseUrl + (pathOrUrl.startsWith("/") ? "" : "/") + pathOrUrl;
    }
    const query = params === undefined ? "" : new URLSearchParams(params).toString();
    if (query) url += (url.includes("?") ? "&" : "?") + query;
    return url;
  }

  #startWaiting(): void {
    if (this.#waiting++ === 0) this.#waitingSince = this.#clock.now();
  }

  #stopWaiting(): void {
    if (--this.#waiting === 0) {
      this.stats.waitedMs += Math.max(0, this.#clock.now() - this.#waitingSince);
    }
  }

  #headers(
    authorization: string,
    extra: Record<string, string> | undefined,
    hasBody: boolean,
  ): Headers {
    const headers = new Headers(extra);
    headers.set("Authorization", authorization);
    headers.set("User-Agent", this.#userAgent);
    headers.set("Accept", "application/json");
    if (hasBody) headers.set("Content-Type", "application/json");
    return headers;
  }

  /** One send: fetch, then the whole body. Calls pacer.observe once (for a 401, request() does). */
  async #send(call: Call, headers: Headers, arrayBytes: boolean): Promise<Sent> {
    const deadline = this.#deadline(this.#timeoutMs);
    try {
      let res: Response;
      try {
        res = await this.#fetch(call.url, {
          method: call.method,
          headers,
          body: call.bodyText,
          signal: deadline.signal,
          redirect: "manual",
        });
      } catch (error) {
        this.pacer.observe(new Headers(), 0);
        // A host this build may not reach is a configuration problem, not a network one: no retries.
        if (error instanceof Deno.errors.NotCapable) throw error;
        return { kind: "network", error: deadline.signal.aborted ? deadline.signal.reason : error };
      }
      // A 401 is observed once it is judged (request()): requests waiting for the pacer must
      // not go out before a refusal of the credentials is known.
      if (res.status !== 401) this.pacer.observe(res.headers, res.status);
      return await readBody(res, call.method, arrayBytes, deadline.signal, this.#maxBodyBytes);
    } finally {
      deadline.clear();
    }
  }

  /** What the credentials' last token answer said (v3), for `doctor`; undefined on v1. */
  tokenFacts(): TokenFacts | undefined {
    return this.#auth.tokenFacts?.();
  }

  #secrets(): string[] {
    return this.#auth.secrets?.() ?? [];
  }

  #redact(message: string): string {
    return redactSecrets(message, this.#secrets());
  }
}

/**
 * Reads a response's body: parsed JSON, null when empty, raw text when not JSON, or (2xx with
 * `arrayBytes`) a JsonArrayBytes. A truncated, unreadable or (on 2xx) unparseable body is named
 * in `bodyError`, which makes a 2xx retryable. A 2xx body is read up to `maxBytes` (counted after
 * decoding) and marked `tooLarge` beyond; of any other, the first ERROR_BODY_BYTES are kept.
 */
async function readBody(
  res: Response,
  method: string,
  arrayBytes: boolean,
  signal: AbortSignal,
  maxBytes: number,
): Promise<Sent> {
  const response = { kind: "response", status: res.status, headers: res.headers } as const;
  const ok = res.status >= 200 && res.status < 300;
  const declared = res.headers.get("content-length");
  const encoding = (res.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  const length = declared !== null && /^\d+$/.test(declared.trim()) && encoding === "identity"
    ? Number(declared)
    : undefined;
  if (ok && method !== "HEAD" && length !== undefined && length > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return { ...response, body: null, tooLarge: true };
  }
  let read: { bytes: Uint8Array; more: boolean };
  try {
    read = await readUpTo(res, ok ? maxBytes : ERROR_BODY_BYTES, length);
  } catch (error) {
    const why = signal.aborted
      ? "timed out while reading the body"
      : `truncated or unparseable body (${classifyNetworkError(error).reason})`;
    return { ...response, body: null, bodyError: why };
  }
  const { bytes } = read;
  if (read.more && ok) return { ...response, body: null, tooLarge: true };
  if (!read.more && method !== "HEAD" && length !== undefined && length !== bytes.length) {
    return {
      ...response,
      body: new TextDecoder().decode(bytes),
      bodyError: `truncated or unparseable body (got ${bytes.length} of ${declared} bytes)`,
    };
  }
  const array = ok && arrayBytes ? JsonArrayBytes.from(bytes) : undefined;
  if (array) return { ...response, body: array };
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return { ...response, body: null };
  try {
    return { ...response, body: JSON.parse(text) };
  } catch {
    return {
      ...response,
      body: text,
      bodyError: ok ? "truncated or unparseable body (invalid JSON)" : undefined,
    };
  }
}

/** `64 MiB`, `512 KiB`: a size limit as users read it. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function pageParam(url: string): number | undefined {
  try {
    const page = new URL(url, "https://placeholder.invalid/").searchParams.get("page");
    if (page === null || !/^\d+$/.test(page)) return undefined;
    const n = Number(page);
    return n > 0 && Number.isSafeInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
