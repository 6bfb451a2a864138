/**
 * `deno task start`, the README's main command, end to end: the real `deno task` runs
 * scripts/start.ts, which runs main.ts with the binary's permission set (scripts/permissions.ts)
 * for the folders the command line names. Against the sandbox: sync, export --out, access, demo,
 * sandbox and --help work; a write outside those folders is refused. The task runs in the
 * repository (deno task's working directory), so every path a test gives is absolute.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { permissionFlags, V8_FLAGS } from "../../scripts/permissions.ts";
import { startArgs } from "../../scripts/start.ts";
import { apiEnv } from "./api.ts";
import { type CliResult, denoEnvironment, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";
import { exists } from "../support.ts";

const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

function taskCommand(args: string[], env: Record<string, string>, piped = true): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", CONFIG, "start", ...args],
    clearEnv: true,
    env: { ...denoEnvironment(), ...env },
    stdin: "null",
    stdout: "piped",
    stderr: piped ? "piped" : "inherit",
  });
}

/** `deno task start ARGS`, as a user types it, with only `env` (and what Deno needs) set. */
async function task(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const output = await taskCommand(args, env).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("deno task start and demo may only start deno and read GREENHOUSE_CACHE_DIR", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(CONFIG)).tasks;
  const launcher =
    "deno run --no-prompt --allow-run=deno --allow-env=GREENHOUSE_CACHE_DIR scripts/start.ts";
  assert.equal(tasks.start, launcher);
  assert.equal(tasks.demo, `${launcher} demo`);
});

Deno.test("the launcher runs main.ts with the binary's flags for the folders the command names", () => {
  const run = (args: string[], env?: string) => startArgs(args, env);
  const tail = (args: string[]) => [MAIN, ...args];
  const expect = (args: string[], opts: Parameters<typeof permissionFlags>[0]) => [
    "run",
    "--config",
    CONFIG,
    V8_FLAGS,
    ...permissionFlags(opts),
    ...tail(args),
  ];
  assert.deepEqual(run(["sync"]), expect(["sync"], {}));
  assert.deepEqual(run(["sync"], "/data/gh"), expect(["sync"], { cacheDir: "/data/gh" }));
  assert.deepEqual(
    run(["check", "--cache-dir", "/a", "--cache-dir=/b"], "/data/gh"),
    expect(["check", "--cache-dir", "/a", "--cache-dir=/b"], { cacheDir: "/b" }),
    "the last --cache-dir wins, as in the tool",
  );
  assert.deepEqual(
    run(["export", "--format", "csv", "--out", "/w/out"]),
    expect(["export", "--format", "csv", "--out", "/w/out"], { extraPaths: ["/w/out"] }),
  );
  assert.deepEqual(run(["access", "--out", "/w/out"]), expect(["access", "--out", "/w/out"], {}));
  assert.deepEqual(run(["sync", "--", "--cache-dir", "/x"]).includes("--allow-write=/x"), false);
  for (const flag of run(["sync"])) assert.doesNotMatch(flag, /^--allow-[a-z]+$|^-A$|allow-all/);
});

Deno.test("deno task start syncs, exports and answers access against the sandbox; a write outside is refused", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 3, rateLimit: 0 });
  await withTempDir(async (root) => {
    const cache = join(root, "cache");
    const outside = join(root, "outside");
    await Deno.mkdir(outside);
    const env = {
      ...apiEnv("v3", sandbox),
      GREENHOUSE_CACHE_DIR: cache,
      GITHUB_STEP_SUMMARY: join(outside, "summary.md"),
    };
    const sync = await task(["sync", "--only", "candidates", "-q"], env);
    assert.equal(sync.code, 0, sync.stderr);
    assert.ok(await exists(join(cache, "candidates", "index.csv")), "the cache is written");
    // The step summary is a file outside the cache: the permission set refuses it.
    assert.match(
      sync.stderr,
      /^warning: could not append the summary to GITHUB_STEP_SUMMARY: .*Requires write access to ".*summary\.md"/m,
    );
    assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing written outside");

    const out = join(root, "exports");
    const exported = await task(["export", "--format", "ndjson", "--out", out, "-q"], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(await exists(join(out, "candidates.ndjson")));

    const email = sandbox.served("v3", "candidates")[0].email_addresses as { value: string }[];
    const access = await task(["access", "--email", email[0].value], env);
    assert.equal(access.code, 0, access.stderr);
    assert.ok(access.stdout.includes(email[0].value), access.stdout);
  });
});

Deno.test("deno task start --help and demo work under the scoped permissions", async () => {
  const help = await task(["--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^greenhouse-extractor /);
  await withTempDir(async (root) => {
    // v1's fewer lists: the launcher grants the same folder and loopback to either version, and
    // the default (v3) demo is tests/e2e/demo_test.ts's.
    const demo = await task(["demo", "--cache-dir", join(root, "demo"), "--api", "v1", "-q"]);
    assert.equal(demo.code, 0, demo.stderr);
    assert.ok(await exists(join(root, "demo", "candidates", "index.csv")));
  });
});

Deno.test({
  name:
    "deno task start sandbox serves until stopped; SIGTERM reaches the tool through the launcher",
  ignore: Deno.build.os === "windows", // no SIGTERM to pass on there
  fn: async () => {
    const child = taskCommand(["sandbox", "--candidates", "2"], {}, false).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let url: string | undefined;
    while (!url) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      url = /listening on (http:\/\/127\.0\.0\.1:\d+\/v3)/.exec(text)?.[1];
    }
    assert.ok(url, text);
    const answer = await fetch(`${url}/candidates`);
    await answer.body?.cancel();
    assert.equal(answer.status, 401, "the sandbox answers (no token sent)");
    child.kill("SIGTERM");
    await reader.cancel();
    // Should the SIGTERM not reach the tool, fail instead of waiting for ever.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const status = await child.status;
    clearTimeout(guard);
    // A sandbox ends on SIGTERM as it is meant to end: cleanly, exit 0 (docs/commands.md).
    assert.equal(status.code, 0, "the tool ended on the SIGTERM passed on to it");
    // The tool itself stopped, not just the launcher: nothing serves on its port any more.
    await assert.rejects(fetch(`${url}/candidates`), TypeError);
  },
});
