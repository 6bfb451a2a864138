/**
 * End to end: the privacy commands and the lists that hold a person's data beyond candidates
 * and applications (offers, scorecards, interviews, application stages, demographic answers,
 * EEOC responses). `access` bundles the person's records in each, read with list endpoints only,
 * and names the lists it could not read; `erase --mode anonymize` leaves no cached copy of them
 * and says which Greenhouse keeps.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CHANGES_FOLDER, INDEX_FILE } from "../../src/cache/layout.ts";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { type ApiRecord, ENTITIES, type EntityName } from "../../src/entities.ts";
import { PERSONAL_LISTS, RELATED_LISTS } from "../../src/privacy/personal_lists.ts";
import { ManualClock } from "../../src/clock.ts";
import { type Api, apiEnv, APIS, onlyPersonal } from "./api.ts";
import { readEntityFolder, runCli, runInProcess, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";

const CACHE = "greenhouse-cache";
const ADDRESS = "Many.Lists@Example.org";

/** The related lists each version lists (v1 has no application stages or EEOC list). */
const LISTED: Record<Api, EntityName[]> = {
  v1: RELATED_LISTS.filter((name) => ENTITIES[name].paths.v1 !== undefined),
  v3: [...RELATED_LISTS],
};

/**
 * Whether a record of a personal list is one of `person`'s: it names one of their candidates or
 * applications, or one of their records in a list it belongs to (a scorecard answer its
 * scorecard, an answer option its answer, an interviewer or a recording its interview).
 */
function ownedBy(
  person: { candidates: number[]; apps: Set<number>; parents: Record<string, Set<number>> },
) {
  return (record: ApiRecord): boolean =>
    person.apps.has(record.application_id) ||
    person.candidates.includes(record.candidate_id) ||
    (Array.isArray(record.candidate_ids) &&
      record.candidate_ids.some((id: number) => person.candidates.includes(id))) ||
    person.parents.scorecards.has(record.scorecard_id) ||
    person.parents.interviews.has(record.interview_id) ||
    person.parents.answers.has(record.scorecard_question_answer_id);
}

/**
 * A sandbox where one person (a few candidates sharing ADDRESS, in different letter case) has
 * records in every related list the version has, and others have records there too.
 */
async function personSandbox(api: Api, options: Parameters<typeof startSandboxDisposable>[0] = {}) {
  const sandbox = await startSandboxDisposable({
    // Enough for three candidates to cover every list and for others to have records there too.
    candidates: 30,
    rateLimit: 0,
    v3RateLimit: 0,
    // Stays at the real start: records compared later are the ones served.
    clock: new ManualClock(Date.now()),
    ...options,
  });
  // Each list as served, read once (the selection below asks about it per candidate).
  const listed = new Map<EntityName, ApiRecord[]>();
  const served = (list: EntityName) => {
    if (!listed.has(list)) listed.set(list, sandbox.served(api, list));
    return listed.get(list)!;
  };
  const applications = sandbox.served("v1", "applications");
  const owner = (candidates: number[]) => {
    const apps = new Set(
      applications.filter((a) => candidates.includes(a.candidate_id)).map((a) => a.id as number),
    );
    const ids = (list: EntityName, field: string, of: Set<number>) =>
      new Set(served(list).filter((r) => of.has(r[field])).map((r) => r.id as number));
    const scorecards = ids("scorecards", "application_id", apps);
    const parents = {
      scorecards,
      interviews: ids("scheduled_interviews", "application_id", apps),
      answers: api === "v3"
        ? ids("scorecard_question_answers", "scorecard_id", scorecards)
        : new Set<number>(),
    };
    return { candidates, apps, parents, owns: ownedBy({ candidates, apps, parents }) };
  };
  const listsOf = (id: number) => {
    const { owns } = owner([id]);
    return LISTED[api].filter((list) => served(list).some(owns));
  };
  // Greedily, candidates until every list is covered.
  const chosen: number[] = [];
  const covered = new Set<EntityName>();
  for (const candidate of sandbox.served("v1", "candidates")) {
    const adds = listsOf(candidate.id).filter((list) => !covered.has(list));
    if (adds.length === 0) continue;
    chosen.push(candidate.id);
    adds.forEach((list) => covered.add(list));
    if (covered.size === LISTED[api].length) break;
  }
  assert.equal(covered.size, LISTED[api].length, `no one covers ${LISTED[api]}`);
  chosen.forEach((id, i) =>
    sandbox.tenant.patchCandidate(id, {
      email_addresses: [{ value: i % 2 ? ADDRESS.toUpperCase() : ADDRESS, type: "personal" }],
    })
  );
  const { apps, owns } = owner(chosen);
  return Object.assign(sandbox, {
    person: chosen,
    apps,
    owns,
    /** The person's records in a list, as the version serves them, by ascending id. */
    theirs: (list: EntityName) =>
      sandbox.served(api, list).filter(owns).sort((a, b) => a.id - b.id),
    env: { ...apiEnv(api, sandbox), GREENHOUSE_ON_BEHALF_OF: String(sandbox.tenant.userIds()[0]) },
  });
}

