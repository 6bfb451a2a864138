/**
 * End to end, Harvest v3 only: what v3 does differently from v1, as documented (issue 13), through
 * the real CLI against the sandbox's v3 mode.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { permissionFlags, V8_FLAGS } from "../../scripts/permissions.ts";
import type { ApiRecord } from "../../src/entities.ts";
import type { RequestLogEntry, Sandbox } from "../../src/sandbox/mod.ts";
import { apiEnv, onlyCore } from "./api.ts";
import { auditCache, readEntityFolder, runCli, setUpCache, withTempDir } from "./cli.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";

const query = (e: RequestLogEntry) => new URL(e.path, "http://x").searchParams;
const listsOf = (sandbox: Sandbox, path: string, from = 0) =>
  sandbox.log.slice(from).filter((e) => e.path.startsWith(`${path}?`));

/** What `check --json` says in one cross-reference category. */
async function crossReference(root: string, key: string): Promise<number[]> {
  const result = await runCli(["check", "--json"], { root });
  const report = JSON.parse(result.stdout);
  const category = report.crossReferences.find((c: { key: string }) => c.key === key);
  assert.ok(category, key);
  return category.problems.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b);
}

Deno.test("v3 scorecards: the moniker is the application's candidate, from the cache or asked for by ids", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 150, clock: frozenClock() });
  const env = apiEnv("v3", sandbox);
  const candidateOf = (card: ApiRecord) =>
    String(sandbox.tenant.get("applications", card.application_id)!.candidate_id);
  const cards = sandbox.v3.all("scorecards");
  const applications = new Set(cards.map((c) => c.application_id));
  assert.ok(applications.size > 50, "more than one ids= request's worth of applications");

  // Alone in an empty cache: the applications are asked for, 50 ids a request.
  await withTempDir(async (root) => {
    const result = await runCli(["scorecards", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    const { index } = await readEntityFolder(join(root, "greenhouse-cache", "scorecards"));
    const byId = new Map(cards.map((c) => [c.id, c]));
    for (const row of parseIndex(index).rows) {
      assert.equal(row.moniker, candidateOf(byId.get(row.id)!), `scorecard ${row.id}`);
    }
    const lookups = listsOf(sandbox, "/v3/applications");
    assert.equal(lookups.length, Math.ceil(applications.size / 50));
    for (const e of lookups) {
      const ids = query(e).get("ids")!.split(",");
      assert.ok(ids.length >= 1 && ids.length <= 50, e.path);
      assert.equal(query(e).has("created_at") || query(e).has("updated_at"), false);
    }
    assert.equal(
      new Set(lookups.flatMap((e) => query(e).get("ids")!.split(","))).size,
      applications.size,
      "each application asked for once",
    );
  });

  // With the applications cached: no application is asked for.
  await withTempDir(async (root) => {
    assert.equal((await runCli(["applications", "-q"], { root, env })).code, 0);
    const before = sandbox.log.length;
    assert.equal((await runCli(["scorecards", "-q"], { root, env })).code, 0);
    assert.deepEqual(listsOf(sandbox, "/v3/applications", before), []);
    const { index } = await readEntityFolder(join(root, "greenhouse-cache", "scorecards"));
    const rows = parseIndex(index).rows;
    assert.ok(rows.every((r) => /^\d+$/.test(r.moniker)), "every scorecard names its candidate");

    // check's scorecard→candidate reference now sees what v3 scorecards name.
    await setUpCache(["candidates", "-q"], root, env);
    const named = new Set(cards.map(candidateOf).map(Number));
    const unnamed = sandbox.tenant.list("candidates").map((c) => c.id as number)
      .filter((id) => !named.has(id)).sort((a, b) => a - b);
    assert.ok(unnamed.length < sandbox.tenant.list("candidates").length);
    assert.deepEqual(await crossReference(root, "candidates_without_scorecards"), unnamed);
  });
});

