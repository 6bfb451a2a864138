/** End to end: the real CLI, spawned with scoped permissions, against the in-process sandbox. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type ApiRecord,
  ENTITIES,
  ENTITY_NAMES,
  entityListings,
  type EntityName,
  entityNamesFor,
} from "../../src/entities.ts";
import { SCHEMA_FILE } from "../../src/cache/layout.ts";
import { publishedSchema } from "../../src/schemas/mod.ts";
import { parseIndex } from "../../src/cache/index_codec.ts";
import type { Sandbox } from "../../src/sandbox/mod.ts";
import { type Api, apiEnv, apiRequests, APIS } from "./api.ts";
import { cliCommand, readEntityFolder, runCli, runInProcess, waitFor, withTempDir } from "./cli.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";

/** The records a version serves of an entity, by id (read once per sandbox). */
const servedById = new WeakMap<Sandbox, Map<string, Map<number, ApiRecord>>>();
function served(api: Api, sandbox: Sandbox, entity: EntityName): Map<number, ApiRecord> {
  let lists = servedById.get(sandbox);
  if (!lists) servedById.set(sandbox, lists = new Map());
  let records = lists.get(`${api}:${entity}`);
  if (!records) {
    records = new Map(sandbox.served(api, entity).map((r) => [r.id, r]));
    lists.set(`${api}:${entity}`, records);
  }
  return records;
}

/**
 * The index moniker of a served record: the entity table's, where v3 scorecards (which name no
 * candidate) take their application's candidate id, and v3's lists naming only a parent record
 * (a scorecard answer its scorecard) take it from the parent's moniker, link by link.
 */
function expectedMoniker(
  api: Api,
  sandbox: Sandbox,
  entity: EntityName,
  record: ApiRecord,
): string {
  const via = ENTITIES[entity].monikerVia?.[api];
  if (!via) return ENTITIES[entity].moniker(record);
  const named = served(api, sandbox, via.entity).get(record[via.field]);
  if (!named) return ENTITIES[entity].moniker(record);
  const owner = via.fromRecord
    ? via.fromRecord(named)
    : via.fromMoniker(expectedMoniker(api, sandbox, via.entity, named));
  return ENTITIES[entity].moniker(record, owner);
}

/** The credential that must never be printed or written. */
const credential = (api: Api, sandbox: Sandbox) =>
  api === "v1" ? sandbox.apiKey : sandbox.clientSecret;

/**
 * Entity commands run as a spawned process (the rest of the walk runs the same entry point in
 * this process): a core list, lists sharing a path with fixed parameters (v3 degrees), with two
 * listings (v3 job posts), and v3's longest moniker chain.
 */
const SPAWNED = new Set(["candidates", "degrees", "job_posts", "scorecard_question_answers"]);

