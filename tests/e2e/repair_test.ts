/**
 * End to end: `check --repair` loses nothing. Activity feeds of candidates being restored are
 * kept, and a repair killed midway (kill -9, or SIGTERM) is reported by `check` and finished by
 * the next `check --repair`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseIndex } from "../../src/cache/index_codec.ts";
import { REPAIR_FILE } from "../../src/cache/layout.ts";
import { cliCommand, readEntityFolder, runCli, setUpCache, waitFor, withTempDir } from "./cli.ts";
import { apiEnv } from "./api.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";
import { exists } from "../support.ts";

const CACHE = "greenhouse-cache";

interface JsonReport {
  ok: boolean;
  integrityProblems: number;
  integrity: { key: string; problems: { entity: string; id?: number }[] }[];
}

function problemIds(report: JsonReport, key: string, entity: string): number[] {
  const category = report.integrity.find((c) => c.key === key);
  assert.ok(category, key);
  return category.problems.filter((p) => p.entity === entity).map((p) => p.id!).sort((a, b) =>
    a - b
  );
}

Deno.test("check --repair keeps the activity feeds of candidates it restores; only feeds of candidates gone upstream go", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 30,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    for (const command of ["candidates", "activity_feeds"]) {
      const result = await runCli([command, "-q"], { root, env });
      assert.equal(result.code, 0, result.stderr);
    }
    const cache = join(root, CACHE);
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
    // Five candidate files lost, one candidate lost with its index row too, one gone upstream.
    const missing = ids.slice(0, 5);
    const unindexed = ids[10];
    const gone = ids[20];
    for (const id of [...missing, unindexed, gone]) {
      await Deno.remove(join(cache, "candidates", `${id}.json`));
    }
    const index = join(cache, "candidates", "index.csv");
    const rows = (await Deno.readTextFile(index)).split("\r\n");
    await Deno.writeTextFile(
      index,
      rows.filter((line) => !line.startsWith(`${unindexed},`)).join("\r\n"),
    );
    sandbox.tenant.deleteCandidate(gone);
    const feedsBefore = await readEntityFolder(join(cache, "activity_feeds"));
    assert.equal(feedsBefore.files.size, 30);

    const dry = await runCli(["check", "--repair", "--dry-run"], { root });
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stdout, /would keep the activity feeds of candidates/);
    assert.doesNotMatch(dry.stdout, /would remove.*activity feeds/);

    const repair = await runCli(["check", "--repair"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    assert.match(repair.stdout, new RegExp(`removed candidates ${gone} \\(gone upstream: 404\\)`));
    assert.match(
      repair.stdout,
      new RegExp(`removed the activity feeds of candidates gone upstream: ${gone}\\n`),
    );

    // Every other feed is still there, byte for byte; the restored candidates are back.
    const feedsAfter = await readEntityFolder(join(cache, "activity_feeds"));
    assert.deepEqual([...feedsAfter.files.keys()].sort(), ids.filter((id) => id !== gone).sort());
    for (const [id, feed] of feedsAfter.files) assert.deepEqual(feed, feedsBefore.files.get(id));
    assert.equal(parseIndex(feedsAfter.index).rows.length, 29);
    const candidates = await readEntityFolder(join(cache, "candidates"));
    for (const id of [...missing, unindexed]) {
      assert.deepEqual(candidates.files.get(id), sandbox.tenant.get("candidates", id));
    }
    assert.ok(!candidates.files.has(gone));
    assert.equal((await runCli(["check"], { root })).code, 0);
  });
});

Deno.test("check --repair killed with -9 midway: check reports the records still out of the index, the next repair brings every one back", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 400,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const cache = join(root, CACHE);
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
    const lost = ids.slice(50, 350);
    for (const id of lost) await Deno.remove(join(cache, "candidates", `${id}.json`));

    // Slow answers: the kill lands while the repair is re-fetching.
    sandbox.faults.latencyMs = 5;
    const fetches = () => sandbox.log.filter((e) => /^\/v1\/candidates\/\d+$/.test(e.path)).length;
    const child = cliCommand(["check", "--repair", "-q"], { root, env }).spawn();
    await waitFor(() => fetches() >= 120, "120 re-fetches");
    child.kill("SIGKILL");
    await child.output();
    assert.ok(fetches() < lost.length, "killed before the repair finished");
    assert.ok(await exists(join(cache, REPAIR_FILE)));

    // Never called clean: each record not yet re-fetched is named.
    const audit = await runCli(["check", "--json"], { root });
    assert.equal(audit.code, 1, audit.stdout);
    const report = JSON.parse(audit.stdout) as JsonReport;
    assert.equal(report.ok, false);
    const pending = problemIds(report, "unfinished_repair", "candidates");
    const present = new Set(
      (await readEntityFolder(join(cache, "candidates"))).files.keys(),
    );
    const absent = lost.filter((id) => !present.has(id));
    assert.ok(absent.length >= 100, `${absent.length} records still missing`);
    for (const id of absent) assert.ok(pending.includes(id), `${id} is reported`);
    const human = await runCli(["check"], { root });
    assert.match(human.stdout, /Records an interrupted `check --repair` has still to re-fetch/);

    sandbox.faults.latencyMs = 0;
    const before = fetches();
    const repair = await runCli(["check", "--repair", "-q"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    // Resumed: what the killed repair had committed is not asked for again.
    assert.ok(fetches() - before <= absent.length + 100, `${fetches() - before} re-fetches`);
    assert.ok(!await exists(join(cache, REPAIR_FILE)));
    const { files, index } = await readEntityFolder(join(cache, "candidates"));
    assert.equal(files.size, 400);
    assert.deepEqual(parseIndex(index).rows.map((r) => r.id), [...ids].sort((a, b) => a - b));
    for (const id of lost) assert.deepEqual(files.get(id), sandbox.tenant.get("candidates", id));
    assert.equal((await runCli(["check"], { root })).code, 0);
  });
});
