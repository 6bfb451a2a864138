/**
 * The sandbox's v3 mode serves the shapes the v3 references document (as the maintained
 * connectors record them; see src/sandbox/v3_shape.ts), so client tests catch v1 habits.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import type { ApiRecord } from "../../src/entities.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

const T = Date.UTC(2026, 0, 15, 12, 0, 0);

async function tokenReply(s: Sandbox, id = s.clientId, secret = s.clientSecret) {
  const res = await fetch(s.authUrl, {
    method: "POST",
    headers: {
      Authorization: "Basic " + btoa(`${id}:${secret}`),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  // deno-lint-ignore no-explicit-any
  return { res, body: await res.json() as any };
}

async function list(s: Sandbox, bearer: string, path: string): Promise<ApiRecord[]> {
  const out: ApiRecord[] = [];
  let url: string | undefined = s.v3Url + path;
  while (url) {
    const res: Response = await fetch(url, { headers: { Authorization: `Bearer ${bearer}` } });
    const body = await res.json();
    assert.equal(res.status, 200, `${url}: ${JSON.stringify(body)}`);
    out.push(...body);
    url = /^<([^>]+)>; rel="next"$/.exec(res.headers.get("link") ?? "")?.[1];
  }
  return out;
}

async function withSandbox(
  fn: (s: Sandbox, bearer: string, clock: ManualClock) => void | Promise<void>,
  opts: Parameters<typeof startSandbox>[0] = {},
) {
  const clock = new ManualClock(T);
  const s = await startSandbox({ clock, v3RateLimit: 0, candidates: 40, ...opts });
  try {
    await fn(s, (await tokenReply(s)).body.access_token, clock);
  } finally {
    await s.close();
  }
}

Deno.test("sandbox v3 jobs: one department_id, office_ids, no embedded v1 lists", async () => {
  await withSandbox((s) => {
    for (const job of s.v3.all("jobs")) {
      assert.ok(job.department_id === null || typeof job.department_id === "number");
      assert.ok(Array.isArray(job.office_ids));
      for (const key of ["departments", "offices", "hiring_team", "openings"]) {
        assert.ok(!(key in job), key);
      }
    }
    assert.ok(s.v3.all("jobs").some((j) => typeof j.department_id === "number"));
  });
});

Deno.test("sandbox v3 applications: job_id, source_id, stage_id/stage_name, status in_process", async () => {
  await withSandbox((s) => {
    const apps = s.v3.all("applications");
    const statuses = new Set(apps.map((a) => a.status));
    assert.ok(statuses.has("in_process"));
    assert.ok(!statuses.has("active"), "v1's active is v3's in_process");
    for (const a of apps) {
      for (const key of ["job_id", "source_id", "stage_id", "stage_name", "candidate_id"]) {
        assert.ok(key in a, key);
      }
      for (const key of ["jobs", "source", "current_stage", "applied_at", "keyed_custom_fields"]) {
        assert.ok(!(key in a), key);
      }
    }
    const staged = apps.find((a) => a.stage_id !== null)!;
    assert.equal(typeof staged.stage_name, "string");
  });
});

Deno.test("sandbox v3 offers: sent_on/starts_on dates, statuses Created/Accepted/Rejected/Deprecated", async () => {
  await withSandbox((s) => {
    const offers = s.v3.all("offers");
    assert.ok(offers.length > 0);
    for (const o of offers) {
      assert.ok(["Created", "Accepted", "Rejected", "Deprecated"].includes(o.status), o.status);
      assert.match(o.starts_on, /^\d{4}-\d\d-\d\d$/);
      assert.ok(o.sent_on === null || /^\d{4}-\d\d-\d\d$/.test(o.sent_on));
      assert.ok(!("sent_at" in o) && !("starts_at" in o));
    }
  });
});

Deno.test("sandbox v3 scorecards name no candidate, only their application", async () => {
  await withSandbox((s) => {
    const cards = s.v3.all("scorecards");
    assert.ok(cards.length > 0);
    const ratings = ["strong_no", "no", "yes", "strong_yes", "no_decision"];
    for (const c of cards) {
      assert.ok(!("candidate_id" in c), "v3 scorecards have no candidate_id");
      assert.equal(typeof c.application_id, "number");
      assert.ok(ratings.includes(c.candidate_rating), c.candidate_rating);
    }
  });
});

Deno.test("sandbox v3 users: primary_email and deactivated", async () => {
  await withSandbox((s) => {
    const users = s.v3.all("users");
    for (const u of users) {
      // A service account has no address: "" (the v3 spec).
      assert.match(u.primary_email, s.tenant.isServiceUser(u.id) ? /^$/ : /@/);
      assert.equal(typeof u.deactivated, "boolean");
      assert.ok(!("primary_email_address" in u) && !("disabled" in u));
    }
    assert.ok(users.some((u) => u.deactivated));
  });
});

Deno.test("sandbox v3 notes: notes, e-mails and activities told apart by type", async () => {
  await withSandbox(async (s, bearer) => {
    const notes = await list(s, bearer, "/notes?per_page=500");
    const types = new Set(notes.map((n) => n.type));
    for (const type of ["NOTE", "EMAIL", "ACTIVITY"]) assert.ok(types.has(type), type);
    for (const n of notes) {
      assert.equal(typeof n.candidate_id, "number");
      if (n.type === "EMAIL") assert.ok(Array.isArray(n.email_cc) && "email_to" in n);
      else assert.equal(n.email_from, null);
      if (n.type === "NOTE") {
        assert.ok(
          ["publicly_visible", "privately_visible", "admin_only_visible"].includes(n.visibility),
        );
      }
    }
    assert.deepEqual(notes.map((n) => n.id), notes.map((n) => n.id).sort((a, b) => b - a));
  });
});

Deno.test("sandbox v3 notes and attachments: candidate_ids optional, lists everyone's", async () => {
  await withSandbox(async (s, bearer) => {
    const candidates = s.tenant.list("candidates").map((c) => c.id as number);
    const all = await list(s, bearer, "/attachments?per_page=7");
    const perCandidate = await list(s, bearer, `/attachments?candidate_ids=${candidates[0]}`);
    assert.ok(perCandidate.length > 0);
    // Every v3 attachment belongs to an application: a candidate without one lists none.
    const withApplications = s.tenant.list("candidates").filter((c) => c.application_ids.length);
    assert.ok(withApplications.length < s.tenant.list("candidates").length);
    assert.equal(all.length, withApplications.reduce((n, c) => n + c.attachments.length, 0));
    const mine = all.filter((a) => a.candidate_id === candidates[0]);
    assert.deepEqual(mine, perCandidate);
    for (const a of all) {
      const apps = s.tenant.get("candidates", a.candidate_id)!.application_ids;
      assert.equal(a.application_id, apps[0], "attachments belong to applications");
    }
    const notes = await list(s, bearer, "/notes?per_page=3");
    assert.equal(new Set(notes.map((n) => n.candidate_id)).size > 1, true);
  });
});

Deno.test("sandbox v3: a new note moves last_activity_at and the note's updated_at, not the candidate's updated_at", async () => {
  await withSandbox(async (s, bearer, clock) => {
    const id = s.tenant.list("candidates")[5].id as number;
    const before = s.v3.all("candidates").find((c) => c.id === id)!;
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    const noteId = s.tenant.addNote(id);
    const emailId = s.tenant.addNote(id, "email");
    s.tenant.addAttachment(id);
    const after = s.v3.all("candidates").find((c) => c.id === id)!;
    assert.equal(after.updated_at, before.updated_at, "updated_at unchanged");
    assert.ok(after.last_activity_at >= since, "last_activity_at moved");
    const changed = await list(s, bearer, `/candidates?updated_at=gte|${since}`);
    assert.deepEqual(changed, [], "an updated_at listing of candidates does not see it");

    const notes = await list(s, bearer, `/notes?updated_at=gte|${since}`);
    assert.deepEqual(notes.map((n) => [n.id, n.type, n.candidate_id]), [
      [emailId, "EMAIL", id],
      [noteId, "NOTE", id],
    ]);
    const files = await list(s, bearer, `/attachments?created_at=gte|${since}`);
    assert.deepEqual(files.map((f) => f.candidate_id), [id]);
    assert.ok(files[0].created_at >= since);

    clock.advance(60_000);
    const later = new Date(clock.now()).toISOString();
    const edited = s.tenant.editNote(id);
    assert.equal(edited, noteId, "the newest note (the e-mail is not a note)");
    const editedNotes = await list(s, bearer, `/notes?updated_at=gte|${later}`);
    assert.deepEqual(editedNotes.map((n) => [n.id, n.updated_at]), [[noteId, later]]);
    assert.equal(editedNotes[0].created_at, since, "created_at stays");
    assert.match(editedNotes[0].body, /\(edited\)$/);
    const byCreation = await list(s, bearer, `/notes?created_at=gte|${later}`);
    assert.deepEqual(byCreation, []);
  });
});

Deno.test("sandbox v3: per_page above 500 is a 422, not capped", async () => {
  await withSandbox(async (s, bearer) => {
    for (const path of ["/candidates", "/notes", "/attachments", "/sources"]) {
      const res = await fetch(`${s.v3Url}${path}?per_page=501`, {
        headers: { Authorization: `Bearer ${bearer}` },
      });
      assert.equal(res.status, 422, path);
      assert.match((await res.json()).errors[0], /^per_page:/);
    }
  });
});

Deno.test("sandbox v3 token: expires_at or expires_in; 400 without the -<n> suffix; 401 invalid_client", async () => {
  await withSandbox(async (s) => {
    const ok = await tokenReply(s);
    assert.equal(ok.body.expires_at, new Date(T + 3_600_000).toISOString());
    assert.match(s.clientId, /-\d+$/);
    const noSuffix = await tokenReply(s, "sandbox-client-id");
    assert.equal(noSuffix.res.status, 400);
    assert.equal(noSuffix.body.error, "invalid_request");
    const wrong = await tokenReply(s, s.clientId, "nope");
    assert.equal(wrong.res.status, 401);
    assert.deepEqual(wrong.body, { error: "invalid_client" });
  });
  await withSandbox(async (s) => {
    const { body } = await tokenReply(s);
    assert.equal(body.expires_in, 3600);
    assert.ok(!("expires_at" in body));
  }, { tokenExpiry: "expires_in" });
});

Deno.test("sandbox v3 token: requests counted in their own 60 s window", async () => {
  await withSandbox(async (s, _bearer, clock) => {
    // The window that minted `_bearer` has one request left.
    assert.equal((await tokenReply(s)).res.status, 200);
    const limited = await tokenReply(s);
    assert.equal(limited.res.status, 429);
    assert.ok(Number(limited.res.headers.get("retry-after")) >= 1);
    assert.equal(limited.res.headers.get("x-ratelimit-limit"), "2");
    // The API's own window is not the token endpoint's.
    const api = await fetch(`${s.v3Url}/sources`, {
      headers: { Authorization: `Bearer ${_bearer}` },
    });
    await api.body?.cancel();
    assert.equal(api.status, 200);
    clock.advance(60_000);
    assert.equal((await tokenReply(s)).res.status, 200);
  }, { tokenRateLimit: 2 });
});
