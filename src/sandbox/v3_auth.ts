/**
 * Harvest v3 OAuth in the sandbox: the client-credentials token endpoint and the bearer-token
 * check (https://harvestdocs.greenhouse.io/docs/authentication: HTTP Basic client credentials,
 * form `grant_type=client_credentials` and an optional `sub`, tokens valid 1 h).
 *
 * What the endpoint answers:
 * - `{access_token, token_type: "Bearer", expires_at: <RFC 3339>}` (the form Greenhouse's own PHP
 *   client reads: github.com/grnhse/greenhouse-tools-php, src/Clients/HarvestAuthClient.php; the
 *   Airbyte connector parses `expires_at` too), or with `tokenExpiry: "expires_in"` the OAuth 2.0
 *   form `{…, expires_in: <seconds>}` (RFC 6749 §5.1), which clients must accept as well.
 * - A client id without its `-<n>` suffix: 400 `{"error":"invalid_request"}`; a wrong id or
 *   secret: 401 `{"error":"invalid_client"}` (the RFC 6749 §5.2 codes); an unknown `sub`:
 *   400 `{"error":"invalid_request"}`.
 * - Token requests are counted in a window of their own, 60 s, separate from the API's 30 s one
 *   (harvestdocs /docs/api-rate-limiting as quoted in /work's API notes, §3): over the limit,
 *   429 with Retry-After; every answer carries X-RateLimit-Limit/-Remaining/-Reset like the API.
 *
 * Sandbox choices where the guide gives no detail: the bodies above, and an expired or unknown
 * bearer token gives 401 `{"errors":["Invalid or expired access token."]}`. Tokens are opaque
 * (`gh3_…`) unless `tokenShape: "jwt"` asks for a JWT's three parts (the guide does not say which
 * Greenhouse issues); `refreshTokens` adds a `refresh_token` to every answer (client credentials
 * need none, but a server may send one, and the client must keep it secret too).
 */
import type { Clock } from "../clock.ts";
import { basicCredentials, bearerToken } from "./auth_header.ts";
import { toBase64Url } from "./base64url.ts";
import { FixedWindowLimiter } from "./ratelimit.ts";
import { json, type Reply } from "./reply.ts";

/** The token endpoint's own rate window. */
export const TOKEN_WINDOW_MS = 60_000;
/** What a client id looks like: it ends in `-<n>`. */
const CLIENT_ID_SUFFIX = /-\d+$/;

export interface V3AuthConfig {
  clientId: string;
  clientSecret: string;
  /** Access-token life; default 1 h (Greenhouse's documented value). */
  tokenLifetimeMs: number;
  clock: Clock;
  /** Users a token may act as (`sub`). */
  userIds: () => number[];
  /** Token requests per 60 s window; 0 = unlimited. */
  tokenRateLimit: number;
  /** How the answer states the token's life: `expires_at` (RFC 3339) or `expires_in` (seconds). */
  tokenExpiry: "expires_at" | "expires_in";
  /** Opaque `gh3_…` tokens (default) or JWT-shaped ones. */
  tokenShape?: "opaque" | "jwt";
  /** Send a `refresh_token` beside each access token. */
  refreshTokens?: boolean;
  /** When set, the answer names these scopes in `scope`, space-separated (RFC 6749 §5.1). */
  scopeAnswer?: readonly string[];
}

interface Issued {
  expiresAt: number;
  sub?: number;
  refreshToken?: string;
}

