/**
 * End to end: `sync` spawned as the real CLI against the in-process sandbox. One suite, run against
 * both API versions: what users see is the same; the helpers below know where each version asks
 * (v1: per-candidate activity feeds and embedded attachments; v3: batched /notes and /attachments).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ENTITIES,
  ENTITY_NAMES,
  entityListings,
  entityListParams,
  type EntityName,
  entityNamesFor,
} from "../../src/entities.ts";
import { SCHEMA_FILE } from "../../src/cache/layout.ts";
import { parseIndex } from "../../src/cache/index_codec.ts";
import type { SandboxOptions } from "../../src/sandbox/mod.ts";
import { ManualClock } from "../../src/clock.ts";
import type { RequestLogEntry } from "../../src/sandbox/mod.ts";
import type { StepReport } from "../../src/sync/run.ts";
import { type Api, apiEnv, apiRequests, APIS, asServed, CORE_LISTS, onlyCore } from "./api.ts";
import { auditCache, cliCommand, readEntityFolder, runCli, waitFor, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";

/**
 * The sandbox runs on a manual clock set to the real time: the CLI's high-water marks come from
 * its own (real) clock, so records the sandbox touches must be stamped with real time too, and a
 * clock that only moves when the test says keeps signed attachment URLs identical between
 * serving and comparing. No rate limit: a frozen clock would never open a new window.
 */
async function sandboxAtNow(options: SandboxOptions = {}) {
  const clock = new ManualClock(Date.now());
  const sandbox = await startSandboxDisposable({ rateLimit: 0, v3RateLimit: 0, clock, ...options });
  return Object.assign(sandbox, { clock });
}

interface JsonSummary {
  ok: boolean;
  requests: number;
  failed: string[];
  steps: StepReport[];
}

async function syncJson(api: Api, sandbox: TestSandbox, root: string, args: string[] = []) {
  const env = apiEnv(api, sandbox);
  const result = await runCli(["sync", "--json", "-q", ...args], { root, env });
  const summary = JSON.parse(result.stdout) as JsonSummary;
  const step = (name: string) => summary.steps.find((s) => s.step === name)!;
  return { result, summary, step };
}

/**
 * Every entity folder (of `entities`, by default all the version has) holds exactly what the
 * sandbox serves now, in that version's shape.
 */
async function assertCacheEqualsSandbox(
  api: Api,
  sandbox: TestSandbox,
  cacheDir: string,
  entities: readonly EntityName[] = entityNamesFor(api),
) {
  for (const entity of entities) {
    const expected = sandbox.served(api, entity);
    const { files, index } = await readEntityFolder(join(cacheDir, entity));
    assert.equal(files.size, expected.length, entity);
    for (const record of expected) {
      assert.deepEqual(files.get(record.id), record, `${entity} ${record.id}`);
    }
    const parsed = parseIndex(index);
    assert.deepEqual(parsed.problems, [], entity);
    assert.equal(parsed.rows.length, expected.length, entity);
  }
}

/** File downloads (the final GETs of attachment bytes, not redirects) from `from` on. */
function fileDownloads(sandbox: TestSandbox, from: number) {
  return sandbox.log.slice(from).filter((e) =>
    e.path.startsWith("/files/") && !/^\/files\/(r|m)\//.test(e.path) && e.status === 200
  );
}

const pathOf = (e: RequestLogEntry) => e.path.split("?")[0];
const queryOf = (e: RequestLogEntry) => new URL(e.path, "http://x").searchParams;

/** List requests from `from` on for an entity. */
function listRequests(api: Api, sandbox: TestSandbox, from: number, entity: EntityName) {
  const path = `/${api}${ENTITIES[entity].paths[api]}`;
  // Lists sharing a path (v3 degrees, schools, disciplines and every custom field option) differ
  // by their fixed parameters: each one any of them fixes is this entity's value, or absent.
  const fixed = entityListParams(ENTITIES[entity], { version: api });
  const keys = new Set(
    ENTITY_NAMES.filter((name) => ENTITIES[name].paths[api] === ENTITIES[entity].paths[api])
      .flatMap((name) => Object.keys(entityListParams(ENTITIES[name], { version: api }))),
  );
  return sandbox.log.slice(from).filter((e) =>
    pathOf(e) === path && [...keys].every((key) => queryOf(e).get(key) === (fixed[key] ?? null))
  );
}

