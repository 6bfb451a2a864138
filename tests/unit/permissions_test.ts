/** The binary's permission set (scripts/permissions.ts) and the compile command built from it. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import {
  ENV_VARS,
  NET_HOSTS,
  permissionFlags,
  permissionsCommand,
  V8_FLAGS,
} from "../../scripts/permissions.ts";
import { compileArgs } from "../../scripts/compile.ts";
import { describeFailure } from "../../src/failure.ts";
import { RunError } from "../../src/errors.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("the flags scope net, files, env and sys, relative paths kept relative", () => {
  const flags = permissionFlags();
  assert.equal(flags[0], "--no-prompt");
  assert.ok(flags.includes(
    "--allow-net=*.greenhouse.io,*.amazonaws.com,127.0.0.1",
  ));
  assert.ok(
    flags.includes(
      "--allow-write=./greenhouse-cache,./greenhouse-access,./demo-cache,./greenhouse-export",
    ),
  );
  assert.ok(
    flags.includes(
      "--allow-read=./greenhouse-cache,./greenhouse-access,./demo-cache,./greenhouse-export",
    ),
  );
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
    "--allow-net=*.greenhouse.io,*.amazonaws.com,127.0.0.1,localhost:8080",
  ));
  assert.ok(flags.includes(
    "--allow-write=/data/gh,./greenhouse-access,./demo-cache,./greenhouse-export,/home/runner/work/_temp",
  ));
  assert.throws(() => permissionFlags({ cacheDir: "a,b" }), /comma/);
  assert.throws(() => permissionFlags({ extraPaths: [""] }), /empty/, "an unset variable");
});

Deno.test("--cache-only: the cache and what --also adds, not the access, demo and export folders", () => {
  const flags = permissionFlags({ cacheOnly: true, extraPaths: ["/runner/_temp/step_summary_1"] });
  assert.ok(flags.includes("--allow-read=./greenhouse-cache,/runner/_temp/step_summary_1"));
  assert.ok(flags.includes("--allow-write=./greenhouse-cache,/runner/_temp/step_summary_1"));
  const out = permissionsCommand(["--cache-only", "--cache-dir", "/srv/gh"]);
  assert.equal(out.code, 0);
  assert.ok(out.out.split("\n").includes("--allow-write=/srv/gh"), out.out);
  assert.equal(permissionsCommand(["--cache-only", "--also", ""]).code, 2);
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
      "'--allow-net=*.greenhouse.io,*.amazonaws.com,127.0.0.1' " +
      "'--allow-read=/srv/my cache,./greenhouse-access,./demo-cache,./greenhouse-export' " +
      "'--allow-write=/srv/my cache,./greenhouse-access,./demo-cache,./greenhouse-export' " +
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
      'cache folder /x: cannot be created (Requires write access to "/x", run again with the --allow-write flag); check --cache-dir',
    ),
  );
  assert.match(
    wrapped.message,
    /^cache folder \/x: cannot be created \(this build may not write "\/x"/,
  );
  for (const f of [write, net, env, wrapped]) {
    assert.doesNotMatch(f.message, /\n|run again with/);
  }
});

/**
 * Asks a `deno run` started with the binary's flags which hosts it may reach. Deno decides, not
 * a re-implementation of its wildcard rules.
 */
async function reachable(flags: string[], hosts: string[]): Promise<Record<string, string>> {
  const probe = "const out: Record<string, string> = {};\n" +
    "for (const host of JSON.parse(Deno.args[0])) " +
    "out[host] = (await Deno.permissions.query({ name: 'net', host })).state;\n" +
    "console.log(JSON.stringify(out));";
  const url = `data:application/typescript;base64,${btoa(probe)}`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, url, JSON.stringify(hosts)],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("the binary may reach the API, the token host and the attachment hosts seen in the wild", async () => {
  const allowed = [
    "harvest.greenhouse.io", // the default base URL, v1 and v3
    "auth.greenhouse.io", // the default v3 token endpoint
    "app.greenhouse.io", // a Greenhouse host a v3 attachment link could be on (undocumented)
    "prod-heroku.s3.amazonaws.com", // v1 attachment URLs in Greenhouse's docs
    "grnhse-use1-prod-s2-ghr.s3.amazonaws.com", // v1 attachment URLs seen in public code
    "s3.us-east-1.amazonaws.com", // path-style and regional S3 endpoints
    "127.0.0.1",
  ];
  const refused = ["example.com", "evilgreenhouse.io", "greenhouse.io.example.com"];
  const states = await reachable(permissionFlags(), [...allowed, ...refused]);
  for (const host of allowed) assert.equal(states[host], "granted", host);
  for (const host of refused) assert.notEqual(states[host], "granted", host);
});

Deno.test("deno task permissions prints the deno run flags one per line, and the docs table", () => {
  const plain = permissionsCommand([]);
  assert.equal(plain.code, 0);
  assert.deepEqual(plain.out.split("\n"), [V8_FLAGS, ...permissionFlags()]);

  const scoped = permissionsCommand(["--also", "/runner/_temp", "--also-host", "files.example"]);
  assert.deepEqual(
    scoped.out.split("\n"),
    [
      V8_FLAGS,
      ...permissionFlags({ extraPaths: ["/runner/_temp"], extraHosts: ["files.example"] }),
    ],
  );

  const table = permissionsCommand(["--markdown"]);
  assert.equal(table.code, 0);
  for (const { host } of NET_HOSTS) assert.ok(table.out.includes(`\`${host}\``), host);
  for (const { name } of ENV_VARS) assert.ok(table.out.includes(`\`${name}\``), name);

  const typo = permissionsCommand(["--also-hots", "x"]);
  assert.equal(typo.code, 2);
  assert.match(typo.out, /^permissions: .*also-hots/);
  assert.equal(permissionsCommand(["--also-host", "a,b"]).code, 2);
});

Deno.test("docs/permissions.md holds the table deno task permissions --markdown prints", async () => {
  const doc = await Deno.readTextFile(join(ROOT, "docs/permissions.md"));
  const block = /<!-- permissions:begin -->([\s\S]*?)<!-- permissions:end -->/.exec(doc);
  assert.ok(block, "docs/permissions.md has the permissions:begin/end markers");
  // deno fmt pads the cells; compare the cells themselves.
  const cells = (table: string) =>
    table.trim().split("\n").filter((line) => !/^\|[\s|:-]+\|$/.test(line)).map((line) =>
      line.split("|").map((cell) => cell.trim())
    );
  assert.deepEqual(
    cells(block[1]),
    cells(permissionsCommand(["--markdown"]).out),
    "docs/permissions.md is stale: paste `deno task permissions --markdown` between its markers",
  );
});
