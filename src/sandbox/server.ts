/**
 * HTTP front of the sandbox: Deno.serve, auth, rate limits, injected faults, the attachment file
 * host, and the request log. The API routes themselves are v1.ts and v3.ts.
 *
 * Response header names go out lower-cased (HTTP/1.1 in Deno normalises them); clients must
 * match case-insensitively anyway.
 */
import type { Clock } from "../clock.ts";
import type { ApiVersion } from "../entities.ts";
import { basicCredentials, bearerToken } from "./auth_header.ts";
import { echoBody } from "./echo.ts";
import { routeCatalogV1, routeCatalogV3 } from "./catalog_routes.ts";
import { type Faults, FaultState } from "./faults.ts";
import { driftedReply, type FieldDrift } from "./drift.ts";
import { decodeToken, fileStream, s3Error } from "./files.ts";
import { FixedWindowLimiter, type RateDecision } from "./ratelimit.ts";
import { granted, v1Permission, v3Scope } from "./permissions.ts";
import { json, JSON_TYPE, notFound, type Reply } from "./reply.ts";
import type { Tenant } from "./tenant.ts";
import { routeV1 } from "./v1.ts";
import type { V3Api } from "./v3.ts";
import { MINTED_LIFETIME_MS } from "./v3_candidate_data.ts";

export interface RequestLogEntry {
  method: string;
  /** Path with query string, e.g. "/v1/candidates?page=2&per_page=500". */
  path: string;
  status: number;
  onBehalfOf?: string;
  /** v3 writes: the user the bearer token was issued for (its `sub`). */
  sub?: number;
  /** Request body of writes (parsed JSON when it parses, else the text). */
  body?: unknown;
  /** clock.now() when the request arrived. */
  at: number;
}

export interface ServerConfig {
  tenant: Tenant;
  clock: Clock;
  apiKey: string;
  rateLimit: number;
  windowMs: number;
  deniedPaths: string[];
  missingPaths: string[];
  /** Records of chosen lists differ from the documented shape (drift.ts). */
  fieldDrift: readonly FieldDrift[];
  /** Every answer's Date header tells the clock's time (a server whose clock is off). */
  dateFromClock: boolean;
  /** v1: the endpoints the key is granted ("Get: List Candidates", …); undefined = all. */
  permissions?: readonly string[];
  /** v3: the scopes every token carries ("harvest:candidates:list", …); undefined = all. */
  v3Scopes?: readonly string[];
  omitRateLimitHeadersOn429: boolean;
  faults: () => Faults;
  log: RequestLogEntry[];
  /** Harvest v3: token endpoint, bearer tokens and list routes. */
  v3: V3Api;
  /** v3 requests per window (0 = unlimited) and the window (30 s). */
  v3RateLimit: number;
  v3WindowMs: number;
}

const xml = (status: number, code: string, message: string): Reply => ({
  status,
  body: s3Error(code, message),
  headers: { "Content-Type": "application/xml" },
});

