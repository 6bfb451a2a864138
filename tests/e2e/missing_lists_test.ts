/**
 * End to end: a list this tenant does not have (the path answers 404) is reported as what it is.
 * In a default sync a list beyond the seven, or v3's notes and attachments lists, is
 * `unavailable` with one warning line naming the path, and the sync passes; named in --only, or
 * one of the seven, it fails; an entity command for it fails with one line. `ping` lists which
 * lists answer (issue 19, point 4).
 */
import assert from "node:assert/strict";
import type { StepReport } from "../../src/sync/run.ts";
import { type Api, apiEnv, APIS, CORE_LISTS, skipAllBut } from "./api.ts";
import { auditCache, runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

/**
 * A default sync of the seven, the lists a test names in `keep` and the dependent steps: the
 * other lists answer as in any sync and would only add time.
 */
async function sync(
  api: Api,
  root: string,
  env: Record<string, string>,
  keep: string[],
  extra: string[] = [],
) {
  const steps = skipAllBut(api, [...CORE_LISTS, ...keep]);
  const result = await runCli(["sync", "-q", "--json", ...steps, ...extra], { root, env });
  const summary = JSON.parse(result.stdout || "{}");
  const step = (name: string) => (summary.steps as StepReport[]).find((s) => s.step === name)!;
  return { ...result, summary, step };
}

for (const api of APIS) {
  Deno.test(`a list beyond the seven that answers 404 leaves a default sync passing, with one warning; named or core, it fails (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({
      candidates: 4,
      rateLimit: 0,
      missingPaths: ["/job_posts"],
    });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      const lists = ["job_posts", "departments"];
      const synced = await sync(api, root, env, lists);
      assert.equal(synced.code, 0, synced.stderr);
      assert.equal(synced.step("job_posts").status, "unavailable");
      assert.equal(synced.step("job_posts").error, "GET /job_posts not found (404)");
      assert.equal(synced.step("jobs").status, "ok");
      assert.equal(
        synced.stderr,
        "sync: job_posts: skipped, GET /job_posts answered 404 (no such list on this tenant or " +
          "API version); run ping to see which lists answer, or --skip job_posts\n",
      );
      // The next sync asks again (the state did not move), and says so again.
      const again = await sync(api, root, env, lists);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.step("job_posts").status, "unavailable");
      assert.equal(again.step("job_posts").requests, 1);

      // Named, it fails like any other failure; so does the entity command.
      const named = await sync(api, root, env, lists, ["--only", "job_posts,departments"]);
      assert.equal(named.code, 1);
      assert.deepEqual(named.summary.failed, ["job_posts"]);
      const command = await runCli(["job_posts", "-q"], { root, env });
      assert.equal(command.code, 1);
      assert.equal(command.stderr.trimEnd().split("\n").length, 1, command.stderr);
      assert.match(
        command.stderr,
        /^error: GET \/v[13]\/job_posts: Greenhouse answered 404.*; no such list on this tenant or API version: run ping to see which lists answer$/m,
      );
      assert.equal((await auditCache(root)).code, 0, "nothing half-done is left");
    });
  });

  Deno.test(`one of the seven that answers 404 still fails a default sync (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({
      candidates: 4,
      rateLimit: 0,
      missingPaths: ["/sources"],
    });
    await withTempDir(async (root) => {
      const synced = await sync(api, root, apiEnv(api, sandbox), [], ["--skip", "activity_feeds"]);
      assert.equal(synced.code, 1);
      assert.deepEqual(synced.summary.failed, ["sources"]);
      assert.equal(synced.step("candidates").status, "ok");
    });
  });
}

Deno.test("v3: a notes or attachments list that answers 404 is unavailable in a default sync; its candidates wait for it", async () => {
  const missing = ["/notes", "/attachments"];
  await using sandbox = await startSandboxDisposable({
    candidates: 6,
    rateLimit: 0,
    missingPaths: missing,
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    const synced = await sync("v3", root, env, []);
    assert.equal(synced.code, 0, synced.stderr);
    for (const [step, path] of [["activity_feeds", "/notes"], ["attachments", "/attachments"]]) {
      assert.equal(synced.step(step).status, "unavailable", step);
      assert.equal(synced.step(step).error, `GET ${path} not found (404)`);
      // One request found it missing: not one per batch of candidates.
      assert.equal(synced.step(step).requests, 1, step);
    }
    const lines = synced.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.map((line) => line.split(",")[0]), [
      "sync: activity_feeds: skipped",
      "sync: attachments: skipped",
    ]);
    // Named, or run on its own, the step fails with one line.
    const named = await sync("v3", root, env, [], ["--only", "activity_feeds"]);
    assert.equal(named.code, 1);
    assert.deepEqual(named.summary.failed, ["activity_feeds"]);
    const feeds = await runCli(["activity_feeds", "-q"], { root, env });
    assert.equal(feeds.code, 1);
    assert.deepEqual(feeds.stderr.trimEnd().split("\n").length, 1, feeds.stderr);
    assert.match(feeds.stderr, /^error: GET \/v3\/notes: .*404.*no such list on this tenant/);

    // Once the lists answer, the next sync fetches what waited: every candidate's notes and files.
    missing.length = 0;
    const later = await sync("v3", root, env, []);
    assert.equal(later.code, 0, later.stderr);
    assert.equal(later.step("activity_feeds").updated, 6);
    assert.equal(later.step("attachments").status, "ok");
    assert.ok(later.step("attachments").updated > 0);
    assert.equal((await auditCache(root)).code, 0);
  });
});

