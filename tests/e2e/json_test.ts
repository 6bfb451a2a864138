/**
 * `--json` means one JSON document on stdout, whatever happens: every command `--help` lists is
 * run with `--json` on success, on a usage error and on a forced run-time failure, and its stdout
 * must parse as one document with the shared envelope (src/summary.ts): `command`, `ok`,
 * `interrupted`, then `error` ({kind, message}) exactly when not ok; the exit codes stay 0, 2
 * and 1, and stderr keeps the one human line. The walk runs the CLI in this process (main.ts's
 * `cli`, the function the binary calls with the process's context) to stay fast over every
 * command; the spawned checks at the end hold the real process to the same.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli } from "../../main.ts";
import { systemClock } from "../../src/clock.ts";
import type { RunContext } from "../../src/context.ts";
import { ENTITIES, isEntityName } from "../../src/entities.ts";
import { apiEnv } from "./api.ts";
import { runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command line in this process. `stop` aborts the run's signal (as SIGINT would) once
 * stdout has something: how a test ends `sandbox`, which serves until stopped.
 */
async function inProcess(
  argv: string[],
  env: Record<string, string>,
  opts: { stop?: boolean; signal?: AbortController } = {},
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const controller = opts.signal ?? new AbortController();
  const ctx: RunContext = {
    env: (name) => env[name],
    out: (text) => {
      stdout += text;
      if (opts.stop) controller.abort();
    },
    err: (text) => {
      stderr += text;
    },
    stderrIsTerminal: false,
    stdinIsTerminal: false,
    readLine: () => Promise.resolve(null),
    clock: systemClock,
    signal: controller.signal,
  };
  const code = await cli(argv, ctx);
  return { code, stdout, stderr };
}

/** The envelope's members, in order; `error` comes fourth when the run did not succeed. */
const ENVELOPE = ["command", "ok", "interrupted"];
const SUMMARY = ["startedAt", "seconds", "requests", "failed", "steps"];

type Doc = Record<string, unknown> & {
  command: string | null;
  ok: boolean;
  interrupted: boolean;
  error?: { kind: string; message: string };
};

/** Stdout as exactly one JSON document with the envelope (JSON.parse refuses two). */
function oneDocument(run: Run, what: string): Doc {
  let doc: Doc;
  try {
    doc = JSON.parse(run.stdout);
  } catch (error) {
    throw new Error(`${what}: stdout is not one JSON document (${error}):\n${run.stdout}`);
  }
  assert.equal(typeof doc, "object", what);
  const keys = Object.keys(doc);
  assert.deepEqual(keys.slice(0, 3), ENVELOPE, what);
  assert.equal(keys[3] === "error", doc.ok === false, `${what}: error exactly when not ok`);
  return doc;
}

/** A successful run: exit 0, the whole envelope (with the summary's members), ok. */
function assertSuccess(run: Run, name: string): Doc {
  assert.equal(run.code, 0, `${name}: ${run.stderr}`);
  const doc = oneDocument(run, name);
  assert.equal(doc.command, name);
  assert.equal(doc.ok, true, name);
  assert.equal(doc.interrupted, false, name);
  assert.deepEqual(Object.keys(doc).slice(3, 3 + SUMMARY.length), SUMMARY, name);
  assert.ok(Array.isArray(doc.steps) && doc.steps.length > 0, name);
  return doc;
}

/** A failed run: its exit code, one document naming the kind, the human line on stderr. */
function assertFailure(run: Run, name: string, kind: "usage" | "run", code: number): Doc {
  assert.equal(run.code, code, `${name} (${kind}): ${run.stderr}\n${run.stdout}`);
  const doc = oneDocument(run, `${name} (${kind})`);
  assert.equal(doc.command, name);
  assert.equal(doc.ok, false);
  assert.equal(doc.error?.kind, kind, name);
  assert.ok(doc.error!.message.length > 0, name);
  assert.ok(
    run.stderr.includes(doc.error!.message.split("\n")[0]),
    `${name} (${kind}): stderr keeps the line: ${run.stderr}`,
  );
  return doc;
}

/** The command names `--help` lists, in its order. */
async function helpCommands(): Promise<string[]> {
  const help = await inProcess(["--help"], {});
  assert.equal(help.code, 0);
  const names = [...help.stdout.matchAll(/^ {2}([a-z_]+) {2,}\S/gm)].map((m) => m[1]);
  assert.ok(names.length > 20, help.stdout);
  return names;
}

/** Arguments that make each command succeed against the sandbox (entity commands: none). */
function successArgs(
  name: string,
  root: string,
  email: string,
): { args: string[]; stop?: boolean } {
  switch (name) {
    case "export":
      return { args: ["--format", "ndjson", "--out", join(root, "out"), "-q"] };
    case "ping":
    case "check":
      return { args: [] };
    case "access":
      return { args: ["--email", email] };
    case "erase":
      return { args: ["--email", email, "--mode", "delete", "--yes"] };
    case "demo":
      return { args: ["--cache-dir", join(root, "demo"), "--api", "v1", "-q"] }; // fewer lists
    case "sandbox":
      return { args: ["--candidates", "2"], stop: true };
    default:
      return { args: ["-q"] };
  }
}

