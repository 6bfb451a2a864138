/** End to end: `check` finds each kind of damage, `--dry-run` changes nothing, `--repair` fixes. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ENTITIES, ENTITY_NAMES } from "../../src/entities.ts";

/** The seven entities the damage-and-repair suite works on (the others behave the same). */
const CORE = ENTITY_NAMES.filter((name) => !ENTITIES[name].optional);
import { parseIndex } from "../../src/cache/index_codec.ts";
import { attachmentFolderNames, sanitizeFileName } from "../../src/cache/attachments.ts";
import { acquireLock } from "../../src/cache/lock.ts";
import { readEntityFolder, runCli, setUpCache, withTempDir } from "./cli.ts";
import { apiEnv, APIS, asServed } from "./api.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";
import { snapshot } from "../support.ts";

const CACHE = "greenhouse-cache";

interface JsonReport {
  integrityProblems: number;
  integrity: { key: string; problems: { entity: string; id?: number; path: string }[] }[];
  repair?: { action: string; entity?: string; ids?: number[] }[];
}

function named(report: JsonReport, key: string, entity: string, id?: number): boolean {
  const category = report.integrity.find((c) => c.key === key);
  assert.ok(category, `category ${key}`);
  return category.problems.some((p) => p.entity === entity && (id === undefined || p.id === id));
}

