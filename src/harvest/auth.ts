/**
 * Credentials as a dependency. The client asks for the Authorization header per request and,
 * after a 401, may ask the Auth to refresh (for OAuth tokens in v3). Secrets never leave here
 * except inside the header, and `secrets()` lets the client scrub them from any message.
 */
export interface Auth {
  /** The full `Authorization` header value (a new token when the last is due for renewal). */
  header(): Promise<string>;
  /**
   * The header if it may be used right now without asking anything (the token is not due for
   * renewal), else undefined: checked right before a send, after the pacing wait.
   */
  current?(): string | undefined;
  /** Called after a 401: return true if it refreshed credentials and the request should be retried once. */
  refresh?(): Promise<boolean>;
  /** Strings that must never appear in any message (key, header value); the client redacts them. */
  secrets?(): string[];
  /** The message for a 401 that survived a refresh (default: the v1 "rejected the API key"). */
  unauthorized?(endpoint: string, detail: string): string;
  /** What the last token answer said of the token's life and scopes (v3; none for v1). */
  tokenFacts?(): TokenFacts | undefined;
}

/**
 * What a token answer says about the token, for `doctor` (oauth.ts reads it): no secret, only its life and scopes.
 * Read from the answer (`expires_at`, `expires_in`, `scope`) and, when the token is a JWT (v3
 * access tokens are: https://harvestdocs.greenhouse.io/docs/authentication), from its claims
 * (`exp`, `iat`, `scope`/`scp`/`scopes`), decoded without verifying it: nothing is trusted
 * because of them.
 */
export interface TokenFacts {
  /** The token's life as stated, in ms; undefined when nothing states one (1 h is assumed). */
  lifetimeMs?: number;
  lifetimeFrom: "expires_at" | "expires_in" | "token exp claim" | "none";
  /** The scopes named, when the answer or the token's claims name any. */
  scopes?: string[];
  scopesFrom?: "answer" | "token claims";
  /** The token answer's Date header (epoch ms), when it had a valid one. */
  serverDate?: number;
}

export function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Harvest v1/v2: HTTP Basic with the key as username and a blank password: `Basic base64("<key>:")`. */
export function basicAuth(apiKey: string): Auth {
  const key = apiKey.trim();
  // cli/options.ts refuses an empty GREENHOUSE_API_KEY before anything runs.
  if (!key) throw new TypeError("basicAuth: the API key is empty");
  const encoded = base64Utf8(`${key}:`);
  const value = `Basic ${encoded}`;
  // Closures, not properties: console.log / JSON.stringify of the Auth show nothing secret.
  return {
    header: () => Promise.resolve(value),
    current: () => value,
    secrets: () => [key, encoded, value],
    toString: () => "[basic auth]",
    toJSON: () => "[basic auth]",
    [Symbol.for("Deno.customInspect")]: () => "[basic auth]",
  } as Auth;
}
