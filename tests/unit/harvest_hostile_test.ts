/**
 * The Harvest client against a hostile or broken server: bodies that never end, link chains that
 * never end, rate-limit headers that would park it for an hour, and error bodies that echo the
 * credentials. Every bound is asserted, on the injected clock.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { CredentialsRefused, RunError } from "../../src/errors.ts";
import {
  apiErrorText,
  basicAuth,
  clientCredentialsAuth,
  type ClientEvent,
  type ClientOptions,
  HarvestClient,
  type Page,
  v1Dialect,
  v3Dialect,
} from "../../src/harvest/mod.ts";
import { ERROR_BODY_BYTES } from "../../src/harvest/client.ts";
import { redactSecrets, secretForms } from "../../src/redact.ts";

const BASE = "https://harvest.test/v1";
const KEY = "a7183e1b7e9ab09b8a5cfa87d1934c3c";
const T0 = Date.UTC(2026, 0, 1);
const LIMIT = { "X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "49" };

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function client(
  clock: ManualClock,
  respond: (url: string, n: number) => Response,
  extra: Partial<ClientOptions> = {},
) {
  const calls: { url: string; at: number }[] = [];
  const events: ClientEvent[] = [];
  const fetchFn = ((input: string | URL) => {
    calls.push({ url: String(input), at: clock.now() });
    return Promise.resolve(respond(String(input), calls.length));
  }) as typeof fetch;
  const c = new HarvestClient({
    baseUrl: BASE,
    auth: basicAuth(KEY),
    dialect: v1Dialect,
    rateTarget: 0.8,
    userAgent: "test",
    clock,
    fetchFn,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { c, calls, events };
}

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

async function collect(gen: AsyncGenerator<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of gen) pages.push(page);
  return pages;
}

/** An endless body of 64 KB chunks, counting what was pulled from it. */
function endless(pulled: { bytes: number; cancelled: boolean }): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("[" + " ".repeat(65_535));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled.bytes += chunk.length;
      controller.enqueue(chunk.slice());
    },
    cancel() {
      pulled.cancelled = true;
    },
  }, { highWaterMark: 0 });
}

/** Whether any run of `min` characters of `secret` shows in `text` (ignoring case). */
function leaks(text: string, secret: string, min = 6): boolean {
  const haystack = text.toLowerCase();
  for (let i = 0; i + min <= secret.length; i++) {
    if (haystack.includes(secret.slice(i, i + min).toLowerCase())) return true;
  }
  return false;
}

Deno.test("client: a 2xx body that never ends stops at the cap with one line naming the endpoint and the cap", async () => {
  const clock = new ManualClock(T0);
  const pulled = { bytes: 0, cancelled: false };
  const { c, calls } = client(
    clock,
    () => new Response(endless(pulled), { status: 200, headers: LIMIT }),
    { maxBodyBytes: 1024 * 1024 },
  );
  const err = await rejects(c.getJson("/candidates"));
  assert.ok(err instanceof RunError);
  assert.match(
    err.message,
    /^GET \/v1\/candidates: the answer is larger than 1 MiB, the most this tool reads from one API response; stopped reading it; check that --base-url/,
  );
  assert.ok(!err.message.includes("\n"));
  assert.equal(calls.length, 1, "not retried: the same answer would come again");
  assert.ok(pulled.bytes <= 1024 * 1024 + 65_536, `pulled ${pulled.bytes} bytes`);
  assert.ok(pulled.cancelled, "the rest of the body is cancelled, not read");
});

Deno.test("client: a declared Content-Length over the cap fails before reading the body", async () => {
  const clock = new ManualClock(T0);
  const pulled = { bytes: 0, cancelled: false };
  const { c } = client(
    clock,
    () =>
      new Response(endless(pulled), {
        status: 200,
        headers: { ...LIMIT, "Content-Length": String(8 * 1024 ** 3) },
      }),
    { maxBodyBytes: 1024 * 1024 },
  );
  const err = await rejects(c.getJson("/candidates"));
  assert.match(err.message, /larger than 1 MiB/);
  assert.ok(pulled.bytes <= 65_536, `pulled ${pulled.bytes}`);
});

Deno.test("client: of an error body only the first 64 KiB are read, and its message is one short line", async () => {
  const clock = new ManualClock(T0);
  const pulled = { bytes: 0, cancelled: false };
  const { c, calls } = client(clock, () => new Response(endless(pulled), { status: 422 }));
  const err = await rejects(c.getJson("/candidates"));
  assert.ok(err instanceof RunError);
  assert.equal(calls.length, 1);
  assert.ok(pulled.bytes <= ERROR_BODY_BYTES + 65_536, `pulled ${pulled.bytes}`);
  assert.ok(err.message.length < 400, `${err.message.length} characters`);
});

Deno.test("client: an endless chain of distinct next links stops past the announced last page", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(clock, (url) => {
    const page = Number(new URL(url).searchParams.get("page") ?? "1");
    return json([{ id: page }], 200, {
      ...LIMIT,
      Link: `<${BASE}/candidates?page=${page + 1}&per_page=500>; rel="next",` +
        `<${BASE}/candidates?page=3&per_page=500>; rel="last"`,
    });
  });
  const pages: Page[] = [];
  const err = await rejects((async () => {
    for await (const page of c.paginate("/candidates")) pages.push(page);
  })());
  assert.ok(err instanceof RunError);
  assert.equal(
    err.message,
    "GET /v1/candidates: the next-page link asks for page 4, past the last page (3) the API " +
      "announced; stopped there; run again, and report it to Greenhouse if it repeats",
  );
  assert.equal(pages.length, 3);
  assert.equal(calls.length, 3);
});

