/**
 * Harvest v3 OAuth in the sandbox: the client-credentials token endpoint and the bearer-token
 * check (https://harvestdocs.greenhouse.io/docs/authentication: HTTP Basic client credentials,
 * form `grant_type=client_credentials` and an optional `sub`, tokens valid 1 h).
 *
 * Sandbox choices where the guide gives no detail:
 * - Token answers `{access_token, token_type: "Bearer", expires_at: <ISO>}`; a bad client gives
 *   401 `{"error":"invalid_client"}`, an unknown `sub` 400 `{"error":"invalid_request"}`.
 * - An expired or unknown bearer token gives 401 `{"errors":["Invalid or expired access token."]}`.
 */
import type { Clock } from "../clock.ts";
import { basicCredentials, bearerToken } from "./auth_header.ts";
import { toBase64Url } from "./base64url.ts";
import { json, type Reply } from "./reply.ts";

export interface V3AuthConfig {
  clientId: string;
  clientSecret: string;
  /** Access-token life; default 1 h (Greenhouse's documented value). */
  tokenLifetimeMs: number;
  clock: Clock;
  /** Users a token may act as (`sub`). */
  userIds: () => number[];
}

interface Issued {
  expiresAt: number;
  sub?: number;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return "gh3_" + toBase64Url(String.fromCharCode(...bytes));
}

export class V3Auth {
  #tokens = new Map<string, Issued>();
  constructor(readonly config: V3AuthConfig) {}

  /** Every token issued so far (for tests that look for them where they must not be). */
  issued(): string[] {
    return [...this.#tokens.keys()];
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
    const client = basicCredentials(req);
    if (client?.user !== this.config.clientId || client.password !== this.config.clientSecret) {
      return json(401, { error: "invalid_client" });
    }
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "client_credentials") {
      return json(400, { error: "unsupported_grant_type" });
    }
    const subText = form.get("sub");
    let sub: number | undefined;
    if (subText !== null) {
      sub = Number(subText);
      if (!/^\d+$/.test(subText) || !this.config.userIds().includes(sub)) {
        return json(400, { error: "invalid_request", error_description: "Unknown user (sub)." });
      }
    }
    const now = this.config.clock.now();
    const expiresAt = now + this.config.tokenLifetimeMs;
    const token = randomToken();
    this.#tokens.set(token, { expiresAt, sub });
    return json(200, {
      access_token: token,
      token_type: "Bearer",
      expires_at: new Date(expiresAt).toISOString(),
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
