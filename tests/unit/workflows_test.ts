/**
 * The GitHub Actions workflows cannot run here, so their rules are checked as data: they parse,
 * every action is pinned to a commit, every job has a timeout and declared permissions, the
 * scheduled syncs take their `deno run` flags from scripts/permissions.ts (never their own), and
 * the release builds, smoke-tests and publishes every target of scripts/compile.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { TARGETS } from "../../scripts/compile.ts";
import { permissionsCommand } from "../../scripts/permissions.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKFLOWS = join(ROOT, ".github/workflows");

// deno-lint-ignore no-explicit-any
type Yaml = any;

interface Workflow {
  file: string;
  text: string;
  data: Yaml;
}

function loadWorkflows(): Workflow[] {
  const files = [...Deno.readDirSync(WORKFLOWS)]
    .filter((e) => e.isFile && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  return files.map((file) => {
    const text = Deno.readTextFileSync(join(WORKFLOWS, file));
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    assert.deepEqual(doc.errors.map(String), [], `${file} is not valid YAML`);
    return { file, text, data: doc.toJS() };
  });
}

const workflows = loadWorkflows();
const byFile = (file: string) => {
  const found = workflows.find((w) => w.file === file);
  assert.ok(found, `.github/workflows/${file} exists`);
  return found;
};
const jobsOf = (w: Workflow): [string, Yaml][] => Object.entries(w.data.jobs ?? {});
const stepsOf = (job: Yaml): Yaml[] => job.steps ?? [];
const SYNC_WORKFLOWS = ["sync.yml", "sync-actions-cache.yml"];

Deno.test("the workflows are the expected ones and parse as YAML", () => {
  assert.deepEqual(workflows.map((w) => w.file), [
    "ci.yml",
    "release.yml",
    "sync-actions-cache.yml",
    "sync.yml",
  ]);
  for (const w of workflows) {
    assert.equal(typeof w.data.name, "string", `${w.file}: name`);
    assert.ok(jobsOf(w).length > 0, `${w.file}: jobs`);
  }
});

Deno.test("every action is pinned to a full commit SHA with its version beside it", () => {
  const pins = new Map<string, Set<string>>();
  for (const w of workflows) {
    for (const line of w.text.split("\n")) {
      const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
      if (!uses) continue;
      const [, ref, rest] = uses;
      const m = /^([\w.-]+\/[\w.-]+)(\/[\w./-]+)?@([0-9a-f]{40})$/.exec(ref);
      assert.ok(m, `${w.file}: "${ref}" is not owner/repo@<40-hex commit>`);
      const version = /^\s+# (v\d+\.\d+\.\d+)$/.exec(rest);
      assert.ok(version, `${w.file}: ${ref} needs a "# vX.Y.Z" comment`);
      pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(`${m[3]} ${version[1]}`));
    }
  }
  // One action, one pin, in every workflow: an update cannot leave a stale copy behind.
  for (const [action, seen] of pins) {
    assert.equal(seen.size, 1, `${action} is pinned differently: ${[...seen].join(", ")}`);
  }
  assert.ok(pins.has("actions/checkout"), "the scan finds the pins");
});

Deno.test("every job has a timeout and declared permissions; checkouts keep no credentials", () => {
  for (const w of workflows) {
    for (const [name, job] of jobsOf(w)) {
      const where = `${w.file} job ${name}`;
      assert.ok(Number.isInteger(job["timeout-minutes"]), `${where}: timeout-minutes`);
      assert.ok(job["timeout-minutes"] <= 360, `${where}: GitHub stops a job after 360 minutes`);
      assert.ok(
        job.permissions !== undefined || w.data.permissions !== undefined,
        `${where}: permissions`,
      );
      for (const step of stepsOf(job)) {
        if (String(step.uses ?? "").startsWith("actions/checkout@")) {
          assert.equal(step.with?.["persist-credentials"], false, `${where}: persist-credentials`);
        }
      }
    }
  }
});

Deno.test("no run script interpolates event or input text (it goes through env)", () => {
  for (const w of workflows) {
    for (const [name, job] of jobsOf(w)) {
      for (const step of stepsOf(job)) {
        if (typeof step.run !== "string") continue;
        for (const m of step.run.matchAll(/\$\{\{([^}]*)\}\}/g)) {
          assert.match(m[1].trim(), /^(matrix|env)\./, `${w.file} job ${name}: ${m[0]} in run`);
        }
      }
    }
  }
});

Deno.test("every workflow pins the Deno version that .ci/run installs", () => {
  const ciRun = Deno.readTextFileSync(join(ROOT, ".ci/run"));
  const wanted = /^DENO_VERSION=([\d.]+)$/m.exec(ciRun)?.[1];
  assert.ok(wanted, ".ci/run sets DENO_VERSION");
  for (const w of workflows) {
    const env = w.data.env ?? {};
    for (const [name, job] of jobsOf(w)) {
      for (const step of stepsOf(job)) {
        if (!String(step.uses ?? "").startsWith("denoland/setup-deno@")) continue;
        const version = String(step.with?.["deno-version"] ?? "")
          .replace("${{ env.DENO_VERSION }}", String(env.DENO_VERSION));
        assert.equal(version, wanted, `${w.file} job ${name}: deno-version`);
      }
    }
  }
});

/** The steps of a sync workflow's one job. */
function syncSteps(file: string): Yaml[] {
  const jobs = jobsOf(byFile(file));
  assert.equal(jobs.length, 1, `${file}: one job`);
  return stepsOf(jobs[0][1]);
}