/**
 * Waits `ms`, or less once `signal` aborts (the sandbox closing): a test that kills its client
 * mid-stall closes the sandbox at once instead of waiting the stall out. (Not the request's own
 * signal: reading it makes Deno.serve print a warning, on stderr of `demo` too.)
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

export class SandboxServer {
  readonly limiter: FixedWindowLimiter;
  readonly v3Limiter: FixedWindowLimiter;
  readonly faultState = new FaultState();
  #server?: Deno.HttpServer<Deno.NetAddr>;
  /** Aborted by close(): ends every stall and injected latency at once. */
  readonly #closing = new AbortController();
  constructor(readonly config: ServerConfig) {
    this.limiter = new FixedWindowLimiter(config.rateLimit, config.windowMs, config.clock);
    this.v3Limiter = new FixedWindowLimiter(config.v3RateLimit, config.v3WindowMs, config.clock);
  }

  start(port: number): Promise<Deno.NetAddr> {
    return new Promise((resolve) => {
      this.#server = Deno.serve({
        hostname: "127.0.0.1",
        port,
        onListen: (addr) => resolve(addr),
        onError: () => json500(),
      }, (req) => this.handle(req));
    });
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#server?.shutdown();
    await this.#server?.finished;
  }

  async handle(req: Request): Promise<Response> {
    const cfg = this.config;
    const at = cfg.clock.now();
    const url = new URL(req.url);
    const entry: RequestLogEntry = {
      method: req.method,
      path: url.pathname + url.search,
      status: 0,
      at,
    };
    cfg.log.push(entry);
    const faults = cfg.faults();
    let reply: Reply;
    let scope: "api" | "files" = "api";
    try {
      if (url.pathname.startsWith("/files/")) {
        scope = "files";
        await req.body?.cancel();
        reply = await this.#files(url, faults);
      } else if (/^\/v[13](\/|$)/.test(url.pathname)) {
        const version = url.pathname.slice(1, 3) as ApiVersion;
        reply = await this.#api(req, url, entry, faults, version);
        if (req.method.toUpperCase() === "GET" && cfg.fieldDrift.length > 0) {
          reply = driftedReply(cfg.fieldDrift, version, url.pathname.slice(3), reply);
        }
      } else if (url.pathname === "/token") {
        reply = await this.#token(req, faults);
      } else {
        await req.body?.cancel();
        reply = notFound();
      }
    } catch (err) {
      reply = json(500, { message: "Server error", detail: String(err) });
    }
    if ((faults.latencyMs ?? 0) > 0) await sleep(faults.latencyMs!, this.#closing.signal);
    if (faults.stallAnswer && this.faultState.fires(faults.stallAnswer, scope, req.method)) {
      await sleep(faults.stallAnswer.ms, this.#closing.signal);
    }
    entry.status = reply.status;
    if (cfg.dateFromClock) {
      const date = new Date(cfg.clock.now()).toUTCString();
      reply = { ...reply, headers: { ...reply.headers, Date: date } };
    }
    return this.#respond(reply, faults, scope, req.method);
  }

  /** The v3 token endpoint, unless the `echoCredentials` or `tokenRefusal` fault answers first. */
  async #token(req: Request, faults: Faults): Promise<Reply> {
    const echoed = this.#echo(req, faults, "token");
    if (echoed) {
      await req.body?.cancel();
      const rate = this.#rateHeaders(this.config.v3.auth.limiter.take("token"), false, "v3");
      echoed.headers = { ...echoed.headers, ...rate }; // as the endpoint's own answers
      return echoed;
    }
    const refusal = faults.tokenRefusal;
    if (refusal && this.faultState.fires(refusal, "token", req.method)) {
      await req.body?.cancel();
      const status = refusal.status ?? (refusal.error === "invalid_client" ? 401 : 400);
      return json(status, { error: refusal.error });
    }
    return await this.config.v3.auth.token(req);
  }

  #respond(reply: Reply, faults: Faults, scope: "api" | "files", method: string): Response {
    const st = this.faultState;
    const ok = reply.status >= 200 && reply.status < 300 && reply.body !== null;
    if (ok && st.fires(faults.hugeBody, scope, method)) {
      const headers = Object.fromEntries(
        Object.entries(reply.headers ?? {}).filter(([k]) => k.toLowerCase() !== "content-length"),
      );
      if (faults.hugeBody?.mode === "gzip") {
        const decoded = whitespaceJson(faults.hugeBody.decodedBytes ?? 1024 ** 3);
        const gzip = new CompressionStream("gzip") as unknown as TransformStream<Uint8Array>;
        return new Response(decoded.pipeThrough(gzip), {
          status: reply.status,
          headers: { ...headers, "Content-Encoding": "gzip" },
        });
      }
      return new Response(whitespaceJson(Infinity), { status: reply.status, headers });
    }
    if (ok && st.fires(faults.reset, scope, method)) {
      return new Response(cutStream(reply.body!, faults.reset?.afterBytes, "error"), {
        status: reply.status,
        headers: reply.headers,
      });
    }
    if (ok && st.fires(faults.truncate, scope, method)) {
      const mode = faults.truncate?.mode ?? "short";
      if (typeof reply.body === "string" && mode === "cut") {
        const bytes = new TextEncoder().encode(reply.body);
        return new Response(bytes.slice(0, Math.floor(bytes.length / 2)), {
          status: reply.status,
          headers: reply.headers,
        });
      }
      const headers = { ...reply.headers };
      if (typeof reply.body === "string") {
        headers["Content-Length"] = String(new TextEncoder().encode(reply.body).length);
      }
      return new Response(
        cutStream(reply.body!, undefined, mode === "cut" ? "close-cut" : "close"),
        {
          status: reply.status,
          headers: mode === "cut"
            ? Object.fromEntries(
              Object.entries(reply.headers).filter(([k]) => k.toLowerCase() !== "content-length"),
            )
            : headers,
        },
      );
    }
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  }

  async #files(url: URL, faults: Faults): Promise<Reply> {
    const st = this.faultState;
    if (faults.stall && st.fires(faults.stall, "files")) {
      await sleep(faults.stall.ms, this.#closing.signal);
    }
    if (st.fires(faults.status5xx, "files")) {
      return xml(
        faults.status5xx?.status ?? 500,
        "InternalError",
        "We encountered an internal error.",
      );
    }
    if (faults.fileRedirect && st.fires(faults.fileRedirect, "files")) {
      return { status: 302, body: null, headers: { Location: faults.fileRedirect.location } };
    }
    const rest = url.pathname.slice("/files/".length);
    if (rest.startsWith("m/")) return this.#mint(url, rest.slice(2));
    if (rest.startsWith("r/")) {
      return {
        status: 302,
        body: null,
        headers: { Location: `${url.origin}/files/${rest.slice(2)}${url.search}` },
      };
    }
    const token = rest;
    const expires = url.searchParams.get("Expires");
    const signature = url.searchParams.get("Signature");
    if (expires === null || signature === null || !/^\d+$/.test(expires)) {
      return xml(
        403,
        "AccessDenied",
        "Query-string authentication requires the Signature and Expires parameters",
      );
    }
    const tenant = this.config.tenant;
    if (!tenant.signer.verify(token, Number(expires), signature)) {
      return xml(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
      );
    }
    if (this.config.clock.now() / 1000 > Number(expires)) {
      return xml(403, "AccessDenied", "Request has expired");
    }
    const ref = decodeToken(token);
    const spec = ref && tenant.fileSpec(ref);
    if (!spec) return xml(404, "NoSuchKey", "The specified key does not exist.");
    const drip = faults.fileDrip;
    if (drip && st.fires(drip, "files")) {
      const source = drip.endless ? undefined : fileStream(tenant.config.seed, token, spec);
      return {
        status: 200,
        body: dripped(source, drip.bytes ?? 1024, drip.everyMs),
        headers: {
          "Content-Type": spec.contentType,
          ...(drip.endless ? {} : { "Content-Length": String(spec.size) }),
        },
      };
    }
    return {
      status: 200,
      body: slowed(fileStream(tenant.config.seed, token, spec), faults.fileChunkDelayMs ?? 0),
      headers: {
        "Content-Type": spec.contentType,
        "Content-Length": String(spec.size),
        "ETag": `"${token.slice(0, 32)}"`,
      },
    };
  }

  /**
   * A v3 mint link: checked like a signed URL (so it expires too), then 302 to a fresh signed URL
   * of the same file that lives MINTED_LIFETIME_MS.
   */
  #mint(url: URL, token: string): Reply {
    const tenant = this.config.tenant;
    const expires = url.searchParams.get("Expires") ?? "";
    const signature = url.searchParams.get("Signature") ?? "";
    if (!/^\d+$/.test(expires) || !tenant.signer.verify(token, Number(expires), signature)) {
      return xml(403, "SignatureDoesNotMatch", "The mint link's signature does not match.");
    }
    const now = this.config.clock.now();
    if (now / 1000 > Number(expires)) return xml(403, "AccessDenied", "Request has expired");
    const fresh = Math.floor((now + MINTED_LIFETIME_MS) / 1000);
    return {
      status: 302,
      body: null,
      headers: {
        Location: `${url.origin}/files/${token}?Expires=${fresh}&Signature=${
          tenant.signer.sign(token, fresh)
        }`,
      },
    };
  }

  #rateHeaders(d: RateDecision, is429: boolean, version: ApiVersion): Record<string, string> {
    // v3 sends all three on every response; v1 sends Reset only on 429s.
    if (version === "v3") {
      return {
        "X-RateLimit-Limit": String(d.limit),
        "X-RateLimit-Remaining": String(d.remaining),
        "X-RateLimit-Reset": String(Math.ceil(d.resetMs / 1000)),
      };
    }
    if (is429 && this.config.omitRateLimitHeadersOn429) return {};
    return { "X-Ratelimit-Limit": String(d.limit), "X-Ratelimit-Remaining": String(d.remaining) };
  }

  /** The `echoCredentials` fault's answer, when it fires for this request at `where`. */
  #echo(req: Request, faults: Faults, where: "api" | "token"): Reply | undefined {
    const f = faults.echoCredentials;
    const at = f?.at ?? "api";
    if (!f || (at !== "both" && at !== where)) return undefined;
    if (!this.faultState.fires(f, "api", req.method)) return undefined;
    const { clientId, clientSecret } = this.config.v3.auth.config;
    const bearer = bearerToken(req);
    const known = bearer === undefined ? [] : [
      clientSecret,
      btoa(`${clientId}:${clientSecret}`),
      this.config.v3.auth.refreshTokenOf(bearer) ?? "",
    ];
    const text = echoBody({ req, known }, this.faultState.firings(f) - 1, f.offset ?? 190);
    return f.json
      ? json(f.status ?? 422, { message: text })
      : { status: f.status ?? 422, body: text, headers: { "Content-Type": "text/plain" } };
  }

  /** The 403 for an endpoint outside the credential's permissions (see permissions.ts). */
  #refused(version: ApiVersion, method: string, path: string): Reply | undefined {
    if (version === "v3") {
      const scope = v3Scope(method, path);
      if (granted(this.config.v3Scopes, scope)) return undefined;
      return json(403, { errors: [`Missing required scope: ${scope}.`] });
    }
    if (granted(this.config.permissions, v1Permission(method, path))) return undefined;
    return json(403, { message: "This API key does not have permission to access this endpoint." });
  }

  async #api(
    req: Request,
    url: URL,
    entry: RequestLogEntry,
    faults: Faults,
    version: ApiVersion,
  ): Promise<Reply> {
    const cfg = this.config;
    const st = this.faultState;
    const method = req.method.toUpperCase();
    const isWrite = method !== "GET" && method !== "HEAD";
    let bodyText: string | undefined;
    if (isWrite) {
      bodyText = await req.text();
      const obo = req.headers.get("on-behalf-of");
      if (obo !== null) entry.onBehalfOf = obo;
      if (bodyText !== "") {
        try {
          entry.body = JSON.parse(bodyText);
        } catch {
          entry.body = bodyText;
        }
      }
    }
    const hasGetBody = !isWrite && req.body !== null;
    if (hasGetBody) await req.body?.cancel();

    if (version === "v3") {
      const denied = cfg.v3.auth.authorize(req);
      if (denied) return denied;
    } else if (basicCredentials(req)?.user !== cfg.apiKey) {
      // The key is the user name, with any password (#authentication of the v1 reference).
      return json(401, { message: "Invalid Basic Auth credentials" });
    }
    const d = version === "v3" ? this.v3Limiter.take("v3") : this.limiter.take(cfg.apiKey);
    const now = cfg.clock.now();
    if (!d.allowed) {
      const retry = Math.max(1, Math.ceil((d.resetMs - now) / 1000));
      return json(429, { message: "Rate limit exceeded" }, {
        ...this.#rateHeaders(d, true, version),
        "Retry-After": String(retry),
        "X-RateLimit-Reset": String(Math.ceil(d.resetMs / 1000)),
      });
    }
    const rate = this.#rateHeaders(d, false, version);
    if (faults.exhaustedRateLimit && st.fires(faults.exhaustedRateLimit, "api", method)) {
      const seconds = faults.exhaustedRateLimit.resetSeconds ?? 3600;
      delete rate["X-Ratelimit-Remaining"];
      rate["X-RateLimit-Remaining"] = "0";
      rate["X-RateLimit-Reset"] = String(Math.ceil(now / 1000) + seconds);
    }
    const withRate = (r: Reply): Reply => ({ ...r, headers: { ...r.headers, ...rate } });
    const echoed = this.#echo(req, faults, "api");
    if (echoed) return withRate(echoed);
    if (st.fires(faults.rate429, "api", method)) {
      const f = faults.rate429!;
      const secs = f.seconds ?? 1;
      const h: Record<string, string> = {
        ...this.#rateHeaders(d, true, version),
        "X-RateLimit-Reset": String(Math.ceil(now / 1000) + secs),
      };
      const form = f.retryAfter ?? "seconds";
      if (form === "seconds") h["Retry-After"] = String(secs);
      else if (form === "epoch") h["Retry-After"] = String(Math.ceil(now / 1000) + secs);
      else if (form === "http-date") h["Retry-After"] = new Date(now + secs * 1000).toUTCString();
      return json(429, { message: "Rate limit exceeded" }, h);
    }
    const rel = url.pathname.slice("/v1".length);
    const refused = this.#refused(version, method, rel);
    if (refused) return withRate(refused);
    if (cfg.deniedPaths.some((p) => underPath(rel, p))) {
      return withRate(
        json(403, { message: "This API key does not have permission to access this endpoint." }),
      );
    }
    if (cfg.missingPaths.some((p) => underPath(rel, p))) {
      return withRate(notFound());
    }
    if (hasGetBody) {
      return withRate(json(403, { message: "GET requests must not carry a request body." }));
    }
    if (faults.stall && st.fires(faults.stall, "api", method)) {
      await sleep(faults.stall.ms, this.#closing.signal);
    }
    if (st.fires(faults.status5xx, "api", method)) {
      return withRate(json(faults.status5xx?.status ?? 500, { message: "Server error" }));
    }
    if (method === "GET") {
      // The other list endpoints (catalog.ts), in either version.
      const listed = version === "v1"
        ? routeCatalogV1(cfg.tenant, url)
        : routeCatalogV3(cfg.tenant, url);
      if (listed) return withRate(listed);
    }
    if (version === "v3") {
      const sub = isWrite ? cfg.v3.auth.subOf(req) : undefined;
      if (sub !== undefined) entry.sub = sub;
      return withRate(cfg.v3.route(method, url, sub, bodyText));
    }
    if (faults.endlessPages && st.fires(faults.endlessPages, "api", method)) {
      return withRate(endlessPage(routeV1, cfg.tenant, url, req.headers));
    }
    return withRate(routeV1(cfg.tenant, method, url, req.headers, bodyText));
  }
}

