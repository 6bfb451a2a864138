/**
 * End to end: a candidate deleted in Greenhouse leaves the cache after one default nightly run,
 * the shipped workflows' exact sync command line without --prune: gone from every list holding
 * personal data (their applications, offers, scorecards, interviews, demographic answers, EEOC…,
 * found through the entity table), with their attachments and activity feed, and listed under
 * `removed` in the run's change manifest. On v3 and v1.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { ManualClock } from "../../src/clock.ts";
import { type ApiRecord, ENTITIES, type EntityName } from "../../src/entities.ts";
import {
  monikerNamesOwner,
  namesOwner,
  owners,
  PERSONAL_LISTS,
} from "../../src/privacy/personal_lists.ts";
import { type Api, apiEnv, APIS, onlyCore } from "./api.ts";
import { auditCache, readEntityFolder, runCli, setUpCache, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The sync arguments of the shipped workflows' sync step on a weekday (`$PRUNE` and the manual
 * `$EXTRA_ARGS` empty): the nightly job as it runs.
 */
async function nightlySyncArgs(): Promise<string[]> {
  const lines = await Promise.all(
    ["sync.yml", "sync-actions-cache.yml"].map(async (file) => {
      const text = await Deno.readTextFile(join(ROOT, ".github/workflows", file));
      const line = /main\.ts (sync\b[^>\n]*?)\s*>/.exec(text)?.[1];
      assert.ok(line, `${file}: the sync command line`);
      return line;
    }),
  );
  assert.equal(lines[0], lines[1], "both workflows run the same sync");
  const args = lines[0].split(/\s+/).filter((arg) => arg !== "$PRUNE" && arg !== "$EXTRA_ARGS");
  assert.ok(!args.some((arg) => arg.startsWith("$")), `only $PRUNE and $EXTRA_ARGS: ${args}`);
  assert.ok(!args.includes("--prune"));
  return args;
}

