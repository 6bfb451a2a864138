import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { CredentialsRefused, RunError } from "../../src/errors.ts";
import {
  clientCredentialsAuth,
  HarvestClient,
  pipeRange,
  tokenExpiry,
  v3Dialect,
  withPageSize,
} from "../../src/harvest/mod.ts";
import { parseLinkHeader } from "../../src/harvest/link.ts";
import { startSandboxDisposable } from "../e2e/sandbox.ts";

const T0 = Date.UTC(2026, 0, 1);
const AUTH_URL = "https://auth.test/token";
const ID = "client-id-123";
const SECRET = "client-secret-0123456789";

interface Call {
  url: string;
  headers: Headers;
  body?: string;
  at: number;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A token endpoint minting tok-1, tok-2… valid for `lifeMs`, plus an API that accepts `valid`. */
function fakeServer(clock: ManualClock, opts: { lifeMs?: number; tokenReplies?: Response[] } = {}) {
  const calls: Call[] = [];
  let minted = 0;
  const valid = new Set<string>();
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = {
      url: String(input),
      headers: new Headers(init?.headers),
      body: init?.body as string | undefined,
      at: clock.now(),
    };
    calls.push(call);
    if (call.url === AUTH_URL) {
      const scripted = opts.tokenReplies?.shift();
      if (scripted) return Promise.resolve(scripted);
      const token = `tok-${++minted}-abcdef`;
      valid.add(token);
      const expires = new Date(clock.now() + (opts.lifeMs ?? 3_600_000)).toISOString();
      return Promise.resolve(
        json({ access_token: token, token_type: "Bearer", expires_at: expires }),
      );
    }
    const token = call.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    if (!valid.has(token)) return Promise.resolve(json({ errors: ["Invalid token"] }, 401));
    return Promise.resolve(json([{ id: 1 }]));
  };
  return { fetchFn: fetchFn as typeof fetch, calls, valid, minted: () => minted };
}

function auth(clock: ManualClock, fetchFn: typeof fetch, extra = {}) {
  return clientCredentialsAuth({
    clientId: ID,
    clientSecret: SECRET,
    authUrl: AUTH_URL,
    clock,
    fetchFn,
    random: () => 0.5,
    ...extra,
  });
}

Deno.test("oauth: mints with Basic client_id:client_secret and the client_credentials form", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock);
  const a = auth(clock, server.fetchFn, { onBehalfOf: "4080" });
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  const call = server.calls[0];
  assert.equal(call.headers.get("authorization"), "Basic " + btoa(`${ID}:${SECRET}`));
  assert.equal(call.headers.get("content-type"), "application/x-www-form-urlencoded");
  const form = new URLSearchParams(call.body);
  assert.equal(form.get("grant_type"), "client_credentials");
  assert.equal(form.get("sub"), "4080");
  // Reused while valid: no second token request.
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  assert.equal(server.calls.length, 1);
});

Deno.test("oauth: no sub unless on-behalf-of is given; concurrent callers share one request", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock);
  const a = auth(clock, server.fetchFn);
  const headers = await Promise.all([a.header(), a.header(), a.header()]);
  assert.deepEqual(new Set(headers), new Set(["Bearer tok-1-abcdef"]));
  assert.equal(server.calls.length, 1);
  assert.equal(new URLSearchParams(server.calls[0].body).has("sub"), false);
});

Deno.test("oauth: renews before expiry, with the margin, by the clock", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, { lifeMs: 600_000 });
  const a = auth(clock, server.fetchFn, { marginMs: 60_000 });
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  clock.advance(600_000 - 60_001);
  assert.equal(await a.header(), "Bearer tok-1-abcdef", "still outside the margin");
  clock.advance(1);
  assert.equal(await a.header(), "Bearer tok-2-abcdef", "inside the margin: renewed");
  assert.equal(server.minted(), 2);
});

