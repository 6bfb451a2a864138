/**
 * End to end: refusals say what to do (issue 19, point 9). A 403 names the permission as
 * Greenhouse shows it (v1 Dev Center's "Get: List Job Posts", v3's scope); and every command,
 * walked from the --help table, answers a --cache-dir that is a file, a path through a file, a
 * missing folder or an empty one with its work or one line and exit 1 (2 for a usage error),
 * never a stack trace, and says a file is a file before any request.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCommandGroups } from "../../src/commands/mod.ts";
import type { RunContext } from "../../src/context.ts";
import { isEntityName } from "../../src/entities.ts";
import { cli } from "../../main.ts";
import { quietContext } from "../support.ts";
import { apiEnv, APIS } from "./api.ts";
import { runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

/** Every command, its module loaded (the CLI loads only the one argv names). */
const COMMAND_GROUPS = await loadCommandGroups();

for (const api of APIS) {
  Deno.test(`an entity command refused with 403 names the ${api === "v1" ? "permission" : "scope"} to grant (${api})`, async () => {
    const [posts, offers] = api === "v1"
      ? ['"Get: List Job Posts"', '"Get: List Offers"']
      : ["harvest:job_posts:list", "harvest:offers:list"];
    await using sandbox = await startSandboxDisposable({
      candidates: 4,
      rateLimit: 0,
      deniedPaths: ["/job_posts", "/offers"],
    });
    await withTempDir(async (root) => {
      for (const [command, permission] of [["job_posts", posts], ["offers", offers]]) {
        const result = await runCli([command, "-q"], { root, env: apiEnv(api, sandbox) });
        assert.equal(result.code, 1, result.stderr);
        const lines = result.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, result.stderr);
        const lacks = api === "v1"
          ? "the API key lacks the permission"
          : "the v3 credential lacks the scope";
        assert.ok(
          lines[0].startsWith(`error: GET /${api}/${command}: Greenhouse refused access (403)`),
          lines[0],
        );
        assert.ok(lines[0].includes(`; ${lacks} ${permission}: grant it in Greenhouse`), lines[0]);
      }
    });
  });
}

/** What each command needs besides --cache-dir to get as far as the cache (and the API). */
function variants(userId: number, root: string): string[][] {
  const email = ["--email", "nobody@example.com"];
  const extra: Record<string, string[][]> = {
    export: [["--format", "csv", "--out", join(root, "export")]],
    access: [email, [...email, "--out", join(root, "bundle")]],
    erase: [
      ["--lookup", ...email],
      [...email, "--mode", "delete", "--on-behalf-of", String(userId), "--yes"],
    ],
    check: [[], ["--repair"]],
  };
  return COMMAND_GROUPS.flatMap((group) => group.specs).flatMap((spec) =>
    (extra[spec.name] ?? [[]]).map((args) => [spec.name, ...args])
  );
}

/**
 * The entity commands extracted into a missing or an empty folder: a core list, a reference
 * list, one listed in two states (job_posts), a v3 list of its own and one a person is named in
 * only through a parent.
 */
const EXTRACTED = new Set(["candidates", "departments", "job_posts", "job_notes", "interviewers"]);

const KINDS = ["a file", "a path through a file", "a missing folder", "an empty folder"] as const;
type Kind = typeof KINDS[number];

/** A fresh --cache-dir of `kind` under `root` (absolute: the walk runs in this process). */
async function cacheDirOf(kind: Kind, root: string): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: root });
  switch (kind) {
    case "a file":
      await Deno.writeTextFile(join(dir, "cache"), "not a folder");
      return join(dir, "cache");
    case "a path through a file":
      await Deno.writeTextFile(join(dir, "file"), "not a folder");
      return join(dir, "file", "cache");
    case "a missing folder":
      return join(dir, "missing", "cache");
    case "an empty folder":
      await Deno.mkdir(join(dir, "cache"));
      return join(dir, "cache");
  }
}

