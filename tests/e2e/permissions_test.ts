/**
 * The binary's permission set, proven through `deno run` with exactly the flags `deno task compile`
 * bakes in (scripts/permissions.ts): every command works inside it, and anything outside it is
 * refused with one clear line, exit 1, no stack trace. The working directory is a temp folder, so
 * the relative `./greenhouse-cache` lands inside it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { entityNamesFor } from "../../src/entities.ts";
import { permissionFlags, V8_FLAGS } from "../../scripts/permissions.ts";
import { type CliResult, runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";

/** Exactly what `deno task compile` bakes into the binary. */
const BINARY_FLAGS = [V8_FLAGS, ...permissionFlags()];

interface AllowedRun {
  args: string[];
  /** What stdout must show; the exit code must be 0 and stderr empty. */
  stdout: RegExp;
  /** More to check in stdout. */
  check?: (stdout: string) => void;
}

/** The entity commands run one by one below; sync runs every entity's list (see allowedRuns). */
const ENTITY_COMMANDS = ["candidates", "demographic_answers"];

/**
 * Commands that must work inside the binary's permissions, run in this order in one temp folder
 * against one sandbox. A new command is one line here. The entity commands differ only in the
 * list they read and the folder they write (both under what every entity command may reach):
 * `sync` runs each entity's list inside the permission set, and each entity step must succeed;
 * two entity commands (a plain list and a nested, next-link-only one) run on their own.
 */
const allowedRuns = (email: string): AllowedRun[] => [
  { args: ["--version"], stdout: /^greenhouse-extractor \d+\.\d+\.\d+/ },
  { args: ["--help"], stdout: /candidates/ },
  {
    args: ["sync", "-q", "--json", "--skip", "activity_feeds,attachments"],
    stdout: /"ok": true/,
    check: (stdout) => {
      const steps = JSON.parse(stdout).steps as { step: string; status: string }[];
      for (const entity of entityNamesFor("v1")) {
        const step = steps.find((s) => s.step === entity);
        assert.equal(step?.status, "ok", `sync's ${entity} step: ${JSON.stringify(step)}`);
      }
    },
  },
  ...ENTITY_COMMANDS.map((entity) => ({
    args: [entity, "-q"],
    stdout: new RegExp(`^${entity}: \\d+ records written`),
  })),
  { args: ["activity_feeds", "-q"], stdout: /^activity_feeds: \d+ feeds written/ },
  { args: ["attachments", "-q"], stdout: /^attachments: \d+ files downloaded/ },
  { args: ["sync", "-q"], stdout: /sync complete/ },
  { args: ["check", "--verify"], stdout: /0 integrity problems/ },
  { args: ["ping"], stdout: /usable/i },
  {
    args: ["doctor", "-q", "--report", "greenhouse-cache/doctor.json"],
    stdout: /^doctor: a nightly sync would work/m,
  },
  {
    args: [
      "access",
      "--email",
      email,
      "--out",
      "./greenhouse-access/request-1",
      "--include-activity",
      "--include-attachments",
    ],
    stdout: /^access: 1 candidate/,
  },
  {
    args: ["erase", "--email", email, "--mode", "delete", "--dry-run"],
    stdout: /DELETE \S+\/v1\/candidates\/\d+/,
  },
  ...["ndjson", "csv", "parquet"].map((format) => ({
    args: ["export", "--format", format, "-q"],
    stdout: new RegExp(`export complete: ${entityNamesFor("v1").length} ${format} file`),
  })),
  // Writes the privacy key (owner-only, hard-linked into place), the log and the tombstones.
  {
    args: [
      "erase",
      "--email",
      email,
      "--mode",
      "anonymize",
      "--anonymize-fields",
      "default",
      "--yes",
    ],
    stdout: /erase: 1 of 1 candidates anonymized/,
  },
  { args: ["erase", "--lookup", "--email", email], stdout: /1 entry of .* names this address/ },
  // v1's fewer lists: the same folder and loopback as the default v3 demo (tests/e2e/demo_test.ts).
  { args: ["demo", "-q", "--api", "v1"], stdout: /Done\. Look inside \.\/demo-cache/ },
];