/**
 * The candidate ids whose activity was asked for from `from` on: v1 one feed request per
 * candidate; v3 the `candidate_ids` of /notes batches (later pages carry only a cursor).
 */
function feedCandidates(api: Api, sandbox: TestSandbox, from: number): number[] {
  return api === "v1"
    ? sandbox.log.slice(from).flatMap((e) => {
      const match = /^\/v1\/candidates\/(\d+)\/activity_feed/.exec(e.path);
      return match ? [Number(match[1])] : [];
    })
    : batchCandidates(sandbox, from, "/v3/notes");
}

/** v3: the candidate ids named by the first pages of batched per-candidate lists. */
function batchCandidates(sandbox: TestSandbox, from: number, path: string): number[] {
  return sandbox.log.slice(from).filter((e) => pathOf(e) === path)
    .flatMap((e) => queryOf(e).get("candidate_ids")?.split(",").map(Number) ?? []);
}

/** The high-water time a listing request asked from (v1 `<filter>=T`; v3 `updated_at=gte|T`). */
function sinceOf(api: Api, entity: EntityName, request: RequestLogEntry): string | undefined {
  const query = queryOf(request);
  if (api === "v1") return query.get(ENTITIES[entity].updatedFilter!) ?? undefined;
  return /^gte\|([^|]+)$/.exec(query.get("updated_at") ?? "")?.[1];
}

/** Each entity folder's index and its record files' inodes (a rewrite renames a new file in). */
async function recordFiles(api: Api, cacheDir: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (const entity of entityNamesFor(api)) {
    const dir = join(cacheDir, entity);
    seen.set(`${entity}/index.csv`, await Deno.readTextFile(join(dir, "index.csv")));
    for await (const entry of Deno.readDir(dir)) {
      if (/^\d+\.json$/.test(entry.name)) {
        seen.set(`${entity}/${entry.name}`, String((await Deno.lstat(join(dir, entry.name))).ino));
      }
    }
  }
  return seen;
}

