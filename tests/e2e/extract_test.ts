/** End to end: the real CLI, spawned with scoped permissions, against the in-process sandbox. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ENTITIES, ENTITY_NAMES } from "../../src/entities.ts";
import { parseIndex } from "../../src/cache/index_csv.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";
import { ManualClock } from "../../src/clock.ts";
import { cliCommand, readEntityFolder, runCli, waitFor, withTempDir } from "./cli.ts";

const sandboxEnv = (url: string, key: string) => ({
  GREENHOUSE_BASE_URL: url,
  GREENHOUSE_API_KEY: key,
});

Deno.test("every entity command writes exactly what the sandbox serves", async () => {
  // A frozen sandbox clock keeps signed attachment URLs identical between serving and comparing.
  await using sandbox = await startSandboxDisposable({ candidates: 120, clock: frozenClock() });
  await withTempDir(async (root) => {
    for (const entity of ENTITY_NAMES) {
      const result = await runCli([entity, "--quiet"], {
        root,
        env: sandboxEnv(sandbox.url, sandbox.apiKey),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^${entity}: \\d+ records written`));
      assert.equal(result.stderr, "");

      const expected = sandbox.tenant.list(entity);
      const { files, index } = await readEntityFolder(join(root, "greenhouse-cache", entity));
      assert.equal(files.size, expected.length, entity);
      for (const record of expected) {
        assert.deepEqual(files.get(record.id), record, `${entity} ${record.id}`);
      }

      const parsed = parseIndex(index);
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(
        parsed.rows.map((r) => r.id),
        expected.map((r) => r.id).sort((a, b) => a - b),
      );
      const byId = new Map(expected.map((r) => [r.id, r]));
      for (const row of parsed.rows) {
        assert.equal(
          row.moniker,
          ENTITIES[entity].moniker(byId.get(row.id)!),
          `${entity} ${row.id}`,
        );
        assert.match(row.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    }
  });
});

Deno.test("creation-date filters are sent as UTC and select the documented bounds", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 80 });
  const all = sandbox.tenant.list("candidates").sort((a, b) => a.id - b.id);
  const after = all[10].created_at;
  const before = all[30].created_at;
  await withTempDir(async (root) => {
    const result = await runCli(["candidates", "-a", after, "--created-before", before, "-q"], {
      root,
      env: sandboxEnv(sandbox.url, sandbox.apiKey),
    });
    assert.equal(result.code, 0, result.stderr);
    const { files } = await readEntityFolder(join(root, "greenhouse-cache", "candidates"));
    // created_after is inclusive, created_before exclusive.
    assert.deepEqual([...files.keys()].sort((a, b) => a - b), all.slice(10, 30).map((r) => r.id));
    const listed = sandbox.log.find((entry) => entry.path.startsWith("/v1/candidates?"));
    assert.ok(listed);
    const params = new URL(listed.path, "http://x").searchParams;
    assert.equal(params.get("created_after"), new Date(after).toISOString());
    assert.equal(params.get("per_page"), "500");
  });
});

Deno.test("a re-run merges: no duplicate rows, and records a filtered run did not return stay", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 40 });
  const all = sandbox.tenant.list("candidates").sort((a, b) => a.id - b.id);
  await withTempDir(async (root) => {
    const env = sandboxEnv(sandbox.url, sandbox.apiKey);
    assert.equal((await runCli(["candidates", "-q"], { root, env })).code, 0);
    const filtered = await runCli(["candidates", "-q", "-a", all[35].created_at], { root, env });
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.match(filtered.stdout, /: 5 records written/);
    const { files, index } = await readEntityFolder(join(root, "greenhouse-cache", "candidates"));
    assert.equal(files.size, 40);
    const rows = parseIndex(index).rows;
    assert.equal(rows.length, 40);
    assert.equal(new Set(rows.map((r) => r.id)).size, 40);
  });
});

Deno.test("usage errors exit 2 with one line, before any request or write", async () => {
  await using sandbox = await startSandboxDisposable({});
  await withTempDir(async (root) => {
    const env = sandboxEnv(sandbox.url, sandbox.apiKey);
    const cases: [string[], RegExp, Record<string, string>][] = [
      [["candidates", "-a", "2022-13-45"], /"2022-13-45"/, env],
      [["candidates", "--rate-target", "5"], /--rate-target/, env],
      [["frobnicate"], /unknown command "frobnicate"/, env],
      [["candidates", "--nope"], /unknown option "--nope"/, env],
      [["candidates"], /GREENHOUSE_API_KEY/, { GREENHOUSE_BASE_URL: sandbox.url }],
      [["candidates", "--base-url", "http://10.1.2.3/v1"], /plain http/, env],
    ];
    for (const [args, pattern, caseEnv] of cases) {
      const result = await runCli(args, { root, env: caseEnv });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+/);
    }
    assert.equal(sandbox.log.length, 0);
    assert.deepEqual([...Deno.readDirSync(root)], []);
  });
});

Deno.test("a rejected key fails at once with exit 1 and never prints the key", async () => {
  await using sandbox = await startSandboxDisposable({});
  await withTempDir(async (root) => {
    const secret = "not-the-key-0123456789abcdef";
    const result = await runCli(["jobs"], { root, env: sandboxEnv(sandbox.url, secret) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /rejected the API key \(401\)/);
    assert.equal(sandbox.log.length, 1, "no retries after a 401");
    assert.ok(!(result.stdout + result.stderr).includes(secret));
  });
});

Deno.test("429s and server errors are retried and the extraction completes", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 30 });
  sandbox.faults.rate429 = { times: 2, retryAfter: "seconds", seconds: 1 };
  sandbox.faults.status5xx = { times: 2, status: 503 };
  await withTempDir(async (root) => {
    const result = await runCli(["candidates", "-q"], {
      root,
      env: sandboxEnv(sandbox.url, sandbox.apiKey),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /30 records written.*[1-9]\d* retries/);
    const { files } = await readEntityFolder(join(root, "greenhouse-cache", "candidates"));
    assert.equal(files.size, 30);
  });
});

Deno.test("the key never appears in output or in any cache file", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 20 });
  await withTempDir(async (root) => {
    const result = await runCli(["candidates"], {
      root,
      env: sandboxEnv(sandbox.url, sandbox.apiKey),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!(result.stdout + result.stderr).includes(sandbox.apiKey));
    for await (const entry of Deno.readDir(join(root, "greenhouse-cache", "candidates"))) {
      const text = await Deno.readTextFile(
        join(root, "greenhouse-cache", "candidates", entry.name),
      );
      assert.ok(!text.includes(sandbox.apiKey), entry.name);
    }
  });
});

Deno.test("a second concurrent run is refused, naming the lock", async () => {
  await using sandbox = await startSandboxDisposable({});
  await withTempDir(async (root) => {
    const cacheDir = join(root, "greenhouse-cache");
    const { acquireLock } = await import("../../src/cache/lock.ts");
    await Deno.mkdir(cacheDir);
    const lock = await acquireLock(cacheDir);
    try {
      const result = await runCli(["sources"], {
        root,
        env: sandboxEnv(sandbox.url, sandbox.apiKey),
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /locked/);
      assert.match(result.stderr, /lock file greenhouse-cache\/\.lock/);
    } finally {
      await lock.release();
    }
  });
});

Deno.test("kill -9 mid-run leaves whole files and the next run completes the cache", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 3000 });
  sandbox.faults.latencyMs = 40;
  await withTempDir(async (root) => {
    const env = sandboxEnv(sandbox.url, sandbox.apiKey);
    const folder = join(root, "greenhouse-cache", "candidates");
    const child = cliCommand(["candidates", "-q"], { root, env }).spawn();
    // Kill once some pages are on disk but the listing is far from done.
    await waitFor(() => sandbox.log.length >= 3, "three pages requested");
    child.kill("SIGKILL");
    await child.output();

    // Whatever is on disk is whole: every record file parses, every index row has its file.
    for await (const entry of Deno.readDir(folder)) {
      if (entry.name.endsWith(".json")) {
        JSON.parse(await Deno.readTextFile(join(folder, entry.name)));
      }
    }
    const indexText = await Deno.readTextFile(join(folder, "index.csv")).catch(() =>
      "id,moniker,timestamp\n"
    );
    for (const row of parseIndex(indexText).rows) await Deno.stat(join(folder, `${row.id}.json`));

    sandbox.faults.latencyMs = 0;
    const rerun = await runCli(["candidates", "-q"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    const { files, index } = await readEntityFolder(folder);
    assert.equal(files.size, 3000);
    assert.equal(parseIndex(index).rows.length, 3000);
    const leftovers = [...Deno.readDirSync(folder)].filter((e) =>
      !/^(\d+\.json|index\.csv)$/.test(e.name)
    );
    assert.deepEqual(leftovers, []);
  });
});

async function startSandboxDisposable(options: Parameters<typeof startSandbox>[0]) {
  const sandbox = await startSandbox(options);
  return Object.assign(sandbox, { [Symbol.asyncDispose]: () => sandbox.close() });
}

function frozenClock() {
  return new ManualClock(Date.parse("2026-11-01T00:00:00Z"));
}