/** Whether `rel` is the path `prefix` or below it. */
function underPath(rel: string, prefix: string): boolean {
  return rel === prefix || rel.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
}

/** The stream with a pause before each chunk (none when `ms` is 0). */
function slowed(body: ReadableStream<Uint8Array>, ms: number): ReadableStream<Uint8Array> {
  if (ms <= 0) return body;
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await sleep(ms);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: () => reader.cancel(),
  }, { highWaterMark: 0 });
}

/**
 * `source`'s bytes (or, without one, zero bytes forever) `size` at a time, one piece every `ms`.
 * A cancelled stream clears its timer, so a client that gives up leaves nothing running.
 */
function dripped(
  source: ReadableStream<Uint8Array> | undefined,
  size: number,
  ms: number,
): ReadableStream<Uint8Array> {
  const reader = source?.getReader();
  let pending = new Uint8Array(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  const pause = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await pause();
      if (!reader) return controller.enqueue(new Uint8Array(size));
      while (pending.length < size) {
        const { done, value } = await reader.read();
        if (done) break;
        const joined = new Uint8Array(pending.length + value.length);
        joined.set(pending);
        joined.set(value, pending.length);
        pending = joined;
      }
      if (pending.length === 0) return controller.close();
      controller.enqueue(pending.slice(0, size));
      pending = pending.slice(size);
    },
    async cancel() {
      clearTimeout(timer);
      wake?.();
      await reader?.cancel();
    },
  }, { highWaterMark: 0 });
}