Deno.test("ping lists which lists answer: refused, not found, and what sync then skips", async () => {
  for (const api of ["v1", "v3"] as Api[]) {
    await using sandbox = await startSandboxDisposable({
      candidates: 4,
      rateLimit: 0,
      missingPaths: api === "v3" ? ["/job_posts", "/notes"] : ["/job_posts"],
      deniedPaths: ["/departments"],
    });
    await withTempDir(async (root) => {
      const result = await runCli(["ping"], { root, env: apiEnv(api, sandbox) });
      assert.equal(result.code, 0, result.stderr);
      const out = result.stdout;
      const [posts, departments] = api === "v3"
        ? ["harvest:job_posts:list", "harvest:departments:list"]
        : ["Get: List Job Posts", "Get: List Departments"];
      assert.match(
        out,
        new RegExp(`\\nGET /job_posts\\?per_page=1 +${posts} +not found \\(404\\)\\n`),
      );
      assert.match(
        out,
        new RegExp(`\\nGET /departments\\?per_page=1 +${departments} +denied \\(403\\)\\n`),
      );
      assert.match(out, new RegExp(`\\njob_posts +no +not found: ${posts}\\n`));
      const skips = api === "v3"
        ? `refused: ${departments}; not found: ${posts}, harvest:notes:list`
        : `refused: ${departments}; not found: ${posts}`;
      assert.match(out, new RegExp(`\\nsync +yes +skips the lists ${skips}\\n`), out);
      if (api === "v3") {
        assert.match(out, /\nactivity_feeds +no +not found: harvest:notes:list\n/);
      }
    });
  }
});

Deno.test("v3: access leaves a list this tenant does not have out of the bundle, and names it", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 4,
    rateLimit: 0,
    missingPaths: ["/eeoc"],
  });
  await withTempDir(async (root) => {
    const email = sandbox.tenant.list("candidates")[0].email_addresses[0].value;
    const result = await runCli(["access", "--email", email], { root, env: apiEnv("v3", sandbox) });
    assert.equal(result.code, 0, result.stderr);
    const bundle = JSON.parse(result.stdout);
    assert.equal(bundle.candidate_records.length, 1);
    const eeoc = bundle.unavailable_lists.find((u: { list: string }) => u.list === "eeoc");
    assert.match(eeoc.reason, /^this tenant has no list of .* \(404 on GET \/eeoc\)$/);
    assert.match(result.stderr, /note: access: eeoc is not in the bundle: this tenant has no list/);
  });
});
