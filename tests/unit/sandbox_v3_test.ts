import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { CURSOR_WITH_PARAMS, type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

const T = Date.UTC(2026, 0, 15, 12, 0, 0);

async function token(s: Sandbox, secret = s.clientSecret, form = "grant_type=client_credentials") {
  const res = await fetch(s.authUrl, {
    method: "POST",
    headers: {
      Authorization: "Basic " + btoa(`${s.clientId}:${secret}`),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: form,
  });
  // deno-lint-ignore no-explicit-any
  return { res, body: await res.json() as any };
}

async function get(s: Sandbox, pathOrUrl: string, bearer: string) {
  const url = pathOrUrl.startsWith("http") ? pathOrUrl : s.v3Url + pathOrUrl;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${bearer}` } });
  // deno-lint-ignore no-explicit-any
  return { res, body: await res.json() as any };
}

const nextLink = (h: string | null) => /^<([^>]+)>; rel="next"$/.exec(h ?? "")?.[1];

Deno.test("sandbox v3: tokens expire and are checked; bad client and unknown sub refused", async () => {
  const clock = new ManualClock(T);
  const s = await startSandbox({ clock, tokenLifetimeMs: 60_000, v3RateLimit: 0 });
  try {
    const t = await token(s);
    assert.equal(t.res.status, 200);
    assert.equal(t.body.token_type, "Bearer");
    assert.equal(t.body.expires_at, new Date(T + 60_000).toISOString());
    assert.equal((await get(s, "/jobs", t.body.access_token)).res.status, 200);
    clock.advance(60_000);
    const expired = await get(s, "/jobs", t.body.access_token);
    assert.equal(expired.res.status, 401);
    assert.equal((await get(s, "/jobs", "made-up")).res.status, 401);

    assert.equal((await token(s, "wrong")).res.status, 401);
    assert.equal((await token(s, undefined, "grant_type=password")).res.status, 400);
    const sub = s.tenant.userIds()[0];
    assert.equal(
      (await token(s, undefined, `grant_type=client_credentials&sub=${sub}`)).res.status,
      200,
    );
    assert.equal(
      (await token(s, undefined, "grant_type=client_credentials&sub=1")).res.status,
      400,
    );

    const fresh = (await token(s)).body.access_token;
    s.v3.revokeTokens();
    assert.equal((await get(s, "/jobs", fresh)).res.status, 401);
  } finally {
    await s.close();
  }
});

Deno.test("sandbox v3: id-descending cursor pages, next link only, 422 for cursor + params", async () => {
  const s = await startSandbox({ clock: new ManualClock(T), v3RateLimit: 0 });
  try {
    const bearer = (await token(s)).body.access_token;
    const seen: number[] = [];
    let url: string | undefined = "/candidates?per_page=25";
    let pages = 0;
    while (url) {
      const { res, body } = await get(s, url, bearer);
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.headers.get("link") ?? "", /rel="(prev|last)"/);
      seen.push(...body.map((r: { id: number }) => r.id));
      url = nextLink(res.headers.get("link"));
      if (url) {
        const params = new URL(url).searchParams;
        assert.deepEqual([...params.keys()], ["cursor"]);
        assert.match(params.get("cursor")!, /^[A-Za-z0-9_-]+$/);
      }
      pages++;
    }
    assert.equal(pages, 3);
    const ids = s.tenant.list("candidates").map((r) => r.id).sort((a, b) => b - a);
    assert.deepEqual(seen, ids);
    assert.deepEqual(s.v3.all("candidates").map((r) => r.id), ids);

    const first = await get(s, "/candidates?per_page=25", bearer);
    const next = nextLink(first.res.headers.get("link"))!;
    const bad = await get(s, next + "&per_page=50", bearer);
    assert.equal(bad.res.status, 422);
    assert.deepEqual(bad.body, { errors: [CURSOR_WITH_PARAMS] });
    assert.equal((await get(s, "/candidates?cursor=!!", bearer)).res.status, 422);
  } finally {
    await s.close();
  }
});

Deno.test("sandbox v3: pipe-syntax created_at/updated_at, ids and candidate_ids (max 50)", async () => {
  const s = await startSandbox({ clock: new ManualClock(T), v3RateLimit: 0 });
  try {
    const bearer = (await token(s)).body.access_token;
    const all = s.v3.all("candidates"); // id descending = created descending
    const a = all[30].created_at, b = all[10].created_at;
    const q = (v: string) => `/candidates?per_page=500&created_at=${encodeURIComponent(v)}`;
    const ids = async (path: string) =>
      (await get(s, path, bearer)).body.map((r: { id: number }) => r.id);
    assert.deepEqual(await ids(q(`gte|${a}|lt|${b}`)), all.slice(11, 31).map((r) => r.id));
    assert.deepEqual(await ids(q(`gt|${a}|lte|${b}`)), all.slice(10, 30).map((r) => r.id));
    assert.deepEqual(await ids(q(`gte|${a}`)), all.slice(0, 31).map((r) => r.id));
    const bad = await get(s, q("between|x"), bearer);
    assert.equal(bad.res.status, 422);
    assert.match(bad.body.errors[0], /^created_at:/);

    const u = all[5].updated_at;
    const updated = await ids(`/candidates?updated_at=${encodeURIComponent(`gte|${u}`)}`);
    assert.deepEqual(
      updated,
      all.filter((r) => Date.parse(r.updated_at) >= Date.parse(u)).map((r) => r.id),
    );

    const pick = [all[3].id, all[7].id];
    assert.deepEqual(await ids(`/candidates?ids=${pick.join(",")}`), pick);
    const tooMany = Array.from({ length: 51 }, (_, i) => i + 1).join(",");
    assert.equal((await get(s, `/candidates?ids=${tooMany}`, bearer)).res.status, 422);

    const apps = await get(s, `/applications?candidate_ids=${pick.join(",")}`, bearer);
    assert.ok(apps.body.length > 0);
    for (const app of apps.body) assert.ok(pick.includes(app.candidate_id));
    assert.ok("job_id" in apps.body[0] && !("jobs" in apps.body[0]));

    const email = s.tenant.get("candidates", pick[0])!.email_addresses[0]?.value;
    if (email) assert.deepEqual(await ids(`/candidates?email=${email.toUpperCase()}`), [pick[0]]);
  } finally {
    await s.close();
  }
});

Deno.test("sandbox v3: 30 s window with Limit, Remaining and Reset on every response", async () => {
  const clock = new ManualClock(T);
  const s = await startSandbox({ clock, v3RateLimit: 2 });
  try {
    const bearer = (await token(s)).body.access_token;
    const r1 = await get(s, "/sources", bearer);
    assert.equal(r1.res.headers.get("x-ratelimit-limit"), "2");
    assert.equal(r1.res.headers.get("x-ratelimit-remaining"), "1");
    const reset = Math.ceil((Math.floor(T / 30_000) * 30_000 + 30_000) / 1000);
    assert.equal(r1.res.headers.get("x-ratelimit-reset"), String(reset));
    assert.equal((await get(s, "/sources", bearer)).res.status, 200);
    const limited = await get(s, "/sources", bearer);
    assert.equal(limited.res.status, 429);
    assert.equal(limited.res.headers.get("x-ratelimit-reset"), String(reset));
    clock.advance(30_000);
    assert.equal((await get(s, "/sources", bearer)).res.status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("sandbox v3: records use the v3 field names", async () => {
  const s = await startSandbox({ clock: new ManualClock(T) });
  try {
    const offer = s.v3.all("offers")[0];
    assert.ok("sent_on" in offer && "starts_on" in offer && !("sent_at" in offer));
    const card = s.v3.all("scorecards")[0];
    assert.ok("candidate_rating" in card && !("overall_recommendation" in card));
    const cand = s.v3.all("candidates")[0];
    assert.ok("private" in cand && !("applications" in cand) && !("attachments" in cand));
    const user = s.v3.all("users")[0];
    assert.ok("deactivated" in user && !("disabled" in user));
    for (const entity of ["sources", "prospect_pools"] as const) {
      const list = s.v3.all(entity).map((r) => r.id);
      assert.deepEqual(list, [...list].sort((a, b) => b - a));
    }
  } finally {
    await s.close();
  }
});
