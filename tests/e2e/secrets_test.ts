/**
 * Secrets stay secret end to end: the sandbox echoes every credential, in every spelling
 * (src/sandbox/echo.ts), in 400, 401, 403, 422 and 500 answers of the v1 API, the v3 API and the
 * v3 token endpoint; the real CLI runs `sync --json` with a step summary (spawned; the 500s, which
 * are retried with backoff, through main.ts's cli() with an injected clock), and not one piece of
 * a secret (tests/support.ts `leakChecker`: 8 characters of any spelling) reaches stdout, stderr,
 * the summary or any file of the cache.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { apiEnv, CORE_LISTS, skipAllBut } from "./api.ts";
import { runCli, runInProcess, withTempDir } from "./cli.ts";
import { ManualClock } from "../../src/clock.ts";
import { startSandboxDisposable } from "./sandbox.ts";
import { fileTree, leakChecker } from "../support.ts";

const V1_KEY = "a7183e1b7e9ab09b8a5cfa87d1934c3c";
const CLIENT_ID = "ghx-client-4417-1";
const CLIENT_SECRET = "Zq8rT2-wKf7yN3pLx9Vb4sHd";
const STATUSES = [400, 401, 403, 422, 500] as const;
type Target = "v1" | "v3" | "token";

/**
 * One step of each kind a failure passes through: the core lists (a failure), two optional
 * reference lists (a 403 there is a warning, not a failure, in a default sync: --skip keeps them
 * unnamed), the deletions step and the candidate-dependent steps. The other lists fail exactly
 * as these do and would only repeat the same lines.
 */
const KEPT: readonly string[] = [...CORE_LISTS, "departments", "users"];

/** One `sync --json` against a sandbox whose `target` echoes the credentials with `status`. */
async function echoRun(target: Target, status: number) {
  await using sandbox = await startSandboxDisposable({
    candidates: 3,
    rateLimit: 0,
    apiKey: V1_KEY,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenShape: "jwt",
    refreshTokens: true,
  });
  sandbox.faults.echoCredentials = {
    every: 1,
    status,
    offset: 0,
    at: target === "token" ? "token" : "api",
    json: status === 422 || status === 403,
  };
  const api = target === "v1" ? "v1" : "v3";
  await withTempDir(async (root) => {
    const env = { ...apiEnv(api, sandbox), GITHUB_STEP_SUMMARY: join(root, "summary.md") };
    // A 500 is retried with backoff, which a spawned CLI would wait out in real seconds: that
    // run goes through main.ts's cli() in this process with its clock injected (the retries
    // happen, their waits are instant). One step is enough there.
    const result = status === 500
      ? await runInProcess(
        ["sync", "--json", "--only", "candidates", "--cache-dir", join(root, "greenhouse-cache")],
        env,
        new ManualClock(Date.now()),
      )
      : await runCli(["sync", "--json", ...skipAllBut(api, KEPT)], { root, env });
    const what = `${target} ${status}`;
    assert.equal(result.code, 1, `${what}: ${result.stderr}`);
    const shown: [string, string][] = [["stdout", result.stdout], ["stderr", result.stderr]];
    for (const path of await fileTree(root)) {
      shown.push([path, new TextDecoder().decode(await Deno.readFile(join(root, path)))]);
    }
    assert.ok(shown.some(([name]) => name === "summary.md"), `${what}: a step summary`);
    const secrets = api === "v1"
      ? [V1_KEY, btoa(`${V1_KEY}:`)]
      : [CLIENT_SECRET, btoa(`${CLIENT_ID}:${CLIENT_SECRET}`), ...sandbox.v3.auth.issued()];
    if (target === "v3") assert.ok(sandbox.v3.auth.issued().length >= 2, "tokens and refresh");
    for (const [name, text] of shown) {
      const leaked = leakChecker(text);
      for (const secret of secrets) {
        const piece = leaked(secret);
        assert.equal(piece, undefined, `${what}: "${piece}" of ${secret.slice(0, 4)}… in ${name}`);
      }
    }
    // The echo was shown, redacted: the test sees the redaction work, not a message without it
    // (a 401 from the token endpoint is reported without the server's words).
    if (!(target === "token" && status === 401)) {
      assert.match(result.stdout, /\[redacted\]/, `${what}: ${result.stdout}`);
    }
    const echoed = sandbox.log.filter((e) => e.status === status).length;
    assert.ok(echoed >= (status === 500 ? 5 : 1), `${what}: ${echoed} echoes`);
  });
}

Deno.test("no piece of a secret echoed in 400/401/403/422/500 answers of v1, v3 or the token endpoint shows anywhere", async () => {
  // 5 runs at a time.
  const cases = STATUSES.flatMap((status) =>
    (["v1", "v3", "token"] as const).map((target) => () => echoRun(target, status))
  );
  await Promise.all(Array.from({ length: 5 }, async () => {
    for (let next = cases.shift(); next; next = cases.shift()) await next();
  }));
});
