/**
 * The sandbox's other list endpoints (catalog.ts): paging as each version documents it, the
 * filters they honour, and a tenant whose references hold across lists (what `check` relies on
 * to find no gap in a complete cache).
 */
import assert from "node:assert/strict";
import { sandboxToken } from "../e2e/api.ts";
import { ManualClock } from "../../src/clock.ts";
import { type ApiRecord, ENTITIES, entityListParams } from "../../src/entities.ts";
import { basicAuth, HarvestClient, v1Dialect } from "../../src/harvest/mod.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";

const T = Date.UTC(2026, 0, 15, 12, 0, 0);

async function v1(s: Sandbox, path: string) {
  const res = await fetch(s.url + path, {
    headers: { Authorization: "Basic " + btoa(`${s.apiKey}:`) },
  });
  return { res, body: await res.json() };
}

const ids = (records: ApiRecord[]) => records.map((r) => r.id as number);

async function withSandbox(
  options: Parameters<typeof startSandbox>[0],
  body: (s: Sandbox) => void | Promise<void>,
) {
  const s = await startSandbox({
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(T),
    ...options,
  });
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

Deno.test("v1 next-only lists: no page, a next link only, and a client walks them whole", async () => {
  await withSandbox({ candidates: 200 }, async (s) => {
    const first = await v1(s, "/demographics/answers?per_page=7");
    assert.equal(first.body.length, 7);
    const link = first.res.headers.get("link")!;
    assert.match(link, /^<[^>]+\/v1\/demographics\/answers\?per_page=7&since_id=\d+>; rel="next"$/);
    // A page number is not how these lists page: it is ignored.
    const paged = await v1(s, "/demographics/answers?per_page=7&page=3");
    assert.deepEqual(ids(paged.body), ids(first.body));

    // The tool's client, following the links as given, gets every record once, in id order.
    const client = new HarvestClient({
      baseUrl: s.url,
      auth: basicAuth(s.apiKey),
      dialect: v1Dialect,
      rateTarget: 1,
      userAgent: "test",
    });
    const seen: number[] = [];
    for await (const page of client.paginate("/demographics/answers", { per_page: "50" })) {
      seen.push(...ids(page.records));
    }
    const served = ids(s.served("v1", "demographic_answers"));
    assert.ok(served.length > 100);
    assert.deepEqual(seen, served);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    const walkedRequests = s.log.filter((e) =>
      e.path.startsWith("/v1/demographics/answers?per_page=50")
    );
    assert.ok(walkedRequests.length >= 3);
    assert.ok(walkedRequests.every((e) => !/[?&]page=/.test(e.path)), "no page numbers");
  });
});

Deno.test("v1 page lists: page links with last, filters kept, skip_count drops last", async () => {
  await withSandbox({}, async (s) => {
    const first = await v1(s, "/tags/candidate?per_page=3");
    const origin = new URL(s.url).origin;
    assert.equal(
      first.res.headers.get("link"),
      `<${origin}/v1/tags/candidate?page=2&per_page=3>; rel="next",` +
        `<${origin}/v1/tags/candidate?page=3&per_page=3>; rel="last"`,
    );
    const last = await v1(s, "/tags/candidate?page=3&per_page=3&skip_count=true");
    assert.equal(last.body.length, 1);
    assert.equal(
      last.res.headers.get("link"),
      `<${origin}/v1/tags/candidate?skip_count=true&page=2&per_page=3>; rel="prev"`,
    );
    const bad = await v1(s, "/job_posts?updated_after=yesterday");
    assert.equal(bad.res.status, 422);
    assert.deepEqual(bad.body.errors, [{
      message: "Timestamp must be in ISO-8601 format",
      field: "updated_after",
    }]);
  });
});

Deno.test("v1 filters: defaults, archived fields, deleted posts, dates", async () => {
  await withSandbox({ candidates: 100, jobs: 30 }, async (s) => {
    const reasons = (await v1(s, "/rejection_reasons")).body;
    const withDefaults = (await v1(s, "/rejection_reasons?include_defaults=true")).body;
    assert.equal(withDefaults.length, reasons.length + 2);
    const fields = (await v1(s, "/custom_fields")).body;
    const allFields = (await v1(s, "/custom_fields?include_inactive=true")).body;
    assert.ok(fields.every((f: ApiRecord) => f.active));
    assert.equal(allFields.filter((f: ApiRecord) => !f.active).length, 1);
    const posts = s.served("v1", "job_posts");
    const deleted = (await v1(s, "/job_posts?active=false")).body;
    assert.ok(deleted.length > 0);
    assert.deepEqual(ids(deleted), ids(posts.filter((p) => !p.active)));
    const interviews = s.served("v1", "scheduled_interviews");
    const since = interviews.map((i) => i.updated_at).sort()[Math.floor(interviews.length / 2)];
    const recent = (await v1(s, `/scheduled_interviews?per_page=500&updated_after=${since}`)).body;
    assert.deepEqual(
      ids(recent),
      ids(interviews.filter((i) => Date.parse(i.updated_at) >= Date.parse(since))),
    );
    assert.ok(recent.length > 0 && recent.length < interviews.length);
    // The entity table's parameters make the tool's listings whole.
    assert.equal(s.served("v1", "rejection_reasons").length, withDefaults.length);
    assert.equal(s.served("v1", "custom_fields").length, allFields.length);
  });
});

Deno.test("v1 single records where documented, 404 where v1 has no such GET", async () => {
  await withSandbox({}, async (s) => {
    const [post] = s.served("v1", "job_posts");
    const one = await v1(s, `/job_posts/${post.id}`);
    assert.equal(one.res.status, 200);
    assert.deepEqual(one.body, post);
    assert.equal((await v1(s, `/job_posts/${post.id + 500}`)).res.status, 404);
    const [tag] = s.served("v1", "tags");
    assert.equal((await v1(s, `/tags/candidate/${tag.id}`)).res.status, 404);
    const [stage] = s.served("v1", "job_stages");
    assert.deepEqual((await v1(s, `/job_stages/${stage.id}`)).body, stage);
  });
});

Deno.test("v1 lists per application: one application's records, the list's paging, 404 for none", async () => {
  await withSandbox({ candidates: 120 }, async (s) => {
    for (
      const [path, entity] of [
        ["/scheduled_interviews", "scheduled_interviews"],
        ["/demographics/answers", "demographic_answers"],
      ] as const
    ) {
      const all = s.served("v1", entity);
      // An application with more than one, so that paging shows.
      const of = (r: ApiRecord) => all.filter((x) => x.application_id === r.application_id);
      const first = all.find((r) => of(r).length > 1)!;
      const theirs = of(first);
      const one = await v1(s, `/applications/${first.application_id}${path}?per_page=500`);
      assert.equal(one.res.status, 200, path);
      assert.deepEqual(one.body, theirs, path);
      // Paged as the whole list is: page links for interviews, a next link only for answers.
      const paged = await v1(s, `/applications/${first.application_id}${path}?per_page=1`);
      assert.deepEqual(paged.body, theirs.slice(0, 1));
      const link = paged.res.headers.get("link") ?? "";
      assert.match(link, entity === "demographic_answers" ? /since_id=/ : /page=2/);
      assert.equal((await v1(s, `/applications/999${path}`)).res.status, 404);
    }
  });
});

Deno.test("v3 lists: cursors alone, id descending, parent and key filters, active posts by default", async () => {
  await withSandbox({ candidates: 120, jobs: 30 }, async (s) => {
    const token = await sandboxToken(s);
    const get = async (path: string) => {
      const res = await fetch(path.startsWith("http") ? path : s.v3Url + path, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return { res, body: await res.json() };
    };
    // Walk a lazy list 40 at a time: the same records as one listing, newest id first.
    const walked: ApiRecord[] = [];
    let next: string | undefined = "/application_stages?per_page=40";
    while (next) {
      const page = await get(next);
      assert.equal(page.res.status, 200, JSON.stringify(page.body));
      walked.push(...page.body);
      next = /<([^>]+)>; rel="next"/.exec(page.res.headers.get("link") ?? "")?.[1];
      if (next) assert.deepEqual([...new URL(next).searchParams.keys()], ["cursor"]);
    }
    assert.deepEqual(ids(walked), ids(s.served("v3", "application_stages")));
    assert.deepEqual(ids(walked), ids(walked).sort((a, b) => b - a));
    const cursor = new URL(
      /<([^>]+)>/.exec((await get("/application_stages?per_page=1")).res.headers.get("link")!)![1],
    ).searchParams.get("cursor");
    const mixed = await get(`/application_stages?cursor=${cursor}&per_page=5`);
    assert.equal(mixed.res.status, 422);

    // Offers and scorecards take the application parent filter too.
    const offer = s.served("v3", "offers")[0];
    const offers = (await get(`/offers?application_ids=${offer.application_id}`)).body;
    assert.deepEqual(ids(offers), [offer.id]);
    const card = s.served("v3", "scorecards")[0];
    const cards = (await get(`/scorecards?application_ids=${card.application_id}`)).body;
    assert.ok(
      cards.length >= 1 && cards.every((c: ApiRecord) => c.application_id === card.application_id),
    );
    assert.ok(ids(cards).includes(card.id));
    assert.equal((await get("/offers?application_ids=x")).res.status, 422);

    const [job] = s.served("v3", "jobs");
    const stages = (await get(`/job_interview_stages?job_ids=${job.id}`)).body;
    assert.equal(stages.length, 6);
    assert.ok(stages.every((st: ApiRecord) => st.job_id === job.id));
    const degrees = (await get("/custom_field_options?custom_field_key=degree")).body;
    assert.deepEqual(
      degrees.map((d: ApiRecord) => d.name).sort(),
      s.served("v1", "degrees").map((d) => d.name).sort(),
    );
    const active = (await get("/job_posts")).body;
    const inactive = (await get("/job_posts?active=false")).body;
    assert.ok(active.every((p: ApiRecord) => p.active) && inactive.length > 0);
    assert.ok(inactive.every((p: ApiRecord) => !p.active));
    assert.equal(active.length + inactive.length, s.served("v1", "job_posts").length);
    // No created_at filter where the reference has none: the list is answered whole.
    const questions =
      (await get("/demographic_questions?created_at=gte|2030-01-01T00:00:00Z")).body;
    assert.equal(questions.length, s.served("v3", "demographic_questions").length);
  });
});

Deno.test("the tenant's references hold across every list, in both versions", async () => {
  await withSandbox({ candidates: 150 }, (s) => {
    const v1Ids = (entity: Parameters<Sandbox["served"]>[1]) =>
      new Set(ids(s.served("v1", entity)));
    const users = v1Ids("users");
    const userRefs = [
      ...s.served("v1", "candidates").flatMap((c) => [c.recruiter?.id, c.coordinator?.id]),
      ...s.served("v1", "applications").flatMap((a) => [a.credited_to?.id, a.recruiter?.id]),
      ...s.served("v1", "jobs").flatMap((j) =>
        Object.values(j.hiring_team).flat().map((m) => (m as ApiRecord).id)
      ),
      ...s.served("v1", "scheduled_interviews").flatMap((i) => [
        i.organizer.id,
        ...i.interviewers.map((x: ApiRecord) => x.id),
      ]),
      ...s.served("v3", "job_owners").map((o) => o.user_id),
    ].filter((id) => id !== undefined);
    assert.ok(userRefs.length > 100);
    for (const id of userRefs) assert.ok(users.has(id), `user ${id}`);

    const departments = v1Ids("departments"), offices = v1Ids("offices");
    for (const holder of [...s.served("v1", "jobs"), ...s.served("v1", "users")]) {
      for (const d of holder.departments) assert.ok(departments.has(d.id), `department ${d.id}`);
      for (const o of holder.offices) assert.ok(offices.has(o.id), `office ${o.id}`);
    }
    const tags = new Set(s.served("v1", "tags").map((t) => t.name));
    const schools = new Set(s.served("v1", "schools").map((x) => x.name));
    const degrees = new Set(s.served("v1", "degrees").map((x) => x.name));
    for (const c of s.served("v1", "candidates")) {
      for (const tag of c.tags) assert.ok(tags.has(tag), tag);
      for (const e of c.educations) {
        assert.ok(schools.has(e.school_name), e.school_name);
        if (e.degree !== null) assert.ok(degrees.has(e.degree), e.degree);
      }
    }
    const reasons = v1Ids("rejection_reasons");
    for (const a of s.served("v1", "applications")) {
      if (a.rejection_reason) assert.ok(reasons.has(a.rejection_reason.id));
    }
    // Interviews name the scorecards they produced, with the same interviewer.
    const scorecards = new Map(s.served("v1", "scorecards").map((c) => [c.id, c]));
    const done = s.served("v1", "scheduled_interviews").filter((i) => i.status === "complete");
    assert.ok(done.length > 10);
    for (const i of done) {
      const card = scorecards.get(i.interviewers[0].scorecard_id)!;
      assert.ok(card, `scorecard of interview ${i.id}`);
      assert.equal(card.application_id, i.application_id);
      assert.equal(card.interviewer.id, i.interviewers[0].id);
    }
    // v3 openings and the hiring team are what v1 jobs embed.
    const jobs = s.served("v1", "jobs");
    assert.deepEqual(
      ids(s.served("v3", "job_openings")).sort(),
      jobs.flatMap((j) => ids(j.openings)).sort(),
    );
    assert.equal(
      s.served("v3", "job_hiring_managers").length,
      jobs.reduce((n, j) => n + j.hiring_team.hiring_managers.length, 0),
    );
    const closeReasons = v1Ids("close_reasons");
    for (const o of s.served("v3", "job_openings")) {
      if (o.close_reason_id !== null) assert.ok(closeReasons.has(o.close_reason_id));
    }
    // Every per-application record names an application that exists, and its stage its job's.
    const applications = new Map(s.served("v1", "applications").map((a) => [a.id, a]));
    const stages = new Map(s.served("v3", "job_stages").map((st) => [st.id, st]));
    for (const st of s.served("v3", "application_stages")) {
      const app = applications.get(st.application_id)!;
      assert.ok(app);
      assert.equal(stages.get(st.job_interview_stage_id)?.job_id, app.jobs[0].id);
    }
    const options = new Map(s.served("v1", "demographic_answer_options").map((o) => [o.id, o]));
    for (const a of s.served("v1", "demographic_answers")) {
      assert.ok(applications.has(a.application_id));
      assert.equal(
        options.get(a.demographic_answer_option_id)?.demographic_question_id,
        a.demographic_question_id,
      );
    }
    for (const e of s.served("v3", "eeoc")) {
      assert.equal(applications.get(e.application_id)?.candidate_id, e.candidate_id);
    }
  });
});

Deno.test("a deleted candidate's interviews, answers, stages and EEOC go with it", async () => {
  await withSandbox({ candidates: 80 }, async (s) => {
    const interviews = s.served("v1", "scheduled_interviews");
    const appId = interviews[0].application_id;
    const candidate = s.served("v1", "applications").find((a) => a.id === appId)!.candidate_id;
    // A page count before the delete, so the sandbox's cached counts are in play.
    const before = await v1(s, "/scheduled_interviews?per_page=10");
    assert.ok(before.res.headers.get("link")!.includes('rel="last"'));
    s.tenant.deleteCandidate(candidate);
    const apps = new Set(ids(s.served("v1", "applications")));
    for (const entity of ["scheduled_interviews", "demographic_answers"] as const) {
      assert.ok(s.served("v1", entity).every((r) => apps.has(r.application_id)), entity);
    }
    for (const entity of ["application_stages", "eeoc"] as const) {
      assert.ok(s.served("v3", entity).every((r) => apps.has(r.application_id)), entity);
    }
    const after = s.served("v1", "scheduled_interviews");
    assert.ok(after.length < interviews.length);
    const total = Number(
      /page=(\d+)&per_page=10>; rel="last"/.exec(
        (await v1(s, "/scheduled_interviews?per_page=10")).res.headers.get("link")!,
      )![1],
    );
    assert.equal(total, Math.ceil(after.length / 10));
  });
});

Deno.test("served() follows the entity table's paths and parameters", async () => {
  await withSandbox({}, (s) => {
    assert.deepEqual(s.served("v1", "eeoc"), []);
    assert.equal(ENTITIES.users.paths.v3, "/users");
    assert.deepEqual(entityListParams(ENTITIES.users, { version: "v3" }), {
      show_service_accounts: "true",
    });
    assert.equal(s.served("v3", "users").length, s.served("v1", "users").length);
  });
});
