/** The binary's permission set (scripts/permissions.ts) and the compile command built from it. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ENV_VARS, permissionFlags } from "../../scripts/permissions.ts";
import { compileArgs } from "../../scripts/compile.ts";
import { describeFailure } from "../../src/failure.ts";
import { RunError } from "../../src/errors.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("the flags scope net, files, env and sys, relative paths kept relative", () => {
  const flags = permissionFlags();
  assert.equal(flags[0], "--no-prompt");
  assert.ok(flags.includes(
    "--allow-net=harvest.greenhouse.io,auth.greenhouse.io,*.amazonaws.com,127.0.0.1",
  ));
  assert.ok(flags.includes("--allow-write=./greenhouse-cache,./greenhouse-access,./demo-cache"));
  assert.ok(flags.includes("--allow-read=./greenhouse-cache,./greenhouse-access,./demo-cache"));
  assert.ok(flags.includes("--allow-env=GREENHOUSE_*,GITHUB_STEP_SUMMARY,NO_COLOR,TERM"));
  assert.ok(flags.includes("--allow-sys=hostname"));
  // Never a blanket permission.
  for (const flag of flags) assert.doesNotMatch(flag, /^--allow-[a-z]+$|^-A$|--allow-all|run|ffi/);
});

Deno.test("extra hosts and paths are appended once", () => {
  const flags = permissionFlags({
    cacheDir: "/data/gh",
    extraHosts: ["127.0.0.1", "localhost:8080"],
    extraPaths: ["/home/runner/work/_temp"],
  });
  assert.ok(flags.includes(
    "--allow-net=harvest.greenhouse.io,auth.greenhouse.io,*.amazonaws.com,127.0.0.1,localhost:8080",
  ));
  assert.ok(flags.includes(
    "--allow-write=/data/gh,./greenhouse-access,./demo-cache,/home/runner/work/_temp",
  ));
  assert.throws(() => permissionFlags({ cacheDir: "a,b" }), /comma/);
});

Deno.test("deno task compile --print prints the exact compile command", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      join(ROOT, "scripts/compile.ts"),
      "--print",
      "--target",
      "aarch64-apple-darwin",
      "--cache-dir",
      "/srv/my cache",
      "--output",
      "dist/ghx",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(
    new TextDecoder().decode(output.stdout).trim(),
    "deno compile --v8-flags=--expose-gc,--max-semi-space-size=8 --no-prompt " +
      "'--allow-net=harvest.greenhouse.io,auth.greenhouse.io,*.amazonaws.com,127.0.0.1' " +
      "'--allow-read=/srv/my cache,./greenhouse-access,./demo-cache' " +
      "'--allow-write=/srv/my cache,./greenhouse-access,./demo-cache' " +
      "'--allow-env=GREENHOUSE_*,GITHUB_STEP_SUMMARY,NO_COLOR,TERM' --allow-sys=hostname " +
      "--target aarch64-apple-darwin --output dist/ghx main.ts",
  );
});

Deno.test("compileArgs defaults to the host target and refuses unknown targets", () => {
  const args = compileArgs();
  assert.deepEqual(args.slice(-3), ["--output", "greenhouse-extractor", "main.ts"]);
  assert.ok(!args.includes("--target"));
  assert.throws(() => compileArgs({ target: "riscv64-linux" }), /unknown --target "riscv64-linux"/);
});

/** Every .ts file under src/ and main.ts. */
function sourceFiles(): string[] {
  const files = [join(ROOT, "main.ts")];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  walk(join(ROOT, "src"));
  return files;
}

function allowedVariable(name: string): boolean {
  return ENV_VARS.some((v) =>
    v.name.endsWith("*") ? name.startsWith(v.name.slice(0, -1)) : v.name === name
  );
}

Deno.test("every environment variable the tool reads is allowed, and nothing enumerates it", () => {
  const read = new Set<string>();
  for (const file of sourceFiles()) {
    const text = Deno.readTextFileSync(file);
    const where = file.slice(ROOT.length);
    assert.doesNotMatch(text, /Deno\.env\.toObject|process\.env(?!\.[A-Z_]+\b)/, where);
    for (const m of text.matchAll(/\b(?:env|readEnv|Deno\.env\.get)\(\s*"([A-Z0-9_]+)"/g)) {
      read.add(m[1]);
    }
    for (const m of text.matchAll(/variable: "([A-Z0-9_]+)"/g)) read.add(m[1]);
  }
  assert.ok(read.has("GREENHOUSE_API_KEY"), "the scan finds the reads");
  // HOSTNAME: lock.ts asks for it only when --allow-env grants it (the binary uses --allow-sys).
  const notAllowed = [...read].filter((name) => !allowedVariable(name) && name !== "HOSTNAME");
  assert.deepEqual(notAllowed, []);
});

Deno.test("permission failures name the flag and the path or host, in one line", () => {
  const write = describeFailure(
    new Deno.errors.NotCapable(
      'Requires write access to "../outside", run again with the --allow-write flag',
    ),
  );
  assert.equal(write.exitCode, 1);
  assert.match(write.message, /^this build may not write "\.\.\/outside" \(--allow-write\)/);
  assert.match(write.message, /deno task compile --cache-dir PATH/);

  const net = describeFailure(
    new Deno.errors.NotCapable(
      'Requires net access to "example.com:443", run again with the --allow-net flag',
    ),
  );
  assert.match(net.message, /^this build may not connect to "example\.com:443" \(--allow-net\)/);

  const env = describeFailure(
    new Deno.errors.NotCapable("Requires env access, run again with the --allow-env flag"),
  );
  assert.equal(env.message, "this build may not read the environment variable (--allow-env)");

  const wrapped = describeFailure(
    new RunError(
      'Cannot create cache folder /x: Requires write access to "/x", run again with the --allow-write flag',
    ),
  );
  assert.match(wrapped.message, /^Cannot create cache folder \/x: this build may not write "\/x"/);
  for (const f of [write, net, env, wrapped]) {
    assert.doesNotMatch(f.message, /\n|run again with/);
  }
});
