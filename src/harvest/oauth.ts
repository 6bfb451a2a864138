/**
 * Harvest v3 authentication: OAuth 2.0 client credentials. Mints a bearer token at the token
 * endpoint, reuses it until shortly before it expires, and mints a new one after a 401.
 *
 * Token requests are paced on their own (Greenhouse counts them in a separate 60 s window: a
 * Pacer of their own, not the API's) and retried with backoff on 429, 5xx and network errors; a
 * 400/401/403 from the token endpoint fails at once with one line saying what to fix (401
 * `invalid_client`: the id or secret; 400 for a client id without its `-<n>` suffix: the id).
 * Neither the secret nor any token ever appears in a message: `secrets()` lists them so the
 * client can scrub its own messages too.
 */
import { type Clock, systemClock } from "../clock.ts";
import { RunError } from "../errors.ts";
import type { Auth, TokenFacts } from "./auth.ts";
import { readTextUpTo } from "./body.ts";
import { base64Utf8 } from "./auth.ts";
import { Pacer } from "./pacer.ts";
import {
  apiErrorText,
  backoffMs,
  classifyNetworkError,
  DEFAULT_RETRY_POLICY,
  rateLimitWaitMs,
} from "./retry.ts";

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** e.g. https://auth.greenhouse.io/token */
  authUrl: string;
  /** Greenhouse user id the token acts as (`sub`); writes are attributed to that user. */
  onBehalfOf?: string;
  clock?: Clock;
  fetchFn?: typeof fetch;
  random?: () => number;
  userAgent?: string;
  /** Renew this long before the token expires (default 60 s). */
  marginMs?: number;
  /** Token requests per 60 s window until the endpoint's X-RateLimit-Limit says (default 10). */
  requestsPerMinute?: number;
  /** Sends of one token request before giving up (default 5). */
  maxAttempts?: number;
}

interface Token {
  value: string;
  header: string;
  expiresAt: number;
  /** When to mint the next one: the margin before expiry, or half the life if that is shorter. */
  renewAt: number;
}

/** Token requests have a rate window of their own, 60 s (docs/api-versions.md cites it). */
export const TOKEN_WINDOW_MS = 60_000;
/**
 * When the endpoint names no expiry, assume Greenhouse's documented 1 h access-token life
 * (https://harvestdocs.greenhouse.io/docs/authentication).
 */
const DEFAULT_LIFETIME_MS = 3_600_000;
/** A longer life than this is not believed (tokens live 1 h; a 401 would renew one anyway). */
const MAX_LIFETIME_MS = 86_400_000;
/** Bytes of a token answer read at most: a token answer is a few hundred. */
const MAX_TOKEN_BODY_BYTES = 64 * 1024;
/** RFC 3339 date-time (a zone is required: a time without one would be read as local time). */
const RFC3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d:?\d\d)$/;
/**
 * Client ids end in `-<n>`; Greenhouse answers 400 to one without (as reported in this project's
 * issue 13; no public page we could read states it).
 */
const CLIENT_ID_SUFFIX = /-\d+$/;

