import assert from "node:assert/strict";
import * as args from "../../src/cli/args.ts";
import { loadCommandGroups } from "../../src/commands/mod.ts";
import { UsageError } from "../../src/errors.ts";
import type { Env } from "../../src/context.ts";

/** Every command, its module loaded (the CLI loads only the one argv names). */
const COMMAND_GROUPS = await loadCommandGroups();

const parseCommand = (argv: string[], env: Env) => args.parseCommand(argv, env, COMMAND_GROUPS);
const helpText = (topic?: string) => args.helpText(COMMAND_GROUPS, topic);

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const withKey = env({ GREENHOUSE_API_KEY: "k" });

function usageError(argv: string[], pattern: RegExp, vars = withKey) {
  assert.throws(
    () => parseCommand(argv, vars),
    (e: unknown) => e instanceof UsageError && pattern.test(e.message),
  );
}

Deno.test("an entity command parses into the extract variant with defaults", () => {
  const cmd = parseCommand(["candidates"], withKey);
  assert.equal(cmd.kind, "extract");
  if (cmd.kind !== "extract") return;
  assert.equal(cmd.entity, "candidates");
  assert.equal(cmd.cacheDir, "./greenhouse-cache");
  assert.equal(cmd.connection.baseUrl, "https://harvest.greenhouse.io/v1");
  assert.equal(cmd.connection.rateTarget, 0.8);
});

Deno.test("date flags accept both spellings and the short form, converted to UTC", () => {
  for (
    const argv of [["-a", "2022-11-01"], ["--created_after", "2022-11-01"], [
      "--created-after=2022-11-01",
    ]]
  ) {
    const cmd = parseCommand(["jobs", ...argv, "-b", "2023-01-01T00:00:00+01:00"], withKey);
    assert.ok(cmd.kind === "extract");
    assert.equal(cmd.range.after?.toISOString(), "2022-11-01T00:00:00.000Z");
    assert.equal(cmd.range.before?.toISOString(), "2022-12-31T23:00:00.000Z");
  }
});

Deno.test("environment supplies cache dir and base URL; flags win", () => {
  const vars = env({
    GREENHOUSE_API_KEY: "k",
    GREENHOUSE_CACHE_DIR: "/c",
    GREENHOUSE_BASE_URL: "http://127.0.0.1:9/v1",
  });
  const cmd = parseCommand(["offers"], vars);
  assert.ok(cmd.kind === "extract");
  assert.equal(cmd.cacheDir, "/c");
  assert.equal(cmd.connection.baseUrl, "http://127.0.0.1:9/v1");
  const flagged = parseCommand(["offers", "--cache-dir", "d"], vars);
  assert.ok(flagged.kind === "extract" && flagged.cacheDir === "d");
});

Deno.test("usage errors are clear and name what is wrong", () => {
  usageError(["nope"], /unknown command "nope"/);
  usageError(["candidates", "--bogus"], /unknown option "--bogus"/);
  usageError(["candidates", "-a", "yesterday"], /"yesterday"/);
  usageError(["candidates", "--rate-target", "2"], /--rate-target "2"/);
  usageError(["candidates", "--rate-target", "0.05"], /0\.1 to 1/);
  usageError(["candidates", "--base-url", "http://example.com/v1"], /plain http/);
  usageError(
    ["candidates", "--base-url", "https://harvest.greenhouse.io/v1?per_page=5"],
    /--base-url ".*" must not have a query string or fragment/,
  );
  usageError(
    ["--quiet", "candidates"],
    /^"--quiet" comes before any command: give the command first/,
  );
  usageError(["candidates", "-a", "2023-01-01", "-b", "2022-01-01"], /not before/);
  usageError(["sources", "-a", "2023-01-01"], /cannot be filtered by creation date/);
  usageError(
    ["departments", "-a", "2023-01-01"],
    /^departments cannot be filtered by creation date on Harvest v1: .*use Harvest v3 \(--api v3\), which has one$/,
  );
  // Neither version filters demographic questions by creation date: no other version offered.
  usageError(
    ["demographic_questions", "-b", "2023-01-01"],
    /^demographic_questions cannot be filtered by creation date on Harvest v3: its list has no such filter there; leave out -a\/-b$/,
    env({ GREENHOUSE_CLIENT_ID: "c-1", GREENHOUSE_CLIENT_SECRET: "s" }),
  );
  // A list the version lacks says so first, whatever the options.
  usageError(["job_openings", "-a", "2023-01-01"], /^job_openings: Harvest v1 has no list of/);
  usageError(["candidates"], /GREENHOUSE_API_KEY/, env({}));
  usageError(["candidates", "extra"], /unexpected argument "extra"/);
});

Deno.test("help lists every command with one line each", () => {
  const text = helpText();
  for (
    const name of [
      "applications",
      "candidates",
      "jobs",
      "offers",
      "prospect_pools",
      "scorecards",
      "sources",
      "sandbox",
      "demo",
    ]
  ) {
    assert.match(text, new RegExp(`^  ${name} +\\S`, "m"));
  }
  assert.deepEqual(parseCommand(["candidates", "--help"], env({})), {
    kind: "help",
    topic: "candidates",
  });
  assert.match(helpText("candidates"), /--created_after DATE/);
});

Deno.test("sync: the deletions step runs by default, and with --prune of candidates under --only", () => {
  const steps = (argv: string[]) => {
    const cmd = parseCommand(["sync", ...argv], withKey);
    assert.equal(cmd.kind, "sync");
    return cmd.kind === "sync" ? cmd.steps : [];
  };
  assert.ok(steps([]).includes("deletions"));
  assert.deepEqual(steps(["--only", "candidates"]), ["candidates"]);
  assert.deepEqual(steps(["--only", "candidates", "--prune"]), ["candidates", "deletions"]);
  assert.deepEqual(steps(["--only", "candidates", "--prune", "--skip", "deletions"]), [
    "candidates",
  ]);
  assert.ok(!steps(["--skip", "deletions"]).includes("deletions"));
  assert.deepEqual(steps(["--only", "deletions"]), ["deletions"]);
});

Deno.test("peekCommand reads the command and --json before parsing, as a usage error needs", () => {
  const peek = (argv: string[]) => args.peekCommand(argv, COMMAND_GROUPS);
  assert.deepEqual(peek(["sync", "--bogus", "--json"]), { command: "sync", json: true });
  assert.deepEqual(peek(["nosuch", "--json"]), { command: null, json: true });
  assert.deepEqual(peek(["jobs"]), { command: "jobs", json: false });
  // After "--" it is an argument, not the option.
  assert.deepEqual(peek(["jobs", "--", "--json"]), { command: "jobs", json: false });
});