/** `[` and then JSON whitespace, `bytes` in all (endless for Infinity), 64 KB a chunk. */
function whitespaceJson(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(65_536).fill(0x20);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) {
        controller.close();
        return;
      }
      const part = chunk.slice(0, Math.min(chunk.length, bytes - sent));
      if (sent === 0) part[0] = 0x5b; // "["
      sent += part.length;
      controller.enqueue(part);
    },
  }, { highWaterMark: 0 });
}

/**
 * The credentials a request carries, as a hostile server might echo them: the raw secret, the
 * header value, its base64 without padding, and the header percent-encoded; plus the v3 secret.
 */
/** The first page of a v1 list again, linking to the page after the one asked for. */
function endlessPage(
  route: typeof routeV1,
  tenant: Tenant,
  url: URL,
  headers: Headers,
): Reply {
  const asked = Number(url.searchParams.get("page") ?? "1");
  const first = new URL(url);
  first.searchParams.set("page", "1");
  const reply = route(tenant, "GET", first, headers, undefined);
  const link = reply.headers?.["Link"];
  if (reply.status !== 200 || !link) return reply;
  const next = new URL(url);
  next.searchParams.set("page", String(asked + 1));
  const last = /<[^>]*>; rel="last"/.exec(link)?.[0];
  return {
    ...reply,
    headers: {
      ...reply.headers,
      Link: [`<${next.href}>; rel="next"`, last].filter(Boolean).join(","),
    },
  };
}

