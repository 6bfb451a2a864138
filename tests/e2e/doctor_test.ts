/**
 * End to end: `doctor` spawned as the real CLI against the sandbox, as a documented tenant and as
 * one that differs from the documentation in every way the sandbox can pretend, and the report
 * file it writes holding none of the tenant's values.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ApiRecord, ENTITY_NAMES, entityNamesFor } from "../../src/entities.ts";
import { probesFor } from "../../src/doctor/probes.ts";
import type { DoctorReport } from "../../src/doctor/types.ts";
import { v3Dialect } from "../../src/harvest/mod.ts";
import { ManualClock } from "../../src/clock.ts";
import { v3Attachments, v3Notes } from "../../src/sandbox/mod.ts";
import { permissionFlags } from "../../scripts/permissions.ts";
import { type Api, apiEnv, APIS } from "./api.ts";
import { cliCommand, runCli, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";

async function doctorJson(api: Api, sandbox: TestSandbox, root: string, args: string[] = []) {
  const result = await runCli(["doctor", "--json", "-q", ...args], {
    root,
    env: apiEnv(api, sandbox),
  });
  return { result, report: JSON.parse(result.stdout) as DoctorReport };
}

Deno.test("doctor: a tenant as documented would sync; every list of the entity table is a row", async () => {
  // The smallest tenant with a record in every list (a dozen candidates has no prospect yet).
  await using sandbox = await startSandboxDisposable({ candidates: 20, rateLimit: 0 });
  await withTempDir(async (root) => {
    for (const api of APIS) {
      const { result, report } = await doctorJson(api, sandbox, root);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(report.ok, true, report.verdict);
      const dependent = api === "v3" ? ["activity_feeds", "attachments"] : ["activity_feeds"];
      assert.deepEqual(report.lists.map((row) => row.list), [...entityNamesFor(api), ...dependent]);
      for (const row of report.lists) {
        assert.ok(["ok", "drift"].includes(row.status), `${api} ${row.list}: ${row.status}`);
        assert.equal(row.httpStatus, 200);
        // v1's activity feed is one object per candidate; every list holds records with ids.
        const field = api === "v1" && row.list === "activity_feeds" ? "notes" : "id";
        assert.ok(row.shape!.fields.some((f) => f.path === field), `${api} ${row.list} shape`);
      }
      // One request per list, no more (the token and the file host are not API requests).
      assert.equal(report.requests, report.lists.length);
      assert.equal(report.attachments.outcome, "ok");
      assert.deepEqual(report.attachments.hosts, [new URL(sandbox.url).host]);
      assert.equal(report.rateLimit.limits.length, 1);
      if (api === "v3") {
        // Judged against the answer's Date header, which has 1 s steps.
        assert.ok(
          Math.abs(report.token!.lifetimeSeconds! - 3600) <= 1,
          JSON.stringify(report.token),
        );
        assert.equal(report.token?.lifetimeFrom, "expires_at");
      } else assert.equal(report.token, undefined);
      assert.ok(Math.abs(report.clock.skewSeconds!) <= 1, String(report.clock.skewSeconds));
      assert.match(report.verdict, /^doctor: a nightly sync would work: \d+ of \d+ lists ok/);
    }
  });
});

Deno.test("doctor names each verdict of a tenant that differs: 404, 403, drift, token, clock, window", async () => {
  const scopes = probesFor(v3Dialect, 1).map((probe) => probe.permission)
    .filter((scope) => scope !== "harvest:demographic_answers:list");
  // The server's clock 10 min behind ours, stopped 2 s into a 90 s rate window: its resets are
  // 88 s ahead whenever the CLI asks.
  const window = 90_000;
  const serverNow = Math.floor((Date.now() - 600_000) / window) * window + 2_000;
  await using sandbox = await startSandboxDisposable({
    clock: new ManualClock(serverNow + 600_000),
    candidates: 12,
    missingPaths: ["/jobs", "/eeoc"],
    deniedPaths: ["/users"],
    v3Scopes: scopes,
    tokenScopes: true,
    fieldDrift: [{ path: "/candidates", add: { nickname: "Zed" }, retype: ["title"] }],
    tokenLifetimeMs: 120_000,
    clockSkewMs: -600_000,
    v3RateLimit: 1_000,
    v3WindowMs: window,
  });
  await withTempDir(async (root) => {
    const result = await runCli(["doctor", "-q"], { root, env: apiEnv("v3", sandbox) });
    assert.equal(result.code, 1, result.stderr);
    const out = result.stdout;
    assert.match(out, /^jobs +\/jobs +not found \(404: \/jobs\)$/m);
    assert.match(out, /^eeoc +\/eeoc +not found \(404: \/eeoc\)$/m);
    assert.match(out, /^users +\/users +unavailable \(403: grant harvest:users:list\)$/m);
    assert.match(
      out,
      /^demographic_answers +\/demographic_answers +unavailable \(403: grant harvest:demographic_answers:list\)$/m,
    );
    assert.match(
      out,
      /^candidates +\/candidates +drift \(10 records\): fields the schema does not know: .*nickname.*; \d+ of 10 records break it \(title: expected string or null, got array\)$/m,
    );
    assert.match(out, /^Rate limit: 1000 requests per window .*window seen: at least 88 s/m);
    assert.match(
      out,
      /^Token: lives 120 s \(expires_at\); \d+ scope\(s\) named \(answer\), 1 needed not among them$/m,
    );
    // 598–688 s plus the run's own time: the stopped clock sits 2–88 s into its window.
    const behind = Number(/^Clock: the server's clock is (\d+) s behind ours$/m.exec(out)?.[1]);
    assert.ok(behind >= 590 && behind < 800, out);
    assert.match(
      out,
      new RegExp(`^- clock: this machine's clock is ${behind} s ahead of Greenhouse's`, "m"),
    );
    assert.match(out, /^- eeoc: not found \(404: \/eeoc\): a default sync skips it$/m);
    assert.match(out, /^- rate limit: the window seen is at least 88 s, the tool paces for 30 s/m);
    assert.match(out, /^- token: its scopes leave out harvest:demographic_answers:list$/m);
    const lines = out.trimEnd().split("\n");
    assert.match(
      lines.at(-1)!,
      /^doctor: a nightly sync would fail: jobs: \/jobs answered 404: .* \(and 1 more problem\(s\) above\)$/,
    );
  });
});

Deno.test("doctor: refused credentials stop at once with one line and exit 1", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 4, rateLimit: 0 });
  await withTempDir(async (root) => {
    const result = await runCli(["doctor", "-q"], {
      root,
      env: apiEnv("v3", sandbox, "wrong-secret"),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^doctor: applications: POST \S+\/token: Greenhouse refused the client credentials \(401 invalid_client\)/,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stdout, /doctor: a nightly sync would fail: no list could be read/);
    assert.equal(sandbox.log.filter((e) => e.path.startsWith("/v3/")).length, 0);
    assert.equal(sandbox.log.filter((e) => e.path === "/token").length, 1);
  });
});

Deno.test("doctor: an attachment host outside --file-hosts would stop the attachments step", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 6, rateLimit: 0 });
  await withTempDir(async (root) => {
    const result = await runCli(["doctor", "-q", "--file-hosts", "127.0.0.1:1"], {
      root,
      env: apiEnv("v3", sandbox),
    });
    assert.equal(result.code, 1, result.stderr);
    const host = new URL(sandbox.url).host;
    assert.match(
      result.stdout,
      new RegExp(`^Attachments: ${host}: refused: file host ${host} is not in --file-hosts`, "m"),
    );
    assert.match(result.stdout, /a nightly sync would fail: attachments: file host/);
    // The file's body was not asked for beyond its headers, and no signed URL is shown.
    assert.doesNotMatch(result.stdout, /Signature=|\/files\//);
  });
});

/** Every string and id a record holds (what must never reach the report), long enough to tell. */
function leaves(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === "string" && value.trim().length >= 5) out.add(value);
  else if (typeof value === "number" && Number.isInteger(value) && value >= 100_000) {
    out.add(String(value));
  } else if (Array.isArray(value)) value.forEach((item) => leaves(item, out));
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (/PLANTED/.test(key)) out.add(key);
      leaves(item, out);
    }
  }
  return out;
}