Deno.test("client: a list that grows while it is read may go past the first page's count", async () => {
  const clock = new ManualClock(T0);
  const { c } = client(clock, (url) => {
    const page = Number(new URL(url).searchParams.get("page") ?? "1");
    // Records were added during the listing: page 2 announces one more page than page 1 did.
    const last = page === 1 ? 2 : 3;
    const next = page < last ? `<${BASE}/candidates?page=${page + 1}>; rel="next",` : "";
    return json([{ id: page }], 200, {
      ...LIMIT,
      Link: `${next}<${BASE}/candidates?page=${last}>; rel="last"`,
    });
  });
  assert.equal((await collect(c.paginate("/candidates"))).length, 3);
});

Deno.test("client: without a count (v3 cursors), a hard cap on pages stops an endless chain", async () => {
  const clock = new ManualClock(T0);
  const { c, calls } = client(
    clock,
    (_url, n) =>
      json([{ id: n }], 200, {
        ...LIMIT,
        Link: `<https://harvest.test/v3/candidates?cursor=c${n}>; rel="next"`,
      }),
    { baseUrl: "https://harvest.test/v3", dialect: v3Dialect, maxPages: 25 },
  );
  const err = await rejects(collect(c.paginate("/candidates")));
  assert.ok(err instanceof RunError);
  assert.equal(
    err.message,
    "GET /v3/candidates: still a next page after 25 pages, the most one listing may have; " +
      "stopped there; run again, and report it to Greenhouse if it repeats",
  );
  assert.equal(calls.length, 25);
});

Deno.test("client: X-RateLimit-Remaining 0 with a reset an hour away waits one window and says so", async () => {
  const clock = new ManualClock(T0);
  const { c, calls, events } = client(
    clock,
    () =>
      json([], 200, {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(T0 / 1000 + 3_600),
      }),
  );
  for (let i = 0; i < 3; i++) await c.getJson("/jobs");
  const gaps = calls.slice(1).map((call, i) => call.at - calls[i].at);
  assert.deepEqual(gaps, [10_100, 10_100], "one window (and its margin) each, not an hour");
  const waits = events.filter((e) => e.type === "waiting");
  assert.deepEqual(waits, [
    { type: "waiting", waitMs: 10_100, cause: "used up" },
    { type: "waiting", waitMs: 10_100, cause: "used up" },
  ]);
});

Deno.test("redaction: every spelling of a secret, before the text is cut", () => {
  const b64 = btoa(`${KEY}:`);
  const forms = secretForms(b64);
  assert.ok(forms.includes(b64.replace(/=+$/, "")));
  const samples = [
    `key ${KEY} end`,
    `upper ${KEY.toUpperCase()} end`,
    `basic ${b64} end`,
    `unpadded ${btoa(KEY + ":x").replace(/=+$/, "")} end`,
    `base64 of the key alone ${btoa(KEY)} end`,
    `url ${encodeURIComponent(b64)} and ${encodeURIComponent(b64).toLowerCase()} end`,
    `base64url ${btoa(`${KEY}:`).replaceAll("+", "-").replaceAll("/", "_")} end`,
  ];
  for (const sample of samples) {
    const out = redactSecrets(sample, [KEY, b64, `Basic ${b64}`]);
    assert.ok(!leaks(out, KEY) && !leaks(out, b64), `${sample} → ${out}`);
    assert.match(out, /\[redacted\]/);
  }
  assert.equal(redactSecrets("nothing secret here", [KEY]), "nothing secret here");
});

Deno.test("redaction: a key straddling the 200-character cut does not leak its first part", () => {
  for (let offset = 170; offset <= 200; offset++) {
    const body = "x".repeat(offset) + KEY + " tail";
    const text = apiErrorText(body, [KEY]);
    assert.ok(!leaks(text, KEY), `offset ${offset}: ${text}`);
    assert.ok(text.length <= 201);
    const object = apiErrorText({ message: "y".repeat(offset) + KEY }, [KEY]);
    assert.ok(!leaks(object, KEY), `offset ${offset}: ${object}`);
  }
  // Messages of any shape are cut too: a server's 1 MB message is not a line.
  assert.ok(apiErrorText({ message: "z".repeat(1_000_000) }).length <= 201);
});

Deno.test("client: error bodies that echo the key in any form leave no trace in the message", async () => {
  const b64 = btoa(`${KEY}:`);
  const echoes = [
    "x".repeat(190) + KEY,
    "x".repeat(185) + b64.replace(/=+$/, ""),
    "x".repeat(180) + encodeURIComponent(`Basic ${b64}`),
    JSON.stringify({ message: "Invalid key " + KEY, errors: [{ field: "key", message: b64 }] }),
  ];
  for (const status of [401, 403, 422, 500]) {
    for (const echo of echoes) {
      const clock = new ManualClock(T0);
      const { c } = client(clock, () => new Response(echo, { status }));
      const err = await rejects(c.getJson("/jobs"));
      assert.ok(err instanceof RunError || err instanceof CredentialsRefused, String(err));
      assert.ok(!leaks(err.message, KEY) && !leaks(err.message, b64), `${status}: ${err.message}`);
    }
  }
});

Deno.test("oauth: a token answer that never ends is not read past 64 KiB", async () => {
  const pulled = { bytes: 0, cancelled: false };
  const auth = clientCredentialsAuth({
    clientId: "id",
    clientSecret: "secret-secret",
    authUrl: "https://auth.test/token",
    clock: new ManualClock(T0),
    fetchFn: (() =>
      Promise.resolve(new Response(endless(pulled), { status: 200 }))) as typeof fetch,
  });
  await assert.rejects(auth.header(), RunError);
  assert.ok(pulled.bytes <= 2 * 65_536, `pulled ${pulled.bytes}`);
  assert.ok(pulled.cancelled);
});
