import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { CredentialsRefused, RunError } from "../../src/errors.ts";
import {
  type Auth,
  basicAuth,
  type ClientEvent,
  type ClientOptions,
  HarvestClient,
  Pacer,
  type Page,
  v1Dialect,
} from "../../src/harvest/mod.ts";

const BASE = "https://harvest.test/v1";
const KEY = "a7183e1b7e9ab09b8a5cfa87d1934c3c";
const KEY_B64 = "YTcxODNlMWI3ZTlhYjA5YjhhNWNmYTg3ZDE5MzRjM2M6";
const T0 = Date.UTC(2026, 0, 1);

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body?: string;
  at: number;
}
type Responder = (call: Call, signal?: AbortSignal) => Response | Promise<Response>;

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json;charset=utf-8", ...headers },
  });
}

/** A fetch that answers from a script, one responder per call (the last one repeats). */
function fakeFetch(clock: ManualClock, script: Responder[]) {
  const calls: Call[] = [];
  const fn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: init?.body as string | undefined,
      at: clock.now(),
    };
    calls.push(call);
    const responder = script[Math.min(calls.length - 1, script.length - 1)];
    try {
      return Promise.resolve(responder(call, init?.signal ?? undefined));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return { fetchFn: fn as typeof fetch, calls };
}

function client(
  clock: ManualClock,
  script: Responder[],
  extra: Partial<ClientOptions> = {},
) {
  const fake = fakeFetch(clock, script);
  const events: ClientEvent[] = [];
  const c = new HarvestClient({
    baseUrl: BASE,
    auth: basicAuth(KEY),
    dialect: v1Dialect,
    rateTarget: 0.8,
    userAgent: "greenhouse-extractor/test",
    clock,
    fetchFn: fake.fetchFn,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { c, calls: fake.calls, events };
}

async function collect(gen: AsyncGenerator<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const p of gen) pages.push(p);
  return pages;
}

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

function assertNoSecret(message: string) {
  assert.ok(!message.includes(KEY), `key leaked: ${message}`);
  assert.ok(!message.includes(KEY_B64), `encoded key leaked: ${message}`);
}

const LIMIT = { "X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "49" };

Deno.test("client: sends auth, user agent and accept headers; basic auth is base64(key:)", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [() => json({ id: 1 }, 200, LIMIT)]);
  assert.deepEqual(await c.getJson("/candidates/1"), { id: 1 });
  assert.equal(calls[0].url, `${BASE}/candidates/1`);
  assert.equal(calls[0].headers.get("authorization"), `Basic ${KEY_B64}`);
  assert.equal(calls[0].headers.get("user-agent"), "greenhouse-extractor/test");
  assert.equal(calls[0].headers.get("accept"), "application/json");
  assert.equal(calls[0].headers.get("content-type"), null);
  const { c: c2, calls: calls2 } = client(clock, [() => json({ ok: true }, 201, LIMIT)]);
  const res = await c2.request("POST", "/candidates", {
    body: { first_name: "A" },
    headers: { "On-Behalf-Of": "42" },
  });
  assert.equal(res.status, 201);
  assert.equal(calls2[0].headers.get("content-type"), "application/json");
  assert.equal(calls2[0].headers.get("on-behalf-of"), "42");
  assert.equal(calls2[0].body, '{"first_name":"A"}');
  assert.equal(String(basicAuth(KEY)), "[basic auth]");
  assert.ok(!JSON.stringify({ a: basicAuth(KEY) }).includes(KEY));
});

Deno.test("client: paginate follows Link next exactly as given", async () => {
  const clock = new ManualClock(T0);
  const next2 =
    "https://harvest.test/v1/candidates?created_after=2022-11-01T00%3A00%3A00.000Z&page=2&per_page=500&odd=a,b";
  const next3 = "https://harvest.test/v1/candidates?zzz=1&page=7";
  const last = "https://harvest.test/v1/candidates?page=7&per_page=500";
  const { c, calls } = client(clock, [
    () =>
      json([{ id: 1 }, { id: 2 }], 200, {
        ...LIMIT,
        Link: `<${next2}>; rel="next",<${last}>; rel="last"`,
      }),
    () =>
      json([{ id: 3 }], 200, { ...LIMIT, link: `<${last}>; rel="last",\t <${next3}>; rel="next"` }),
    () => json([{ id: 4 }], 200, { ...LIMIT, Link: `<${last}>; rel="last"` }),
  ]);
  const params = v1Dialect.dateFilters(new Date(Date.UTC(2022, 10, 1)));
  assert.deepEqual(params, { created_after: "2022-11-01T00:00:00.000Z" });
  const pages = await collect(c.paginate("/candidates", params));
  assert.deepEqual(calls.map((x) => x.url), [
    `${BASE}/candidates?created_after=2022-11-01T00%3A00%3A00.000Z&per_page=500`,
    next2,
    next3,
  ]);
  assert.deepEqual(pages.flatMap((p) => p.records.map((r) => r.id)), [1, 2, 3, 4]);
  assert.deepEqual(pages.map((p) => p.pageNumber), [1, 2, 7]);
  assert.deepEqual(pages.map((p) => p.lastPage), [7, 7, 7]);
  assert.deepEqual(pages.map((p) => p.nextUrl), [next2, next3, undefined]);
});