/** One run of the CLI's own entry point (main.ts `cli`) in this process, its output kept. */
async function inProcess(args: string[], env: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const ctx: RunContext = {
    ...quietContext(),
    env: (name) => env[name],
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    signal: new AbortController().signal, // no signal listeners of its own
  };
  const code = await cli(args, ctx);
  return { code, stdout, stderr };
}

/** What a command must answer: its work, or one line (exit 1, or 2 for a usage error). */
function assertOneLine(result: { code: number; stderr: string }, what: string): void {
  assert.doesNotMatch(result.stderr, /unexpected internal error|\n\s+at /, what);
  if (result.code === 0) return;
  assert.ok(result.code === 1 || result.code === 2, what);
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, what);
  assert.match(result.stderr, /^error: /, what);
}

const FILE_PROBLEM: Partial<Record<Kind, string>> = {
  "a file": "is a file, not a folder",
  "a path through a file": "part of its path is a file, not a folder",
};

const takesCacheDir = (name: string) =>
  COMMAND_GROUPS.flatMap((group) => group.specs).some((spec) =>
    spec.name === name && "cache-dir" in spec.options
  );

Deno.test("every command answers a --cache-dir that is a file, under a file, missing or empty with its work or one line", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 2, rateLimit: 0 });
  const env = apiEnv("v3", sandbox);
  await withTempDir(async (root) => {
    const commands = variants(sandbox.tenant.list("users")[0].id, root);
    for (const name of EXTRACTED) assert.ok(commands.some(([command]) => command === name), name);
    for (const kind of KINDS) {
      for (const args of commands) {
        // demo extracts a whole synthetic tenant (seconds) into a folder it makes as the entity
        // commands do (openCache): only its refusals are walked. The entity commands are one
        // command over the entity table (extractSpec, runExtract): every one is walked through
        // the refusals, and a few of each kind of list through a full extraction.
        if (args[0] === "demo" && !FILE_PROBLEM[kind]) continue;
        if (isEntityName(args[0]) && !FILE_PROBLEM[kind] && !EXTRACTED.has(args[0])) continue;
        const requests = sandbox.log.length;
        const result = await inProcess([...args, "--cache-dir", await cacheDirOf(kind, root)], env);
        const what = `${args.join(" ")} with ${kind}: exit ${result.code}\n${result.stderr}`;
        assertOneLine(result, what);
        // ping and sandbox take no --cache-dir: a usage error.
        if (!takesCacheDir(args[0])) assert.equal(result.code, 2, what);
        else if (FILE_PROBLEM[kind]) {
          // Said exactly so, before any request.
          assert.equal(result.code, 1, what);
          assert.match(
            result.stderr,
            new RegExp(`^error: cache folder \\S+: ${FILE_PROBLEM[kind]}; `),
            what,
          );
          assert.equal(sandbox.log.length, requests, `${what}: no request`);
        }
      }
    }
  });
});

Deno.test("the commands that crashed on a --cache-dir that is a file say so in one line (the CLI, spawned)", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 2, rateLimit: 0 });
  const env = apiEnv("v3", sandbox);
  await withTempDir(async (root) => {
    await Deno.writeTextFile(join(root, "afile"), "not a folder");
    for (
      const args of [
        ["candidates"],
        ["activity_feeds"],
        ["attachments"],
        ["access", "--email", "x@example.com"],
        ["erase", "--lookup", "--email", "x@example.com"],
        ["check"],
      ]
    ) {
      const result = await runCli([...args, "--cache-dir", "afile"], { root, env });
      const what = `${args.join(" ")}: exit ${result.code}\n${result.stderr}`;
      assert.equal(result.code, 1, what);
      assert.equal(
        result.stderr,
        "error: cache folder afile: is a file, not a folder; point --cache-dir (or " +
          "GREENHOUSE_CACHE_DIR) at the cache folder, or at a path where one may be made\n",
        what,
      );
    }
    assert.deepEqual(sandbox.log, [], "no request was sent");
  });
});