for (const api of APIS) {
  Deno.test(`sync: a full sync equals the sandbox; an unchanged re-sync costs one request per entity listing (${api})`, async () => {
    // The smallest tenant in which every list of both versions has records.
    await using sandbox = await sandboxAtNow({ candidates: 20 });
    await withTempDir(async (root) => {
      const summaryFile = join(root, "step-summary.md");
      await Deno.writeTextFile(summaryFile, "earlier step\n");
      const env = { ...apiEnv(api, sandbox), GITHUB_STEP_SUMMARY: summaryFile };
      const first = await runCli(["sync", "-q"], { root, env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(
        first.stdout,
        /^step +status +new +updated +unchanged +removed +requests +seconds/,
      );
      assert.match(first.stdout, /\ncandidates +full +20 +0 +0 +0 +1 /);
      // The candidates step listed them whole: the deletions step needs no listing of its own.
      assert.match(first.stdout, /\ndeletions +reused +0 +0 +20 +0 +0 /);
      const steps = entityNamesFor(api).length + 3;
      assert.match(first.stdout, new RegExp(`sync complete: ${steps} step\\(s\\)`));
      await assertCacheEqualsSandbox(api, sandbox, join(root, "greenhouse-cache"));
      // The dependent steps ran too: a feed per candidate, every attachment whole (check --verify).
      const feeds = await readEntityFolder(join(root, "greenhouse-cache/activity_feeds"));
      assert.equal(feeds.files.size, 20);
      // v3 lists a candidate's files through its applications (v1 embeds them in the candidate).
      const attachmentCount = sandbox.tenant.list("candidates")
        .filter((c) => api === "v1" || c.application_ids.length > 0)
        .reduce((n, c) => n + c.attachments.length, 0);
      assert.equal(fileDownloads(sandbox, 0).length, attachmentCount);
      const audit = await auditCache(root, ["--verify"]);
      assert.equal(audit.code, 0, audit.stdout);
      const state = JSON.parse(await Deno.readTextFile(join(root, "greenhouse-cache/.state.json")));
      for (const entity of entityNamesFor(api)) {
        assert.ok(state.steps[entity].highWater, entity);
        assert.equal(state.steps[entity].checkpoint, undefined, entity);
      }

      const written = await recordFiles(api, join(root, "greenhouse-cache"));
      const before = sandbox.log.length;
      const second = await runCli(["sync", "-q"], { root, env });
      assert.equal(second.code, 0, second.stderr);
      // Nothing changed upstream, so no record file was written again (the lists listed whole
      // compare each record's bytes) and no index row moved.
      assert.deepEqual(await recordFiles(api, join(root, "greenhouse-cache")), written);
      // One list request per entity (per listing variant: v3 job posts, active then deleted),
      // and the candidate ids whole (the deletions step: here one page), nothing per candidate;
      // v3 also asks for a token (not counted) and lists the notes and attachments changed since
      // the last run (none here).
      const requests = apiRequests(api, sandbox, before);
      const changeLists = api === "v1" ? [] : ["/v3/notes", "/v3/attachments"];
      const listings = (entity: EntityName) =>
        entityListings(ENTITIES[entity], { version: api }).length;
      assert.equal(
        requests.length,
        entityNamesFor(api).reduce((n, entity) => n + listings(entity), 0) + 1 +
          changeLists.length,
        requests.map((e) => e.path).join("\n"),
      );
      assert.deepEqual(
        requests.map(pathOf).filter((path) => changeLists.includes(path)),
        changeLists,
      );
      for (const entity of entityNamesFor(api)) {
        const lists = listRequests(api, sandbox, before, entity);
        assert.equal(lists.length, listings(entity) + (entity === "candidates" ? 1 : 0), entity);
      }
      const [, idListing] = listRequests(api, sandbox, before, "candidates");
      assert.equal(sinceOf(api, "candidates", idListing), undefined, "the id listing is whole");
      assert.match(second.stdout, /\ndeletions +full +0 +0 +20 +0 +1 /);
      const others = sandbox.log.slice(before).filter((e) => !e.path.startsWith(`/${api}/`));
      assert.deepEqual(
        others.map(pathOf),
        api === "v1" ? [] : ["/token"],
        "no per-candidate or file requests",
      );
      assert.match(second.stdout, /\ncandidates +incremental +0 +0 +0 +0 +1 /);
      assert.deepEqual(fileDownloads(sandbox, before), [], "an unchanged tenant downloads nothing");
      assert.match(second.stdout, /\nsources +full +0 +0 +9 +0 +1 /);
      await assertCacheEqualsSandbox(api, sandbox, join(root, "greenhouse-cache"));

      // The Markdown table was appended (twice), after what was already there.
      const markdown = await Deno.readTextFile(summaryFile);
      assert.ok(markdown.startsWith("earlier step\n"));
      assert.equal(markdown.match(/^\| step \| status \| new \|/gm)?.length, 2);
      assert.match(markdown, /^\| candidates \| full \| 20 \| 0 \| 0 \| 0 \| 1 \| \d+\.\d \|$/m);
      assert.match(markdown, /^\| candidates \| incremental \| 0 \| 0 \| 0 \| 0 \| 1 \|/m);
    });
  });

  Deno.test(`sync: after three candidates change, only they are fetched again (${api})`, async () => {
    await using sandbox = await sandboxAtNow({ candidates: 40 });
    await withTempDir(async (root) => {
      // The core lists and the steps that follow the candidates: the other lists have no say in
      // which candidates are fetched again.
      const steps = onlyCore("activity_feeds", "attachments");
      const first = await syncJson(api, sandbox, root, steps);
      assert.equal(first.result.code, 0, first.result.stderr);
      assert.equal(first.summary.ok, true);

      sandbox.clock.time = Date.now();
      const touched = sandbox.tenant.list("candidates").slice(5, 8).map((c) => c.id);
      for (const id of touched) sandbox.tenant.touchCandidate(id);
      const before = sandbox.log.length;
      const second = await syncJson(api, sandbox, root, steps);
      assert.equal(second.result.code, 0, second.result.stderr);

      const [listing] = listRequests(api, sandbox, before, "candidates");
      const since = sinceOf(api, "candidates", listing);
      assert.ok(since, listing.path);
      const state = JSON.parse(await Deno.readTextFile(join(root, "greenhouse-cache/.state.json")));
      assert.equal(new Date(since).getTime() <= sandbox.clock.time, true);
      assert.ok(Date.parse(state.steps.candidates.highWater) > Date.parse(since));
      const candidates = second.step("candidates");
      assert.deepEqual(
        [candidates.mode, candidates.new, candidates.updated, candidates.unchanged],
        ["incremental", 0, 3, 0],
      );
      // Applications follow their candidate's activity (v1 last_activity_after; v3 updated_at).
      const applications = second.step("applications");
      const touchedApps = sandbox.tenant.list("applications")
        .filter((a) => touched.includes(a.candidate_id));
      assert.ok(touchedApps.length > 0);
      assert.equal(applications.updated, touchedApps.length);
      assert.equal(applications.new + applications.unchanged, 0);

      const { files } = await readEntityFolder(join(root, "greenhouse-cache/candidates"));
      for (const id of touched) {
        const expected = asServed(api, "candidates", sandbox.tenant.get("candidates", id)!);
        assert.deepEqual(files.get(id), expected, String(id));
      }
      // Only their feeds and files are fetched again: each touch adds one attachment.
      const sorted = [...touched].sort();
      assert.deepEqual(feedCandidates(api, sandbox, before).sort(), sorted);
      if (api === "v3") {
        // Attachment metadata comes in batches too; they name only the touched candidates.
        assert.deepEqual(batchCandidates(sandbox, before, "/v3/attachments").sort(), sorted);
      }
      assert.equal(fileDownloads(sandbox, before).length, touched.length);
    });
  });

  Deno.test(`sync: kill -9 mid-listing, then sync resumes from the checkpoint and ends equal (${api})`, async () => {
    // Ten candidate pages of 10 (a kill after the first checkpoint leaves most to resume), on a
    // tenant small enough that the two full syncs this costs per version stay quick. The same
    // proof at the default page size, on 20,000 candidates killed at several points, is in
    // `deno task bench` (scripts/bench/resume.ts).
    // The core lists only: how a resumed listing hands its candidates to the dependent steps is
    // tests/e2e/sync_dependents_test.ts's, a kill in the feeds step tests/e2e/resume_test.ts's;
    // v3's ~50 other lists would add pages of 10 to all three syncs and prove nothing more here.
    await using sandbox = await sandboxAtNow({ candidates: 100 });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      const flags = ["--per-page", "10", ...onlyCore()];
      // What one uninterrupted full sync costs.
      const baseline = await runCli(["sync", "-q", ...flags, "--cache-dir", "baseline"], {
        root,
        env,
      });
      assert.equal(baseline.code, 0, baseline.stderr);
      const fullRequests = sandbox.log.length;

      const before = sandbox.log.length;
      sandbox.faults.latencyMs = 60;
      const statePath = join(root, "greenhouse-cache/.state.json");
      const child = cliCommand(["sync", "-q", ...flags], { root, env }).spawn();
      // Kill once the candidates listing has checkpointed a page but is far from done.
      const savedCheckpoint = async () =>
        JSON.parse(await Deno.readTextFile(statePath)).steps.candidates?.checkpoint;
      await waitFor(async () => {
        try {
          return await savedCheckpoint() !== undefined;
        } catch {
          return false;
        }
      }, "a candidates checkpoint");
      child.kill("SIGKILL");
      await child.output();
      sandbox.faults.latencyMs = 0;
      const { nextUrl } = await savedCheckpoint();

      const resumedFrom = sandbox.log.length;
      const rerun = await syncJson(api, sandbox, root, flags);
      assert.equal(rerun.result.code, 0, rerun.result.stderr);
      assert.equal(rerun.step("candidates").mode, "resumed");
      // The candidates step's requests: those before the next step's (in a default sync the
      // deletions step lists the ids whole later, from the first page: a resumed listing does not
      // prove deletions).
      const nextStep = sandbox.log.findIndex((e, i) =>
        i >= resumedFrom && pathOf(e) === `/${api}${ENTITIES.applications.paths[api]}`
      );
      const resumed = listRequests(api, sandbox, resumedFrom, "candidates")
        .filter((e) => sandbox.log.indexOf(e) < nextStep);
      // It continues exactly where the killed run's checkpoint says (on v3 a saved cursor URL).
      const saved = new URL(nextUrl);
      assert.equal(resumed[0]?.path, saved.pathname + saved.search);
      // v1: page numbers past 1; v3: only cursor links, and the sandbox accepts them (no 422).
      const laterPage = api === "v1"
        ? (e: RequestLogEntry) => /[?&]page=([2-9]|\d\d+)(&|$)/.test(e.path)
        : (e: RequestLogEntry) => [...queryOf(e).keys()].join() === "cursor" && e.status === 200;
      assert.deepEqual(
        resumed.filter((e) => !laterPage(e)).map((e) => e.path),
        [],
        "the first candidates page is not fetched again",
      );
      const latest = JSON.parse(await Deno.readTextFile(statePath)).steps.candidates;
      assert.equal(latest.checkpoint, undefined);
      await assertCacheEqualsSandbox(api, sandbox, join(root, "greenhouse-cache"), CORE_LISTS);
      const leftovers = [...Deno.readDirSync(join(root, "greenhouse-cache/candidates"))]
        .filter((e) => !/^(\d+\.json|index\.csv|\d+-attachments)$/.test(e.name))
        .filter((e) => e.name !== SCHEMA_FILE);
      assert.deepEqual(leftovers, []);

      const killedAndResumed = sandbox.log.length - before;
      assert.ok(
        killedAndResumed < 1.3 * fullRequests,
        `${killedAndResumed} requests for the killed sync plus the resumed one, ${fullRequests} for one full sync`,
      );
    });
  });

  Deno.test(`sync --prune removes what was deleted upstream, with the candidate's files and feed (${api})`, async () => {
    await using sandbox = await sandboxAtNow({ candidates: 40 });
    await withTempDir(async (root) => {
      const cacheDir = join(root, "greenhouse-cache");
      // The core lists, the deletions step and the candidate's files and feed: that a deleted
      // candidate leaves every other list too is tests/e2e/deletions_test.ts's.
      const steps = onlyCore("deletions", "activity_feeds", "attachments");
      assert.equal((await syncJson(api, sandbox, root, steps)).result.code, 0);
      const victim = sandbox.tenant.list("candidates").find((c) =>
        c.attachments.length > 0 &&
        sandbox.tenant.list("applications").some((a) => a.candidate_id === c.id)
      )!;
      // What the dependent steps stored for it.
      const attachments = join(cacheDir, "candidates", `${victim.id}-attachments`);
      assert.ok((await Deno.stat(attachments)).isDirectory);
      assert.ok((await Deno.stat(join(cacheDir, "activity_feeds", `${victim.id}.json`))).isFile);
      const applications = sandbox.tenant.list("applications")
        .filter((a) => a.candidate_id === victim.id).length;

      sandbox.tenant.deleteCandidate(victim.id);
      const before = sandbox.log.length;
      const pruned = await syncJson(api, sandbox, root, [...steps, "--prune"]);
      assert.equal(pruned.result.code, 0, pruned.result.stderr);
      // The candidates step hands its whole id listing to the deletions step, which removes them.
      assert.equal(pruned.step("candidates").removed, 0);
      assert.equal(pruned.step("deletions").removed, 1);
      assert.equal(pruned.step("deletions").mode, "reused");
      // No listing of its own: one request, the id filter confirming the candidate is gone.
      assert.equal(pruned.step("deletions").requests, 1);
      assert.equal(pruned.step("applications").removed, applications);
      assert.equal(pruned.step("sources").removed, 0);
      // Incremental entity steps list their ids in full once more: the cost the help names. The
      // missing candidate is then asked for by id: the confirmation.
      const byIds = (e: RequestLogEntry) => queryOf(e).has(api === "v1" ? "candidate_ids" : "ids");
      const candidateLists = listRequests(api, sandbox, before, "candidates")
        .filter((e) => !byIds(e));
      assert.equal(candidateLists.length, 2);
      const confirmations = listRequests(api, sandbox, before, "candidates").filter(byIds);
      assert.deepEqual(
        confirmations.map((e) => queryOf(e).get(api === "v1" ? "candidate_ids" : "ids")),
        [
          String(victim.id),
        ],
      );
      assert.equal(queryOf(candidateLists[1]).get("updated_at"), null, "the id listing is whole");
      assert.equal(listRequests(api, sandbox, before, "sources").length, 1);

      await assertCacheEqualsSandbox(api, sandbox, cacheDir, CORE_LISTS);
      await assert.rejects(Deno.stat(attachments), Deno.errors.NotFound);
      await assert.rejects(
        Deno.stat(join(cacheDir, "activity_feeds", `${victim.id}.json`)),
        Deno.errors.NotFound,
      );
      const feedIndex = parseIndex(
        await Deno.readTextFile(join(cacheDir, "activity_feeds", "index.csv")),
      );
      assert.ok(!feedIndex.rows.some((row) => row.id === victim.id));
      assert.equal(feedIndex.rows.length, sandbox.tenant.list("candidates").length);
    });
  });

  Deno.test(`sync: a failing entity exits 1 after the others complete, and its state stays put (${api})`, async () => {
    await using sandbox = await sandboxAtNow({ candidates: 20, deniedPaths: ["/offers"] });
    await withTempDir(async (root) => {
      // Offers fail; scorecards come after them.
      const { result, summary, step } = await syncJson(api, sandbox, root, onlyCore());
      assert.equal(result.code, 1);
      assert.equal(summary.ok, false);
      assert.deepEqual(summary.failed, ["offers"]);
      assert.equal(step("offers").status, "failed");
      assert.match(step("offers").error!, /403|permission/);
      assert.match(result.stderr, /sync: offers failed: .*(403|permission)/);
      assert.equal(step("scorecards").status, "ok");
      assert.equal(step("scorecards").new, sandbox.tenant.list("scorecards").length);
      const state = JSON.parse(await Deno.readTextFile(join(root, "greenhouse-cache/.state.json")));
      assert.equal(state.steps.offers?.highWater, undefined);
      assert.ok(state.steps.scorecards.highWater);
    });
  });

  Deno.test(`sync: --only/--skip select steps; bad lists are usage errors before any request (${api})`, async () => {
    await using sandbox = await sandboxAtNow({ candidates: 20 });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      for (
        const [args, pattern] of [
          [["--only", "candidates,bogus"], /unknown step "bogus"/],
          [["--skip", "nope"], /unknown step "nope"/],
          [["--only", "jobs", "--skip", "jobs"], /no step/],
          [["--overlap", "-3"], /--overlap/],
        ] as [string[], RegExp][]
      ) {
        const result = await runCli(["sync", ...args], { root, env });
        assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
        assert.match(result.stderr, pattern);
      }
      assert.equal(sandbox.log.length, 0);
      assert.deepEqual([...Deno.readDirSync(root)], []);

      const { result, summary } = await syncJson(api, sandbox, root, [
        "--only",
        "jobs,sources",
        "--skip",
        "sources",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(summary.steps.map((s) => s.step), ["jobs"]);
      assert.deepEqual(apiRequests(api, sandbox, 0).map(pathOf), [`/${api}/jobs`]);
    });
  });
}

