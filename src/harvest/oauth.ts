/**
 * Harvest v3 authentication: OAuth 2.0 client credentials. Mints a bearer token at the token
 * endpoint, reuses it until shortly before it expires, and mints a new one after a 401.
 *
 * Token requests are paced on their own (Greenhouse counts them in a separate 60 s window: a
 * Pacer of their own, not the API's) and retried with backoff on 429, 5xx, 408 and network
 * errors, which pass. Any other answer (400/401 `invalid_client`, `invalid_request`,
 * `unauthorized_client`, `invalid_grant`, …, or a 403/404) is a refusal that the next request
 * would get too: it fails at once, on the first answer, with one line naming what to check
 * (CredentialsRefused), and every later call of the run gets the same error without asking again.
 * Neither the secret nor any token ever appears in a message: `secrets()` lists them so the
 * client can scrub its own messages too.
 */
import { type Clock, systemClock } from "../clock.ts";
import { CredentialsRefused, RunError } from "../errors.ts";
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
  /** Other credentials the answer carried (`refresh_token`, `id_token`): secrets as well. */
  companions: string[];
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

/** Where v3 credentials are managed, for messages. */
const WHERE = "Configure → Dev Center → API Credential Management, Harvest v3";
const BOTH = "GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET";

/** What a refusal is about, what it means and what to check. */
interface Refusal {
  refused: string;
  problem: string;
  advice: string;
}

/** What each OAuth error code (RFC 6749 §5.2) means for this tool, and what to check. */
const REFUSALS: Record<string, Refusal> = {
  invalid_client: {
    refused: "the client credentials",
    problem: "the client id or secret is wrong",
    advice: `check ${BOTH} (${WHERE})`,
  },
  unauthorized_client: {
    refused: "the client credentials",
    problem: "this client may not obtain tokens with client credentials",
    advice: `check that GREENHOUSE_CLIENT_ID names an active Harvest v3 credential (${WHERE})`,
  },
  invalid_grant: {
    refused: "the client credentials",
    problem: "the credential is revoked, expired or not valid for this endpoint",
    advice: `check that ${BOTH} name an active Harvest v3 credential (${WHERE})`,
  },
  invalid_scope: {
    refused: "the client credentials",
    problem: "the credential may not have the scopes asked for",
    advice: `check the scopes of the credential in GREENHOUSE_CLIENT_ID (${WHERE})`,
  },
  invalid_request: {
    refused: "the token request",
    problem: "it was taken as malformed",
    advice: `copy ${BOTH} again, whole (${WHERE}), and check --auth-url (GREENHOUSE_AUTH_URL)`,
  },
  unsupported_grant_type: {
    refused: "the token request",
    problem: "the endpoint does not issue client-credentials tokens",
    advice: "check that --auth-url (GREENHOUSE_AUTH_URL) is Greenhouse's token endpoint",
  },
};

/** One token request's outcome: an answer (its body parsed when JSON), or no answer at all. */
type Sent = { response: Response; body: unknown } | { networkError: string };

export function clientCredentialsAuth(opts: ClientCredentials): Auth {
  return new ClientCredentialsAuth(opts);
}

/**
 * The v3 credentials of one run. Its secrets live in private fields: printing, inspecting or
 * serialising it shows `[client credentials]`.
 */
export class ClientCredentialsAuth implements Auth {
  readonly #opts: ClientCredentials;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #basic: string;
  /** "POST <origin><path>" of the token endpoint, for messages. */
  readonly #endpoint: string;
  readonly #clock: Clock;
  /** The token host's own pacer: its 60 s window, learning the limit from X-RateLimit-*. */
  readonly #pacer: Pacer;
  #token: Token | undefined;
  #pending: Promise<Token> | undefined;
  /**
   * Tokens minted by this run (with any refresh or id token beside them), newest last: a
   * replaced one may be valid until it expires.
   */
  readonly #minted: string[][] = [];
  /** The refusal that ended authentication: every later call throws it again, asking nothing. */
  #refused: CredentialsRefused | undefined;
  /** What the last token answer said of the token's life and scopes (for `doctor`). */
  #facts: TokenFacts | undefined;

