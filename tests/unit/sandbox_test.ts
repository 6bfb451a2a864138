import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { HOSTILE_FILENAMES } from "../../src/sandbox/mod.ts";
import { startSandboxDisposable } from "../e2e/sandbox.ts";

const T = Date.UTC(2026, 0, 15, 12, 0, 0);

function auth(s: Sandbox, key = s.apiKey): HeadersInit {
  return { Authorization: "Basic " + btoa(`${key}:`) };
}

async function get(s: Sandbox, path: string, init: RequestInit = {}) {
  const res = await fetch(s.url + path, { ...init, headers: { ...auth(s), ...init.headers } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* keep text */ }
  // deno-lint-ignore no-explicit-any
  return { res, body: body as any };
}

function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(",")) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

Deno.test("pagination: Link header format, pages, skip_count, past the end", async () => {
  const s = await startSandbox({ rateLimit: 0, clock: new ManualClock(T) });
  try {
    const all = s.tenant.list("candidates");
    assert.equal(all.length, 60);
    const p1 = await get(s, "/candidates?per_page=25");
    assert.equal(p1.res.headers.get("content-type"), "application/json;charset=utf-8");
    const origin = new URL(s.url).origin;
    assert.equal(
      p1.res.headers.get("link"),
      `<${origin}/v1/candidates?page=2&per_page=25>; rel="next",` +
        `<${origin}/v1/candidates?page=3&per_page=25>; rel="last"`,
    );
    const p2 = await get(s, "/candidates?page=2&per_page=25");
    assert.deepEqual(Object.keys(links(p2.res.headers.get("link"))), ["next", "prev", "last"]);
    const p3 = await get(s, "/candidates?page=3&per_page=25");
    assert.deepEqual(Object.keys(links(p3.res.headers.get("link"))), ["prev", "last"]);
    assert.deepEqual(
      [...p1.body, ...p2.body, ...p3.body].map((c: { id: number }) => c.id),
      all.map((c) => c.id),
    );
    const past = await get(s, "/candidates?page=9&per_page=25");
    assert.equal(past.res.status, 200);
    assert.deepEqual(past.body, []);
    // Filters are kept, page/per_page appended; default per_page=100; single page keeps last.
    const f = await get(s, "/candidates?created_after=2019-01-01T00:00:00Z&foo=bar");
    assert.equal(
      f.res.headers.get("link"),
      `<${origin}/v1/candidates?created_after=2019-01-01T00:00:00Z&foo=bar&page=1&per_page=100>; rel="last"`,
    );
    const sc = await get(s, "/candidates?skip_count=true&per_page=50");
    assert.deepEqual(Object.keys(links(sc.res.headers.get("link"))), ["next"]);
    const sc1 = await get(s, "/candidates?skip_count=true");
    assert.equal(sc1.res.headers.get("link"), null);
    for (const bad of ["per_page=0", "per_page=501", "per_page=x", "page=0"]) {
      const r = await get(s, `/candidates?${bad}`);
      assert.equal(r.res.status, 422, bad);
      assert.equal(r.body.message, "Validation error");
    }
    const one = await get(s, `/candidates/${all[5].id}`);
    assert.deepEqual(one.body, all[5]);
    const missing = await get(s, "/candidates/123");
    assert.equal(missing.res.status, 404);
    assert.deepEqual(missing.body, { message: "Resource not found" });
  } finally {
    await s.close();
  }
});

Deno.test("filters: created_after inclusive, created_before exclusive, ISO forms, 422", async () => {
  const s = await startSandbox({ rateLimit: 0, clock: new ManualClock(T) });
  try {
    const all = s.tenant.list("candidates");
    const pivot = all[10].created_at as string;
    const after = await get(s, `/candidates?per_page=500&created_after=${pivot}`);
    assert.equal(after.body[0].id, all[10].id);
    assert.equal(after.body.length, 50);
    const before = await get(s, `/candidates?per_page=500&created_before=${pivot}`);
    assert.equal(before.body.length, 10);
    const offset = pivot.replace("Z", "+00:00");
    const viaOffset = await get(
      s,
      `/candidates?per_page=500&created_after=${encodeURIComponent(offset)}`,
    );
    assert.equal(viaOffset.body.length, 50);
    const dateOnly = await get(s, "/candidates?per_page=500&created_after=2030-01-01");
    assert.deepEqual(dateOnly.body, []);
    const bad = await get(s, "/candidates?created_after=yesterday");
    assert.equal(bad.res.status, 422);
    assert.equal(bad.body.errors[0].field, "created_after");
    const status = await get(s, "/applications?status=bogus");
    assert.deepEqual(status.body, []);
    const hired = await get(s, "/applications?status=hired&per_page=500");
    assert.ok(hired.body.every((a: { status: string }) => a.status === "hired"));
    const withEmail = all.find((c) => c.email_addresses.length > 0)!;
    const email = String(withEmail.email_addresses[0].value).toUpperCase();
    const byEmail = await get(s, `/candidates?email=${encodeURIComponent(email)}&candidate_ids=1`);
    assert.deepEqual(byEmail.body.map((c: { id: number }) => c.id), [withEmail.id]);
    const ids = await get(s, `/candidates?candidate_ids=${all[1].id},${all[3].id}`);
    assert.deepEqual(ids.body.map((c: { id: number }) => c.id), [all[1].id, all[3].id]);
    // Referential integrity.
    const candIds = new Set(all.map((c) => c.id));
    const appIds = new Set(s.tenant.list("applications").map((a) => a.id));
    assert.ok(s.tenant.list("applications").every((a) => candIds.has(a.candidate_id)));
    assert.ok(s.tenant.list("offers").every((o) => appIds.has(o.application_id)));
    assert.ok(s.tenant.list("scorecards").every((o) => appIds.has(o.application_id)));
    assert.ok(s.tenant.list("applications").some((a) => a.prospect && a.jobs.length === 0));
  } finally {
    await s.close();
  }
});