Deno.test("check names every kind of damage; --dry-run changes nothing; --repair restores the sandbox's data", async () => {
  // A frozen clock keeps signed attachment URLs in candidate records identical on re-fetch.
  await using sandbox = await startSandboxDisposable({
    candidates: 60,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const online = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
    for (const entity of CORE) await setUpCache([entity, "-q"], root, online);
    const cache = join(root, CACHE);
    // Offline: no credentials at all.
    const clean = await runCli(["check"], { root });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /0 integrity problems/);

    const ids = (entity: string) =>
      sandbox.tenant.list(entity as "candidates").map((r) => r.id as number).sort((a, b) => a - b);
    const candidates = ids("candidates");
    const named_ = new Set<number>();
    for (const e of ["applications", "offers", "scorecards"] as const) {
      for (const r of sandbox.tenant.list(e)) named_.add(r.candidate_id as number);
    }
    const loners = candidates.filter((id) => !named_.has(id));
    assert.ok(loners.length >= 3, "the tenant has candidates nothing refers to");
    const [corrupt, mismatched, fileless] = candidates.filter((id) => named_.has(id));
    const [gone] = loners;
    const [unindexedApp] = ids("applications");
    // Download some attachments with the real command before anything is damaged.
    const fetched = await runCli(["attachments", "-q", "--candidates", loners.slice(1).join(",")], {
      root,
      env: online,
    });
    assert.equal(fetched.code, 0, fetched.stderr);
    const [duplicateSource] = ids("sources");

    const write = (path: string, text: string) => Deno.writeTextFile(join(cache, path), text);
    const read = (path: string) => Deno.readTextFile(join(cache, path));
    // Record files: invalid JSON, another id, missing; a file without its row.
    await write(`candidates/${corrupt}.json`, '{"id": 1, "trunc');
    const other = JSON.parse(await read(`candidates/${mismatched}.json`));
    await write(`candidates/${mismatched}.json`, JSON.stringify({ ...other, id: 12345 }));
    await Deno.remove(join(cache, `candidates/${fileless}.json`));
    const appIndex = await read("applications/index.csv");
    await write(
      "applications/index.csv",
      appIndex.split("\r\n").filter((line) => !line.startsWith(`${unindexedApp},`)).join("\r\n"),
    );
    // A candidate deleted upstream whose file is corrupt: repair gets a 404 and removes it.
    sandbox.tenant.deleteCandidate(gone);
    await write(`candidates/${gone}.json`, "not json");
    // Index files: a duplicate row, a malformed line, a wrong header, a missing index.
    const sourceIndex = await read("sources/index.csv");
    const sourceRow = sourceIndex.split("\r\n").find((l) => l.startsWith(`${duplicateSource},`));
    await write("sources/index.csv", sourceIndex + sourceRow + "\r\n");
    await write("jobs/index.csv", (await read("jobs/index.csv")) + '"unterminated,quote\r\n');
    const pools = await read("prospect_pools/index.csv");
    await write("prospect_pools/index.csv", pools.replace(/^id,/, "ident,"));
    await Deno.remove(join(cache, "offers/index.csv"));
    // Attachments: download the loners' files with the real command, then damage four folders.
    const folders = loners.slice(1).flatMap((id) =>
      attachmentFolderNames(sandbox.tenant.get("candidates", id)!.attachments).map((name, i) => ({
        id,
        index: i,
        path: `candidates/${id}-attachments/${name}`,
        file: sanitizeFileName(sandbox.tenant.get("candidates", id)!.attachments[i].filename),
      }))
    );
    assert.ok(folders.length >= 4, "the loners have at least four attachments");
    const [unmarked, resized, altered, emptied] = folders;
    await Deno.remove(join(cache, unmarked.path, "complete"));
    await Deno.writeFile(join(cache, resized.path, resized.file), new Uint8Array([1, 2, 3]), {
      append: true,
    });
    const bytes = await Deno.readFile(join(cache, altered.path, altered.file));
    bytes[0] ^= 0xff;
    await Deno.writeFile(join(cache, altered.path, altered.file), bytes);
    await Deno.remove(join(cache, emptied.path, emptied.file));
    // Activity feeds: one of a cached candidate, one of a candidate not in the cache.
    await Deno.mkdir(join(cache, "activity_feeds"));
    await write(`activity_feeds/${loners[2]}.json`, '{"activities": []}\n');
    await write("activity_feeds/999.json", '{"activities": []}\n');
    await write(
      "activity_feeds/index.csv",
      `id,moniker,timestamp\r\n${
        loners[2]
      },,2026-11-01T00:00:00.000Z\r\n999,,2026-11-01T00:00:00.000Z\r\n`,
    );
    // Leftovers: temporary files and a stale lock (a lock file nobody holds).
    await write(`candidates/.${corrupt}.json.tmp-4242-0123456789ab`, "{");
    await write(".index.csv.tmp-4242-abcdef012345", "");
    await write(".lock", '{"pid":4242,"hostname":"","startedAt":"2026-11-01T00:00:00.000Z"}\n');

    // Human output names each damaged record.
    const human = await runCli(["check", "--all"], { root });
    assert.equal(human.code, 1, human.stderr);
    for (
      const expected of [
        `candidates ${corrupt}:`,
        `candidates ${mismatched}:`,
        `candidates ${fileless}:`,
        `candidates ${gone}:`,
        `applications ${unindexedApp}:`,
        `sources ${duplicateSource}:`,
        "jobs: jobs/index.csv: line",
        "prospect_pools: prospect_pools/index.csv: line 1",
        "offers: offers/index.csv: index.csv is missing",
        `attachments ${unmarked.id}: ${unmarked.path}`,
        `attachments ${resized.id}: ${resized.path}`,
        `attachments ${emptied.id}: ${emptied.path}`,
        "activity_feeds 999:",
        `candidates/.${corrupt}.json.tmp-4242-0123456789ab`,
        ".index.csv.tmp-4242-abcdef012345",
        "Stale lock: 1",
      ]
    ) {
      assert.ok(human.stdout.includes(expected), `human output names ${expected}`);
    }
    assert.ok(!human.stdout.includes(altered.path), "sizes match: not hashed by default");
    assert.ok(!human.stdout.includes(`activity_feeds ${loners[2]}:`));

    // JSON output, with --verify: the same problems, plus the hash mismatch.
    const machine = await runCli(["check", "--json", "--verify"], { root });
    assert.equal(machine.code, 1, machine.stderr);
    const report = JSON.parse(machine.stdout) as JsonReport;
    assert.ok(named(report, "invalid_json", "candidates", corrupt));
    assert.ok(named(report, "invalid_json", "candidates", gone));
    assert.ok(named(report, "id_mismatch", "candidates", mismatched));
    assert.ok(named(report, "row_without_file", "candidates", fileless));
    assert.ok(named(report, "file_without_row", "applications", unindexedApp));
    assert.ok(named(report, "duplicate_index_row", "sources", duplicateSource));
    assert.ok(named(report, "index_malformed", "jobs"));
    assert.ok(named(report, "index_header", "prospect_pools"));
    assert.ok(named(report, "index_unreadable", "offers"));
    assert.ok(named(report, "attachment_no_marker", "attachments", unmarked.id));
    assert.ok(named(report, "attachment_size_mismatch", "attachments", resized.id));
    assert.ok(named(report, "attachment_sha_mismatch", "attachments", altered.id));
    assert.ok(named(report, "attachment_no_file", "attachments", emptied.id));
    assert.ok(named(report, "orphan_activity_feed", "activity_feeds", 999));
    assert.ok(named(report, "temp_file", "candidates"));
    assert.ok(named(report, "temp_file", "cache"));
    assert.ok(named(report, "stale_lock", "cache"));

    // --dry-run lists the changes and makes none.
    const before = await snapshot(cache);
    const dry = await runCli(["check", "--repair", "--dry-run"], { root });
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would re-fetch candidates .*${corrupt}`));
    assert.match(dry.stdout, /would remove the stale lock/);
    assert.match(dry.stdout, /Dry run: nothing was changed/);
    assert.deepEqual(await snapshot(cache), before);

    // --repair with credentials.
    const repair = await runCli(["check", "--repair", "--verify"], { root, env: online });
    assert.equal(repair.stderr, "");
    // The orphan feed's candidate (999) is asked for first: the API says it is gone too.
    assert.match(
      repair.stdout,
      new RegExp(`removed candidates 999, ${gone} \\(gone upstream: 404\\)`),
    );
    assert.match(repair.stdout, /removed the activity feeds of candidates gone upstream: 999\n/);
    assert.match(repair.stdout, /re-downloading the attachments of candidates/);
    assert.equal(repair.code, 0, repair.stdout);
    for (const folder of [unmarked, resized, altered, emptied]) {
      const restored = await Deno.readFile(join(cache, folder.path, folder.file));
      assert.deepEqual(restored, sandbox.attachmentBytes(folder.id, folder.index), folder.path);
    }
    const final = await runCli(["check", "--verify"], { root });
    assert.equal(final.code, 0, final.stdout);

    // The cache now equals what the sandbox serves.
    for (const entity of CORE) {
      const expected = sandbox.served("v1", entity);
      const { files, index } = await readEntityFolder(join(cache, entity));
      assert.equal(files.size, expected.length, entity);
      for (const record of expected) {
        assert.deepEqual(files.get(record.id), record, `${entity} ${record.id}`);
      }
      const parsed = parseIndex(index);
      assert.deepEqual(parsed.problems, [], entity);
      const byId = new Map(expected.map((r) => [r.id, r]));
      assert.deepEqual(parsed.rows.map((r) => r.id), [...byId.keys()].sort((a, b) => a - b));
      for (const row of parsed.rows) {
        assert.equal(row.moniker, ENTITIES[entity].moniker(byId.get(row.id)!), `${entity}`);
      }
    }
    const feeds = await readEntityFolder(join(cache, "activity_feeds"));
    assert.deepEqual([...feeds.files.keys()], [loners[2]]);
    await assert.rejects(Deno.stat(join(cache, ".lock")));
  });
});

Deno.test("check --repair refuses while another run holds the lock; check itself still reports", async () => {
  await withTempDir(async (root) => {
    const cache = join(root, CACHE);
    await Deno.mkdir(join(cache, "sources"), { recursive: true });
    await Deno.writeTextFile(join(cache, "sources/index.csv"), "id,moniker,timestamp\r\n");
    await Deno.writeTextFile(join(cache, "sources/.x.tmp-1-0123456789ab"), "");
    const lock = await acquireLock(cache);
    try {
      const check = await runCli(["check"], { root });
      assert.equal(check.code, 1);
      assert.match(check.stdout, /another run holds the cache lock/);
      const repair = await runCli(["check", "--repair"], {
        root,
        env: { GREENHOUSE_API_KEY: "k", GREENHOUSE_BASE_URL: "http://127.0.0.1:9/v1" },
      });
      assert.equal(repair.code, 1);
      assert.match(repair.stderr, /locked by a run that is still active/);
      await Deno.stat(join(cache, "sources/.x.tmp-1-0123456789ab"));
    } finally {
      await lock.release();
    }
  });
});

Deno.test("check: usage errors exit 2; a missing cache exits 1; --strict fails on gaps", async () => {
  await withTempDir(async (root) => {
    const dryOnly = await runCli(["check", "--dry-run"], { root });
    assert.equal(dryOnly.code, 2);
    assert.match(dryOnly.stderr, /--dry-run only applies with --repair/);
    const retryOnly = await runCli(["check", "--retry-failed"], { root });
    assert.equal(retryOnly.code, 2);
    assert.match(retryOnly.stderr, /--retry-failed only applies with --repair/);
    const noKey = await runCli(["check", "--repair"], { root });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /GREENHOUSE_API_KEY/);
    const missing = await runCli(["check"], { root });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: check: no cache at .*; run an entity command first/);
    assert.deepEqual([...Deno.readDirSync(root)], []);

    // An offer naming an application that is not cached: a gap, fatal only with --strict.
    const cache = join(root, CACHE);
    for (
      const [entity, record] of [
        ["applications", { id: 5, candidate_id: 1, jobs: [] }],
        ["offers", { id: 9, candidate_id: 1, application_id: 6 }],
      ] as const
    ) {
      await Deno.mkdir(join(cache, entity), { recursive: true });
      await Deno.writeTextFile(join(cache, entity, `${record.id}.json`), JSON.stringify(record));
      await Deno.writeTextFile(
        join(cache, entity, "index.csv"),
        `id,moniker,timestamp\r\n${record.id},x,2026-01-01T00:00:00.000Z\r\n`,
      );
    }
    const lenient = await runCli(["check"], { root });
    assert.equal(lenient.code, 0, lenient.stdout);
    assert.match(
      lenient.stdout,
      /Applications named by offers, scorecards, scheduled interviews, .* but missing: 1/,
    );
    assert.match(lenient.stdout, /applications 6:/);
    const strict = await runCli(["check", "--strict", "--json"], { root });
    assert.equal(strict.code, 1);
    assert.equal(JSON.parse(strict.stdout).crossReferenceGaps, 1);
  });
});

for (const api of APIS) {
  Deno.test(`check --repair re-fetches damaged records from the API in use (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({
      candidates: 30,
      clock: frozenClock(),
    });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      for (const entity of ["candidates", "applications"]) {
        await setUpCache([entity, "-q"], root, env);
      }
      const cache = join(root, CACHE);
      const [corrupt, missing] = sandbox.tenant.list("candidates").map((r) => r.id as number);
      const [application] = sandbox.tenant.list("applications").map((r) => r.id as number);
      await Deno.writeTextFile(join(cache, `candidates/${corrupt}.json`), "{");
      await Deno.remove(join(cache, `candidates/${missing}.json`));
      await Deno.writeTextFile(join(cache, `applications/${application}.json`), '{"id": 7}');

      const damaged = await runCli(["check"], { root });
      assert.equal(damaged.code, 1, damaged.stdout);
      const repair = await runCli(["check", "--repair", "-q"], { root, env });
      assert.equal(repair.code, 0, repair.stdout + repair.stderr);

      for (const entity of ["candidates", "applications"] as const) {
        const { files } = await readEntityFolder(join(cache, entity));
        const expected = sandbox.tenant.list(entity);
        assert.equal(files.size, expected.length, entity);
        for (const record of expected) {
          assert.deepEqual(
            files.get(record.id),
            asServed(api, entity, record),
            `${entity} ${record.id}`,
          );
        }
      }
    });
  });
}
