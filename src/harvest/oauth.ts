/**
 * Harvest v3 authentication: OAuth 2.0 client credentials. Mints a bearer token at the token
 * endpoint, reuses it until shortly before it expires, and mints a new one after a 401.
 *
 * Token requests are paced on their own (Greenhouse counts them in a separate 60 s window) and
 * retried with backoff on 429, 5xx and network errors; a 400/401/403 from the token endpoint
 * means the credentials are wrong and fails at once. Neither the secret nor any token ever
 * appears in a message: `secrets()` lists them so the client can scrub its own messages too.
 */
import { type Clock, systemClock } from "../clock.ts";
import { RunError } from "../errors.ts";
import type { Auth } from "./auth.ts";
import { readTextUpTo } from "./body.ts";
import { base64Utf8 } from "./auth.ts";
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
  /** At most this many token requests per 60 s window (default 10). */
  requestsPerMinute?: number;
  /** Sends of one token request before giving up (default 5). */
  maxAttempts?: number;
}

interface Token {
  value: string;
  header: string;
  expiresAt: number;
}

const TOKEN_WINDOW_MS = 60_000;
/** A token answer is a few KB; more than this is not read (a hostile body may never end). */
const TOKEN_BODY_BYTES = 64 * 1024;
/**
 * When the endpoint names no expiry, assume Greenhouse's documented 1 h access-token life
 * (https://harvestdocs.greenhouse.io/docs/authentication).
 */
const DEFAULT_LIFETIME_MS = 3_600_000;

/** `expires_at` (ISO or epoch seconds/ms) or `expires_in` (seconds) → epoch ms. */
export function tokenExpiry(body: Record<string, unknown>, nowMs: number): number {
  const at = body.expires_at;
  if (typeof at === "number" && Number.isFinite(at)) return at > 1e12 ? at : at * 1000;
  if (typeof at === "string" && at.trim() !== "") {
    const text = at.trim();
    if (/^\d+$/.test(text)) return tokenExpiry({ expires_at: Number(text) }, nowMs);
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  const inSeconds = Number(body.expires_in);
  if (body.expires_in !== undefined && body.expires_in !== null && Number.isFinite(inSeconds)) {
    return nowMs + inSeconds * 1000;
  }
  return nowMs + DEFAULT_LIFETIME_MS;
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

  let token: Token | undefined;
  let pending: Promise<Token> | undefined;
  /** Start times of recent token requests, for the 60 s window. */
  const sent: number[] = [];
  let pausedUntil = 0;

  /** Tokens minted by this run, newest last: a replaced one may be valid until it expires. */
  const minted: string[] = [];
  function secrets(): string[] {
    return [clientSecret, basic, basicHeader, ...minted.flatMap((t) => [t, `Bearer ${t}`])];
  }

  async function pace(): Promise<void> {
    for (;;) {
      const now = clock.now();
      while (sent.length && sent[0] <= now - TOKEN_WINDOW_MS) sent.shift();
      const wait = Math.max(
        pausedUntil - now,
        sent.length >= perMinute ? sent[0] + TOKEN_WINDOW_MS - now : 0,
      );
      if (wait <= 0) {
        sent.push(now);
        return;
      }
      await clock.sleep(wait);
    }
  }

  async function mint(): Promise<Token> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (opts.onBehalfOf !== undefined) form.set("sub", opts.onBehalfOf);
    let lastError = "";
    for (let attempt = 1;; attempt++) {
      await pace();
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
        lastError = classifyNetworkError(error).reason;
        if (attempt >= maxAttempts) break;
        await clock.sleep(backoffMs(attempt, random));
        continue;
      }
      const text = await readTextUpTo(res, TOKEN_BODY_BYTES).catch(() => ""); // never endless
      let body: unknown = text;
      try {
        body = text.trim() ? JSON.parse(text) : null;
      } catch { /* keep the text for the message */ }
      if (res.ok) {
        const b = (body ?? {}) as Record<string, unknown>;
        const value = typeof b.access_token === "string" ? b.access_token.trim() : "";
        if (!value) {
          throw new RunError(
            `${endpoint}: the token endpoint answered ${res.status} without an access_token; ` +
              "check --auth-url (GREENHOUSE_AUTH_URL)",
          );
        }
        return { value, header: `Bearer ${value}`, expiresAt: tokenExpiry(b, clock.now()) };
      }
      const detail = apiErrorText(body, secrets()); // redacted before it is cut
      const suffix = detail ? `: ${detail}` : "";
      if (res.status === 429) {
        const wait = rateLimitWaitMs(res.headers, clock.now()) ?? backoffMs(attempt, random);
        pausedUntil = Math.max(pausedUntil, clock.now() + wait);
        lastError = `rate limited (429)${suffix}`;
        if (attempt >= maxAttempts + DEFAULT_RETRY_POLICY.maxAttempts) break;
        continue;
      }
      if (res.status >= 500 || res.status === 408) {
        lastError = `HTTP ${res.status}${suffix}`;
        if (attempt >= maxAttempts) break;
        await clock.sleep(backoffMs(attempt, random));
        continue;
      }
      throw new RunError(
        `${endpoint}: Greenhouse refused the client credentials (${res.status})${suffix}; ` +
          "check GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET (Configure → Dev Center → " +
          "API Credential Management, Harvest v3)" +
          (opts.onBehalfOf !== undefined ? ` and that user ${opts.onBehalfOf} exists` : ""),
      );
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
      if (!token || clock.now() >= token.expiresAt - margin) return (await renew()).header;
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