Deno.test("oauth: expiry from expires_at (RFC 3339 or epoch) or expires_in", () => {
  assert.equal(tokenExpiry({ expires_at: "2026-01-01T01:00:00Z" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_at: "2026-01-01T01:00:00.000Z" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_at: "2026-01-01T03:00:00+02:00" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_at: "2026-01-01T03:00:00+0200" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_at: T0 / 1000 + 60 }, T0), T0 + 60_000);
  assert.equal(tokenExpiry({ expires_at: String(T0 / 1000 + 60) }, T0), T0 + 60_000);
  assert.equal(tokenExpiry({ expires_in: 120 }, T0), T0 + 120_000);
  assert.equal(tokenExpiry({ expires_in: "120" }, T0), T0 + 120_000);
  assert.equal(tokenExpiry({}, T0), T0 + 3_600_000);
});

Deno.test("oauth: an expiry that is not RFC 3339 or is absurd falls back to safe values", () => {
  // Without a zone a time would be read as local time: not believed; the documented 1 h.
  assert.equal(tokenExpiry({ expires_at: "2026-01-01 01:00:00" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_at: "tomorrow" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_in: "soon" }, T0), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_in: -5 }, T0), T0, "already expired: renewed at once");
  assert.equal(tokenExpiry({ expires_in: 1e12 }, T0), T0 + 86_400_000, "at most a day");
});

Deno.test("oauth: expires_at is measured against the answer's Date, so a skewed clock does not matter", () => {
  const serverNow = T0 + 10 * 60_000; // the local clock is 10 minutes behind
  const expiresAt = new Date(serverNow + 3_600_000).toISOString();
  assert.equal(tokenExpiry({ expires_at: expiresAt }, T0, serverNow), T0 + 3_600_000);
  assert.equal(tokenExpiry({ expires_at: expiresAt }, T0, NaN), T0 + 3_600_000 + 10 * 60_000);
});

Deno.test("oauth: a token shorter-lived than the margin is renewed at half its life, not on every call", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, { lifeMs: 30_000 });
  const a = auth(clock, server.fetchFn, { marginMs: 60_000 });
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  clock.advance(14_999);
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  clock.advance(1);
  assert.equal(await a.header(), "Bearer tok-2-abcdef");
  assert.equal(server.minted(), 2);
});

Deno.test("oauth: expires_in answers work end to end", async () => {
  const clock = new ManualClock(T0);
  let minted = 0;
  const fetchFn = (() => {
    minted++;
    return Promise.resolve(json({ access_token: `tok-${minted}-abcdef`, expires_in: 600 }));
  }) as typeof fetch;
  const a = auth(clock, fetchFn, { marginMs: 60_000 });
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  clock.advance(539_999);
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  clock.advance(1);
  assert.equal(await a.header(), "Bearer tok-2-abcdef");
});

Deno.test("oauth: a 401 from the API mints a new token once, then fails clearly", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock);
  const client = new HarvestClient({
    baseUrl: "https://harvest.test/v3",
    auth: auth(clock, server.fetchFn),
    dialect: v3Dialect,
    rateTarget: 1,
    userAgent: "test",
    clock,
    fetchFn: server.fetchFn,
  });
  assert.deepEqual(await client.getJson("/jobs"), [{ id: 1 }]);
  server.valid.clear(); // revoked server-side
  assert.deepEqual(await client.getJson("/jobs"), [{ id: 1 }]);
  assert.equal(server.minted(), 2, "one refresh after the 401");
  assert.equal(client.stats.retries, 1);

  // Tokens are rejected even when fresh: one refresh, then a clear error without secrets.
  const rejectAll = fakeServer(clock);
  const failing = new HarvestClient({
    baseUrl: "https://harvest.test/v3",
    auth: auth(clock, rejectAll.fetchFn),
    dialect: v3Dialect,
    rateTarget: 1,
    userAgent: "test",
    clock,
    fetchFn: ((input: string | URL | Request, init?: RequestInit) =>
      String(input) === AUTH_URL
        ? rejectAll.fetchFn(input, init)
        : Promise.resolve(json({ errors: ["token tok-2-abcdef revoked"] }, 401))) as typeof fetch,
  });
  const error = await failing.getJson("/jobs").then(() => undefined, (e) => e);
  assert.ok(error instanceof CredentialsRefused);
  assert.match(error.message, /^GET \/v3\/jobs: Greenhouse rejected the access token \(401\)/);
  assert.match(error.message, /GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET is active/);
  assert.ok(!error.message.includes("tok-2-abcdef"), error.message);
  assert.ok(!error.message.includes(SECRET));
  assert.equal(rejectAll.minted(), 2);
  // Refused once, refused for good: the next request sends nothing.
  const sent = rejectAll.calls.length;
  assert.equal(await failing.getJson("/users").then(() => undefined, (e) => e), error);
  assert.equal(rejectAll.calls.length, sent);
});