Deno.test("client: no Link is one page; an empty page ends; startUrl resumes", async () => {
  const clock = new ManualClock(T0);
  const one = client(clock, [() => json([{ id: 1 }], 200, LIMIT)]);
  assert.equal((await collect(one.c.paginate("/sources"))).length, 1);
  assert.equal(one.calls[0].url, `${BASE}/sources?per_page=500`);

  const empty = client(clock, [
    () => json([], 200, { ...LIMIT, Link: `<${BASE}/jobs?page=2>; rel="next"` }),
  ]);
  const pages = await collect(empty.c.paginate("/jobs"));
  assert.equal(pages.length, 1);
  assert.equal(pages[0].nextUrl, undefined);
  assert.equal(empty.calls.length, 1);

  const resume = client(clock, [() => json([{ id: 9 }], 200, LIMIT)]);
  const resumed = await collect(
    resume.c.paginate("/jobs", {}, { startUrl: `${BASE}/jobs?page=3&per_page=500` }),
  );
  assert.equal(resume.calls[0].url, `${BASE}/jobs?page=3&per_page=500`);
  assert.equal(resumed[0].pageNumber, 3);
});

Deno.test("client: a non-array list body is a RunError naming the endpoint", async () => {
  const clock = new ManualClock(T0);
  const { c } = client(clock, [() => json({ message: "hi" }, 200, LIMIT)]);
  const err = await rejects(collect(c.paginate("/offers")));
  assert.ok(err instanceof RunError);
  assert.match(err.message, /GET \/v1\/offers: expected a JSON array/);
});

Deno.test("client: a next link to another host is refused (the key stays home)", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [
    () => json([{ id: 1 }], 200, { ...LIMIT, Link: `<https://evil.test/v1/x?page=2>; rel="next"` }),
  ]);
  const err = await rejects(collect(c.paginate("/candidates")));
  assert.ok(err instanceof RunError);
  assert.match(
    err.message,
    /^https:\/\/evil\.test: not the base URL's host .*refusing to send the API key there$/,
  );
  assert.equal(calls.length, 1);
});

Deno.test("client: 429 then success waits Retry-After and pauses the shared pacer", async () => {
  const clock = new ManualClock(T0);
  const { c, calls, events } = client(clock, [
    () => json({ message: "Rate limit exceeded" }, 429, { "Retry-After": "7" }),
    () => json([{ id: 1 }], 200, LIMIT),
  ]);
  assert.deepEqual(await c.getJson("/jobs"), [{ id: 1 }]);
  assert.equal(calls.length, 2);
  assert.ok(calls[1].at - calls[0].at >= 7_000, `waited ${calls[1].at - calls[0].at}`);
  assert.equal(c.stats.rateLimited, 1);
  assert.equal(c.stats.retries, 1);
  assert.equal(c.stats.requests, 2);
  assert.ok(c.stats.waitedMs >= 7_000);
  assert.ok(events.some((e) => e.type === "rate-limited" && e.waitMs === 7_000));
  assert.ok(c.pacer.pausedUntil >= calls[0].at + 7_000);
});

Deno.test("client: 429 with an epoch Retry-After, or only X-RateLimit-Reset", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [
    () => json({}, 429, { "Retry-After": String(T0 / 1000 + 4) }),
    () => json({}, 429, { "X-RateLimit-Reset": String(T0 / 1000 + 9) }),
    () => json([], 200, LIMIT),
  ]);
  await c.getJson("/jobs");
  assert.equal(calls[1].at - calls[0].at, 4_000);
  assert.equal(calls[2].at, T0 + 9_000);
});

