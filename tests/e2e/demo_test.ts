/** End to end: `demo` needs nothing but runs the whole extraction, on v3 unless asked for v1. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, withTempDir } from "./cli.ts";
import { ENTITY_NAMES, entityNamesFor } from "../../src/entities.ts";
import { SCHEMA_FILE } from "../../src/cache/layout.ts";

for (const [args, api] of [[[], "v3"], [["--api", "v1"], "v1"]] as const) {
  Deno.test(`demo ${args.join(" ") || "(no options)"} extracts every list Harvest ${api} has`, async () => {
    await withTempDir(async (root) => {
      const result = await runCli(["demo", "-q", ...args], { root, env: {} });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Sandbox serving .*/${api} \\(Harvest ${api}\\)`));
      // Every list the version has, each with its schema; nothing for the lists it lacks.
      for (const entity of ENTITY_NAMES) {
        const folder = join(root, "demo-cache", entity);
        if (entityNamesFor(api).includes(entity)) {
          assert.ok((await Deno.stat(join(folder, "index.csv"))).isFile, entity);
          assert.ok((await Deno.stat(join(folder, SCHEMA_FILE))).isFile, entity);
        } else {
          await assert.rejects(Deno.stat(folder), Deno.errors.NotFound, entity);
        }
      }
      assert.ok(entityNamesFor(api).includes("job_openings") === (api === "v3"));
    });
  });
}

Deno.test("demo --api v2 is a usage error, before anything is written", async () => {
  await withTempDir(async (root) => {
    const result = await runCli(["demo", "--api", "v2"], { root, env: {} });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'error: --api "v2" must be v3 or v1\n');
    assert.deepEqual([...Deno.readDirSync(root)], []);
  });
});