/** Where a step's summary file lives on a runner: in the temp folder, beside GITHUB_ENV & co. */
const SUMMARY = "/home/runner/work/_temp/_runner_file_commands/step_summary_3f2a";
/** The only places a scheduled run may read or write. */
const GRANTABLE = ["./greenhouse-cache", SUMMARY];

/** The read and write grants in `deno run` flags (`all` for a bare flag or -A). */
function grants(flags: string[]): { read: string[] | "all"; write: string[] | "all" } {
  const of = (kind: "read" | "write"): string[] | "all" => {
    if (flags.some((f) => f === `--allow-${kind}` || f === "--allow-all" || f === "-A")) {
      return "all";
    }
    const listed = flags.filter((f) => f.startsWith(`--allow-${kind}=`));
    return listed.flatMap((f) => f.slice(`--allow-${kind}=`.length).split(","));
  };
  return { read: of("read"), write: of("write") };
}

/**
 * Every grant wider than the cache and the step's summary file, for each `deno task permissions`
 * line of a script (its variables given their runner values), and every other way the script
 * gets flags (a file, a variable of another step).
 */
function broaderGrants(script: string): string[] {
  const problems: string[] = [];
  for (const m of script.matchAll(/deno task permissions([^\n)]*)/g)) {
    if (/>/.test(m[1])) problems.push(`flags written to a file: ${m[0]}`);
    const args = m[1].replace(/>.*/, "").trim().split(/\s+/).filter(Boolean)
      .map((a) => a.replace(/^"|"$/g, ""))
      .map((a) => a === "$GITHUB_STEP_SUMMARY" ? SUMMARY : a);
    const unknown = args.find((a) => a.includes("$"));
    if (unknown) {
      problems.push(`a grant from ${unknown}`);
      continue;
    }
    const out = permissionsCommand(args);
    if (out.code !== 0) {
      problems.push(`deno task permissions ${args.join(" ")}: ${out.out}`);
      continue;
    }
    const { read, write } = grants(out.out.split("\n"));
    for (const [kind, paths] of [["read", read], ["write", write]] as const) {
      if (paths === "all") problems.push(`${kind}: everything`);
      else {
        for (const path of paths) {
          if (!GRANTABLE.includes(path)) problems.push(`${kind}: ${path}`);
        }
      }
    }
  }
  // Flags come from this step's own `deno task permissions`, never a file or another step.
  for (const line of script.split("\n").filter((l) => /\bmapfile\b|deno-flags/.test(l))) {
    if (!/^\s*mapfile -t flags <<< "\$permissions"$/.test(line)) {
      problems.push(`flags read from elsewhere: ${line.trim()}`);
    } else if (!/^\s*permissions=\$\(deno task permissions [^\n]*\)$/m.test(script)) {
      problems.push("$permissions does not come from deno task permissions in this step");
    }
  }
  return problems;
}

Deno.test("the grant check itself fails on a folder, the temp folder, a file of flags or no list", () => {
  for (
    const script of [
      'deno task permissions --also "$RUNNER_TEMP"',
      "deno task permissions", // the access, demo and export folders too
      "deno task permissions --cache-only --also /home/runner/work/_temp",
      "deno task permissions --cache-only --also .",
      'deno task permissions --cache-only > "$RUNNER_TEMP/deno-flags"',
      'mapfile -t flags < "$RUNNER_TEMP/deno-flags"',
    ]
  ) {
    assert.notDeepEqual(broaderGrants(script), [], script);
  }
  assert.deepEqual(
    broaderGrants('x=$(deno task permissions --cache-only --also "$GITHUB_STEP_SUMMARY")'),
    [],
  );
  assert.deepEqual(grants(["--allow-write"]).write, "all");
});