function finite(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/**
 * When the token expires, in epoch ms of our clock. Greenhouse answers `expires_at`, an RFC 3339
 * time (what its own PHP client reads: github.com/grnhse/greenhouse-tools-php,
 * src/Clients/HarvestAuthClient.php); OAuth 2.0 (RFC 6749 §5.1) says `expires_in`, seconds.
 * Both are read (epoch seconds or ms in `expires_at` too). An `expires_at` is measured against
 * the answer's own Date header when it has one, so a skewed local clock does not shorten or
 * stretch the token's life. No usable expiry: the documented 1 h. Longer than a day: a day.
 */
export function tokenExpiry(
  body: Record<string, unknown>,
  nowMs: number,
  serverNowMs?: number,
): number {
  const life = (ms: number) => nowMs + Math.min(Math.max(0, ms), MAX_LIFETIME_MS);
  const { atMs, inMs } = statedExpiry(body);
  if (atMs !== undefined) {
    const base = serverNowMs !== undefined && Number.isFinite(serverNowMs) ? serverNowMs : nowMs;
    return life(atMs - base);
  }
  return life(inMs ?? DEFAULT_LIFETIME_MS);
}

/** The expiry an answer states: `expires_at` as epoch ms, else `expires_in` as ms; else none. */
function statedExpiry(body: Record<string, unknown>): { atMs?: number; inMs?: number } {
  const at = body.expires_at;
  const epoch = finite(at);
  if (epoch !== undefined) return { atMs: epoch > 1e12 ? epoch : epoch * 1000 };
  if (typeof at === "string" && RFC3339.test(at.trim())) {
    const parsed = Date.parse(at.trim().replace(" ", "T"));
    if (Number.isFinite(parsed)) return { atMs: parsed };
  }
  const inSeconds = finite(body.expires_in);
  return inSeconds === undefined ? {} : { inMs: inSeconds * 1000 };
}

/** A scope as shown: letters, digits and `_:.*-/`, at most 100 characters. */
const SCOPE = /^[A-Za-z0-9_:.*\/-]{1,100}$/;
/** Most scopes kept from one answer. */
const MAX_SCOPES = 500;
/** A JWT's claims are read only from a token this long at most. */
const MAX_JWT_CHARS = 16_384;

function scopeList(value: unknown): string[] | undefined {
  const items = typeof value === "string"
    ? value.split(/\s+/)
    : Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : undefined;
  const scopes = items?.filter((item) => SCOPE.test(item)).slice(0, MAX_SCOPES);
  return scopes && scopes.length > 0 ? scopes : undefined;
}

/** The claims of a JWT (its middle part, base64url JSON), or undefined for any other token. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (token.length > MAX_JWT_CHARS || parts.length !== 3) return undefined;
  try {
    const base64 = parts[1].replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims !== null && typeof claims === "object" && !Array.isArray(claims)
      ? claims
      : undefined;
  } catch {
    return undefined;
  }
}

/** What the answer `body` (and the token `value`) say about the token's life and scopes. */
export function tokenFacts(
  body: Record<string, unknown>,
  value: string,
  nowMs: number,
  serverNowMs?: number,
): TokenFacts {
  const facts: TokenFacts = { lifetimeFrom: "none" };
  if (serverNowMs !== undefined && Number.isFinite(serverNowMs)) facts.serverDate = serverNowMs;
  const base = facts.serverDate ?? nowMs;
  const claims = jwtClaims(value);
  const { atMs, inMs } = statedExpiry(body);
  const exp = finite(claims?.exp);
  if (atMs !== undefined) {
    Object.assign(facts, { lifetimeMs: atMs - base, lifetimeFrom: "expires_at" });
  } else if (inMs !== undefined) {
    Object.assign(facts, { lifetimeMs: inMs, lifetimeFrom: "expires_in" });
  } else if (exp !== undefined) {
    const issued = finite(claims?.iat);
    const from = issued !== undefined ? issued * 1000 : base;
    Object.assign(facts, { lifetimeMs: exp * 1000 - from, lifetimeFrom: "token exp claim" });
  }
  const answered = scopeList(body.scope);
  const claimed = scopeList(claims?.scope ?? claims?.scp ?? claims?.scopes);
  if (answered) Object.assign(facts, { scopes: answered, scopesFrom: "answer" });
  else if (claimed) Object.assign(facts, { scopes: claimed, scopesFrom: "token claims" });
  return facts;
}

/** The OAuth error code of a token answer (`invalid_client`, …), when it names a plausible one. */
function errorCode(body: unknown): string | undefined {
  const code = (body as Record<string, unknown> | null)?.error;
  return typeof code === "string" && /^[a-z_]{1,40}$/.test(code) ? code : undefined;
}

export function clientCredentialsAuth(opts: ClientCredentials): Auth {
  const clientId = opts.clientId.trim();
  const clientSecret = opts.clientSecret.trim();
  if (!clientId || !clientSecret) {
    // cli/options.ts refuses empty credentials before anything runs.
    throw new TypeError("clientCredentialsAuth: the client id and secret must not be empty");
  }
  const clock = opts.clock ?? systemClock;
  const doFetch = opts.fetchFn ?? fetch;
  const random = opts.random ?? Math.random;
  const margin = opts.marginMs ?? 60_000;
  const perMinute = Math.max(1, opts.requestsPerMinute ?? 10);
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  const basic = base64Utf8(`${clientId}:${clientSecret}`);
  const basicHeader = `Basic ${basic}`;
  const endpoint = `POST ${new URL(opts.authUrl).origin}${new URL(opts.authUrl).pathname}`;
  // The token host's own pacer: its 60 s window, learning the limit from X-RateLimit-* when the
  // endpoint sends them, `perMinute` until then.
  const pacer = new Pacer({
    rateTarget: 1,
    windowMs: TOKEN_WINDOW_MS,
    clock,
    initialLimit: perMinute,
    fallbackLimit: perMinute,
  });

  let token: Token | undefined;
  let pending: Promise<Token> | undefined;
  /** What the last token answer said (for `doctor`). */
  let facts: TokenFacts | undefined;

  /** Tokens minted by this run, newest last: a replaced one may be valid until it expires. */
  const minted: string[] = [];
  function secrets(): string[] {
    return [clientSecret, basic, basicHeader, ...minted.flatMap((t) => [t, `Bearer ${t}`])];
  }
  /** The answer's own words, redacted first, then on one line and cut. */
  const detailOf = (body: unknown): string => {
    // deno-lint-ignore no-control-regex
    const text = apiErrorText(body, secrets()).replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  };

  /** What a refusal (4xx other than 429) means, and what to fix. */
  function refusal(status: number, body: unknown): RunError {
    const code = errorCode(body);
    const said = `(${status}${code ? ` ${code}` : ""})`;
    const where = "Configure → Dev Center → API Credential Management, Harvest v3";
    if (status === 401 || code === "invalid_client") {
      return new RunError(
        `${endpoint}: Greenhouse refused the client credentials ${said}: the client id or secret ` +
          `is wrong; check GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET (${where})`,
      );
    }
    if (status === 400 && !CLIENT_ID_SUFFIX.test(clientId)) {
      return new RunError(
        `${endpoint}: Greenhouse refused GREENHOUSE_CLIENT_ID ${said}: a client id ends in ` +
          `-<number> and this one does not; copy the whole client id again (${where})`,
      );
    }
    if (status === 400 && opts.onBehalfOf !== undefined) {
      return new RunError(
        `${endpoint}: Greenhouse refused the token request for user ${opts.onBehalfOf} ${said}` +
          `${detailOf(body) ? `: ${detailOf(body)}` : ""}; check that --on-behalf-of names an ` +
          "existing Greenhouse user id",
      );
    }
    const detail = detailOf(body);
    return new RunError(
      `${endpoint}: Greenhouse refused the token request ${said}${detail ? `: ${detail}` : ""}; ` +
        `check GREENHOUSE_CLIENT_ID, GREENHOUSE_CLIENT_SECRET (${where}) and --auth-url`,
    );
  }

  async function mint(): Promise<Token> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (opts.onBehalfOf !== undefined) form.set("sub", opts.onBehalfOf);
    let lastError = "";
    let rateLimits = 0;
    for (let attempt = 1;; attempt++) {
      await pacer.acquire();
      let res: Response;
      try {
        res = await doFetch(opts.authUrl, {
          method: "POST",
          headers: {
            Authorization: basicHeader,
            "Content-Type": "application/x-www-form-urlencoded",
            Accept: "application/json",
            ...(opts.userAgent ? { "User-Agent": opts.userAgent } : {}),
          },
          body: form.toString(),
          redirect: "manual",
        });
      } catch (error) {
        pacer.observe(new Headers(), 0);
        // A host this build may not reach is a configuration problem, not a network one: no retries.
        if (error instanceof Deno.errors.NotCapable) throw error;
        lastError = classifyNetworkError(error).reason;
        if (attempt >= maxAttempts) break;
        await clock.sleep(backoffMs(attempt, random));
        continue;
      }
      pacer.observe(res.headers, res.status);
      const text = await readTextUpTo(res, MAX_TOKEN_BODY_BYTES).catch(() => ""); // never endless
      let body: unknown = text;
      try {
        body = text.trim() ? JSON.parse(text) : null;
      } catch { /* keep the text for the message */ }
      if (res.ok) {
        const b = (body ?? {}) as Record<string, unknown>;
        const value = typeof b.access_token === "string" ? b.access_token.trim() : "";
        // deno-lint-ignore no-control-regex
        if (!value || /[\s\u0000-\u001f\u007f]/.test(value)) {
          throw new RunError(
            `${endpoint}: the token endpoint answered ${res.status} without a usable ` +
              "access_token; check --auth-url (GREENHOUSE_AUTH_URL)",
          );
        }
        const now = clock.now();
        const date = res.headers.get("date");
        const serverNow = date === null ? undefined : Date.parse(date);
        const expiresAt = tokenExpiry(b, now, serverNow);
        facts = tokenFacts(b, value, now, serverNow);
        const renewAt = expiresAt - Math.min(margin, (expiresAt - now) / 2);
        return { value, header: `Bearer ${value}`, expiresAt, renewAt };
      }
      const detail = detailOf(body);
      const suffix = detail ? `: ${detail}` : "";
      if (res.status === 429) {
        rateLimits++;
        const wait = rateLimitWaitMs(res.headers, clock.now()) ?? backoffMs(rateLimits, random);
        pacer.pause(wait);
        lastError = `rate limited (429)${suffix}`;
        if (rateLimits > DEFAULT_RETRY_POLICY.maxRateLimitRetries) break;
        continue;
      }
      if (res.status >= 500 || res.status === 408) {
        lastError = `HTTP ${res.status}${suffix}`;
        if (attempt >= maxAttempts + rateLimits) break;
        await clock.sleep(backoffMs(attempt - rateLimits, random));
        continue;
      }
      throw refusal(res.status, body);
    }
    throw new RunError(
      `${endpoint}: could not obtain an access token: ${lastError}; ` +
        "check your network or Greenhouse's status and run again",
    );
  }

  /** One token request at a time; concurrent callers share it. */
  function renew(): Promise<Token> {
    pending ??= mint().then((t) => {
      minted.push(t.value);
      if (minted.length > 8) minted.shift();
      return (token = t);
    }).finally(() => (pending = undefined));
    return pending;
  }

  const auth: Auth & Record<string | symbol, unknown> = {
    async header() {
      if (pending) return (await pending).header;
      if (!token || clock.now() >= token.renewAt) return (await renew()).header;
      return token.header;
    },
    async refresh() {
      const stale = token;
      // A concurrent request may already have replaced the rejected token.
      if (pending) await pending;
      else if (token === stale) await renew();
      return true;
    },
    secrets,
    tokenFacts: () => facts,
    unauthorized(endpoint: string, detail: string) {
      return `${endpoint}: Greenhouse rejected the access token (401)${detail}, even after ` +
        "minting a new one; check that the credential is active and has the scope for this " +
        "endpoint (e.g. harvest:candidates:list)";
    },
    toString: () => "[client credentials]",
    toJSON: () => "[client credentials]",
    [Symbol.for("Deno.customInspect")]: () => "[client credentials]",
  };
  return auth;
}