Deno.test("updated_after sees touched candidates; added candidates are listed", async () => {
  const clock = new ManualClock(T);
  const s = await startSandbox({ rateLimit: 0, clock });
  try {
    const id = s.tenant.list("candidates")[7].id;
    const since = new Date(T).toISOString();
    assert.deepEqual((await get(s, `/candidates?updated_after=${since}`)).body, []);
    clock.advance(1000);
    const touched = s.tenant.touchCandidate(id);
    assert.equal(touched.updated_at, new Date(T + 1000).toISOString());
    const r = await get(s, `/candidates?updated_after=${since}`);
    assert.deepEqual(r.body.map((c: { id: number }) => c.id), [id]);
    const added = s.tenant.addCandidate();
    assert.equal(s.tenant.list("candidates").at(-1)!.id, added.id);
    const feed = await get(s, `/candidates/${id}/activity_feed`);
    assert.deepEqual(Object.keys(feed.body), [
      "notes",
      "emails",
      "activities",
      "linkedin_notes",
      "linkedin_inmails",
    ]);
    assert.equal(feed.body.activities.at(-1).subject, "Candidate Updated");
  } finally {
    await s.close();
  }
});

Deno.test("auth: missing or wrong key is 401", async () => {
  const s = await startSandbox();
  try {
    const none = await fetch(s.url + "/candidates");
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { message: "Invalid Basic Auth credentials" });
    const wrong = await get(s, "/candidates", { headers: auth(s, "nope") });
    assert.equal(wrong.res.status, 401);
    const denied = await startSandbox({ deniedPaths: ["/candidates"] });
    try {
      const d = await get(denied, "/candidates/1/activity_feed");
      assert.equal(d.res.status, 403);
      assert.equal((await get(denied, "/jobs")).res.status, 200);
    } finally {
      await denied.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("missingPaths: a list this tenant lacks answers 404 on both versions", async () => {
  await using s = await startSandboxDisposable({ missingPaths: ["/job_posts"] });
  const v1 = await get(s, "/job_posts");
  assert.equal(v1.res.status, 404);
  assert.equal((await get(s, "/departments")).res.status, 200);
  const token = await fetch(s.authUrl, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${s.clientId}:${s.clientSecret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  }).then((r) => r.json());
  const v3 = await fetch(`${s.v3Url}/job_posts`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  });
  await v3.body?.cancel();
  assert.equal(v3.status, 404);
});

Deno.test("rate limit: headers, 429 with Retry-After and X-RateLimit-Reset, new window", async () => {
  const clock = new ManualClock(T + 2500);
  const s = await startSandbox({ rateLimit: 3, clock });
  try {
    for (let n = 0; n < 3; n++) {
      const r = await get(s, "/jobs");
      assert.equal(r.res.status, 200);
      assert.equal(r.res.headers.get("x-ratelimit-limit"), "3");
      assert.equal(r.res.headers.get("x-ratelimit-remaining"), String(2 - n));
    }
    const limited = await get(s, "/jobs");
    assert.equal(limited.res.status, 429);
    assert.deepEqual(limited.body, { message: "Rate limit exceeded" });
    assert.equal(limited.res.headers.get("retry-after"), "8");
    assert.equal(limited.res.headers.get("x-ratelimit-reset"), String((T + 10_000) / 1000));
    assert.equal(s.counts().rateLimited, 1);
    // Files are not rate limited.
    const url = s.tenant.list("candidates").flatMap((c) => c.attachments)[0].url;
    const file = await fetch(url);
    assert.equal(file.status, 200);
    await file.body?.cancel();
    clock.advance(7500);
    assert.equal((await get(s, "/jobs")).res.status, 200);
  } finally {
    await s.close();
  }
  const legacy = await startSandbox({ rateLimit: 1, omitRateLimitHeadersOn429: true });
  try {
    await get(legacy, "/jobs");
    const r = await get(legacy, "/jobs");
    assert.equal(r.res.status, 429);
    assert.equal(r.res.headers.get("x-ratelimit-limit"), null);
    assert.ok(r.res.headers.get("retry-after"));
  } finally {
    await legacy.close();
  }
});

Deno.test("writes: On-Behalf-Of required; PATCH, anonymize, DELETE", async () => {
  const clock = new ManualClock(T);
  const s = await startSandbox({ rateLimit: 0, clock });
  try {
    const [c] = s.tenant.list("candidates");
    const user = s.tenant.userIds()[1];
    const json = { "Content-Type": "application/json" };
    const noObo = await get(s, `/candidates/${c.id}`, { method: "DELETE" });
    assert.equal(noObo.res.status, 422);
    assert.equal(noObo.body.errors[0].field, "On-Behalf-Of");
    const badObo = await get(s, `/candidates/${c.id}`, {
      method: "DELETE",
      headers: { "On-Behalf-Of": "42" },
    });
    assert.equal(badObo.res.status, 404);
    const obo = { "On-Behalf-Of": String(user) };
    const patched = await get(s, `/candidates/${c.id}`, {
      method: "PATCH",
      headers: { ...json, ...obo },
      body: JSON.stringify({ first_name: "New", tags: ["A"], phone_numbers: [] }),
    });
    assert.equal(patched.res.status, 200);
    assert.ok(Array.isArray(patched.body));
    assert.equal(patched.body[0].first_name, "New");
    assert.deepEqual(patched.body[0].tags, ["A"]);
    assert.deepEqual(s.tenant.get("candidates", c.id)!.phone_numbers, []);
    const nullArr = await get(s, `/candidates/${c.id}`, {
      method: "PATCH",
      headers: { ...json, ...obo },
      body: JSON.stringify({ tags: null }),
    });
    assert.equal(nullArr.res.status, 422);
    assert.equal(nullArr.body.errors[0].field, "tags");
    const badField = await get(s, `/candidates/${c.id}/anonymize?fields=full_name,photo`, {
      method: "PUT",
      headers: obo,
    });
    assert.equal(badField.res.status, 422);
    const anon = await get(s, `/candidates/${c.id}/anonymize?fields=full_name,email_addresses`, {
      method: "PUT",
      headers: obo,
    });
    assert.equal(anon.body.first_name, "Anonymized");
    assert.equal(anon.body.last_name, String(c.id));
    assert.deepEqual(anon.body.email_addresses, []);
    const del = await get(s, `/candidates/${c.id}`, { method: "DELETE", headers: obo });
    assert.deepEqual(del.body, { message: `Person ${c.id} has been deleted.` });
    assert.equal((await get(s, `/candidates/${c.id}`)).res.status, 404);
    assert.equal(
      (await get(s, `/candidates/${c.id}`, { method: "DELETE", headers: obo })).res.status,
      404,
    );
    assert.ok(s.tenant.list("applications").every((a) => a.candidate_id !== c.id));
    const logged = s.log.find((e) => e.method === "PATCH")!;
    assert.equal(logged.onBehalfOf, String(user));
    assert.deepEqual(logged.body, { first_name: "New", tags: ["A"], phone_numbers: [] });
  } finally {
    await s.close();
  }
});

Deno.test("files: bytes, redirect, expiry, bad signature", async () => {
  const clock = new ManualClock(T);
  const s = await startSandbox({ clock, attachmentLifetimeMs: 60_000 });
  try {
    const atts = s.tenant.list("candidates").flatMap((c) => c.attachments);
    const redirecting = atts.find((a) => a.url.includes("/files/r/"))!;
    const r = await fetch(redirecting.url);
    assert.equal(r.status, 200);
    assert.ok(r.redirected);
    const bytes = new Uint8Array(await r.arrayBuffer());
    assert.deepEqual(bytes, s.attachmentBytes(redirecting.url));
    assert.equal(r.headers.get("content-length"), String(bytes.length));
    const bad = await fetch(atts[0].url.replace(/Signature=./, "Signature=0"));
    assert.equal(bad.status, 403);
    assert.match(await bad.text(), /SignatureDoesNotMatch/);
    clock.advance(61_000);
    const expired = await fetch(atts[0].url.replace("/files/r/", "/files/"));
    assert.equal(expired.status, 403);
    assert.equal(expired.headers.get("content-type"), "application/xml");
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired/);
  } finally {
    await s.close();
  }
});

Deno.test("determinism: same seed, same tenant; other seed differs", async () => {
  const a = await startSandbox({ seed: 7, clock: new ManualClock(T) });
  const b = await startSandbox({ seed: 7, clock: new ManualClock(T) });
  const c = await startSandbox({ seed: 8, clock: new ManualClock(T) });
  try {
    for (const e of ["candidates", "applications", "offers", "scorecards", "jobs"] as const) {
      const strip = (x: unknown) => JSON.stringify(x).replaceAll(/127\.0\.0\.1:\d+/g, "");
      assert.equal(strip(a.tenant.list(e)), strip(b.tenant.list(e)), e);
    }
    assert.notEqual(
      JSON.stringify(a.tenant.list("candidates").map((x) => x.first_name)),
      JSON.stringify(c.tenant.list("candidates").map((x) => x.first_name)),
    );
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
});

Deno.test("hostile data: attachment names, duplicates, awkward names", async () => {
  const s = await startSandbox({ clock: new ManualClock(T), hugeAttachmentBytes: 3_000_000 });
  try {
    const ids = s.tenant.hostileAttachmentCandidateIds();
    for (const [kind, name] of Object.entries(HOSTILE_FILENAMES)) {
      const c = s.tenant.get("candidates", ids[kind as keyof typeof HOSTILE_FILENAMES])!;
      assert.ok(c.attachments.some((a: { filename: string }) => a.filename === name), kind);
    }
    const dup = s.tenant.get("candidates", ids.duplicateTypeAndCreatedAt)!;
    const resumes = dup.attachments.filter((a: { filename: string }) =>
      a.filename === "Resume.pdf"
    );
    assert.equal(resumes.length, 2);
    assert.equal(resumes[0].created_at, resumes[1].created_at);
    const huge = s.tenant.get("candidates", s.tenant.hugeAttachmentCandidateId()!)!;
    const last = huge.attachments.at(-1);
    assert.equal(s.attachmentSize(last.url), 3_000_000);
    const res = await fetch(last.url);
    let n = 0;
    for await (const chunk of res.body!) n += chunk.length;
    assert.equal(n, 3_000_000);
    const names = s.tenant.awkwardNameCandidateIds().map((id) => s.tenant.get("candidates", id)!);
    assert.ok(names.some((c) => c.first_name === null));
    assert.ok(names.some((c) => String(c.first_name).includes(",")));
    assert.ok(names.some((c) => c.first_name === "李"));
  } finally {
    await s.close();
  }
});

Deno.test("faults: 5xx times, forced 429 forms, reset and truncate", async () => {
  const s = await startSandbox({ rateLimit: 0, clock: new ManualClock(T) });
  try {
    s.faults.status5xx = { times: 2, status: 503 };
    assert.equal((await get(s, "/jobs")).res.status, 503);
    assert.equal((await get(s, "/jobs")).res.status, 503);
    assert.equal((await get(s, "/jobs")).res.status, 200);
    s.faults.status5xx = undefined;
    s.faults.rate429 = { every: 2, retryAfter: "epoch", seconds: 5 };
    assert.equal((await get(s, "/jobs")).res.status, 200);
    const r = await get(s, "/jobs");
    assert.equal(r.res.status, 429);
    assert.equal(r.res.headers.get("retry-after"), String(T / 1000 + 5));
    s.faults.rate429 = { times: 1, retryAfter: "http-date" };
    const h = await get(s, "/jobs");
    assert.equal(h.res.headers.get("retry-after"), new Date(T + 1000).toUTCString());
    s.faults.rate429 = undefined;
    s.faults.reset = { times: 1 };
    const reset = await fetch(s.url + "/candidates", { headers: auth(s) });
    await assert.rejects(() => reset.text());
    s.faults.truncate = { times: 1, mode: "cut" };
    const cut = await fetch(s.url + "/candidates", { headers: auth(s) });
    const text = await cut.text();
    assert.throws(() => JSON.parse(text));
    s.faults.truncate = { times: 1 };
    const short = await fetch(s.url + "/candidates", { headers: auth(s) });
    await assert.rejects(() => short.text());
    assert.equal((await get(s, "/candidates")).res.status, 200);
  } finally {
    await s.close();
  }
});

// How fast a deep page is served is measured by `deno task bench` (extraction), not here.
Deno.test("a deep 500-record page of a 100k tenant is served, with its last link", async () => {
  const s = await startSandbox({ candidates: 100_000, rateLimit: 0 });
  try {
    const r = await get(s, "/candidates?per_page=500&page=150");
    assert.equal(r.body.length, 500);
    const apps = await get(s, "/applications?per_page=500&page=200");
    assert.equal(apps.body.length, 500);
    const last = links(apps.res.headers.get("link")).last;
    assert.ok(last);
  } finally {
    await s.close();
  }
});