/**
 * Values that are words of the report's own too (a status, a field type, a field named like it):
 * plain lower-case words, which no name, e-mail, file name, URL or id is.
 */
const PLAIN_WORD = /^[a-z_]+$/;

Deno.test("doctor --report holds no value of the tenant: no name, e-mail, id, file name or URL", async () => {
  const planted = {
    zq_note: "PLANTED-7f3a-note jane.doe@example.com",
    zq_map: { "PLANTED-key-55c1": "PLANTED-val-91d0" },
    zq_list: ["PLANTED-item-2b6e", { "PLANTED key 8e1": 4_100_777_001 }],
  };
  await using sandbox = await startSandboxDisposable({
    candidates: 8,
    rateLimit: 0,
    fieldDrift: [
      { path: "/candidates", add: planted, rename: { company: "PLANTED renamed key" } },
      { path: "/notes", add: planted },
    ],
  });
  await withTempDir(async (root) => {
    const { result, report } = await doctorJson("v3", sandbox, root, [
      "--per-page",
      "100",
      "--report",
      "greenhouse-cache/doctor.json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const file = await Deno.readTextFile(join(root, "greenhouse-cache", "doctor.json"));
    assert.equal(file, result.stdout, "--json prints what --report writes");
    assert.deepEqual(JSON.parse(file), report);
    // Written atomically: nothing else is left beside it.
    assert.deepEqual([...Deno.readDirSync(join(root, "greenhouse-cache"))].map((e) => e.name), [
      "doctor.json",
    ]);
    // Everything the first pages held: every list is smaller than per_page here.
    const values = new Set<string>(
      Object.values(planted).flatMap((v) => [...leaves(v, new Set())]),
    );
    for (const name of ENTITY_NAMES) {
      for (const record of sandbox.served("v3", name)) leaves(record, values);
    }
    for (const candidate of sandbox.served("v3", "candidates") as ApiRecord[]) {
      leaves(v3Notes(sandbox.tenant, candidate.id), values);
      leaves(v3Attachments(sandbox.tenant, candidate.id), values);
    }
    const checked = [...values].filter((value) => !PLAIN_WORD.test(value));
    assert.ok(checked.length > 200, `values checked: ${checked.length}`);
    const found = checked.filter((value) => file.includes(value));
    assert.deepEqual(found, []);
    for (const word of ["PLANTED", "@example.com", "http://", "/files/", "Signature"]) {
      assert.ok(!file.includes(word), word);
    }
    // What it does hold: the shape, unknown fields by name (odd names as <other>), problems.
    const candidates = report.lists.find((row) => row.list === "candidates")!;
    const paths = candidates.shape!.fields.map((f) => f.path);
    for (const path of ["zq_note", "zq_map", "zq_map.*", "zq_list[]", "zq_list[].*", "<other>"]) {
      assert.ok(paths.includes(path), `${path} in ${paths.join(" ")}`);
    }
    assert.equal(candidates.headers?.["content-type"], "application/json;charset=utf-8");
  });
});

Deno.test("doctor --report outside what the binary may write is a usage error before any request", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 4, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    const outside = await runCli(["doctor", "--report", "../doctor.json"], {
      root,
      env,
      permissions: permissionFlags({ extraHosts: [new URL(sandbox.url).host] }),
    });
    assert.equal(outside.code, 2);
    assert.match(
      outside.stderr,
      /^error: --report \.\.\/doctor\.json: this build may not write there; write it inside its cache folder/,
    );
    assert.equal(outside.stderr.trim().split("\n").length, 1);
    await Deno.mkdir(join(root, "folder"));
    const folder = await runCli(["doctor", "--report", "folder"], { root, env });
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /^error: --report folder: is a folder; name a file in it$/m);
    assert.equal(sandbox.log.length, 0, "nothing was sent");
  });
});