  constructor(opts: ClientCredentials) {
    const clientId = opts.clientId.trim();
    const clientSecret = opts.clientSecret.trim();
    if (!clientId || !clientSecret) {
      // cli/options.ts refuses empty credentials before anything runs.
      throw new TypeError("clientCredentialsAuth: the client id and secret must not be empty");
    }
    this.#opts = opts;
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
    this.#basic = base64Utf8(`${clientId}:${clientSecret}`);
    const url = new URL(opts.authUrl);
    this.#endpoint = `POST ${url.origin}${url.pathname}`;
    this.#clock = opts.clock ?? systemClock;
    const perMinute = Math.max(1, opts.requestsPerMinute ?? 10);
    this.#pacer = new Pacer({
      rateTarget: 1,
      windowMs: TOKEN_WINDOW_MS,
      clock: this.#clock,
      initialLimit: perMinute,
      fallbackLimit: perMinute,
    });
  }

  /** The Authorization header: the current token, or a new one once it is due for renewal. */
  async header(): Promise<string> {
    if (this.#refused) throw this.#refused;
    if (this.#pending) return (await this.#pending).header;
    const token = this.#token;
    if (!token || this.#clock.now() >= token.renewAt) return (await this.#renew()).header;
    return token.header;
  }

  /** The current token's header while it is not due for renewal (nothing pending, nothing refused). */
  current(): string | undefined {
    const token = this.#token;
    if (this.#refused || this.#pending || !token) return undefined;
    return this.#clock.now() < token.renewAt ? token.header : undefined;
  }

  /** After a 401: a new token, unless a concurrent request has already replaced the rejected one. */
  async refresh(): Promise<boolean> {
    if (this.#refused) throw this.#refused;
    const stale = this.#token;
    if (this.#pending) await this.#pending;
    else if (this.#token === stale) await this.#renew();
    return true;
  }

  tokenFacts(): TokenFacts | undefined {
    return this.#facts;
  }

  /** Every string that must never be shown: the secret, its Basic header, the tokens minted. */
  readonly secrets = (): string[] => [
    this.#clientSecret,
    this.#basic,
    `Basic ${this.#basic}`,
    ...this.#minted.flat(),
  ];

  unauthorized(endpoint: string, detail: string): string {
    return `${endpoint}: Greenhouse rejected the access token (401)${detail}, even after ` +
      `minting a new one; check that the credential in ${BOTH} is active (${WHERE})`;
  }

  toString(): string {
    return "[client credentials]";
  }
  toJSON(): string {
    return "[client credentials]";
  }
  [Symbol.for("Deno.customInspect")](): string {
    return "[client credentials]";
  }

  /** One token request at a time; concurrent callers share it. */
  #renew(): Promise<Token> {
    this.#pending ??= this.#mint().then((token) => {
      this.#minted.push([token.value, ...token.companions]);
      if (this.#minted.length > 8) this.#minted.shift();
      return (this.#token = token);
    }, (error) => {
      if (error instanceof CredentialsRefused) this.#refused = error;
      throw error;
    }).finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  /** Asks the endpoint for a token: retries what passes (429, 5xx, 408, no answer), no more. */
  async #mint(): Promise<Token> {
    const maxAttempts = Math.max(1, this.#opts.maxAttempts ?? 5);
    const random = this.#opts.random ?? Math.random;
    let lastError = "";
    let rateLimits = 0;
    const started = this.#clock.now();
    for (let attempt = 1;; attempt++) {
      await this.#pacer.acquire();
      const sent = await this.#send();
      if ("networkError" in sent) {
        lastError = sent.networkError;
        if (attempt >= maxAttempts) break;
        await this.#clock.sleep(backoffMs(attempt, random));
        continue;
      }
      const { response, body } = sent;
      if (response.ok) return this.#accept(response, body);
      const detail = this.#detailOf(body);
      const suffix = detail ? `: ${detail}` : "";
      if (response.status === 429) {
        rateLimits++;
        const now = this.#clock.now();
        const wait = rateLimitWaitMs(response.headers, now) ?? backoffMs(rateLimits, random);
        lastError = `rate limited (429)${suffix}`;
        if (rateLimits > DEFAULT_RETRY_POLICY.maxRateLimitRetries) break;
        // A hostile Retry-After (a day, say) must not hold the run: the API client's budget.
        if (now - started + wait > DEFAULT_RETRY_POLICY.maxTotalMs) {
          lastError += `, and the endpoint asked to wait ${Math.ceil(wait / 1000)} s`;
          break;
        }
        this.#pacer.pause(wait);
        continue;
      }
      if (response.status >= 500 || response.status === 408) {
        lastError = `HTTP ${response.status}${suffix}`;
        if (attempt >= maxAttempts + rateLimits) break;
        await this.#clock.sleep(backoffMs(attempt - rateLimits, random));
        continue;
      }
      throw this.#refusal(response.status, body);
    }
    throw new RunError(
      `${this.#endpoint}: could not obtain an access token: ${lastError}; ` +
        "check your network or Greenhouse's status and run again",
    );
  }

  /** One token request, its answer read (bounded) and parsed; the pacer observes it. */
  async #send(): Promise<Sent> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.#opts.onBehalfOf !== undefined) form.set("sub", this.#opts.onBehalfOf);
    let response: Response;
    try {
      response = await (this.#opts.fetchFn ?? fetch)(this.#opts.authUrl, {
        method: "POST",
        headers: {
          Authorization: `Basic ${this.#basic}`,
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
          ...(this.#opts.userAgent ? { "User-Agent": this.#opts.userAgent } : {}),
        },
        body: form.toString(),
        redirect: "manual",
      });
    } catch (error) {
      this.#pacer.observe(new Headers(), 0);
      // A host this build may not reach is a configuration problem, not a network one: no retries.
      if (error instanceof Deno.errors.NotCapable) throw error;
      return { networkError: classifyNetworkError(error).reason };
    }
    this.#pacer.observe(response.headers, response.status);
    const text = await readTextUpTo(response, MAX_TOKEN_BODY_BYTES).catch(() => ""); // never endless
    try {
      return { response, body: text.trim() ? JSON.parse(text) : null };
    } catch {
      return { response, body: text }; // kept for the message
    }
  }

  /** The token of a 2xx answer, with its expiry; an answer without a usable one is refused. */
  #accept(response: Response, body: unknown): Token {
    const b = (body ?? {}) as Record<string, unknown>;
    const value = typeof b.access_token === "string" ? b.access_token.trim() : "";
    // deno-lint-ignore no-control-regex
    if (!value || /[\s\u0000-\u001f\u007f]/.test(value)) {
      throw new RunError(
        `${this.#endpoint}: the token endpoint answered ${response.status} without a usable ` +
          "access_token; check --auth-url (GREENHOUSE_AUTH_URL)",
      );
    }
    const now = this.#clock.now();
    const date = response.headers.get("date");
    const serverNow = date === null ? undefined : Date.parse(date);
    const expiresAt = tokenExpiry(b, now, serverNow);
    this.#facts = tokenFacts(b, value, now, serverNow);
    const margin = this.#opts.marginMs ?? 60_000;
    const renewAt = expiresAt - Math.min(margin, (expiresAt - now) / 2);
    const companions = ["refresh_token", "id_token"]
      .map((name) => b[name])
      .filter((v): v is string => typeof v === "string" && v.trim() !== "");
    return { value, header: `Bearer ${value}`, companions, expiresAt, renewAt };
  }

  /** What a refusal (a 4xx other than 408 and 429) means, and what to check. */
  #refusal(status: number, body: unknown): CredentialsRefused {
    const code = errorCode(body);
    const detail = this.#detailOf(body);
    const { refused, problem, advice } = this.#explain(status, code, detail);
    return new CredentialsRefused(
      `${this.#endpoint}: Greenhouse refused ${refused} (${status}${code ? ` ${code}` : ""}): ` +
        `${problem}; ${advice}`,
    );
  }

  #explain(status: number, code: string | undefined, detail: string): Refusal {
    if (status === 400 && !CLIENT_ID_SUFFIX.test(this.#clientId)) {
      return {
        refused: "GREENHOUSE_CLIENT_ID",
        problem: "a client id ends in -<number> and this one does not",
        advice: `copy the whole client id again (${WHERE})`,
      };
    }
    const aboutUser = code === undefined || code === "invalid_request" || code === "invalid_grant";
    if (status === 400 && this.#opts.onBehalfOf !== undefined && aboutUser) {
      return {
        refused: `the token request for user ${this.#opts.onBehalfOf}`,
        problem: detail || "the user may not exist",
        advice: "check that --on-behalf-of (GREENHOUSE_ON_BEHALF_OF) names an existing " +
          `Greenhouse user id, and ${BOTH} (${WHERE})`,
      };
    }
    const known = code === undefined ? undefined : REFUSALS[code];
    if (known) return known;
    if (status === 401) return REFUSALS.invalid_client;
    return {
      refused: "the token request",
      problem: detail || "no reason given",
      advice: `check ${BOTH} (${WHERE}) and --auth-url (GREENHOUSE_AUTH_URL)`,
    };
  }

  /** The answer's own words, redacted first, then on one line and cut. */
  #detailOf(body: unknown): string {
    // deno-lint-ignore no-control-regex
    const text = apiErrorText(body, this.secrets()).replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  }
}
