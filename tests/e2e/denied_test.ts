/**
 * End to end: permissions the run lacks are named once, at once. A file host outside --allow-net
 * stops the attachments step with one line naming the host and how to allow it (no retries, no
 * request); a GREENHOUSE_* variable outside --allow-env is named as unreadable, not taken as
 * unset.
 */
import assert from "node:assert/strict";
import { auditCache, runCli, scopedPermissions, setUpCache, withTempDir } from "./cli.ts";
import { apiEnv } from "./api.ts";
import { startSandboxDisposable } from "./sandbox.ts";

Deno.test("a file host this run may not reach fails the attachments step once, at once, naming the host and how to allow it", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 20, rateLimit: 0 });
  // Files are listed on a public host name outside --allow-net (nothing there is ever contacted).
  const port = new URL(sandbox.url).port;
  sandbox.tenant.fileOrigin = `http://files.example.com:${port}`;
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const files = () => sandbox.log.filter((e) => e.path.startsWith("/files/")).length;

    const result = await runCli(["attachments", "-q"], { root, env });
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      new RegExp(`^error: this build may not connect to "files\\.example\\.com:${port}"`),
    );
    assert.match(lines[0], /deno task compile --also-host files\.example\.com`/);
    assert.doesNotMatch(result.stderr, /attempts|run again with the --allow-net flag/);
    assert.equal(files(), 0, "no file was requested");
    // Nothing half-done is left behind: check reports no incomplete attachment folder.
    const check = await auditCache(root);
    assert.equal(check.code, 0, check.stdout);

    // In sync (--full: every cached candidate), the step fails with the same line; the others do not.
    const sync = await runCli(["sync", "--full", "--json", "-q"], { root, env });
    assert.equal(sync.code, 1, sync.stderr);
    const summary = JSON.parse(sync.stdout);
    assert.deepEqual(summary.failed, ["attachments"]);
    const step = summary.steps.find((s: { step: string }) => s.step === "attachments");
    assert.match(step.error, new RegExp(`may not connect to "files\\.example\\.com:${port}"`));
    assert.equal(files(), 0);
  });
});

Deno.test("a v3 token host this run may not reach fails at once, naming it, without retries", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 5 });
  await withTempDir(async (root) => {
    const port = new URL(sandbox.authUrl).port;
    const env = { ...apiEnv("v3", sandbox), GREENHOUSE_AUTH_URL: `http://localhost:${port}/token` };
    const result = await runCli(["candidates"], { root, env });
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], new RegExp(`^error: this build may not connect to "localhost:${port}"`));
    assert.match(lines[0], /deno task compile --also-host localhost`/);
    assert.doesNotMatch(result.stderr, /attempts|network error/);
    assert.equal(sandbox.log.length, 0, "nothing was sent");
  });
});

Deno.test("a GREENHOUSE_* variable this run may not read is named as unreadable, not taken for unset", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 5 });
  await withTempDir(async (root) => {
    // v3 credentials in the environment, but --allow-env leaves them out.
    const permissions = scopedPermissions(root).map((flag) =>
      flag.startsWith("--allow-env=")
        ? "--allow-env=GREENHOUSE_BASE_URL,GREENHOUSE_CACHE_DIR,GREENHOUSE_API_VERSION," +
          "GREENHOUSE_API_KEY,GREENHOUSE_PROGRESS_INTERVAL,NO_COLOR"
        : flag
    );
    const result = await runCli(["candidates"], { root, env: apiEnv("v3", sandbox), permissions });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr.trimEnd().split("\n").length,
      1,
      result.stderr,
    );
    assert.match(
      result.stderr,
      /^error: GREENHOUSE_CLIENT_ID: this run may not read it \(--allow-env\), so whether it is set is unknown; allow the tool's variables with --allow-env=GREENHOUSE_\*/,
    );
    assert.doesNotMatch(result.stderr, /no Harvest credentials/);
    assert.equal(sandbox.log.length, 0, "nothing was sent");
    assert.deepEqual([...Deno.readDirSync(root)], [], "nothing was written");
  });
});