Deno.test("client: 429s do not use up maxAttempts but maxTotalMs bounds them", async () => {
  const clock = new ManualClock(T0);
  const script: Responder[] = Array.from(
    { length: 10 },
    () => () => json({}, 429, { "Retry-After": "1" }),
  );
  script.push(() => json([], 200, LIMIT));
  const ok = client(clock, script, { retry: { maxAttempts: 2 } });
  await ok.c.getJson("/jobs");
  assert.equal(ok.calls.length, 11);

  const bounded = client(clock, [() => json({}, 429, { "Retry-After": "120" })], {
    retry: { maxTotalMs: 300_000 },
  });
  const err = await rejects(bounded.c.getJson("/jobs"));
  assert.ok(err instanceof RunError);
  assert.match(
    err.message,
    /GET \/v1\/jobs: gave up after 3 attempts over \d+s: rate limited \(429\)/,
  );
});

Deno.test("client: 5xx is retried with backoff, then succeeds", async () => {
  const clock = new ManualClock(T0);
  const { c, calls, events } = client(clock, [
    () => json({ message: "oops" }, 502),
    () => new Response("<html>Service Unavailable</html>", { status: 503 }),
    () => json([{ id: 1 }], 200, LIMIT),
  ]);
  assert.deepEqual(await c.getJson("/jobs"), [{ id: 1 }]);
  assert.equal(calls.length, 3);
  const retries = events.filter((e) => e.type === "retry");
  assert.equal(retries.length, 2);
  // Full jitter with random = 0.5: 250 ms then 500 ms.
  assert.deepEqual(retries.map((e) => e.type === "retry" && e.waitMs), [250, 500]);
  assert.equal(c.stats.backoffMs, 750);
});

Deno.test("client: 5xx gives up after maxAttempts with a clear message", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [() => json({ message: "Server error" }, 500)]);
  const err = await rejects(c.getJson("/jobs", { page: "2" }));
  assert.ok(err instanceof RunError);
  assert.equal(calls.length, 6);
  assert.match(
    err.message,
    /^GET \/v1\/jobs: gave up after 6 attempts over [\d.]+s: HTTP 500: Server error; check your network or Greenhouse's status and run again$/,
  );
});

Deno.test("client: network errors and timeouts are retried", async () => {
  const clock = new ManualClock(T0);
  const ctl: AbortController[] = [];
  const timed = client(
    clock,
    [
      () => {
        throw new TypeError("error sending request: connection reset by peer");
      },
      (_call, signal) => {
        const p = new Promise<Response>((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason));
        });
        ctl[1].abort(new DOMException("timed out after 60000 ms", "TimeoutError"));
        return p;
      },
      () => json([{ id: 5 }], 200, LIMIT),
    ],
    {
      deadline: () => {
        const controller = new AbortController();
        ctl.push(controller);
        return { signal: controller.signal, clear: () => {} };
      },
    },
  );
  const events: string[] = [];
  assert.deepEqual(await timed.c.getJson("/jobs"), [{ id: 5 }]);
  for (const e of timed.events) if (e.type === "retry") events.push(e.reason);
  assert.equal(timed.calls.length, 3);
  assert.match(events[0], /network error: .*connection reset/);
  assert.equal(events[1], "timed out");
});

Deno.test("client: the real deadline aborts a hung request", async () => {
  const clock = new ManualClock(T0);
  const { c, events } = client(clock, [
    (_call, signal) =>
      new Promise<Response>((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason));
      }),
    () => json([], 200, LIMIT),
  ], { timeoutMs: 5 });
  assert.deepEqual(await c.getJson("/jobs"), []);
  assert.ok(events.some((e) => e.type === "retry" && e.reason === "timed out"));
});

Deno.test("client: truncated or unparseable JSON is retried", async () => {
  const clock = new ManualClock(T0);
  const stream = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('[{"id":1},'));
        controller.error(new TypeError("connection reset"));
      },
    });
  const { c, calls, events } = client(clock, [
    () => new Response('[{"id":1},{"id":', { status: 200, headers: LIMIT }),
    () => new Response(stream(), { status: 200, headers: LIMIT }),
    () =>
      new Response('[{"id":1}]', { status: 200, headers: { ...LIMIT, "Content-Length": "99" } }),
    () => json([{ id: 1 }, { id: 2 }], 200, LIMIT),
  ]);
  assert.deepEqual(await c.getJson("/jobs"), [{ id: 1 }, { id: 2 }]);
  assert.equal(calls.length, 4);
  const reasons = events.flatMap((e) => (e.type === "retry" ? [e.reason] : []));
  assert.equal(reasons.length, 3);
  for (const r of reasons) assert.match(r, /truncated or unparseable body/);
  assert.match(reasons[2], /got 10 of 99 bytes/);
});

