/**
 * End to end: credentials Greenhouse refuses stop every command that authenticates on the first
 * answer, with one line naming the variable to check. A refusal is not transient: no retry, no
 * second token request, no further step of a sync, no other candidate (issue 19, point 5).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Sandbox } from "../../src/sandbox/mod.ts";
import { runCli, withTempDir } from "./cli.ts";
import { type Api, apiEnv } from "./api.ts";
import { startSandboxDisposable } from "./sandbox.ts";

/** Every command that authenticates, as a user would run it against a cache of candidates. */
function authenticating(sandbox: Sandbox): string[][] {
  const userId = sandbox.tenant.list("users")[0].id;
  return [
    ["candidates", "-q"],
    ["job_posts", "-q"],
    ["sync", "-q"],
    ["sync", "--only", "departments,activity_feeds", "-q"],
    ["activity_feeds", "-q"],
    ["attachments", "-q"],
    ["ping"],
    ["access", "--email", "someone@example.com"],
    [
      "erase",
      "--email",
      "someone@example.com",
      "--mode",
      "delete",
      "--on-behalf-of",
      `${userId}`,
      "--yes",
    ],
    ["check", "--repair", "-q"],
  ];
}

/**
 * A cache with candidates and one record file missing, so that every command above has work that
 * needs the API (check --repair re-fetches the missing record).
 */
async function cacheWithWork(root: string, env: Record<string, string>): Promise<void> {
  const first = await runCli(["candidates", "-q"], { root, env });
  assert.equal(first.code, 0, first.stderr);
  const folder = join(root, "greenhouse-cache", "candidates");
  const file = [...Deno.readDirSync(folder)].find((e) => /^\d+\.json$/.test(e.name))!;
  await Deno.remove(join(folder, file.name));
}

/** Runs `args`; it must fail with one line on stderr and send exactly the requests `expect` allows. */
async function assertStopsAtOnce(
  sandbox: Sandbox,
  args: string[],
  opts: { root: string; env: Record<string, string>; api: Api; line: RegExp },
): Promise<string> {
  const before = sandbox.log.length;
  const result = await runCli(args, { root: opts.root, env: opts.env });
  const what = `${args.join(" ")}: ${result.stderr}`;
  assert.equal(result.code, 1, what);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, what);
  assert.match(lines[0], opts.line, what);
  const sent = sandbox.log.slice(before);
  // v3: one token request and nothing else; v1: one API request, refused with 401.
  assert.equal(sent.length, 1, `${args.join(" ")} sent ${sent.map((e) => e.path).join(", ")}`);
  if (opts.api === "v3") assert.equal(sent[0].path, "/token");
  else assert.equal(sent[0].status, 401);
  return lines[0];
}

Deno.test("v3 credentials the token endpoint refuses stop every command on the first answer, naming the variable", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 4, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    await cacheWithWork(root, env);
    sandbox.faults.tokenRefusal = { every: 1, error: "invalid_client" };
    for (const args of authenticating(sandbox)) {
      await assertStopsAtOnce(sandbox, args, {
        root,
        env,
        api: "v3",
        line:
          /^error: POST http:\/\/127\.0\.0\.1:\d+\/token: Greenhouse refused the client credentials \(401 invalid_client\): the client id or secret is wrong; check GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET/,
      });
    }
    // Every OAuth error code: one line each, naming what to check, never the secret.
    const codes: [string, 400 | 401, RegExp][] = [
      ["invalid_request", 400, /GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET/],
      ["unauthorized_client", 400, /check that GREENHOUSE_CLIENT_ID names an active/],
      ["invalid_grant", 400, /GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET name an active/],
      ["invalid_grant", 401, /GREENHOUSE_CLIENT_ID and GREENHOUSE_CLIENT_SECRET name an active/],
      ["invalid_scope", 400, /scopes of the credential in GREENHOUSE_CLIENT_ID/],
      ["unsupported_grant_type", 400, /--auth-url \(GREENHOUSE_AUTH_URL\)/],
    ];
    for (const [error, status, advice] of codes) {
      sandbox.faults.tokenRefusal = { every: 1, error, status };
      const said = `\\(${status} ${error}\\)`;
      const line = await assertStopsAtOnce(sandbox, ["sync", "-q"], {
        root,
        env,
        api: "v3",
        line: new RegExp(`^error: POST \\S+/token: Greenhouse refused the \\S+ \\S+ ${said}: `),
      });
      assert.match(line, advice, error);
      assert.ok(!line.includes(sandbox.clientSecret));
    }
  });
});

Deno.test("a v1 API key answered 401 stops every command on the first answer, naming GREENHOUSE_API_KEY", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 4, rateLimit: 0 });
  await withTempDir(async (root) => {
    await cacheWithWork(root, apiEnv("v1", sandbox));
    const env = apiEnv("v1", sandbox, "revoked-key");
    // attachments on v1 downloads from the file host with the cached URLs: it needs no key.
    const commands = authenticating(sandbox).filter(([command]) => command !== "attachments");
    for (const args of commands) {
      await assertStopsAtOnce(sandbox, args, {
        root,
        env,
        api: "v1",
        line: /^error: .*\(401\).*GREENHOUSE_API_KEY/,
      });
    }
  });
});
