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
import { runCli, withTempDir } from "./cli.ts";
import { exists } from "../support.ts";
import { CACHE, eraseArgs, privacySandbox } from "./privacy_support.ts";

for (const api of APIS) {
  Deno.test(`after erase --mode anonymize, no later run downloads their résumé or feed again (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      const cache = join(root, CACHE);
      const first = await runCli(["sync", "-q"], { root, env: sandbox.env });
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
      const check = await runCli(["check"], { root });
      assert.equal(check.code, 0, check.stdout);
    });
  });
}