Deno.test("client: 401 fails at once, without retry", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [
    () => json({ message: "Invalid Basic Auth credentials" }, 401),
  ]);
  const err = await rejects(c.getJson("/candidates"));
  // Not a RunError: no per-item handler may take it for one item's failure and carry on.
  assert.ok(err instanceof CredentialsRefused);
  assert.match(
    err.message,
    /Greenhouse rejected the API key \(401\).*; check that GREENHOUSE_API_KEY/,
  );
  assert.equal(calls.length, 1);
  assert.equal(c.stats.retries, 0);
  // Refused for good: later requests of the run send nothing.
  assert.equal(await rejects(c.getJson("/jobs")), err);
  assert.equal(calls.length, 1);
});

Deno.test("client: 401 with a refreshable auth is retried once", async () => {
  const clock = new ManualClock(T0);
  let token = "t1";
  let refreshes = 0;
  const auth: Auth = {
    header: () => Promise.resolve(`Bearer ${token}`),
    refresh: () => {
      refreshes++;
      token = "t2";
      return Promise.resolve(true);
    },
  };
  const { c, calls } = client(clock, [
    () => json({ message: "expired" }, 401),
    () => json([], 200, LIMIT),
  ], { auth });
  await c.getJson("/jobs");
  assert.equal(refreshes, 1);
  assert.deepEqual(calls.map((x) => x.headers.get("authorization")), ["Bearer t1", "Bearer t2"]);

  const again = client(clock, [() => json({ message: "expired" }, 401)], { auth });
  await rejects(again.c.getJson("/jobs"));
  assert.equal(again.calls.length, 2);
});

Deno.test("client: 403 names the endpoint and the missing permission", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [() => json({ message: "Forbidden" }, 403)]);
  const err = await rejects(c.getJson("/scorecards", { per_page: "500" }));
  assert.ok(err instanceof RunError);
  assert.match(
    err.message,
    /^GET \/v1\/scorecards: Greenhouse refused access \(403\): Forbidden; the API key lacks the permission "Get: List Scorecards": grant it in Greenhouse \(Configure → Dev Center → API Credential Management\)/,
  );
  assert.equal(calls.length, 1);
  // Every request names its own: a nested list, a per-application list, a write.
  const named: [string, string, string][] = [
    ["GET", "/tags/candidate", '"Get: List Candidate Tags"'],
    [
      "GET",
      "/applications/7/demographics/answers",
      '"Get: List Demographic Answers for Application"',
    ],
    ["GET", "/candidates/7/activity_feed", '"Get: Retrieve Activity Feed"'],
    ["DELETE", "/candidates/7", '"Delete: Delete Candidate"'],
  ];
  for (const [method, path, permission] of named) {
    const one = client(clock, [() => json({ message: "Forbidden" }, 403)]);
    const error = await rejects(one.c.request(method, path));
    assert.ok(error.message.includes(`lacks the permission ${permission}:`), error.message);
  }
});

Deno.test("client: other 4xx carry the API's messages; allowStatus returns instead", async () => {
  const clock = new ManualClock(T0);
  const { c } = client(clock, [
    () => json({ errors: [{ message: "Missing required field: body", field: "body" }] }, 422),
    () => json({ message: "Resource not found" }, 404),
  ]);
  const err = await rejects(c.request("POST", "/candidates/1/activity_feed/notes", { body: {} }));
  assert.ok(err instanceof RunError);
  assert.match(
    err.message,
    /POST \/v1\/candidates\/1\/activity_feed\/notes: Greenhouse answered 422: body: Missing required field: body/,
  );
  const res = await c.request("DELETE", "/candidates/1", { allowStatus: [404] });
  assert.equal(res.status, 404);
  assert.deepEqual(res.body, { message: "Resource not found" });
});

Deno.test("client: non-idempotent writes are not retried after a 5xx, but are after a 429", async () => {
  const clock = new ManualClock(T0);
  const five = client(clock, [() => json({}, 503)]);
  const err = await rejects(five.c.request("POST", "/candidates", { body: { a: 1 } }));
  assert.match(err.message, /not retried because the request may have reached Greenhouse/);
  assert.equal(five.calls.length, 1);

  const rl = client(clock, [
    () => json({}, 429, { "Retry-After": "1" }),
    () => json({ id: 1 }, 201),
  ]);
  assert.equal((await rl.c.request("PATCH", "/candidates/1", { body: { a: 1 } })).status, 201);
  assert.equal(rl.calls.length, 2);

  const put = client(clock, [() => json({}, 503), () => json({}, 200, LIMIT)]);
  assert.equal((await put.c.request("PUT", "/candidates/1/anonymize")).status, 200);
  assert.equal(put.calls.length, 2);
});

