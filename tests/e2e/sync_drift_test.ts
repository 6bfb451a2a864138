/**
 * End to end: `sync` notices drift without failing. The sandbox adds a field to one list's
 * records and changes another field's type; sync names both per entity (a summary line, a `drift`
 * object in --json), still passes, and `check --strict` stays the gate.
 */
import assert from "node:assert/strict";
import type { EntityDrift } from "../../src/sync/drift.ts";
import { apiEnv, APIS, onlyCore } from "./api.ts";
import { runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

Deno.test("sync counts the fields the schema does not know and the records that break it, and passes", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 10,
    rateLimit: 0,
    // jobs: an integer field becomes text, and every record gains a field no schema knows.
    fieldDrift: [{
      path: "/jobs",
      add: { zz_new: { nested: "value" } },
      retype: ["requisition_id", "status"],
    }],
  });
  await withTempDir(async (root) => {
    // The seven: jobs drift, sources do not; the other lists are read by the same code.
    const steps = onlyCore();
    for (const api of APIS) {
      const env = apiEnv(api, sandbox);
      const json = await runCli(["sync", "--json", "-q", ...steps, "--cache-dir", `json-${api}`], {
        root,
        env,
      });
      assert.equal(json.code, 0, json.stderr);
      const summary = JSON.parse(json.stdout);
      assert.equal(summary.ok, true);
      const jobs = summary.drift.jobs as EntityDrift;
      const count = sandbox.served(api, "jobs").length;
      assert.equal(jobs.records, count);
      assert.deepEqual(jobs.fields, ["zz_new"]);
      assert.equal(jobs.unknownFields, 1);
      // status is text in both versions: retyped, it comes as a one-item list.
      assert.equal(jobs.brokenRecords, count);
      assert.ok(
        jobs.problems.some((p) => /^status: expected string( or null)?, got array$/.test(p)),
        jobs.problems.join("; "),
      );
      assert.ok(summary.steps.every((step: Record<string, unknown>) => !("drift" in step)));
      assert.equal(summary.drift.sources, undefined, "a list as documented is not named");
      if (api === "v1") continue; // the line and the gate are the same code on both versions

      const text = await runCli(["sync", "-q", ...steps, "--cache-dir", `text-${api}`], {
        root,
        env,
      });
      assert.equal(text.code, 0, text.stderr);
      const lines = text.stdout.trimEnd().split("\n");
      assert.match(
        text.stdout,
        new RegExp(
          `^drift: jobs: 1 field the schema does not know \\(zz_new\\); ${count} of ${count} ` +
            "records break it \\(.*status: expected string( or null)?, got array.*\\); check " +
            "--strict fails on them$",
          "m",
        ),
      );
      assert.match(lines.at(-1)!, /^sync complete: /);

      const strict = await runCli(["check", "--strict", "--cache-dir", `text-${api}`], {
        root,
        env,
      });
      assert.equal(strict.code, 1, "check --strict is the gate");
    }
  });
});