Deno.test("the sync workflows read and write only the cache and the step's summary file", () => {
  for (const file of SYNC_WORKFLOWS) {
    const w = byFile(file);
    // Not one hand-written permission flag anywhere in the file.
    assert.doesNotMatch(w.text, /--allow-[a-z]|\s-A\b|--no-prompt/, `${file}: hand-written flags`);
    const runs = syncSteps(file).map((s) => String(s.run ?? ""));
    for (const run of runs) assert.deepEqual(broaderGrants(run), [], `${file}: ${run}`);

    // Every run of the tool computes its flags in its own step (the summary file is the step's)
    // and uses the default cache folder they allow.
    const tool = runs.filter((run) => /\bmain\.ts\b/.test(run));
    assert.ok(tool.length >= 2, `${file}: sync and check`);
    for (const run of tool) {
      assert.match(run, /permissions=\$\(deno task permissions --cache-only[^)]*\)\n/, file);
      assert.match(run, /mapfile -t flags <<< "\$permissions"/, file);
      assert.match(run, /deno run --frozen "\$\{flags\[@\]\}" main\.ts /, file);
      assert.doesNotMatch(run, /--cache-dir|GREENHOUSE_CACHE_DIR|RUNNER_TEMP/, file);
    }
    assert.doesNotMatch(w.text, /GREENHOUSE_CACHE_DIR/, `${file}: the default ./greenhouse-cache`);
  }
});

/** A stand-in for `deno`: `task permissions` runs the real script, `run` is recorded. */
const FAKE_DENO = `#!/usr/bin/env bash
set -eu
case "$1" in
  task)
    [ "$2" = permissions ] || { echo "fake deno: task $2" >&2; exit 3; }
    shift 2
    exec "$REAL_DENO" run --no-prompt "$REPO/scripts/permissions.ts" "$@" ;;
  run)
    n=$(ls "$RECORD" | wc -l | tr -d ' ')
    printf '%s\\n' "$@" > "$RECORD/run-$n"
    env | grep '^GREENHOUSE_' | sort > "$RECORD/env-$n" || true ;;
  *) echo "fake deno: $1" >&2; exit 3 ;;
esac
`;