Deno.test("v3 sync: a new note, e-mail or file is found through the notes and attachments lists, not the candidates'", async () => {
  // The sandbox on the real clock, so the CLI's high-water marks and the sandbox's times agree.
  await using sandbox = await startSandboxDisposable({ candidates: 30, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    // The seven and the steps that fetch a candidate's notes and files: the other lists have
    // no part in finding what changed there.
    const steps = onlyCore("activity_feeds", "attachments");
    const first = await runCli(["sync", "-q", ...steps], { root, env });
    assert.equal(first.code, 0, first.stderr);
    const [noted, mailed] = sandbox.tenant.list("candidates").map((c) => c.id as number);
    // v3 lists a candidate's files through an application: one that has one.
    const filed = sandbox.tenant.list("candidates")
      .find((c) => c.application_ids.length > 0 && ![noted, mailed].includes(c.id))!.id as number;
    const edited = sandbox.tenant.list("candidates")
      .find((c) =>
        sandbox.tenant.activityFeed(c.id)!.notes.length > 0 &&
        ![noted, mailed, filed].includes(c.id)
      )!.id;
    const updatedBefore = sandbox.v3.all("candidates").map((c) => [c.id, c.updated_at]);
    const noteId = sandbox.tenant.addNote(noted);
    const emailId = sandbox.tenant.addNote(mailed, "email");
    sandbox.tenant.addAttachment(filed);
    const editedId = sandbox.tenant.editNote(edited)!;
    assert.deepEqual(
      sandbox.v3.all("candidates").map((c) => [c.id, c.updated_at]),
      updatedBefore,
      "no candidate's updated_at moved",
    );

    const before = sandbox.log.length;
    // No overlap, so that the third run below asks only for what changed after this one began.
    const second = await runCli(["sync", "-q", ...steps, "--overlap", "0"], { root, env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /\ncandidates +incremental +0 +0 +0 +0 +1 /);
    const changed = { "/v3/notes": [noted, mailed, edited], "/v3/attachments": [filed] };
    for (const [path, ids] of Object.entries(changed)) {
      const all = listsOf(sandbox, path, before);
      const lists = all.filter((e) => !query(e).has("candidate_ids"));
      assert.equal(lists.length, 1, path);
      // Then exactly the candidates it named were fetched, as for changed candidates.
      const fetched = all.filter((e) => query(e).has("candidate_ids"))
        .flatMap((e) => query(e).get("candidate_ids")!.split(",").map(Number));
      assert.deepEqual(fetched.sort((a, b) => a - b), [...ids].sort((a, b) => a - b), path);
      const q = query(lists[0]);
      assert.match(q.get("updated_at") ?? "", /^gte\|\d{4}-\d\d-\d\dT[\d:.]+Z$/, path);
      assert.deepEqual(
        [...q.keys()].sort(),
        ["per_page", "updated_at"],
        "no candidate_ids, no created_at",
      );
    }

    const feeds = join(root, "greenhouse-cache", "activity_feeds");
    const feed = (id: number) =>
      JSON.parse(Deno.readTextFileSync(join(feeds, `${id}.json`))).notes as ApiRecord[];
    assert.ok(feed(noted).some((n) => n.id === noteId && n.type === "NOTE"));
    assert.ok(feed(mailed).some((n) => n.id === emailId && n.type === "EMAIL"));
    assert.match(feed(edited).find((n) => n.id === editedId)!.body, /\(edited\)$/);
    const files = [
      ...Deno.readDirSync(join(root, "greenhouse-cache", "candidates", `${filed}-attachments`)),
    ]
      .map((e) => e.name);
    assert.equal(files.length, sandbox.tenant.get("candidates", filed)!.attachments.length);
    assert.equal((await auditCache(root, ["--verify"])).code, 0);

    // Nothing changed since: the two lists come back empty and nothing is fetched.
    const quiet = sandbox.log.length;
    assert.equal((await runCli(["sync", "-q", ...steps], { root, env })).code, 0);
    assert.deepEqual(
      sandbox.log.slice(quiet).filter((e) => /^\/(files|v3\/notes\?.*candidate_ids)/.test(e.path)),
      [],
    );
  });
});

Deno.test("v3 activity_feeds: notes, e-mails and activities are all kept, told apart by type", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 20, clock: frozenClock() });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    assert.equal((await runCli(["activity_feeds", "-q"], { root, env })).code, 0);
    const { files } = await readEntityFolder(join(root, "greenhouse-cache", "activity_feeds"));
    const types = new Set(
      [...files.values()].flatMap((f) => (f as { notes: ApiRecord[] }).notes.map((n) => n.type)),
    );
    assert.deepEqual([...types].sort(), ["ACTIVITY", "EMAIL", "NOTE"]);
  });
});

Deno.test("v3: -a/-b work on sources and prospect pools (v1 refuses them before any request)", async () => {
  await using sandbox = await startSandboxDisposable({ clock: frozenClock() });
  await withTempDir(async (root) => {
    const all = sandbox.v3.all("sources");
    const after = [...all].sort((a, b) => a.created_at.localeCompare(b.created_at))[4].created_at;
    const v3 = await runCli(["sources", "-q", "-a", after], { root, env: apiEnv("v3", sandbox) });
    assert.equal(v3.code, 0, v3.stderr);
    const { files } = await readEntityFolder(join(root, "greenhouse-cache", "sources"));
    assert.deepEqual(
      [...files.keys()].sort((a, b) => a - b),
      all.filter((s) => s.created_at >= after).map((s) => s.id).sort((a, b) => a - b),
    );
    const listed = listsOf(sandbox, "/v3/sources")[0];
    assert.equal(query(listed).get("created_at"), `gte|${new Date(after).toISOString()}`);
    assert.equal(query(listed).has("updated_at"), false);

    const before = sandbox.log.length;
    const v1 = await runCli(["prospect_pools", "-b", after], { root, env: apiEnv("v1", sandbox) });
    assert.equal(v1.code, 2);
    assert.match(
      v1.stderr,
      /^error: prospect_pools cannot be filtered by creation date on Harvest v1: .*--api v3/,
    );
    assert.equal(sandbox.log.length, before);
  });
});