Deno.test("oauth: refused credentials fail at once, naming the variables, never the secret", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, {
    tokenReplies: [json({ error: "invalid_client", error_description: `bad ${SECRET}` }, 401)],
  });
  const a = auth(clock, server.fetchFn);
  const error = await a.header().then(() => undefined, (e) => e);
  assert.ok(error instanceof CredentialsRefused);
  assert.match(
    error.message,
    /^POST https:\/\/auth\.test\/token: Greenhouse refused the client credentials \(401 invalid_client\): the client id or secret is wrong; check GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET/,
  );
  assert.equal(error.message.split("\n").length, 1);
  assert.ok(!error.message.includes(SECRET), error.message);
  assert.equal(server.calls.length, 1, "not retried");
  // Every later call of the run gets the same refusal without asking again.
  assert.equal(await a.header().then(() => undefined, (e) => e), error);
  assert.equal(await a.refresh!().then(() => undefined, (e) => e), error);
  assert.equal(server.calls.length, 1);
  assert.equal(String(a), "[client credentials]");
  assert.equal(JSON.stringify({ a }), '{"a":"[client credentials]"}');
});

Deno.test("oauth: token requests back off on 5xx and wait out a 429", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, {
    tokenReplies: [
      json({ error: "busy" }, 503),
      json({ error: "slow down" }, 429, { "Retry-After": "7" }),
    ],
  });
  const a = auth(clock, server.fetchFn);
  assert.equal(await a.header(), "Bearer tok-1-abcdef");
  assert.equal(server.calls.length, 3);
  assert.ok(server.calls[2].at - server.calls[1].at >= 7_000, "waited for Retry-After");
});

Deno.test("oauth: a hostile Retry-After on the token endpoint fails at once, asking no more", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, {
    tokenReplies: [json({ error: "slow down" }, 429, { "Retry-After": "86400" })],
  });
  const a = auth(clock, server.fetchFn);
  const error = await a.header().then(() => undefined, (e) => e);
  assert.ok(error instanceof RunError, String(error));
  assert.match(error.message, /rate limited \(429\).*asked to wait 86400 s/);
  assert.equal(server.calls.length, 1);
  assert.equal(clock.now(), T0, "no day-long wait");
});

Deno.test("oauth: at most N token requests per 60 s window", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, { lifeMs: 0 }); // every token is already stale
  const a = auth(clock, server.fetchFn, { requestsPerMinute: 2, marginMs: 0 });
  await a.header();
  await a.header();
  await a.header();
  assert.equal(server.calls.length, 3);
  assert.equal(server.calls[0].at, T0);
  // Paced evenly (pacer.ts): never more than 2 in any 60 s, so the third waits for the window.
  assert.ok(server.calls[2].at - server.calls[0].at >= 60_000, "the third waited for the window");
});

Deno.test("v3 dialect: per_page 500 first, filters as one pipe-syntax created_at", () => {
  const first = v3Dialect.firstPageParams(new URLSearchParams({ created_at: "gte|x" }));
  assert.equal(first.get("per_page"), "500");
  assert.equal(first.get("created_at"), "gte|x");
  const a = new Date("2024-01-01T00:00:00+02:00");
  const b = new Date("2024-02-01T00:00:00Z");
  assert.deepEqual(v3Dialect.dateFilters(a, undefined), {
    created_at: "gte|2023-12-31T22:00:00.000Z",
  });
  assert.deepEqual(v3Dialect.dateFilters(undefined, b), {
    created_at: "lt|2024-02-01T00:00:00.000Z",
  });
  assert.deepEqual(v3Dialect.dateFilters(a, b), {
    created_at: "gte|2023-12-31T22:00:00.000Z|lt|2024-02-01T00:00:00.000Z",
  });
  assert.deepEqual(v3Dialect.dateFilters(), {});
  assert.equal(pipeRange(undefined, b, "updated_at"), "lt|2024-02-01T00:00:00.000Z");
  assert.equal(v3Dialect.windowMs, 30_000);
});