// v3 only: a v1 page URL cannot go stale this way (a page past the end is an empty page).
Deno.test("sync (v3): a checkpoint whose cursor is refused is dropped and the listing starts over", async () => {
  await using sandbox = await sandboxAtNow({ candidates: 60 });
  await withTempDir(async (root) => {
    const only = ["--only", "candidates"];
    assert.equal((await syncJson("v3", sandbox, root, only)).result.code, 0);
    const statePath = join(root, "greenhouse-cache/.state.json");
    const state = JSON.parse(await Deno.readTextFile(statePath));
    const highWater = state.steps.candidates.highWater;
    state.steps.candidates.checkpoint = {
      startedAt: new Date().toISOString(),
      baseUrl: sandbox.v3Url,
      params: { updated_at: `gte|${highWater}` },
      nextUrl: `${sandbox.v3Url}/candidates?cursor=expired-or-garbage`,
      written: 0,
      new: 0,
      updated: 0,
      unchanged: 0,
      changed: [],
    };
    await Deno.writeTextFile(statePath, JSON.stringify(state));

    const rerun = await syncJson("v3", sandbox, root, only);
    assert.equal(rerun.result.code, 0, rerun.result.stderr);
    assert.match(rerun.result.stderr, /candidates: cannot resume from the saved checkpoint/);
    assert.equal(rerun.step("candidates").status, "ok");
    const after = JSON.parse(await Deno.readTextFile(statePath));
    assert.equal(after.steps.candidates.checkpoint, undefined);
    await assertCacheEqualsSandbox("v3", sandbox, join(root, "greenhouse-cache"), ["candidates"]);
  });
});
