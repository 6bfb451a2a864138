/**
 * End to end: what erase leaves in the cache and every later run honours (tombstones), and the
 * privacy commands searching the local cache, not only Greenhouse.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ACTIVITY_FEEDS_FOLDER,
  candidateAttachmentsDir,
  recordFileName,
  TOMBSTONES_FILE,
} from "../../src/cache/layout.ts";
import { APIS } from "./api.ts";
import { auditCache, runCli, runInProcess, withTempDir } from "./cli.ts";
import { exists } from "../support.ts";
import type { ApiRecord } from "../../src/entities.ts";
import {
  ADDRESS,
  CACHE,
  eraseArgs,
  fillCache,
  indexIds,
  privacyLog,
  privacySandbox,
  writes,
} from "./privacy_support.ts";

for (const api of APIS) {
  Deno.test(`after erase --mode anonymize, no later run downloads their résumé or feed again (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      const cache = join(root, CACHE);
      // Set-up, through the CLI's entry point in this process.
      const first = await runInProcess(["sync", "-q", "--cache-dir", cache], sandbox.env);
      assert.equal(first.code, 0, first.stderr);
      for (const id of sandbox.matched) {
        assert.ok(await exists(candidateAttachmentsDir(cache, id)), `no attachments for ${id}`);
        assert.ok(await exists(join(cache, ACTIVITY_FEEDS_FOLDER, recordFileName(id))));
      }

      const erase = await runCli(eraseArgs(sandbox, "anonymize"), { root, env: sandbox.env });
      assert.equal(erase.code, 0, erase.stderr);
      // Ids only, one per line, after a comment.
      const tombstones = await Deno.readTextFile(join(cache, TOMBSTONES_FILE));
      assert.deepEqual(
        tombstones.split("\n").filter((line) => line !== "" && !line.startsWith("#")),
        [...sandbox.matched].sort((a, b) => a - b).map(String),
      );
      assert.ok(!/[@a-z]{3,}@/i.test(tombstones.replace(/^#.*$/m, "")));

      // Greenhouse still serves their attachments and activity (PATCH does not remove them).
      const erased = new Set(sandbox.matched.map(String));
      sandbox.log.length = 0;
      for (const command of [["attachments"], ["activity_feeds"], ["sync"]]) {
        const result = await runCli(command, { root, env: sandbox.env });
        assert.equal(result.code, 0, `${command}: ${result.stderr}`);
        for (const id of sandbox.matched) {
          assert.equal(await exists(candidateAttachmentsDir(cache, id)), false, `${command} ${id}`);
          assert.equal(
            await exists(join(cache, ACTIVITY_FEEDS_FOLDER, recordFileName(id))),
            false,
            `${command} ${id}`,
          );
        }
      }
      // Not even asked for: no feed, note or attachment request names them.
      for (const entry of sandbox.log) {
        const url = new URL(entry.path, "http://x");
        const asked = [
          /\/candidates\/(\d+)\/activity_feed$/.exec(url.pathname)?.[1],
          ...(url.pathname.endsWith("/notes") || url.pathname.endsWith("/attachments")
            ? (url.searchParams.get("candidate_ids") ?? "").split(",")
            : []),
        ];
        assert.ok(!asked.some((id) => id !== undefined && erased.has(id)), entry.path);
      }
      // And check has nothing to say about the files they no longer have.
      const check = await auditCache(root);
      assert.equal(check.code, 0, check.stdout);
    });
  });
}

for (const api of APIS) {
  Deno.test(`access and erase find people only the cache still holds, and say so (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      const cache = join(root, CACHE);
      await fillCache(root, sandbox);
      const [kept, gone, changed] = sandbox.matched;
      const goneApps = sandbox.tenant.get("candidates", gone)!.application_ids as number[];
      // Deleted in Greenhouse by someone else; another one's address changed there.
      sandbox.tenant.deleteCandidate(gone);
      sandbox.tenant.patchCandidate(changed, {
        email_addresses: [{ value: "moved@example.org", type: "personal" }],
      });

      const out = join(root, "bundle");
      const access = await runCli(
        ["access", "--email", ADDRESS, "--out", out, "--include-activity", "--include-attachments"],
        { root, env: sandbox.env },
      );
      assert.equal(access.code, 0, access.stderr);
      assert.match(
        access.stdout,
        /access: 1 candidate from Greenhouse, .*; 2 more candidates only in the local cache \(\d+ applications?, /,
      );
      const found = JSON.parse(await Deno.readTextFile(join(out, "candidate_records.json")));
      assert.deepEqual(found.map((c: ApiRecord) => c.id), [kept]);
      const only = JSON.parse(await Deno.readTextFile(join(out, "cache_only.json")));
      assert.equal(only.cache_dir, `./${CACHE}`);
      assert.deepEqual(
        only.candidate_records.map((c: ApiRecord) => c.id),
        [gone, changed].sort((a, b) => a - b),
      );
      for (const app of goneApps) {
        assert.ok(only.apps_records.some((a: ApiRecord) => a.id === app), `application ${app}`);
      }
      assert.ok(
        only.apps_records.every((a: ApiRecord) => [gone, changed].includes(a.candidate_id)),
      );
      assert.deepEqual(
        only.activity_records.map((a: ApiRecord) => a.candidate_id).sort(),
        [gone, changed].sort(),
      );
      for (const id of [gone, changed]) {
        const copy = join(out, "attachments", String(id), "resume-2020", "cv.pdf");
        assert.equal(await Deno.readTextFile(copy), "bytes");
      }

      const dry = await runCli(eraseArgs(sandbox, "delete", "--dry-run"), {
        root,
        env: sandbox.env,
      });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^1 candidate has this address:\n/);
      assert.match(dry.stdout, /2 more only in the local cache/);
      assert.match(dry.stdout, new RegExp(`${gone}  .*gone from Greenhouse: would be purged`));
      assert.match(
        dry.stdout,
        new RegExp(`${changed}  .*without this address: the cached copy would be`),
      );

      const erase = await runCli(eraseArgs(sandbox, "delete"), { root, env: sandbox.env });
      assert.equal(erase.code, 0, erase.stderr);
      assert.match(
        erase.stdout,
        /erase: 1 of 1 candidates deleted; 2 found only in the local cache, updated there/,
      );
      assert.match(erase.stdout, new RegExp(`${gone}  only in the cache: gone from Greenhouse`));
      // Gone upstream: every cached trace goes, and they are never fetched again.
      assert.equal(await exists(join(cache, "candidates", recordFileName(gone))), false);
      assert.equal(await exists(candidateAttachmentsDir(cache, gone)), false);
      assert.equal(await exists(join(cache, ACTIVITY_FEEDS_FOLDER, recordFileName(gone))), false);
      assert.equal((await indexIds(root, "candidates")).has(gone), false);
      const apps = await indexIds(root, "applications");
      for (const app of goneApps) assert.equal(apps.has(app), false, `application ${app}`);
      const tombstones = await Deno.readTextFile(join(cache, TOMBSTONES_FILE));
      assert.ok(tombstones.split("\n").includes(String(gone)));
      assert.ok(!tombstones.split("\n").includes(String(changed)));
      // Changed upstream: the cached copy is Greenhouse's, which no longer holds the address.
      const cached = await Deno.readTextFile(join(cache, "candidates", recordFileName(changed)));
      assert.ok(!cached.toLowerCase().includes(ADDRESS.toLowerCase()));
      assert.ok(sandbox.tenant.get("candidates", changed), "changed upstream is not erased there");
      // Nothing of theirs is written upstream: only the API match is deleted there.
      assert.deepEqual(
        writes(sandbox).map((e) => `${e.method} ${e.path}`),
        [`DELETE /${api}/candidates/${kept}`],
      );
      const log = await privacyLog(root);
      assert.deepEqual(
        log.lines.map((l) => [l.candidate_id, l.result, l.cache, l.found_in]),
        [
          [kept, "deleted", "purged", "api"],
          ...[[gone, "gone upstream", "purged", "cache"], [
            changed,
            "changed upstream",
            "replaced",
            "cache",
          ]]
            .sort((a, b) => (a[0] as number) - (b[0] as number)),
        ],
      );
      // The next search finds nothing left in the cache.
      const again = await runCli(["access", "--email", ADDRESS], { root, env: sandbox.env });
      assert.equal(JSON.parse(again.stdout).cache_only.candidate_records.length, 0);
    });
  });
}