Deno.test("every command works inside the binary's permission set", async () => {
  // Unlimited: back-to-back runs would otherwise wait (and say so) for the window another left.
  await using sandbox = await startSandboxDisposable({ candidates: 20, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = {
      GREENHOUSE_BASE_URL: sandbox.url,
      GREENHOUSE_API_KEY: sandbox.apiKey,
      GREENHOUSE_ON_BEHALF_OF: String(sandbox.tenant.userIds()[0]),
    };
    const [candidate] = sandbox.tenant.list("candidates");
    for (const run of allowedRuns(candidate.email_addresses[0].value)) {
      const result = await runCli(run.args, { root, env, permissions: BINARY_FLAGS });
      const what = run.args.join(" ");
      assert.equal(result.code, 0, `${what}: ${result.stderr}`);
      assert.equal(result.stderr, "", what);
      assert.match(result.stdout, run.stdout, what);
      run.check?.(result.stdout);
    }
    for (const entity of entityNamesFor("v1")) {
      const index = await Deno.readTextFile(join(root, "greenhouse-cache", entity, "index.csv"));
      assert.equal(index.split("\r\n")[0], "id,moniker,timestamp", entity);
    }
    assert.ok((await Deno.stat(join(root, "demo-cache", "candidates", "index.csv"))).isFile);
    assert.ok((await Deno.stat(join(root, "greenhouse-export", "candidates.parquet"))).isFile);
  });
});

/** Exit 1, one line on stderr naming the flag and the path or host, no stack trace. */
function assertRefused(result: CliResult, flag: string, target: string) {
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stdout, /records written/);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0].startsWith("error: "), result.stderr);
  assert.ok(lines[0].includes(flag), `names ${flag}: ${result.stderr}`);
  assert.ok(lines[0].includes(`"${target}`), `names ${target}: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+|unexpected internal error|run again with/);
}

Deno.test("writing outside the allowed folders is refused with one clear line", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 5 });
  await withTempDir(async (parent) => {
    const root = join(parent, "work");
    await Deno.mkdir(root);
    const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
    const elsewhere = join(parent, "elsewhere");
    const cases: [string[], Record<string, string>, string][] = [
      [["candidates", "--cache-dir", elsewhere], env, elsewhere],
      [["candidates", "--cache-dir", "../outside"], env, "../outside"],
      [["jobs"], { ...env, GREENHOUSE_CACHE_DIR: "./not-the-cache" }, "./not-the-cache"],
      [["demo", "--cache-dir", "./other-demo"], env, "./other-demo"],
    ];
    for (const [args, caseEnv, target] of cases) {
      const result = await runCli(args, { root, env: caseEnv, permissions: BINARY_FLAGS });
      assertRefused(result, "--allow-write", target);
    }
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["work"]);
    assert.deepEqual([...Deno.readDirSync(root)], []);
    // Refused before any request: nothing reached the sandbox.
    assert.equal(sandbox.log.filter((e) => e.path.startsWith("/v1/")).length, 0);
  });
});

Deno.test("a host outside the list is refused at once, without retries", async () => {
  await withTempDir(async (root) => {
    const result = await runCli(["candidates", "--base-url", "https://api.example.com/v1"], {
      root,
      env: { GREENHOUSE_API_KEY: "not-a-real-key" },
      permissions: BINARY_FLAGS,
    });
    assertRefused(result, "--allow-net", "api.example.com:443");
    assert.doesNotMatch(result.stderr, /attempts|not-a-real-key/);
  });
});

Deno.test("reading a variable outside --allow-env reads as unset instead of crashing", async () => {
  const context = new URL("../../src/cli/context.ts", import.meta.url).href;
  await withTempDir(async (root) => {
    const script = join(root, "probe.ts");
    await Deno.writeTextFile(
      script,
      `import { readEnv } from ${JSON.stringify(context)};\n` +
        `console.log(JSON.stringify([readEnv("HOME"), readEnv("GREENHOUSE_PROBE")]));\n`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...BINARY_FLAGS, `--allow-read=${fileURLToPath(context)},${script}`, script],
      env: { HOME: "/home/someone", GREENHOUSE_PROBE: "seen", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), [null, "seen"]);
  });
});