/** Runs one step's script as GitHub does (bash -eo pipefail) with `deno` faked; what it ran. */
async function runStep(run: string, env: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "ghx-workflow-" });
  try {
    for (const sub of ["bin", "record", "work"]) await Deno.mkdir(join(dir, sub));
    await Deno.writeTextFile(join(dir, "bin/deno"), FAKE_DENO, { mode: 0o755 });
    await Deno.writeTextFile(join(dir, "step.sh"), run);
    const output = await new Deno.Command("bash", {
      args: ["--noprofile", "--norc", "-eo", "pipefail", join(dir, "step.sh")],
      cwd: join(dir, "work"),
      clearEnv: true,
      env: {
        ...env,
        PATH: `${join(dir, "bin")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
        HOME: Deno.env.get("HOME") ?? dir,
        REAL_DENO: Deno.execPath(),
        REPO: ROOT,
        RECORD: join(dir, "record"),
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const read = (name: string) =>
      Deno.readTextFile(join(dir, "record", name)).then((t) => t.split("\n").filter(Boolean));
    return { args: await read("run-0"), env: await read("env-0") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const isWindows = Deno.build.os === "windows";

Deno.test({
  name: "the sync workflows' sync and check steps, run by bash, grant the cache and the summary",
  ignore: isWindows, // the steps are bash on ubuntu runners
  fn: async () => {
    const flags = (args: string[]) => permissionsCommand(args).out.split("\n");
    for (const file of SYNC_WORKFLOWS) {
      const steps = syncSteps(file);
      const step = (name: string) => steps.find((s) => s.name === name)?.run as string;
      const env = {
        RUNNER_TEMP: "/home/runner/work/_temp",
        GITHUB_STEP_SUMMARY: SUMMARY,
        GREENHOUSE_API_VERSION: "v3",
        GREENHOUSE_CLIENT_ID: "client-1",
        GREENHOUSE_CLIENT_SECRET: "secret",
        GREENHOUSE_API_KEY: "key",
        PRUNE: "--prune",
        EXTRA_ARGS: "--only candidates *",
      };
      const sync = await runStep(step("Sync"), env);
      assert.deepEqual(sync.args, [
        "run",
        "--frozen",
        ...flags(["--cache-only", "--also", SUMMARY]),
        "main.ts",
        "sync",
        "--json",
        "--prune",
        "--only",
        "candidates",
        "*",
      ], file);
      assert.deepEqual(grants(sync.args), { read: GRANTABLE, write: GRANTABLE }, file);
      assert.deepEqual(sync.env, [
        "GREENHOUSE_API_VERSION=v3",
        "GREENHOUSE_CLIENT_ID=client-1",
        "GREENHOUSE_CLIENT_SECRET=secret",
      ], `${file}: v3 alone`);

      const check = await runStep(step("Check the cache"), env);
      assert.deepEqual(check.args, [
        "run",
        "--frozen",
        ...flags(["--cache-only"]),
        "main.ts",
        "check",
      ]);
      assert.deepEqual(grants(check.args), {
        read: ["./greenhouse-cache"],
        write: ["./greenhouse-cache"],
      });
    }
  },
});

Deno.test("the sync workflows: v3 first, check after sync, weekly prune, one writer, timeouts", () => {
  for (const file of SYNC_WORKFLOWS) {
    const w = byFile(file);
    const steps = syncSteps(file);
    const job = jobsOf(w)[0][1];
    const runs = steps.map((s) => String(s.run ?? ""));

    // v3 credentials are looked at before the legacy v1 key.
    const creds = runs.find((r) => r.includes("GREENHOUSE_CLIENT_ID"));
    assert.ok(creds, `${file}: a credentials step`);
    assert.ok(creds.indexOf("GREENHOUSE_CLIENT_ID") < creds.indexOf("GREENHOUSE_API_KEY"), file);

    // check runs after sync, even when sync failed.
    const syncAt = runs.findIndex((r) => / main\.ts sync /.test(r));
    const checkAt = runs.findIndex((r) => / main\.ts check\b/.test(r));
    assert.ok(syncAt >= 0 && checkAt > syncAt, `${file}: check after sync`);
    assert.match(
      String(steps[checkAt].if),
      /!cancelled\(\)/,
      `${file}: check runs after a failure`,
    );

    // --prune on one of the schedules only.
    const crons: string[] = (w.data.on.schedule ?? []).map((s: Yaml) => s.cron);
    const prune = /github\.event\.schedule == '([^']+)' && '--prune'/.exec(w.text);
    assert.ok(prune, `${file}: --prune depends on the schedule`);
    assert.ok(crons.includes(prune[1]), `${file}: the prune schedule is one of ${crons}`);
    assert.ok(crons.length >= 2, `${file}: a daily and a weekly schedule`);
    assert.match(prune[1], /^\S+ \S+ \* \* [0-6]$/, `${file}: weekly`);

    // One writer of the archive at a time, shared by both variants; nothing cancelled midway.
    assert.equal(w.data.concurrency?.group, "greenhouse-sync", file);
    assert.equal(w.data.concurrency?.["cancel-in-progress"], false, file);

    // Every step has a timeout, and together they fit in the job's: a sync that runs out of time
    // still leaves the check and the store step theirs, before GitHub stops the job.
    for (const step of steps) {
      assert.ok(step["timeout-minutes"] > 0, `${file}: "${step.name ?? step.uses}" has a timeout`);
    }
    const total = steps.reduce((sum, s) => sum + s["timeout-minutes"], 0);
    assert.ok(total <= job["timeout-minutes"], `${file}: step timeouts ${total} > job's`);

    // A public repository is refused before anything is restored.
    const guard = runs.findIndex((r) => r.includes(".visibility"));
    const restore = steps.findIndex((s) => s.id === "restore");
    assert.ok(guard >= 0 && guard < restore, `${file}: refuses a public repository first`);
  }
});

Deno.test("every Actions cache key carries the run attempt", () => {
  let keys = 0;
  for (const w of workflows) {
    for (const [, job] of jobsOf(w)) {
      for (const step of stepsOf(job)) {
        if (!String(step.uses ?? "").startsWith("actions/cache")) continue;
        keys++;
        assert.match(step.with.key, /\$\{\{ github\.run_attempt \}\}/, `${w.file}: ${step.name}`);
      }
    }
  }
  assert.ok(keys >= 2, "the scan finds the cache steps");
});

Deno.test("the bucket variant never mirrors back after a failed restore", () => {
  const steps = syncSteps("sync.yml");
  const upload = steps.find((s) => /aws s3 sync greenhouse-cache /.test(String(s.run ?? "")));
  assert.ok(upload, "an upload step");
  assert.match(upload.run, /--delete/);
  assert.match(upload.run, /--exclude "\.lock" --exclude "\*\.tmp-\*"/);
  assert.equal(upload.if, "always() && steps.restore.outcome == 'success'");
});

Deno.test("the Actions cache variant deletes the entries it replaced, with actions: write only", () => {
  const w = byFile("sync-actions-cache.yml");
  const job = jobsOf(w)[0][1];
  assert.deepEqual(job.permissions, { contents: "read", actions: "write" });
  const cleanup = syncSteps("sync-actions-cache.yml").find((s) =>
    /gh cache delete/.test(String(s.run ?? ""))
  );
  assert.ok(cleanup, "a cleanup step");
  assert.equal(cleanup.if, "always() && steps.save.outcome == 'success'");
});

Deno.test("the release builds, proves and publishes in separate jobs with least permissions", () => {
  const w = byFile("release.yml");
  assert.deepEqual(w.data.permissions, {}, "nothing granted by default");
  const jobs = Object.fromEntries(jobsOf(w));
  assert.deepEqual(Object.keys(jobs), ["verify", "build", "smoke", "publish"]);
  assert.deepEqual(jobs.verify.permissions, { contents: "read" });
  assert.deepEqual(jobs.build.permissions, {
    contents: "read",
    "id-token": "write",
    attestations: "write",
  });
  assert.deepEqual(jobs.smoke.permissions, {});
  assert.deepEqual(jobs.publish.permissions, { contents: "write" });
  assert.deepEqual(jobs.publish.needs, ["build", "smoke"], "nothing is published untested");

  const buildSteps = stepsOf(jobs.build);
  assert.ok(
    buildSteps.some((s: Yaml) =>
      String(s.uses ?? "").startsWith("actions/attest-build-provenance@")
    ),
    "build provenance",
  );
  const compile = buildSteps.map((s: Yaml) => String(s.run ?? "")).join("\n");
  const built = [...compile.matchAll(/\b(x86_64|aarch64)-[\w-]+/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(built)].sort(), [...TARGETS].sort(), "build: every target");
  assert.match(compile, /tar -C "\$stage" --owner=0 --group=0 -czf/, "tar.gz archives");
  assert.match(compile, /install -m 0755/, "the archived binary is executable");
  assert.match(compile, /zip -q -r/, "zip archives");
  assert.match(compile, /sha256sum greenhouse-extractor-\* > SHA256SUMS/, "SHA256SUMS");

  // Each target's binary runs on a runner of its own platform.
  const smoke: { target: string; runner: string }[] = jobs.smoke.strategy.matrix.include;
  assert.deepEqual(smoke.map((m) => m.target).sort(), [...TARGETS].sort(), "smoke: every target");
  const platform = (runner: string) =>
    runner.startsWith("ubuntu")
      ? (runner.endsWith("-arm") ? "aarch64-unknown-linux-gnu" : "x86_64-unknown-linux-gnu")
      : runner.startsWith("macos")
      ? (runner.endsWith("-intel") ? "x86_64-apple-darwin" : "aarch64-apple-darwin")
      : runner.endsWith("-arm")
      ? "aarch64-pc-windows-msvc"
      : "x86_64-pc-windows-msvc";
  for (const { target, runner } of smoke) assert.equal(platform(runner), target, runner);
  const smokeRuns = stepsOf(jobs.smoke).map((s: Yaml) => String(s.run ?? "")).join("\n");
  for (const what of [/--version/, / demo -q/, / check --cache-dir \.\/demo-cache/, /SHA256SUMS/]) {
    assert.match(smokeRuns, what, "smoke run");
  }

  const publish = stepsOf(jobs.publish).map((s: Yaml) => String(s.run ?? "")).join("\n");
  assert.match(publish, /gh release create/, "GitHub's CLI publishes, not a third-party action");
  for (const job of Object.values(jobs) as Yaml[]) {
    for (const step of stepsOf(job)) {
      assert.ok(!/release/.test(String(step.uses ?? "")), "no release action");
    }
  }
});

Deno.test("CI tests on Linux, macOS and Windows", () => {
  const w = byFile("ci.yml");
  const matrix = jobsOf(w).flatMap(([, job]) => job.strategy?.matrix?.include ?? []);
  const os = matrix.map((m: Yaml) => String(m.os).split("-")[0]).sort();
  assert.deepEqual(os, ["macos", "ubuntu", "windows"]);
  for (const m of matrix) assert.match(m.command, /^(\.ci\/run|deno task test)$/);
  assert.ok(matrix.some((m: Yaml) => m.command === ".ci/run"), "one runs the full .ci/run");
});