Deno.test("v3: --per-page above 500 is refused when parsed; a smaller one pages through cursors", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 45, clock: frozenClock() });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    const tooBig = await runCli(["candidates", "--per-page", "501"], { root, env });
    assert.equal(tooBig.code, 2);
    assert.match(tooBig.stderr, /--per-page "501" must be a whole number from 1 to 500/);
    assert.equal(sandbox.log.length, 0);

    const small = await runCli(["candidates", "-q", "--per-page", "20"], { root, env });
    assert.equal(small.code, 0, small.stderr);
    const lists = listsOf(sandbox, "/v3/candidates");
    assert.equal(lists.length, 3);
    assert.equal(query(lists[0]).get("per_page"), "20");
    for (const later of lists.slice(1)) assert.deepEqual([...query(later).keys()], ["cursor"]);
    const { files } = await readEntityFolder(join(root, "greenhouse-cache", "candidates"));
    assert.equal(files.size, 45);
  });
});

Deno.test("v3 token: expires_in answers work; a client id without -<n> and a bad secret each say what to fix", async () => {
  await using sandbox = await startSandboxDisposable({ tokenExpiry: "expires_in" });
  await withTempDir(async (root) => {
    const ok = await runCli(["sources", "-q"], { root, env: apiEnv("v3", sandbox) });
    assert.equal(ok.code, 0, ok.stderr);

    const noSuffix = await runCli(["sources"], {
      root,
      env: { ...apiEnv("v3", sandbox), GREENHOUSE_CLIENT_ID: "sandbox-client-id" },
    });
    assert.equal(noSuffix.code, 1);
    assert.match(
      noSuffix.stderr,
      /^error: POST http:\/\/127\.0\.0\.1:\d+\/token: Greenhouse refused GREENHOUSE_CLIENT_ID \(400 invalid_request\): a client id ends in -<number> and this one does not; copy the whole client id again/,
    );
    assert.equal(noSuffix.stderr.trim().split("\n").length, 1);

    const badSecret = await runCli(["sources"], {
      root,
      env: apiEnv("v3", sandbox, "wrong-secret-0123456789"),
    });
    assert.equal(badSecret.code, 1);
    assert.match(badSecret.stderr, /\(401 invalid_client\): the client id or secret is wrong/);
    assert.ok(!badSecret.stderr.includes("wrong-secret-0123456789"));
  });
});

Deno.test("v3 attachments: --file-hosts narrows the binary's hosts and can never widen them", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 12, rateLimit: 0 });
  const permissions = [V8_FLAGS, ...permissionFlags()];
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    assert.equal((await runCli(["candidates", "-q"], { root, env, permissions })).code, 0);

    // A host outside the build's --allow-net: refused when parsed, before anything is sent.
    const before = sandbox.log.length;
    const widen = await runCli(["attachments", "--file-hosts", "files.example.com"], {
      root,
      env,
      permissions,
    });
    assert.equal(widen.code, 2);
    assert.match(
      widen.stderr,
      /^error: --file-hosts "files\.example\.com" is outside the hosts this build may connect to, and it can only narrow them; /,
    );
    const widenEnv = await runCli(["attachments"], {
      root,
      env: { ...env, GREENHOUSE_FILE_HOSTS: "*.example.com" },
      permissions,
    });
    assert.equal(widenEnv.code, 2);
    assert.match(widenEnv.stderr, /^error: GREENHOUSE_FILE_HOSTS "\*\.example\.com" is outside/);
    assert.equal(sandbox.log.length, before);

    // Narrowed to S3 only: the sandbox's files (on 127.0.0.1) are refused, each with the reason.
    const narrowed = await runCli(["attachments", "-q", "--file-hosts", "*.amazonaws.com"], {
      root,
      env,
      permissions,
    });
    assert.equal(narrowed.code, 1);
    assert.match(narrowed.stderr, /file host 127\.0\.0\.1:\d+ is not in --file-hosts/);
    assert.deepEqual(sandbox.log.slice(before).filter((e) => e.path.startsWith("/files/")), []);

    // Narrowed to the sandbox's host: every file comes down.
    const allowed = await runCli(["attachments", "-q", "--file-hosts", "127.0.0.1"], {
      root,
      env,
      permissions,
    });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^attachments: [1-9]\d* files downloaded/);
  });
});
