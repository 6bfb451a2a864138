/**
 * End to end, v3's lists of what v1 embeds (issue 23): a list whose records name only a parent
 * record gets its owner's moniker through the parent even when the parent is not cached (the
 * privacy commands find a person's records by it), and the new lists sync by `updated_at`, so a
 * change comes back in one request.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseIndex } from "../../src/cache/index_codec.ts";
import type { ApiRecord } from "../../src/entities.ts";
import type { RequestLogEntry } from "../../src/sandbox/mod.ts";
import { ManualClock } from "../../src/clock.ts";
import { apiEnv } from "./api.ts";
import { readEntityFolder, runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

const query = (e: RequestLogEntry) => new URL(e.path, "http://x").searchParams;
const pathOf = (e: RequestLogEntry) => e.path.split("?")[0];

Deno.test("v3 answer options: the moniker is the candidate, through answer, scorecard and application, none of them cached", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 120,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(Date.now()),
  });
  const byId = (entity: Parameters<typeof sandbox.served>[1]) =>
    new Map(sandbox.served("v3", entity).map((r) => [r.id, r]));
  const answers = byId("scorecard_question_answers");
  const scorecards = byId("scorecards");
  const applications = byId("applications");
  const candidateOf = (option: ApiRecord) => {
    const answer = answers.get(option.scorecard_question_answer_id)!;
    const card = scorecards.get(answer.scorecard_id)!;
    return applications.get(card.application_id)!.candidate_id;
  };
  await withTempDir(async (root) => {
    const result = await runCli(["scorecard_question_answer_options", "-q"], {
      root,
      env: apiEnv("v3", sandbox),
    });
    assert.equal(result.code, 0, result.stderr);
    const folder = await readEntityFolder(
      join(root, "greenhouse-cache", "scorecard_question_answer_options"),
    );
    const rows = parseIndex(folder.index).rows;
    assert.ok(rows.length > 50, "more than one ids= request's worth of parents");
    for (const row of rows) {
      const option = folder.files.get(row.id) as ApiRecord;
      assert.equal(
        row.moniker,
        `${
          candidateOf(option)
        }/${option.scorecard_question_answer_id}/${option.scorecard_question_option_id}`,
        `option ${row.id}`,
      );
    }
    // Each link of the chain asked for by ids, at most 50 a request, never one per record.
    for (const path of ["/v3/scorecard_question_answers", "/v3/scorecards", "/v3/applications"]) {
      const lookups = sandbox.log.filter((e) => pathOf(e) === path);
      assert.ok(lookups.length > 0, path);
      assert.ok(lookups.length <= Math.ceil(rows.length / 50) + 1, `${path}: ${lookups.length}`);
      for (const e of lookups) {
        const ids = query(e).get("ids")?.split(",") ?? [];
        assert.ok(ids.length >= 1 && ids.length <= 50, e.path);
      }
    }
  });
});

Deno.test("v3 interviewers: with their interviews cached, the moniker is the application, nothing asked for", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 40,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(Date.now()),
  });
  const env = apiEnv("v3", sandbox);
  await withTempDir(async (root) => {
    assert.equal((await runCli(["scheduled_interviews", "-q"], { root, env })).code, 0);
    const before = sandbox.log.length;
    const result = await runCli(["interviewers", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      sandbox.log.slice(before).map(pathOf).filter((p) => p !== "/token"),
      ["/v3/interviewers"],
    );
    const interviews = new Map(sandbox.served("v3", "scheduled_interviews").map((i) => [i.id, i]));
    const folder = await readEntityFolder(join(root, "greenhouse-cache", "interviewers"));
    for (const row of parseIndex(folder.index).rows) {
      const x = folder.files.get(row.id) as ApiRecord;
      assert.equal(
        row.moniker,
        `${interviews.get(x.interview_id)!.application_id}/${x.interview_id}/${x.user_id}`,
      );
    }
  });
});

Deno.test("v3 applied candidate tags sync by updated_at: a candidate's new tags come back in one request", async () => {
  const clock = new ManualClock(Date.now());
  await using sandbox = await startSandboxDisposable({
    candidates: 60,
    rateLimit: 0,
    v3RateLimit: 0,
    clock,
  });
  const env = apiEnv("v3", sandbox);
  await withTempDir(async (root) => {
    const sync = ["sync", "-q", "--json", "--only", "candidates,tags,applied_candidate_tags"];
    const first = await runCli(sync, { root, env });
    assert.equal(first.code, 0, first.stderr);
    // Someone replaces a candidate's tags (the sandbox's PATCH).
    const candidate = sandbox.served("v3", "candidates").find((c) => c.tags.length === 0)!;
    clock.time = Date.now() + 60_000;
    sandbox.tenant.patchCandidate(candidate.id, { tags: ["Python", "Go"] });
    const before = sandbox.log.length;
    const second = await runCli(sync, { root, env });
    assert.equal(second.code, 0, second.stderr);
    const asked = sandbox.log.slice(before).filter((e) =>
      pathOf(e) === "/v3/applied_candidate_tags"
    );
    assert.equal(asked.length, 1);
    assert.match(query(asked[0]).get("updated_at") ?? "", /^gte\|/);
    const step = JSON.parse(second.stdout).steps.find((s: ApiRecord) =>
      s.step === "applied_candidate_tags"
    );
    assert.equal(step.new, 2);
    const { files } = await readEntityFolder(
      join(root, "greenhouse-cache", "applied_candidate_tags"),
    );
    const tags = new Map(sandbox.served("v3", "tags").map((t) => [t.id, t.name]));
    assert.deepEqual(
      [...files.values() as Iterable<ApiRecord>].filter((t) => t.candidate_id === candidate.id)
        .map((t) => tags.get(t.candidate_tag_id)).sort(),
      ["Go", "Python"],
    );
  });
});