function json500(): Response {
  return new Response(JSON.stringify({ message: "Server error" }), {
    status: 500,
    headers: { "Content-Type": JSON_TYPE },
  });
}

/**
 * Pass through part of a body, then: "error" the stream (connection reset), "close" early
 * (with a declared Content-Length, a premature end), or "close-cut" (a short but complete body).
 */
function cutStream(
  body: string | ReadableStream<Uint8Array>,
  afterBytes: number | undefined,
  how: "error" | "close" | "close-cut",
): ReadableStream<Uint8Array> {
  if (typeof body === "string") {
    const bytes = new TextEncoder().encode(body);
    const cut = Math.min(bytes.length - 1, afterBytes ?? Math.floor(bytes.length / 2));
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (cut > 0) controller.enqueue(bytes.slice(0, cut));
        if (how === "error") controller.error(new Error("sandbox fault: connection reset"));
        else controller.close();
      },
    });
  }
  // Streams (files): without afterBytes, cut after the first chunk.
  const reader = body.getReader();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const limit = afterBytes ?? 1;
      if (sent >= limit) {
        await reader.cancel();
        if (how === "error") controller.error(new Error("sandbox fault: connection reset"));
        else controller.close();
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      const part = afterBytes === undefined ? value : value.subarray(0, afterBytes - sent);
      sent += part.length;
      controller.enqueue(part);
    },
    async cancel() {
      await reader.cancel();
    },
  });
}
