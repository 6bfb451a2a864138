/**
 * End to end: v3 job posts in both states. v3 lists active posts only unless `active=false`
 * ("Deleted posts are excluded by default", the v3 spec), so the entity table lists each state
 * (`listVariants`) and a v3 cache holds the deleted posts a v1 cache held: through sync, its
 * checkpoints (a resume inside the second variant asks nothing of the first), prune (a post a
 * default hides is not "deleted upstream") and `check --repair` (a deleted post is re-fetched,
 * not removed as gone).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ApiRecord } from "../../src/entities.ts";
import { apiEnv } from "./api.ts";
import { readEntityFolder, runCli, withTempDir } from "./cli.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";

const CACHE = "greenhouse-cache";
const STEPS = ["--only", "jobs,job_posts"];

const queryOf = (path: string) => new URL(path, "http://x").searchParams;

Deno.test("v3 job posts: active and deleted ones cached as v1 did, through sync, resume, prune and repair", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 40,
    jobs: 20,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    const folder = join(root, CACHE, "job_posts");
    const v1Posts = sandbox.served("v1", "job_posts");
    const deleted = v1Posts.filter((p) => p.active === false).map((p) => p.id as number);
    assert.ok(deleted.length >= 2, "the tenant has deleted posts");
    const postsLog = (from: number) =>
      sandbox.log.slice(from).filter((e) => e.path.startsWith("/v3/job_posts?"));

    // 1. A sync lists both states, two posts a page: the cache holds every post v1 lists.
    const first = await runCli(["sync", "-q", ...STEPS, "--per-page", "2"], { root, env });
    assert.equal(first.code, 0, first.stderr);
    const cached = await readEntityFolder(folder);
    assert.deepEqual([...cached.files.keys()].sort(), v1Posts.map((p) => p.id).sort());
    for (const id of deleted) assert.equal((cached.files.get(id) as ApiRecord).active, false);
    const firstPages = postsLog(0).map((e) => queryOf(e.path)).filter((q) => !q.has("cursor"));
    assert.deepEqual(firstPages.map((q) => q.get("active")), ["true", "false"]);

    // 2. Resumed inside the deleted posts' listing: nothing of the active posts is asked again.
    const deletedPages = postsLog(0).filter((e) => queryOf(e.path).has("cursor")).at(-1)!;
    const statePath = join(root, CACHE, ".state.json");
    const state = JSON.parse(await Deno.readTextFile(statePath));
    const step = state.steps.job_posts;
    step.checkpoint = {
      startedAt: step.lastStartedAt,
      baseUrl: sandbox.v3Url,
      params: { updated_at: `gte|${step.highWater}` },
      variant: 1,
      nextUrl: new URL(deletedPages.path, sandbox.v3Url).href,
      written: 0,
      new: 0,
      updated: 0,
      unchanged: 0,
    };
    await Deno.writeTextFile(statePath, JSON.stringify(state));
    const before = sandbox.log.length;
    const resumed = await runCli(["sync", "--json", ...STEPS, "--per-page", "2"], { root, env });
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout).steps.find((s: { step: string }) =>
      s.step === "job_posts"
    );
    assert.equal(report.mode, "resumed");
    assert.deepEqual(postsLog(before).map((e) => e.path), [deletedPages.path]);
    const after = JSON.parse(await Deno.readTextFile(statePath)).steps.job_posts;
    assert.equal(after.checkpoint, undefined);

    // 3. Prune, incremental (a listing of ids) and full (the listing itself): deleted posts stay.
    for (const extra of [[], ["--full"]]) {
      const pruned = await runCli(["sync", "--json", "--prune", ...STEPS, ...extra], {
        root,
        env,
      });
      assert.equal(pruned.code, 0, pruned.stderr);
      const steps = JSON.parse(pruned.stdout).steps as { step: string; removed: number }[];
      assert.equal(steps.find((s) => s.step === "job_posts")!.removed, 0, extra.join());
      const kept = await readEntityFolder(folder);
      for (const id of deleted) assert.ok(kept.files.has(id), `${id} ${extra.join()}`);
    }

    // 4. check --repair re-fetches a damaged deleted post instead of calling it gone.
    await Deno.writeTextFile(join(folder, `${deleted[0]}.json`), "{not json");
    const repair = await runCli(["check", "--repair"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    assert.doesNotMatch(repair.stdout, /gone upstream/);
    const repaired = await readEntityFolder(folder);
    const served = sandbox.served("v3", "job_posts").find((p) => p.id === deleted[0]);
    assert.deepEqual(repaired.files.get(deleted[0]), served);
  });
});
