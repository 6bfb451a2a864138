import assert from "node:assert/strict";
import {
  backoffMs,
  classifyNetworkError,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  parseHttpDate,
  parseRetryAfter,
  rateLimitWaitMs,
  resetWaitMs,
  retryPolicy,
} from "../../src/harvest/retry.ts";
import { RunError } from "../../src/errors.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0); // 2026-01-15T12:00:00Z

Deno.test("retry: Retry-After as delta-seconds", () => {
  assert.equal(parseRetryAfter("7", NOW), 7000);
  assert.equal(parseRetryAfter(" 0 ", NOW), 0);
  assert.equal(parseRetryAfter("1.5", NOW), 1500);
});

Deno.test("retry: Retry-After as epoch seconds (> 1e9) and epoch ms", () => {
  assert.equal(parseRetryAfter(String(NOW / 1000 + 9), NOW), 9000);
  assert.equal(parseRetryAfter(String(NOW / 1000 - 100), NOW), 0); // in the past
  assert.equal(parseRetryAfter(String(NOW + 2500), NOW), 2500);
});

Deno.test("retry: Retry-After as HTTP-date in all three forms", () => {
  assert.equal(parseRetryAfter("Thu, 15 Jan 2026 12:00:30 GMT", NOW), 30_000);
  assert.equal(parseRetryAfter("Thursday, 15-Jan-26 12:00:30 GMT", NOW), 30_000);
  assert.equal(parseRetryAfter("Thu Jan 15 12:00:30 2026", NOW), 30_000);
  assert.equal(parseRetryAfter("Thu, 15 Jan 2026 11:00:00 GMT", NOW), 0);
  assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), Date.UTC(1994, 10, 6, 8, 49, 37));
  assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994"), Date.UTC(1994, 10, 6, 8, 49, 37));
});

Deno.test("retry: garbage Retry-After is undefined", () => {
  for (
    const v of [
      null,
      undefined,
      "",
      "soon",
      "-5",
      "5 apples",
      "Thu, 30 Feb 2026 00:00:00 GMT",
      "1e3",
      "NaN",
    ]
  ) {
    assert.equal(parseRetryAfter(v, NOW), undefined, String(v));
  }
});

Deno.test("retry: X-RateLimit-Reset as epoch seconds or HTTP date; fallback order", () => {
  assert.equal(resetWaitMs(String(NOW / 1000 + 4), NOW), 4000);
  assert.equal(resetWaitMs("Thu, 15 Jan 2026 12:00:04 GMT", NOW), 4000);
  assert.equal(resetWaitMs("later", NOW), undefined);
  const both = new Headers({ "Retry-After": "3", "X-RateLimit-Reset": String(NOW / 1000 + 8) });
  assert.equal(rateLimitWaitMs(both, NOW), 3000);
  const resetOnly = new Headers({ "x-ratelimit-reset": String(NOW / 1000 + 8) });
  assert.equal(rateLimitWaitMs(resetOnly, NOW), 8000);
  const badRetry = new Headers({
    "Retry-After": "??",
    "X-Ratelimit-Reset": String(NOW / 1000 + 2),
  });
  assert.equal(rateLimitWaitMs(badRetry, NOW), 2000);
  assert.equal(rateLimitWaitMs(new Headers(), NOW), undefined);
});

Deno.test("retry: backoff is exponential with full jitter, base 500, cap 30 s", () => {
  assert.equal(backoffMs(1, () => 0.999999), 499);
  assert.equal(backoffMs(2, () => 0.5), 500);
  assert.equal(backoffMs(3, () => 0.5), 1000);
  assert.equal(backoffMs(20, () => 0.5), 15_000);
  assert.ok(backoffMs(50, () => 1) <= 30_000);
  assert.equal(backoffMs(4, () => 0), 0);
});

Deno.test("retry: policy defaults and overrides", () => {
  assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 6);
  assert.equal(DEFAULT_RETRY_POLICY.maxTotalMs, 300_000);
  const p = retryPolicy({ maxAttempts: 2, maxTotalMs: undefined });
  assert.equal(p.maxAttempts, 2);
  assert.equal(p.maxTotalMs, 300_000);
});

