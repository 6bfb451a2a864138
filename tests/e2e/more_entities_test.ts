/**
 * End to end, the other list endpoints beyond the first seven: a sync picks them up, `check
 * --strict` validates their records against the published schemas and finds their references
 * whole, a key without their permissions keeps a default sync passing, `check --repair` re-fetches
 * a list that has no single-record GET, and erasing a candidate removes their records from them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCHEMA_FILE } from "../../src/cache/layout.ts";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { type ApiRecord, ENTITIES, entityNamesFor } from "../../src/entities.ts";
import type { StepReport } from "../../src/sync/run.ts";
import { type Api, apiEnv, APIS, CORE_LISTS, onlyPersonal, skipAllBut } from "./api.ts";
import { readEntityFolder, runCli, setUpCache, withTempDir } from "./cli.ts";
import { ManualClock } from "../../src/clock.ts";
import { startSandboxDisposable } from "./sandbox.ts";

const CACHE = "greenhouse-cache";

interface CheckJson {
  integrityProblems: number;
  schemasChecked: boolean;
  schemaProblems: number;
  crossReferences: { key: string; informational?: boolean; problems: unknown[] }[];
  schema: {
    key: string;
    total?: number;
    problems: { entity: string; id?: number; path: string; detail: string }[];
  }[];
}

async function checkJson(root: string, args: string[] = []) {
  const result = await runCli(["check", "--json", ...args], { root });
  return { code: result.code, report: JSON.parse(result.stdout) as CheckJson };
}

/**
 * A sandbox on a clock that stays at the real start time (records compared later are the ones
 * served; v3 tokens and rate-limit resets are real-time figures), with no rate limit.
 */
const sandboxFor = (options: Parameters<typeof startSandboxDisposable>[0] = {}) =>
  startSandboxDisposable({
    // The smallest size at which every list of either version has records.
    candidates: 20,
    rateLimit: 0,
    v3RateLimit: 0,
    clock: new ManualClock(Date.now()),
    ...options,
  });

/** Every entity of the version, by one sync without the per-candidate steps. */
async function syncEntities(root: string, env: Record<string, string>, extra: string[] = []) {
  const result = await runCli(
    ["sync", "-q", "--json", "--skip", "activity_feeds,attachments", ...extra],
    { root, env },
  );
  return { ...result, summary: JSON.parse(result.stdout || "{}") };
}