Deno.test("client: the key never appears in any error message", async () => {
  const clock = new ManualClock(T0);
  const echo = (status: number) => (call: Call) =>
    json({
      message: `bad credentials ${KEY} (${call.headers.get("authorization")})`,
      errors: [{ message: `key=${KEY}`, field: "auth" }],
    }, status);
  for (const status of [401, 403, 404, 422, 500, 503]) {
    const { c } = client(clock, [echo(status)], { retry: { maxAttempts: 2 } });
    const err = await rejects(c.getJson("/candidates"));
    assert.ok(err instanceof RunError || err instanceof CredentialsRefused, String(err));
    assertNoSecret(err.message);
    assertNoSecret(String(err.stack));
  }
  const net = client(clock, [() => {
    throw new TypeError(`failed ${KEY}`);
  }], { retry: { maxAttempts: 2 } });
  const events: string[] = [];
  const err = await rejects(net.c.getJson("/candidates"));
  assertNoSecret(err.message);
  for (const e of net.events) events.push(JSON.stringify(e));
  for (const e of events) assertNoSecret(e);
  // The boundary (cli/options.ts) refuses an empty key; here it is a programming error.
  assert.throws(() => basicAuth("  "), TypeError);
});

Deno.test("client: asserts an https or loopback base URL; trailing slash stripped", () => {
  const opts = {
    auth: basicAuth(KEY),
    dialect: v1Dialect,
    rateTarget: 0.8,
    userAgent: "t",
  };
  for (
    const baseUrl of [
      "http://harvest.greenhouse.io/v1",
      "http://10.0.0.1/v1",
      "http://localhost.evil.com/",
    ]
  ) {
    assert.throws(
      () => new HarvestClient({ ...opts, baseUrl }),
      (e: Error) => e instanceof TypeError && /neither https:\/\/ nor loopback/.test(e.message),
      baseUrl,
    );
  }
  for (
    const baseUrl of [
      "http://127.0.0.1:8080/v1/",
      "http://localhost:3000/v1",
      "http://[::1]:9/v1",
      "http://127.1.2.3/v1",
    ]
  ) {
    const c = new HarvestClient({ ...opts, baseUrl });
    assert.ok(!c.baseUrl.endsWith("/"), c.baseUrl);
  }
  assert.equal(
    new HarvestClient({ ...opts, baseUrl: "https://harvest.greenhouse.io/v1/" }).baseUrl,
    "https://harvest.greenhouse.io/v1",
  );
  assert.throws(
    () => new HarvestClient({ ...opts, baseUrl: `https://${KEY}:@harvest.greenhouse.io/v1` }),
    (e: Error) => e instanceof TypeError && !e.message.includes(KEY),
  );
  assert.throws(() => new HarvestClient({ ...opts, baseUrl: "https://x/v1?a=b" }), TypeError);
  assert.throws(() => new HarvestClient({ ...opts, baseUrl: "ftp://x/" }), TypeError);
  assert.throws(() => new HarvestClient({ ...opts, baseUrl: "not a url" }), TypeError);
  assert.throws(
    () => new HarvestClient({ ...opts, baseUrl: "https://x/v1", rateTarget: 2 }),
    RangeError,
  );
});

Deno.test("client: one pacer shared by concurrent requests keeps to the budget", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, [() => json([], 200, { "X-Ratelimit-Limit": "20" })]);
  await c.getJson("/jobs"); // learns the limit
  await Promise.all(Array.from({ length: 40 }, (_, i) => c.getJson(`/jobs/${i}`)));
  const times = calls.map((x) => x.at).sort((a, b) => a - b);
  for (let i = 16; i < times.length; i++) {
    assert.ok(times[i] - times[i - 16] >= 10_000, `window overshoot at ${i}`);
  }
});

Deno.test("client: concurrent waits for the pacer count once, as wall-clock time", async () => {
  const clock = new ManualClock(T0);
  const gate = Promise.withResolvers<void>();
  const allWaiting = Promise.withResolvers<void>();
  let waiting = 0;
  // A pacer that holds every request until the test opens the gate.
  const pacer = Object.assign(Object.create(Pacer.prototype), {
    acquire: () => {
      if (++waiting === 3) allWaiting.resolve();
      return gate.promise;
    },
    observe: () => {},
  }) as Pacer;
  const { c } = client(clock, [() => json([], 200, LIMIT)], { pacer });
  const requests = [c.getJson("/jobs"), c.getJson("/offers"), c.getJson("/sources")];
  await allWaiting.promise;
  clock.advance(1000);
  gate.resolve();
  await Promise.all(requests);
  assert.equal(c.stats.waitedMs, 1000);
});