Deno.test("retry: classification of statuses", () => {
  assert.equal(classifyStatus(200, "GET /v1/jobs", []).kind, "ok");
  for (const s of [500, 502, 503, 504, 408]) {
    const c = classifyStatus(s, "GET /v1/jobs", "<html>bad gateway</html>");
    assert.equal(c.kind, "retry");
    assert.equal(c.kind === "retry" && c.rateLimited, false);
  }
  const rl = classifyStatus(429, "GET /v1/jobs", null);
  assert.ok(rl.kind === "retry" && rl.rateLimited);

  const c401 = classifyStatus(401, "GET /v1/jobs", { message: "Invalid Basic Auth credentials" });
  assert.ok(c401.kind === "fatal" && c401.error instanceof RunError);
  assert.match(
    c401.kind === "fatal" ? c401.error.message : "",
    /Greenhouse rejected the API key \(401\)/,
  );

  const c403 = classifyStatus(403, "GET /v1/offers", {});
  assert.ok(c403.kind === "fatal");
  assert.match(c403.kind === "fatal" ? c403.error.message : "", /GET \/v1\/offers/);
  assert.match(c403.kind === "fatal" ? c403.error.message : "", /lacks the permission for GET/);
  const named = classifyStatus(403, "GET /v1/offers", {}, [], "v1", "Get: List Offers");
  assert.match(
    named.kind === "fatal" ? named.error.message : "",
    /the API key lacks the permission "Get: List Offers": grant it in Greenhouse/,
  );
  const scope = classifyStatus(403, "GET /v3/offers", {}, [], "v3", "harvest:offers:list");
  assert.match(
    scope.kind === "fatal" ? scope.error.message : "",
    /the v3 credential lacks the scope harvest:offers:list: grant it in Greenhouse/,
  );
  // v3 has scopes, not per-endpoint keys, and a token rather than a key.
  const v3403 = classifyStatus(403, "GET /v3/offers", {}, [], "v3");
  assert.match(
    v3403.kind === "fatal" ? v3403.error.message : "",
    /lacks the scope for GET \/v3\/offers/,
  );
  assert.doesNotMatch(v3403.kind === "fatal" ? v3403.error.message : "", /API key/);
  const v3401 = classifyStatus(401, "GET /v3/offers", {}, [], "v3");
  assert.match(v3401.kind === "fatal" ? v3401.error.message : "", /GREENHOUSE_CLIENT_ID/);
  assert.doesNotMatch(v3401.kind === "fatal" ? v3401.error.message : "", /API key/);

  const c422 = classifyStatus(422, "POST /v1/x", {
    message: "Validation error",
    errors: [{ message: "Must be one of: candidate, prospect", field: "type" }],
  });
  assert.match(
    c422.kind === "fatal" ? c422.error.message : "",
    /422: Validation error; type: Must be one of: candidate, prospect/,
  );
  // The real cassette has no top-level message; v3 has string errors.
  const noMsg = classifyStatus(422, "POST /v1/x", {
    errors: [{ message: "Missing required field: body", field: "body" }],
  });
  assert.match(noMsg.kind === "fatal" ? noMsg.error.message : "", /body: Missing required field/);
  const v3 = classifyStatus(422, "GET /v3/jobs", { errors: ["When passing a cursor, no."] });
  assert.match(v3.kind === "fatal" ? v3.error.message : "", /When passing a cursor/);
  const empty = classifyStatus(404, "GET /v1/x/1", null);
  assert.match(empty.kind === "fatal" ? empty.error.message : "", /404 with no message/);
});

Deno.test("retry: network errors", () => {
  assert.equal(classifyNetworkError(new DOMException("x", "TimeoutError")).reason, "timed out");
  const refused = classifyNetworkError(new TypeError("error sending request: Connection refused"));
  assert.equal(refused.notSent, true);
  const reset = classifyNetworkError(new TypeError("connection reset by peer"));
  assert.equal(reset.notSent, false);
  assert.match(reset.reason, /reset/);
});