function randomText(bytes: number): string {
  return toBase64Url(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
}

const jsonPart = (value: unknown) => toBase64Url(JSON.stringify(value));

/** An access token: opaque, or a JWT whose header and claims are readable (and the same for all). */
function accessToken(shape: "opaque" | "jwt", clientId: string, expiresAt: number): string {
  if (shape === "opaque") return "gh3_" + randomText(24);
  return [
    jsonPart({ alg: "RS256", typ: "JWT", kid: "sandbox-signing-key-1" }),
    jsonPart({
      iss: "https://auth.greenhouse.io",
      aud: "https://harvest.greenhouse.io",
      client_id: clientId,
      scope: "harvest:*",
      exp: Math.floor(expiresAt / 1000),
      jti: randomText(12),
    }),
    randomText(64),
  ].join(".");
}

export class V3Auth {
  #tokens = new Map<string, Issued>();
  readonly limiter: FixedWindowLimiter;
  constructor(readonly config: V3AuthConfig) {
    this.limiter = new FixedWindowLimiter(config.tokenRateLimit, TOKEN_WINDOW_MS, config.clock);
  }

  /** Every token issued so far, refresh tokens too (for tests that look for them where they must not be). */
  issued(): string[] {
    return [...this.#tokens].flatMap(([token, issued]) =>
      [token, issued.refreshToken ?? []].flat()
    );
  }

  /** The refresh token issued beside a bearer token, if any. */
  refreshTokenOf(token: string): string | undefined {
    return this.#tokens.get(token)?.refreshToken;
  }

  /** Every issued token stops working (the next request gets a 401), as after a rotation. */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** POST /token: client credentials in HTTP Basic, form grant_type (and optional sub). */
  async token(req: Request): Promise<Reply> {
    const body = await req.text();
    if (req.method.toUpperCase() !== "POST") {
      return json(405, { error: "invalid_request", error_description: "Use POST." });
    }
    const d = this.limiter.take("token");
    const rate = {
      "X-RateLimit-Limit": String(d.limit),
      "X-RateLimit-Remaining": String(d.remaining),
      "X-RateLimit-Reset": String(Math.ceil(d.resetMs / 1000)),
    };
    const now = this.config.clock.now();
    if (!d.allowed) {
      const retry = String(Math.max(1, Math.ceil((d.resetMs - now) / 1000)));
      return json(429, { error: "rate_limited" }, { ...rate, "Retry-After": retry });
    }
    const reply = (status: number, value: unknown) => json(status, value, rate);
    const client = basicCredentials(req);
    if (client !== undefined && !CLIENT_ID_SUFFIX.test(client.user)) {
      return reply(400, { error: "invalid_request", error_description: "Malformed client id." });
    }
    if (client?.user !== this.config.clientId || client.password !== this.config.clientSecret) {
      return reply(401, { error: "invalid_client" });
    }
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "client_credentials") {
      return reply(400, { error: "unsupported_grant_type" });
    }
    const subText = form.get("sub");
    let sub: number | undefined;
    if (subText !== null) {
      sub = Number(subText);
      if (!/^\d+$/.test(subText) || !this.config.userIds().includes(sub)) {
        return reply(400, { error: "invalid_request", error_description: "Unknown user (sub)." });
      }
    }
    const life = this.config.tokenLifetimeMs;
    const expiresAt = now + life;
    const token = accessToken(this.config.tokenShape ?? "opaque", client.user, expiresAt);
    const refreshToken = this.config.refreshTokens ? "ghr_" + randomText(24) : undefined;
    this.#tokens.set(token, { expiresAt, sub, refreshToken });
    return reply(200, {
      access_token: token,
      token_type: "Bearer",
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(this.config.tokenExpiry === "expires_in"
        ? { expires_in: Math.floor(life / 1000) }
        : { expires_at: new Date(expiresAt).toISOString() }),
      ...(this.config.scopeAnswer ? { scope: this.config.scopeAnswer.join(" ") } : {}),
    });
  }

  /** undefined when the bearer token is valid now, else the 401 reply. */
  authorize(req: Request): Reply | undefined {
    const token = bearerToken(req);
    const issued = token === undefined ? undefined : this.#tokens.get(token);
    if (issued && this.config.clock.now() < issued.expiresAt) return undefined;
    return json(401, { errors: ["Invalid or expired access token."] });
  }

  /** The user a valid bearer token acts as (its `sub`), if it was issued with one. */
  subOf(req: Request): number | undefined {
    const token = bearerToken(req);
    return token === undefined ? undefined : this.#tokens.get(token)?.sub;
  }
}