/** Arguments (and environment) that make each command fail at run time, before or after asking. */
function failureArgs(
  name: string,
  root: string,
  sandbox: TestSandbox,
  env: Record<string, string>,
): { args: string[]; env: Record<string, string> } {
  const badSecret = { ...env, ...apiEnv("v3", sandbox, "not-the-secret") };
  const empty = ["--cache-dir", join(root, "empty")];
  switch (name) {
    case "activity_feeds":
    case "attachments":
      return { args: empty, env }; // no cached candidates to work from
    case "export":
      return { args: ["--format", "csv", "--out", join(root, "out2"), ...empty], env };
    case "check":
      return { args: empty, env };
    case "demo": // a file where the demo cache should go
      return { args: ["--cache-dir", join(root, "a-file")], env };
    case "sandbox": // the port the test's sandbox holds
      return { args: ["--port", new URL(sandbox.url).port], env };
    case "access":
      return { args: ["--email", "x@example.com"], env: badSecret };
    case "erase":
      return { args: ["--email", "x@example.com", "--mode", "delete", "--yes"], env: badSecret };
    default:
      return { args: [], env: badSecret };
  }
}

Deno.test("--json: every command in --help prints one JSON document on success, usage error and run failure", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 4,
    rateLimit: 0,
    v3RateLimit: 0,
  });
  await withTempDir(async (root) => {
    await Deno.writeTextFile(join(root, "a-file"), "");
    const cacheDir = join(root, "cache");
    const base = {
      GREENHOUSE_CACHE_DIR: cacheDir,
      GREENHOUSE_ON_BEHALF_OF: String(sandbox.tenant.userIds()[0]),
    };
    const envFor = (name: string) =>
      isEntityName(name) && ENTITIES[name].paths.v3 === undefined
        ? { ...base, ...apiEnv("v1", sandbox) }
        : { ...base, ...apiEnv("v3", sandbox) };
    // Candidates first: the dependent commands, access and erase work from the cache.
    const names = await helpCommands();
    const order = ["candidates", ...names.filter((n) => n !== "candidates" && n !== "erase")];
    const seen = new Set<string>();
    const email = sandbox.tenant.list("candidates")[2].email_addresses[0].value as string;
    for (const name of [...order, "erase"]) {
      const { args, stop } = successArgs(name, root, email);
      const run = await inProcess([name, ...args, "--json"], envFor(name), { stop });
      const doc = assertSuccess(run, name);
      seen.add(name);
      if (name === "access") assert.equal(typeof doc.bundle, "object", "access: the bundle");
      if (name === "sandbox") {
        assert.match(String((doc.v3 as { baseUrl: string }).baseUrl), /^http:\/\/127\.0\.0\.1:/);
        assert.ok(!run.stdout.includes(sandbox.clientSecret), "no credential in the document");
      }
      if (name === "demo" || name === "sandbox") continue;
      // Progress and notes never reach stdout: -q aside, stdout is the document alone.
      assert.ok(run.stdout.trimStart().startsWith("{"), name);
    }
    assert.deepEqual([...seen].sort(), [...names].sort());

    // erase --lookup reads the privacy log: a document too, naming what it found.
    const lookup = assertSuccess(
      await inProcess(["erase", "--lookup", "--email", email, "--json"], base),
      "erase",
    );
    assert.ok((lookup.entries as unknown[]).length >= 1);

    for (const name of names) {
      // A usage error found by the parser (the option is unknown), --json before or after it.
      const usage = await inProcess([name, "--json", "--no-such-option"], envFor(name));
      const doc = assertFailure(usage, name, "usage", 2);
      assert.equal(usage.stderr, `error: ${doc.error!.message}\n`);
      const after = await inProcess([name, "--no-such-option", "--json"], envFor(name));
      assertFailure(after, name, "usage", 2);

      const failing = failureArgs(name, root, sandbox, envFor(name));
      const run = await inProcess([name, ...failing.args, "--json"], failing.env);
      assertFailure(run, name, "run", 1);
    }
  });
});

Deno.test("--json: a run stopped by a signal says so in its document (kind interrupted, 130)", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 5, rateLimit: 0 });
  await withTempDir(async (root) => {
    const stopped = new AbortController();
    stopped.abort();
    const run = await inProcess(
      ["candidates", "--per-page", "1", "--json", "-q", "--cache-dir", join(root, "c")],
      apiEnv("v3", sandbox),
      { signal: stopped },
    );
    assert.equal(run.code, 130, run.stderr);
    const doc = oneDocument(run, "candidates");
    assert.equal(doc.interrupted, true);
    assert.deepEqual(doc.error, {
      kind: "interrupted",
      message: "interrupted; run again to continue",
    });
  });
});

Deno.test("--json in the real process: one document for a usage error, a run failure and a success", async () => {
  await withTempDir(async (root) => {
    const usage = await runCli(["sync", "--only", "nothing", "--json"], { root, env: {} });
    const doc = assertFailure(usage, "sync", "usage", 2);
    assert.equal(usage.stderr, `error: ${doc.error!.message}\n`);
    const unknown = await runCli(["nosuch", "--json"], { root, env: {} });
    assert.equal(unknown.code, 2);
    assert.equal(oneDocument(unknown, "nosuch").command, null);

    const run = await runCli(["check", "--json"], { root, env: {} });
    assertFailure(run, "check", "run", 1);

    await Deno.mkdir(join(root, "greenhouse-cache"));
    assertSuccess(await runCli(["check", "--json"], { root, env: {} }), "check");
  });
});