// One suite, run against both API versions: the behaviour users see is the same.
for (const api of APIS) {
  Deno.test(`every entity command writes exactly what the sandbox serves (${api})`, async () => {
    // A frozen sandbox clock keeps signed attachment URLs identical between serving and comparing.
    // The smallest tenant in which every list of both versions has records.
    await using sandbox = await startSandboxDisposable({ candidates: 20, clock: frozenClock() });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      for (const entity of entityNamesFor(api)) {
        const result = SPAWNED.has(entity)
          ? await runCli([entity, "--quiet"], { root, env })
          : await runInProcess(
            [entity, "--quiet", "--cache-dir", join(root, "greenhouse-cache")],
            env,
          );
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`^${entity}: \\d+ records written`));
        assert.equal(result.stderr, "");

        const expected = sandbox.served(api, entity);
        assert.ok(expected.length > 0, entity);
        const { files, index } = await readEntityFolder(join(root, "greenhouse-cache", entity));
        assert.equal(files.size, expected.length, entity);
        for (const record of expected) {
          assert.deepEqual(files.get(record.id), record, `${entity} ${record.id}`);
        }

        // The folder's schema names the version its records came from.
        const schema = await Deno.readTextFile(
          join(root, "greenhouse-cache", entity, SCHEMA_FILE),
        );
        assert.equal(schema, publishedSchema(entity, api), entity);

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
            expectedMoniker(api, sandbox, entity, byId.get(row.id)!),
            `${entity} ${row.id}`,
          );
          if (entity === "scorecards") assert.match(row.moniker, /^\d+$/, "names its candidate");
          assert.match(row.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
      }
      // Each listing asked its version's path, with the entity's fixed parameters on the first
      // page; v1's next-only lists were never sent a page number.
      for (const entity of entityNamesFor(api)) {
        const path = `/${api}${ENTITIES[entity].paths[api]}`;
        const asked = sandbox.log.filter((e) => e.path.split("?")[0] === path);
        assert.ok(asked.length > 0, path);
        // A first page carries them all (degrees, schools and disciplines share v3's path),
        // for each variant of the listing (v3 job posts: active, then deleted).
        const firstPages = asked.map((e) => new URL(e.path, "http://x").searchParams)
          .filter((query) => !query.has("cursor"));
        for (const listing of entityListings(ENTITIES[entity], { version: api })) {
          const wanted = Object.entries(listing);
          assert.ok(
            firstPages.some((query) => wanted.every(([key, value]) => query.get(key) === value)),
            `${entity}: ${JSON.stringify(wanted)}`,
          );
        }
      }
      if (api === "v1") {
        for (const path of ["/v1/user_roles", "/v1/custom_fields", "/v1/demographics/answers"]) {
          const asked = sandbox.log.filter((e) => e.path.startsWith(`${path}?`));
          assert.ok(asked.length > 0, path);
          assert.ok(asked.every((e) => !/[?&]page=/.test(e.path)), path);
        }
      }
    });
  });

  Deno.test(`an entity command the version has no list for is a usage error (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({});
    await withTempDir(async (root) => {
      const missing = ENTITY_NAMES.filter((name) => ENTITIES[name].paths[api] === undefined);
      assert.equal(missing.length > 0, api === "v1");
      // The first as a spawned process, the others through the same entry point in this one.
      const cacheDir = ["--cache-dir", join(root, "greenhouse-cache")];
      for (const [i, entity] of missing.entries()) {
        const env = apiEnv(api, sandbox);
        const result = i === 0
          ? await runCli([entity], { root, env })
          : await runInProcess([entity, ...cacheDir], env);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`^error: ${entity}: Harvest v1 has no list of`));
      }
      assert.equal(sandbox.log.length, 0);
      assert.deepEqual([...Deno.readDirSync(root)], []);
    });
  });

  Deno.test(`creation-date filters are sent as UTC and select the documented bounds (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({ candidates: 80 });
    const all = sandbox.tenant.list("candidates").sort((a, b) => a.id - b.id);
    const after = all[10].created_at;
    const before = all[30].created_at;
    await withTempDir(async (root) => {
      const result = await runCli(["candidates", "-a", after, "--created-before", before, "-q"], {
        root,
        env: apiEnv(api, sandbox),
      });
      assert.equal(result.code, 0, result.stderr);
      const { files } = await readEntityFolder(join(root, "greenhouse-cache", "candidates"));
      // created_after is inclusive, created_before exclusive.
      assert.deepEqual([...files.keys()].sort((a, b) => a - b), all.slice(10, 30).map((r) => r.id));
      const listed = sandbox.log.find((entry) => entry.path.startsWith(`/${api}/candidates?`));
      assert.ok(listed);
      const params = new URL(listed.path, "http://x").searchParams;
      const [a, b] = [new Date(after).toISOString(), new Date(before).toISOString()];
      if (api === "v1") {
        assert.equal(params.get("created_after"), a);
        assert.equal(params.get("created_before"), b);
      } else {
        assert.deepEqual(params.getAll("created_at"), [`gte|${a}|lt|${b}`]);
      }
      assert.equal(params.get("per_page"), "500");
    });
  });

  Deno.test(`a re-run merges: no duplicate rows, and records a filtered run did not return stay (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({ candidates: 40 });
    const all = sandbox.tenant.list("candidates").sort((a, b) => a.id - b.id);
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
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
} // (the usage-error test below is version-independent)

Deno.test("usage errors exit 2 with one line, before any request or write", async () => {
  await using sandbox = await startSandboxDisposable({});
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    const v3 = apiEnv("v3", sandbox);
    const both = { ...env, ...v3 };
    const cases: [string[], RegExp, Record<string, string>][] = [
      [["candidates", "-a", "2022-13-45"], /"2022-13-45"/, env],
      [["candidates", "--rate-target", "5"], /--rate-target/, env],
      [["frobnicate"], /unknown command "frobnicate"/, env],
      [["candidates", "--nope"], /unknown option "--nope"/, env],
      [["candidates"], /GREENHOUSE_API_KEY/, { GREENHOUSE_BASE_URL: sandbox.url }],
      [["candidates", "--base-url", "http://10.1.2.3/v1"], /plain http/, env],
      [["candidates"], /GREENHOUSE_API_KEY.*GREENHOUSE_CLIENT_ID.*--api/, both],
      [["candidates"], /GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET/, {}],
      [["candidates"], /GREENHOUSE_CLIENT_SECRET is not set/, {
        GREENHOUSE_CLIENT_ID: sandbox.clientId,
      }],
      [["candidates", "--api", "v2"], /--api "v2" must be v1 or v3/, both],
      [["candidates"], /GREENHOUSE_API_VERSION "4" must be v1 or v3/, {
        ...both,
        GREENHOUSE_API_VERSION: "4",
      }],
      [["candidates", "--api", "v3"], /GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET/, env],
      [["candidates", "--auth-url", "http://10.1.2.3/token"], /--auth-url.*plain http/, v3],
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

Deno.test("the credentials select the version; both work with --api choosing", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 10 });
  await withTempDir(async (root) => {
    const both = { ...apiEnv("v1", sandbox), ...apiEnv("v3", sandbox) };
    // GREENHOUSE_BASE_URL is the v3 one here, so only --api v3 can succeed.
    const result = await runCli(["sources", "-q", "--api", "v3"], { root, env: both });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(sandbox.log.some((e) => e.path === "/token"));
    assert.ok(sandbox.log.some((e) => e.path.startsWith("/v3/sources?")));
  });
});

for (const api of APIS) {
  Deno.test(`a rejected credential fails at once with exit 1 and never prints it (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({});
    await withTempDir(async (root) => {
      const secret = "not-the-secret-0123456789abcdef";
      const result = await runCli(["jobs"], { root, env: apiEnv(api, sandbox, secret) });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        api === "v1"
          ? /rejected the API key \(401\)/
          : /refused the client credentials \(401 invalid_client\): the client id or secret is wrong/,
      );
      assert.equal(sandbox.log.length, 1, "no retries after a 401");
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.ok(!(result.stdout + result.stderr).includes(secret));
    });
  });

  Deno.test(`an endpoint the credential may not use fails once, naming what to grant (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({
      permissions: ["GET: List Jobs"],
      v3Scopes: ["harvest:jobs:list"],
    });
    await withTempDir(async (root) => {
      const result = await runCli(["offers"], { root, env: apiEnv(api, sandbox) });
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(
        result.stderr,
        api === "v1"
          ? /GET \/v1\/offers: Greenhouse refused access \(403\).*the API key lacks the permission "Get: List Offers"/
          : /GET \/v3\/offers: Greenhouse refused access \(403\).*the v3 credential lacks the scope harvest:offers:list/,
      );
      assert.match(result.stderr, /Dev Center/);
    });
  });

  Deno.test(`429s and server errors are retried and the extraction completes (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({ candidates: 30 });
    // Retry-After: 0 — retried at once; how long a 429 makes the client wait (Retry-After in each
    // form, X-RateLimit-Reset) is proven on an injected clock in tests/unit/harvest_client_test.ts.
    sandbox.faults.rate429 = { times: 2, retryAfter: "seconds", seconds: 0 };
    sandbox.faults.status5xx = { times: 2, status: 503 };
    await withTempDir(async (root) => {
      const result = await runCli(["candidates", "-q"], {
        root,
        env: apiEnv(api, sandbox),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /30 records written.*[1-9]\d* retr(y|ies)/);
      const { files } = await readEntityFolder(join(root, "greenhouse-cache", "candidates"));
      assert.equal(files.size, 30);
    });
  });

  Deno.test(`the credential never appears in output or in any cache file (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({ candidates: 20 });
    await withTempDir(async (root) => {
      const result = await runCli(["candidates"], {
        root,
        env: apiEnv(api, sandbox),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!(result.stdout + result.stderr).includes(credential(api, sandbox)));
      for await (const entry of Deno.readDir(join(root, "greenhouse-cache", "candidates"))) {
        const text = await Deno.readTextFile(
          join(root, "greenhouse-cache", "candidates", entry.name),
        );
        assert.ok(!text.includes(credential(api, sandbox)), entry.name);
      }
    });
  });

  Deno.test(`a second concurrent run is refused, naming the lock (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({});
    await withTempDir(async (root) => {
      const cacheDir = join(root, "greenhouse-cache");
      const { acquireLock } = await import("../../src/cache/lock.ts");
      await Deno.mkdir(cacheDir);
      const lock = await acquireLock(cacheDir);
      try {
        const result = await runCli(["sources"], {
          root,
          env: apiEnv(api, sandbox),
        });
        assert.equal(result.code, 1);
        assert.match(result.stderr, /locked/);
        assert.match(result.stderr, /lock file greenhouse-cache\/\.lock/);
      } finally {
        await lock.release();
      }
    });
  });

  Deno.test(`kill -9 mid-run leaves whole files and the next run completes the cache (${api})`, async () => {
    // Six pages of 20: the kill lands after a few pages are on disk, far from the end.
    await using sandbox = await startSandboxDisposable({ candidates: 120 });
    sandbox.faults.latencyMs = 100; // slow pages: the kill lands with half of them still to come
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      const paging = ["--per-page", "20"];
      const folder = join(root, "greenhouse-cache", "candidates");
      const child = cliCommand(["candidates", "-q", ...paging], { root, env }).spawn();
      // Kill once some pages are on disk but the listing is far from done.
      await waitFor(() => apiRequests(api, sandbox).length >= 3, "three pages requested");
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
      const rerun = await runCli(["candidates", "-q", ...paging], { root, env });
      assert.equal(rerun.code, 0, rerun.stderr);
      const { files, index } = await readEntityFolder(folder);
      assert.equal(files.size, 120);
      assert.equal(parseIndex(index).rows.length, 120);
      const leftovers = [...Deno.readDirSync(folder)].filter((e) =>
        !/^(\d+\.json|index\.csv)$/.test(e.name) && e.name !== SCHEMA_FILE
      );
      assert.deepEqual(leftovers, []);
    });
  });
}