const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));
const byId = (a: number, b: number) => a - b;

/** Every request of the run was a list request (the path has no record id after a list name). */
function assertListRequestsOnly(api: Api, sandbox: TestSandbox) {
  const lists = api === "v1"
    ? /^\/v1\/(candidates\?|applications\/\d+\/(offers|scorecards|scheduled_interviews|demographics\/answers)\?)/
    : new RegExp(
      `^/v3/(${
        ["candidates", ...PERSONAL_LISTS.map((l) => ENTITIES[l].paths.v3!.slice(1))].join("|")
      })\\?`,
    );
  for (const entry of sandbox.log) {
    if (entry.path === "/token") continue;
    assert.match(entry.path, lists, `${entry.method} ${entry.path} is not a list request`);
  }
}

for (const api of APIS) {
  Deno.test(`access bundles the person's records in every list that holds them (${api})`, async () => {
    await using sandbox = await personSandbox(api);
    await withTempDir(async (root) => {
      const out = join(root, "bundle");
      const result = await runCli(["access", "--email", ADDRESS, "--out", out, "--json"], {
        root,
        env: sandbox.env,
      });
      assert.equal(result.code, 0, result.stderr);
      const candidates = await readJson(join(out, "candidate_records.json"));
      assert.deepEqual(candidates.map((c: ApiRecord) => c.id), [...sandbox.person].sort(byId));

      // One file per list the version has, holding exactly the person's records there.
      for (const list of LISTED[api]) {
        const records = await readJson(join(out, `${list}_records.json`));
        const expected = sandbox.theirs(list);
        assert.ok(expected.length > 0, `${list}: nothing to compare`);
        assert.deepEqual(records, expected, list);
      }
      // The lists the version lacks are named, not silently missing.
      const left = await readJson(join(out, "unavailable_lists.json"));
      assert.deepEqual(
        left,
        api === "v1"
          ? [
            { list: "application_stages", reason: "Harvest v1 has no list of application stages" },
            { list: "eeoc", reason: "Harvest v1 has no list of EEOC responses" },
            // v3's lists of what v1 embeds are in the bundle's v1 records; these two v1 lacks.
            {
              list: "ai_opt_out_statuses",
              reason: "Harvest v1 has no list of AI opt-out decisions",
            },
            { list: "interview_media", reason: "Harvest v1 has no list of interview recordings" },
          ]
          : [],
      );
      assertListRequestsOnly(api, sandbox);

      // --json: the summary counts per list and the lists left out.
      const summary = JSON.parse(result.stdout);
      assert.equal(summary.command, "access");
      assert.equal(summary.ok, true);
      const [step] = summary.steps;
      assert.equal(step.candidates, sandbox.person.length);
      assert.deepEqual(
        step.related,
        Object.fromEntries(LISTED[api].map((list) => [list, sandbox.theirs(list).length])),
      );
      assert.deepEqual(step.unavailable, left);

      // Without --out: the same records in one document.
      const printed = await runCli(["access", "--email", ADDRESS], { root, env: sandbox.env });
      assert.equal(printed.code, 0, printed.stderr);
      const bundle = JSON.parse(printed.stdout);
      for (const list of LISTED[api]) {
        assert.deepEqual(bundle.related_records[list], sandbox.theirs(list), list);
      }
      assert.deepEqual(bundle.unavailable_lists, left);
    });
  });

  Deno.test(`access takes the cached records of people only the cache still holds, in every list (${api})`, async () => {
    await using sandbox = await personSandbox(api);
    await withTempDir(async (root) => {
      // Set-up, through the CLI's entry point in this process: the lists access reads.
      const synced = await runInProcess(
        ["sync", "-q", ...onlyPersonal(api), "--cache-dir", join(root, CACHE)],
        sandbox.env,
      );
      assert.equal(synced.code, 0, synced.stderr);
      const expected = Object.fromEntries(LISTED[api].map((list) => [list, sandbox.theirs(list)]));
      // Deleted in Greenhouse by someone else: only the cache has them now.
      for (const id of sandbox.person) sandbox.tenant.deleteCandidate(id);

      const out = join(root, "bundle");
      const result = await runCli(["access", "--email", ADDRESS, "--out", out], {
        root,
        env: sandbox.env,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /access: 0 candidates from Greenhouse, /);
      const only = await readJson(join(out, "cache_only.json"));
      assert.deepEqual(
        only.candidate_records.map((c: ApiRecord) => c.id),
        [...sandbox.person].sort(byId),
      );
      for (const list of LISTED[api]) {
        assert.deepEqual(only.related_records[list], expected[list], list);
      }
      // Greenhouse has nothing for them in any list any more.
      for (const list of LISTED[api]) {
        assert.deepEqual(await readJson(join(out, `${list}_records.json`)), [], list);
      }
    });
  });
}

/** Grants for every request access sends but the listing of one list. */
const ALL_BUT: Record<Api, { grants: string[]; refused: EntityName; permission: string }> = {
  v1: {
    grants: [
      "Get: List Candidates",
      "Get: List Offers for Application",
      "Get: List Scorecards for Application",
      "Get: List Scheduled Interviews for Application",
    ],
    refused: "demographic_answers",
    permission: "Get: List Demographic Answers for Application",
  },
  v3: {
    grants: ["candidates", ...PERSONAL_LISTS.map((list) => ENTITIES[list].paths.v3!.slice(1))]
      .filter((resource) => resource !== "eeoc")
      .map((resource) => `harvest:${resource}:list`),
    refused: "eeoc",
    permission: "harvest:eeoc:list",
  },
};

for (const api of APIS) {
  Deno.test(`access leaves out a list the key may not read, names the permission, and still answers (${api})`, async () => {
    const { grants, refused, permission } = ALL_BUT[api];
    await using sandbox = await personSandbox(
      api,
      api === "v1" ? { permissions: grants } : { v3Scopes: grants },
    );
    await withTempDir(async (root) => {
      const out = join(root, "bundle");
      const result = await runCli(["access", "--email", ADDRESS, "--out", out], {
        root,
        env: sandbox.env,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`not in the bundle: (\\w+, )*${refused}\\b`));
      const left = await readJson(join(out, "unavailable_lists.json"));
      const entry = left.find((u: ApiRecord) => u.list === refused);
      assert.equal(entry.permission, permission);
      assert.match(entry.reason, new RegExp(`403 .*; grant the (permission|scope) ${permission}$`));
      // Its file is absent (not an empty list, which would claim there is nothing); the others hold
      // the person's records.
      await assert.rejects(Deno.stat(join(out, `${refused}_records.json`)), Deno.errors.NotFound);
      for (const list of LISTED[api].filter((l) => l !== refused)) {
        assert.deepEqual(await readJson(join(out, `${list}_records.json`)), sandbox.theirs(list));
      }
      // The refused list is asked once, not once per application.
      assert.equal(sandbox.log.filter((e) => e.status === 403).length, 1);

      const printed = await runCli(["access", "--email", ADDRESS], { root, env: sandbox.env });
      assert.equal(printed.code, 0, printed.stderr);
      assert.match(
        printed.stderr,
        new RegExp(`note: access: ${refused} is not in the bundle: .*${permission}`),
      );
    });
  });
}

/** The cache's ids per personal list, and which of them are the person's. */
async function cachedLists(root: string, owns: (record: ApiRecord) => boolean) {
  const out: Record<string, { mine: number[]; others: number[] }> = {};
  for (const list of PERSONAL_LISTS) {
    const dir = join(root, CACHE, list);
    let folder;
    try {
      folder = await readEntityFolder(dir);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const mine: number[] = [], others: number[] = [];
    for (const [id, record] of folder.files as Map<number, ApiRecord>) {
      (owns(record) || (list === "applications" && owns({ application_id: id })) ? mine : others)
        .push(id);
    }
    const rows = parseIndex(await Deno.readTextFile(join(dir, INDEX_FILE))).rows.map((r) => r.id);
    assert.deepEqual(rows.sort(byId), [...folder.files.keys()].sort(byId), `${list} index`);
    out[list] = { mine: mine.sort(byId), others: others.sort(byId) };
  }
  return out;
}

for (const api of APIS) {
  Deno.test(`erase --mode anonymize leaves no cached copy in any personal list and names what Greenhouse keeps (${api})`, async () => {
    await using sandbox = await personSandbox(api);
    await withTempDir(async (root) => {
      // Set-up, through the CLI's entry point in this process: the lists erase changes.
      const sync = ["sync", "-q", ...onlyPersonal(api), "--cache-dir", join(root, CACHE)];
      const synced = await runInProcess(sync, sandbox.env);
      assert.equal(synced.code, 0, synced.stderr);
      const before = await cachedLists(root, sandbox.owns);
      for (const list of ["applications", ...LISTED[api]]) {
        assert.ok(before[list].mine.length > 0, `${list}: nothing of theirs cached`);
      }

      // The dry run says it before anything is sent.
      const dry = await runCli(
        ["erase", "--email", ADDRESS, "--mode", "anonymize", "--dry-run"],
        { root, env: sandbox.env },
      );
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /Greenhouse would keep these records of the anonymized candidates/);
      // v3 has anonymize fields for demographic answers and EEOC responses; v1 none.
      assert.match(
        dry.stdout,
        api === "v1"
          ? /\n {2}application_stages, demographic_answers, eeoc, ai_opt_out_statuses, interview_media: no anonymize field reaches them/
          : /\n {2}application_stages: no anonymize field reaches them/,
      );

      const erased = await runCli(
        ["erase", "--email", ADDRESS, "--mode", "anonymize", "--yes", "--json"],
        { root, env: sandbox.env },
      );
      assert.equal(erased.code, 0, erased.stderr);
      const [step] = JSON.parse(erased.stdout).steps;
      assert.deepEqual(step.erased, [...sandbox.person].sort(byId));
      // No --anonymize-fields: Greenhouse keeps their records in every personal list as they were.
      assert.deepEqual(
        step.keptUpstream.map((k: { list: string }) => k.list).sort(),
        [...PERSONAL_LISTS].sort(),
      );
      assert.deepEqual(
        step.keptUpstream.find((k: { list: string }) => k.list === "eeoc").missingFields,
        api === "v1" ? [] : ["eeoc_responses"],
      );
      assert.deepEqual(
        step.keptUpstream.find((k: { list: string }) => k.list === "scorecards").missingFields,
        ["scorecards_and_interviews"],
      );

      // The cache: none of theirs in any personal list, everyone else's untouched.
      const after = await cachedLists(root, sandbox.owns);
      const removed: Record<string, number> = {};
      for (const [list, { mine, others }] of Object.entries(before)) {
        assert.ok(others.length > 0, `${list}: no one else's records to leave alone`);
        assert.deepEqual(after[list].mine, [], `${list} of the anonymized person`);
        assert.deepEqual(after[list].others, others, `${list} of the others`);
        removed[list] = mine.length;
      }
      assert.deepEqual(step.removedFromCache, removed);
      // The manifest lists each as removed.
      const manifests = [...Deno.readDirSync(join(root, CACHE, CHANGES_FOLDER))]
        .map((e) => e.name).filter((name) => name.endsWith("-erase.ndjson"));
      assert.equal(manifests.length, 1);
      const lines = (await Deno.readTextFile(join(root, CACHE, CHANGES_FOLDER, manifests[0])))
        .trimEnd().split("\n").map((line) => JSON.parse(line));
      for (const [list, { mine }] of Object.entries(before)) {
        const ids = lines.filter((l) => l.entity === list && l.change === "removed")
          .flatMap((l) => l.ids).sort(byId);
        assert.deepEqual(ids, mine, `${list} in the manifest`);
      }
      // Nothing left points at what went.
      const check = await runCli(["check", "--strict"], { root });
      assert.equal(check.code, 0, check.stdout);

      // As it said: Greenhouse still holds their demographic answers (and, on v3, EEOC
      // responses), and a full sync of those lists brings them back.
      const kept = [
        "demographic_answers",
        ...(api === "v3" ? ["eeoc", "ai_opt_out_statuses"] : []),
      ];
      const full = await runCli(["sync", "-q", "--full", "--only", kept.join(",")], {
        root,
        env: sandbox.env,
      });
      assert.equal(full.code, 0, full.stderr);
      const again = await cachedLists(root, sandbox.owns);
      for (const list of kept) {
        assert.deepEqual(again[list].mine, before[list].mine, `${list} back from Greenhouse`);
      }
    });
  });
}