Deno.test("sandbox command: a user can try doctor against a tenant that differs from the docs", async () => {
  await withTempDir(async (root) => {
    const child = cliCommand([
      "sandbox",
      "--candidates",
      "6",
      "--rate-limit",
      "0",
      "--missing",
      "/eeoc",
      "--add-field",
      "/jobs:zz_new=1",
    ], { root }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("Press Ctrl-C")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    try {
      const env: Record<string, string> = {};
      for (const m of text.matchAll(/^export (.+)$/gm)) {
        for (const pair of m[1].split(" ")) {
          const [name, value] = pair.split("=");
          if (name.startsWith("GREENHOUSE_") && !(name in env)) env[name] = value;
        }
      }
      delete env.GREENHOUSE_API_KEY;
      assert.match(text, /Answering as a different tenant \(missingPaths, fieldDrift\)/);
      const result = await runCli(["doctor", "-q"], { root, env });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /^eeoc +\/eeoc +not found \(404: \/eeoc\)$/m);
      assert.match(
        result.stdout,
        /^jobs +\/jobs +drift \(\d+ records\): fields the schema does not know: zz_new$/m,
      );
    } finally {
      child.kill("SIGINT");
      await reader.cancel();
      await child.stderr.cancel();
      assert.equal((await child.status).code, 0);
    }
  });
});