/** Every cached record of a personal list that names the person, by list. */
async function recordsNaming(cacheDir: string, people: ReturnType<typeof owners>) {
  const found: Partial<Record<EntityName, number[]>> = {};
  for (const list of PERSONAL_LISTS) {
    let folder;
    try {
      folder = await readEntityFolder(join(cacheDir, list));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const rows = parseIndex(folder.index).rows;
    const ids = new Set<number>();
    for (const row of rows) if (monikerNamesOwner(list, row.moniker, people)) ids.add(row.id);
    for (const [id, record] of folder.files) {
      if (namesOwner(list, record as ApiRecord, people) === true) ids.add(id);
    }
    if (ids.size > 0) found[list] = [...ids].sort((a, b) => a - b);
  }
  return found;
}

/** The ids a manifest lists under `removed`, per entity. */
async function removedInManifest(cacheDir: string, manifest: string) {
  const lines = (await Deno.readTextFile(join(cacheDir, manifest))).trimEnd().split("\n")
    .map((line) => JSON.parse(line));
  const removed: Record<string, number[]> = {};
  for (const line of lines) {
    if (line.change === "removed") (removed[line.entity] ??= []).push(...line.ids);
  }
  return removed;
}

for (const api of APIS.toReversed()) {
  Deno.test(`the nightly sync removes a candidate deleted upstream from every list, with files and feed (${api})`, async () => {
    const clock = new ManualClock(Date.now());
    await using sandbox = await startSandboxDisposable({
      candidates: 20,
      rateLimit: 0,
      v3RateLimit: 0,
      clock,
    });
    const args = await nightlySyncArgs();
    await withTempDir(async (root) => {
      const env = apiEnv(api as Api, sandbox);
      const cacheDir = join(root, "greenhouse-cache");
      await setUpCache(args, root, env);

      // The candidate with records in the most personal lists (and files).
      const candidates = sandbox.tenant.list("candidates").filter((c) => c.attachments.length > 0);
      const scored = await Promise.all(candidates.map(async (c) => {
        const apps = sandbox.tenant.list("applications").filter((a) => a.candidate_id === c.id);
        const people = owners([c.id], apps.map((a) => a.id));
        return { c, people, lists: await recordsNaming(cacheDir, people) };
      }));
      scored.sort((a, b) => Object.keys(b.lists).length - Object.keys(a.lists).length);
      const { c: victim, people, lists: before } = scored[0];
      // Every list the sandbox fills: applications, offers, scorecards, interviews, demographic
      // answers (and on v3 application stages and EEOC).
      assert.ok(Object.keys(before).length >= (api === "v3" ? 7 : 5), Object.keys(before).join());
      const attachments = join(cacheDir, "candidates", `${victim.id}-attachments`);
      const feed = join(cacheDir, "activity_feeds", `${victim.id}.json`);
      assert.ok((await Deno.stat(attachments)).isDirectory);
      assert.ok((await Deno.stat(feed)).isFile);
      const othersBefore = sandbox.tenant.list("candidates").length - 1;

      // Deleted in Greenhouse itself (a recruiter, another privacy tool): the API says nothing.
      sandbox.tenant.deleteCandidate(victim.id);
      clock.time = Date.now();
      const nightly = await runCli(args, { root, env });
      assert.equal(nightly.code, 0, nightly.stderr);
      const summary = JSON.parse(nightly.stdout);
      const step = summary.steps.find((s: { step: string }) => s.step === "deletions");
      assert.equal(step.status, "ok");
      assert.equal(step.mode, "full");
      assert.equal(step.removed, 1);

      // Gone from every list holding personal data, from candidates, files and feed.
      assert.deepEqual(await recordsNaming(cacheDir, people), {});
      const cachedCandidates = await readEntityFolder(join(cacheDir, "candidates"));
      assert.ok(!cachedCandidates.files.has(victim.id));
      assert.ok(!parseIndex(cachedCandidates.index).rows.some((r) => r.id === victim.id));
      assert.equal(cachedCandidates.files.size, othersBefore, "no one else was removed");
      await assert.rejects(Deno.stat(attachments), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(feed), Deno.errors.NotFound);
      const feeds = parseIndex(await Deno.readTextFile(join(cacheDir, "activity_feeds/index.csv")));
      assert.ok(!feeds.rows.some((row) => row.id === victim.id));

      // The manifest lists every record removed, the candidate and each list's, and so does
      // the summary's `changes`.
      assert.ok(summary.changes.manifest);
      const removed = await removedInManifest(cacheDir, summary.changes.manifest);
      assert.deepEqual(removed.candidates, [victim.id]);
      for (const [list, ids] of Object.entries(before)) {
        assert.deepEqual([...removed[list]].sort((a, b) => a - b), ids, list);
        assert.deepEqual(
          [...summary.changes.entities[list].removed].sort((a: number, b: number) => a - b),
          ids,
          list,
        );
        assert.equal(step.removedWith[list], ids.length, list);
      }
      assert.deepEqual(summary.changes.entities.candidates.removed, [victim.id]);

      // `check` finds the cache whole: nothing dangles where the candidate was.
      const audit = await auditCache(root);
      assert.equal(audit.code, 0, audit.stdout);
    });
  });
}

Deno.test("the deletions step lists the candidate ids once a run: one request per page, nothing more", async () => {
  const clock = new ManualClock(Date.now());
  await using sandbox = await startSandboxDisposable({
    candidates: 30,
    rateLimit: 0,
    v3RateLimit: 0,
    clock,
  });
  await withTempDir(async (root) => {
    const env = { ...apiEnv("v3", sandbox) };
    const sync = (extra: string[] = []) =>
      runCli(["sync", "--json", "-q", "--per-page", "10", ...onlyCore("deletions"), ...extra], {
        root,
        env,
      });
    assert.equal((await sync()).code, 0);
    const before = sandbox.log.length;
    const nightly = await sync();
    assert.equal(nightly.code, 0, nightly.stderr);
    const step = JSON.parse(nightly.stdout).steps.find((s: { step: string }) =>
      s.step === "deletions"
    );
    // 30 candidates, 10 a page: three pages, and no confirmation needed.
    assert.equal(step.requests, 3);
    assert.equal(step.removed, 0);
    const listings = sandbox.log.slice(before).filter((e) =>
      e.path.split("?")[0] === `/v3${ENTITIES.candidates.paths.v3}` &&
      !e.path.includes("updated_at")
    );
    assert.equal(listings.length, 3);
  });
});