Deno.test("v3 dialect: the next link is followed exactly; no last page", () => {
  const next = "https://harvest.test/v3/jobs?cursor=eyJhIjoxfQ";
  const links = parseLinkHeader(`<${next}>; rel="next"`);
  assert.equal(v3Dialect.nextUrl(links), next);
  assert.equal(v3Dialect.lastPage(links), undefined);
  assert.equal(v3Dialect.nextUrl(parseLinkHeader(null)), undefined);
  assert.match(
    v3Dialect.errorHint!(422, {
      errors: ["When passing a cursor, do not include other query params."],
    })!,
    /cursor/,
  );
  assert.equal(v3Dialect.errorHint!(422, { errors: ["per_page: bad"] }), undefined);
});

Deno.test("v3 client: a refused cursor is a RunError naming the endpoint, not retried", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock);
  let sends = 0;
  const client = new HarvestClient({
    baseUrl: "https://harvest.test/v3",
    auth: auth(clock, server.fetchFn),
    dialect: v3Dialect,
    rateTarget: 1,
    userAgent: "test",
    clock,
    fetchFn: ((input: string | URL | Request, init?: RequestInit) => {
      if (String(input) === AUTH_URL) return server.fetchFn(input, init);
      sends++;
      return Promise.resolve(
        sends === 1
          ? json([{ id: 9 }], 200, {
            Link: '<https://harvest.test/v3/jobs?cursor=abc>; rel="next"',
          })
          : json({ errors: ["When passing a cursor, do not include other query params."] }, 422),
      );
    }) as typeof fetch,
  });
  const pages: unknown[] = [];
  const error = await (async () => {
    for await (const page of client.paginate("/jobs")) pages.push(page.records);
  })().then(() => undefined, (e) => e);
  assert.deepEqual(pages, [[{ id: 9 }]]);
  assert.ok(error instanceof RunError);
  assert.match(
    error.message,
    /^GET \/v3\/jobs: Greenhouse answered 422.*cursor.*run the command again/,
  );
  assert.equal(sends, 2);
});

Deno.test("oauth: a 400 for a client id without its -<n> suffix says to copy the whole id", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, {
    tokenReplies: [json({ error: "invalid_request" }, 400)],
  });
  const a = clientCredentialsAuth({
    clientId: "abcdef0123",
    clientSecret: SECRET,
    authUrl: AUTH_URL,
    clock,
    fetchFn: server.fetchFn,
  });
  const error = await a.header().then(() => undefined, (e) => e);
  assert.ok(error instanceof CredentialsRefused);
  assert.match(
    error.message,
    /refused GREENHOUSE_CLIENT_ID \(400 invalid_request\): a client id ends in -<number> and this one does not; copy the whole client id again/,
  );
  assert.ok(!error.message.includes("abcdef0123"), "the id is not repeated");
  assert.equal(server.calls.length, 1, "not retried");
});

Deno.test("oauth: a 400 naming an unknown user points at --on-behalf-of; other 400s at the settings", async () => {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock, {
    tokenReplies: [
      json({ error: "invalid_request", error_description: "Unknown user (sub)." }, 400),
      json({ error: "unsupported_grant_type" }, 400),
    ],
  });
  const actingAs = auth(clock, server.fetchFn, { onBehalfOf: "4080" });
  const e1 = await actingAs.header().then(() => undefined, (e) => e);
  assert.match(e1.message, /for user 4080 \(400 invalid_request\).*--on-behalf-of/);
  const plain = auth(clock, server.fetchFn);
  const e2 = await plain.header().then(() => undefined, (e) => e);
  assert.match(e2.message, /refused the token request \(400 unsupported_grant_type\)/);
  assert.match(
    e2.message,
    /check that --auth-url \(GREENHOUSE_AUTH_URL\) is Greenhouse's token endpoint$/,
  );
});