for (const api of APIS) {
  Deno.test(`sync picks up every list; check --strict passes, then names a record that breaks its schema (${api})`, async () => {
    await using sandbox = await sandboxFor();
    await withTempDir(async (root) => {
      const synced = await syncEntities(root, apiEnv(api, sandbox));
      assert.equal(synced.code, 0, synced.stderr);
      const steps = synced.summary.steps as StepReport[];
      assert.deepEqual(steps.map((s) => s.step), [
        ...entityNamesFor(api).sort((a, b) => ENTITIES[a].order - ENTITIES[b].order),
        "deletions",
      ]);
      for (const entity of entityNamesFor(api)) {
        const folder = join(root, CACHE, entity);
        const { files } = await readEntityFolder(folder);
        assert.equal(files.size, sandbox.served(api, entity).length, entity);
        const schema = JSON.parse(await Deno.readTextFile(join(folder, SCHEMA_FILE)));
        assert.equal(schema.$id, `urn:greenhouse-extractor:schema:${api}:${entity}`);
      }

      // Clean: every record fits its schema, every reference names a cached record, and
      // schema.json is no problem of any kind.
      const clean = await checkJson(root, ["--strict"]);
      assert.equal(clean.code, 0, JSON.stringify(clean.report.schema));
      assert.equal(clean.report.integrityProblems, 0);
      assert.equal(clean.report.schemasChecked, true);
      assert.equal(clean.report.schemaProblems, 0);
      for (const category of clean.report.crossReferences) {
        if (!category.informational) assert.deepEqual(category.problems, [], category.key);
      }

      // A record whose shape drifted, and a folder whose schema.json names another entity.
      const [post] = sandbox.served(api, "job_posts");
      const postPath = join(root, CACHE, "job_posts", `${post.id}.json`);
      await Deno.writeTextFile(postPath, JSON.stringify({ ...post, title: 42, job_id: "x" }));
      const tagsSchema = join(root, CACHE, "tags", SCHEMA_FILE);
      await Deno.writeTextFile(
        tagsSchema,
        await Deno.readTextFile(join(root, CACHE, "offices", SCHEMA_FILE)),
      );
      await Deno.remove(join(root, CACHE, "departments", SCHEMA_FILE));

      const lenient = await checkJson(root);
      assert.equal(lenient.code, 0, "schemas are checked with --strict only");
      assert.equal(lenient.report.schemasChecked, false);
      const strict = await checkJson(root, ["--strict"]);
      assert.equal(strict.code, 1);
      assert.equal(strict.report.schemaProblems, 3);
      const [violations, unknown] = strict.report.schema;
      assert.deepEqual(violations.problems, [{
        entity: "job_posts",
        id: post.id,
        path: `job_posts/${post.id}.json`,
        // v3's spec gives a post's title no null (v1's reference shows one).
        detail: `/title: expected ${api === "v1" ? "string or null" : "string"}, got integer ` +
          `(and 1 more) [${api} schema]`,
      }]);
      assert.deepEqual(unknown.problems.map((p) => [p.entity, p.detail]), [
        ["departments", `${SCHEMA_FILE} is missing`],
        [
          "tags",
          `${SCHEMA_FILE} names "urn:greenhouse-extractor:schema:${api}:offices", not a schema of tags`,
        ],
      ]);
      const text = await runCli(["check", "--strict"], { root });
      assert.match(text.stdout, /3 schema problems \(--strict: /);
      assert.match(text.stdout, /Records that break their entity's schema: 1 /);
      assert.match(
        text.stdout,
        new RegExp(`job_posts ${post.id}: job_posts/${post.id}\\.json: /title`),
      );

      // The next listing rewrites the schema files (the broken record too: it is re-fetched).
      const damaged = ["--only", "job_posts,tags,departments"];
      const again = await syncEntities(root, apiEnv(api, sandbox), ["--full", ...damaged]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal((await checkJson(root, ["--strict"])).code, 0);
    });
  });

  Deno.test(`a default sync reports lists the key may not read as unavailable; --only makes them fail (${api})`, async () => {
    await using sandbox = await sandboxFor({
      deniedPaths: ["/job_posts", api === "v1" ? "/tags" : "/candidate_tags"],
    });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      // A default sync (nothing named) of the refused lists, one that answers, and the seven.
      const lists = skipAllBut(api, [...CORE_LISTS, "job_posts", "tags", "departments"]);
      const synced = await syncEntities(root, env, lists);
      assert.equal(synced.code, 0, synced.stderr);
      const step = (name: string) =>
        (synced.summary.steps as StepReport[]).find((s) => s.step === name)!;
      for (const name of ["job_posts", "tags"]) {
        assert.equal(step(name).status, "unavailable", name);
        assert.match(
          step(name).error!,
          /no permission for \/(job_posts|tags\/candidate|candidate_tags) \(403\)/,
        );
      }
      assert.equal(step("jobs").status, "ok");
      const warnings = synced.stderr.trim().split("\n");
      assert.equal(warnings.length, 2, synced.stderr);
      // In sync order: tags (reference data) before job posts.
      assert.match(warnings[0], /^sync: tags: skipped, the credentials may not list /);
      assert.match(
        warnings[1],
        /^sync: job_posts: skipped, the credentials may not list \/job_posts \(403\); grant that permission to sync it, or --skip job_posts$/,
      );
      // Nothing was left behind for them: check passes.
      for (const name of ["job_posts", "tags"]) {
        await assert.rejects(Deno.stat(join(root, CACHE, name)), Deno.errors.NotFound);
      }
      assert.equal((await runCli(["check", "--strict"], { root })).code, 0);

      // Named, a refused list is a failure like any other.
      const named = await syncEntities(root, env, ["--only", "tags,departments"]);
      assert.equal(named.code, 1);
      assert.deepEqual(named.summary.failed, ["tags"]);
    });
  });
}

Deno.test("sync --only a list the version does not have is a usage error", async () => {
  await using sandbox = await sandboxFor();
  await withTempDir(async (root) => {
    const result = await runCli(["sync", "--only", "candidates,eeoc"], {
      root,
      env: apiEnv("v1", sandbox),
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: --only: Harvest v1 has no list of eeoc; leave it out/);
    assert.equal(sandbox.log.length, 0);
  });
});

Deno.test("check --repair re-fetches a record of a v1 list without a single-record GET", async () => {
  await using sandbox = await sandboxFor();
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    for (const entity of ["tags", "rejection_reasons"]) {
      assert.equal((await runCli([entity, "-q"], { root, env })).code, 0);
    }
    const [tag] = sandbox.served("v1", "tags");
    const [reason] = sandbox.served("v1", "rejection_reasons");
    await Deno.writeTextFile(join(root, CACHE, "tags", `${tag.id}.json`), "{");
    await Deno.remove(join(root, CACHE, "rejection_reasons", `${reason.id}.json`));
    const dry = await runCli(["check", "--repair", "--dry-run"], { root });
    assert.match(dry.stdout, /re-fetch tags \d+ \(from a listing of \/tags\/candidate\)/);
    const before = sandbox.log.length;
    const repair = await runCli(["check", "--repair", "-q"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    const asked = sandbox.log.slice(before).map((e) => e.path.split("?")[0]);
    assert.deepEqual(asked.sort(), ["/v1/rejection_reasons", "/v1/tags/candidate"]);
    for (const [entity, record] of [["tags", tag], ["rejection_reasons", reason]] as const) {
      const { files } = await readEntityFolder(join(root, CACHE, entity));
      assert.deepEqual(files.get(record.id), record, entity);
    }
  });
});

const ERASED: Record<
  Api,
  readonly ("scheduled_interviews" | "demographic_answers" | "application_stages" | "eeoc")[]
> = {
  v1: ["scheduled_interviews", "demographic_answers"],
  v3: ["scheduled_interviews", "demographic_answers", "application_stages", "eeoc"],
};

for (const api of APIS) {
  Deno.test(`erase removes the candidate's records from the other lists too (${api})`, async () => {
    await using sandbox = await sandboxFor();
    await withTempDir(async (root) => {
      const env = {
        ...apiEnv(api, sandbox),
        GREENHOUSE_ON_BEHALF_OF: String(sandbox.tenant.userIds()[0]),
      };
      // The lists erase changes (no other list names a candidate's records).
      await setUpCache(["sync", "-q", ...onlyPersonal(api)], root, env);
      // A candidate with records in every personal list of this version.
      const applications = sandbox.served("v1", "applications");
      const appsOf = (candidate: number) =>
        new Set(applications.filter((a) => a.candidate_id === candidate).map((a) => a.id));
      const has = (candidate: number) =>
        ERASED[api].every((entity) =>
          sandbox.served(api, entity).some((r) => appsOf(candidate).has(r.application_id))
        );
      const person = sandbox.served("v1", "candidates").find((c) => has(c.id))!;
      assert.ok(person, "a candidate with interviews, answers and EEOC");
      const theirs = appsOf(person.id);
      const count = async (entity: string, mine: boolean) => {
        const { files } = await readEntityFolder(join(root, CACHE, entity));
        return [...files.values() as Iterable<ApiRecord>]
          .filter((r) => theirs.has(r.application_id) === mine).length;
      };
      const others = Object.fromEntries(
        await Promise.all(ERASED[api].map(async (e) => [e, await count(e, false)])),
      );

      const erased = await runCli(
        ["erase", "--email", person.email_addresses[0].value, "--mode", "delete", "--yes"],
        { root, env },
      );
      assert.equal(erased.code, 0, erased.stderr);
      for (const entity of ERASED[api]) {
        assert.equal(await count(entity, true), 0, `${entity} of the erased candidate`);
        assert.equal(await count(entity, false), others[entity], `${entity} of the others`);
        const rows = parseIndex(await Deno.readTextFile(join(root, CACHE, entity, "index.csv")));
        assert.ok(rows.rows.every((r) => !theirs.has(Number(r.moniker.split("/")[0]))), entity);
      }
      // Nothing they were in is left pointing at them.
      const check = await checkJson(root, ["--strict"]);
      assert.equal(check.code, 0, JSON.stringify(check.report.crossReferences));
    });
  });
}