Deno.test("oauth: the token pacer learns the endpoint's limit from its headers", async () => {
  const clock = new ManualClock(T0);
  const calls: number[] = [];
  const fetchFn = (() => {
    calls.push(clock.now());
    return Promise.resolve(
      json({ access_token: `tok-${calls.length}-abcdef`, expires_in: 0 }, 200, {
        "X-RateLimit-Limit": "1",
        "X-RateLimit-Remaining": "0",
      }),
    );
  }) as typeof fetch;
  const a = auth(clock, fetchFn, { marginMs: 0, requestsPerMinute: 5 });
  await a.header();
  await a.header();
  assert.equal(calls.length, 2);
  assert.ok(calls[1] >= T0 + 60_000, "one a minute, as the endpoint said");
});

Deno.test("oauth: a hostile token answer is bounded and never printed whole", async () => {
  const clock = new ManualClock(T0);
  const huge = "x".repeat(2_000_000);
  const fetchFn = (() => Promise.resolve(new Response(huge, { status: 403 }))) as typeof fetch;
  const error = await auth(clock, fetchFn).header().then(() => undefined, (e) => e);
  assert.ok(error instanceof CredentialsRefused);
  assert.ok(error.message.length < 600, `${error.message.length} characters`);
  assert.equal(error.message.split("\n").length, 1);
});

Deno.test("oauth: the token is checked after the pacing wait: a short-lived token never goes out expired", async () => {
  // Sandbox and client on one injected clock: tokens live 20 s (renewed after 10 s), and v3's
  // limit of 2 per 30 s leaves the client one request per window, so each page waits ~30 s.
  const clock = new ManualClock(T0);
  await using sandbox = await startSandboxDisposable({
    candidates: 5,
    clock,
    tokenLifetimeMs: 20_000,
    tokenExpiry: "expires_in", // measured on our clock, not against the real Date header
    v3RateLimit: 2,
  });
  const client = new HarvestClient({
    baseUrl: sandbox.v3Url,
    auth: clientCredentialsAuth({
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      authUrl: sandbox.authUrl,
      clock,
    }),
    dialect: withPageSize(v3Dialect, 1),
    rateTarget: 0.8,
    userAgent: "test",
    clock,
  });
  const ids: number[] = [];
  for await (const page of client.paginate("/jobs")) ids.push(...page.records.map((r) => r.id));
  assert.deepEqual(ids, sandbox.served("v3", "jobs").map((r) => r.id));
  const api = sandbox.log.filter((e) => e.path.startsWith("/v3/"));
  assert.ok(api.length >= 4, `${api.length} pages`);
  assert.ok(api.at(-1)!.at - api[0].at >= 3 * 30_000, "the pages waited for the rate limit");
  // Each page went out with a token valid at that moment: no 401, no token wasted on a refresh.
  assert.deepEqual(api.filter((e) => e.status === 401), []);
  assert.equal(client.stats.retries, 0);
});

Deno.test("oauth: each OAuth error code fails on its first answer with what to check", async () => {
  const cases: [number, string | undefined, RegExp][] = [
    [401, "invalid_client", /client id or secret is wrong; check GREENHOUSE_CLIENT_ID and/],
    [401, undefined, /\(401\): the client id or secret is wrong; check GREENHOUSE_CLIENT_ID/],
    [
      400,
      "invalid_request",
      /taken as malformed; copy GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_/,
    ],
    [400, "unauthorized_client", /check that GREENHOUSE_CLIENT_ID names an active Harvest v3/],
    [400, "invalid_grant", /revoked, expired .*; check that GREENHOUSE_CLIENT_ID and GREENHOUSE_C/],
    [400, "invalid_scope", /scopes of the credential in GREENHOUSE_CLIENT_ID/],
    [403, "access_denied", /check GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET .* --auth-url/],
    [404, undefined, /no reason given; check GREENHOUSE_CLIENT_ID and .* --auth-url/],
  ];
  for (const [status, code, advice] of cases) {
    const clock = new ManualClock(T0);
    const body = code === undefined ? {} : { error: code };
    const server = fakeServer(clock, { tokenReplies: [json(body, status)] });
    const error = await auth(clock, server.fetchFn).header().then(() => undefined, (e) => e);
    assert.ok(error instanceof CredentialsRefused, `${status} ${code}`);
    assert.match(error.message, advice, `${status} ${code}`);
    assert.equal(server.calls.length, 1, `${status} ${code}: not retried`);
  }
});
