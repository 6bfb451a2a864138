/**
 * End to end against a hostile server and a tampered cache: the real CLI, spawned with scoped
 * permissions (and, where the issue saw it fail there, with exactly the binary's), against the
 * sandbox with the faults of a hostile server (src/sandbox/faults.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { permissionFlags, V8_FLAGS } from "../../scripts/permissions.ts";
import {
  attachmentFolderNames,
  candidateAttachmentsDir,
  MARKER_FILE,
} from "../../src/cache/mod.ts";
import { stepProgressFile } from "../../src/cache/layout.ts";
import { apiEnv, APIS } from "./api.ts";
import { type CliResult, runCli, runInProcess, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";
import { fileTree, snapshot } from "../support.ts";

/** Exactly what `deno task compile` bakes into the binary. */
const BINARY_FLAGS = [V8_FLAGS, ...permissionFlags()];
/** The binary works in ./greenhouse-cache of its working directory. */
const CACHE = "greenhouse-cache";

/** Exit 1 with exactly one line on stderr, `error: ` and then `message`, and no stack trace. */
function assertOneLineError(result: CliResult, message: RegExp) {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], message);
  assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+|unexpected internal error/);
}

/** Whether any run of 6 characters of `secret` shows in `text` (ignoring case). */
function leaks(text: string, secret: string): boolean {
  const haystack = text.toLowerCase();
  for (let i = 0; i + 6 <= secret.length; i++) {
    if (haystack.includes(secret.slice(i, i + 6).toLowerCase())) return true;
  }
  return false;
}

/** A server on another loopback port that records every request it gets (the SSRF victim). */
function victimServer() {
  const hits: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      hits.push(new URL(req.url).pathname);
      return new Response("internal secret", { headers: { "Content-Type": "application/pdf" } });
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Every attachment file and marker under the cache's candidate folders. */
async function attachmentFiles(root: string): Promise<string[]> {
  try {
    return (await fileTree(join(root, CACHE, "candidates"))).filter((p) =>
      p.includes("-attachments/")
    );
  } catch {
    return [];
  }
}

Deno.test("a body that never ends and a gzip bomb stop at the 64 MiB cap with one line", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 5, rateLimit: 0 });
  for (const mode of ["endless", "gzip"] as const) {
    await withTempDir(async (root) => {
      sandbox.faults.hugeBody = { times: 1, mode, decodedBytes: 8 * 1024 ** 3 };
      const result = await runCli(["candidates", "-q"], { root, env: apiEnv("v1", sandbox) });
      assertOneLineError(
        result,
        /^error: GET \/v1\/candidates: the answer is larger than 64 MiB, the most this tool reads from one API response; stopped reading it; check that --base-url/,
      );
      const sent = sandbox.log.filter((e) => e.path.startsWith("/v1/candidates"));
      assert.equal(sent.length, 1, `${mode}: not retried`);
      sandbox.log.length = 0;
    });
  }
});

for (const api of APIS) {
  Deno.test(`error bodies echoing the credentials leave no trace in stderr, --json or the step summary (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({
      candidates: 5,
      rateLimit: 0,
      apiKey: "a7183e1b7e9ab09b8a5cfa87d1934c3c",
      clientSecret: "s3cr3t-9f86d081884c7d659a2feaa0c55ad015",
    });
    await withTempDir(async (root) => {
      sandbox.faults.echoCredentials = { times: 1, offset: 190 };
      const summary = join(root, "summary.md");
      const result = await runCli(["sync", "--json", "-q"], {
        root,
        env: { ...apiEnv(api, sandbox), GITHUB_STEP_SUMMARY: summary },
      });
      assert.equal(result.code, 1, result.stderr);
      const shown = [result.stdout, result.stderr, await Deno.readTextFile(summary)];
      assert.match(shown[0], /"error": ".*\[redacted/, "the failed step is reported");
      const header = api === "v1"
        ? btoa(`${sandbox.apiKey}:`)
        : btoa(`${sandbox.clientId}:${sandbox.clientSecret}`);
      const tokens = api === "v3" ? sandbox.v3.auth.issued() : [];
      assert.ok(api === "v1" || tokens.length > 0);
      for (const text of shown) {
        for (const secret of [sandbox.apiKey, sandbox.clientSecret, header, ...tokens]) {
          assert.ok(!leaks(text, secret), `${secret.slice(0, 4)}… leaked in: ${text}`);
        }
      }
    });
  });
}

Deno.test("an endless chain of next links stops past the last page the API announced", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 30, rateLimit: 0 });
  await withTempDir(async (root) => {
    sandbox.faults.endlessPages = { every: 1 };
    const result = await runCli(["candidates", "-q"], { root, env: apiEnv("v1", sandbox) });
    assertOneLineError(
      result,
      /^error: GET \/v1\/candidates: the next-page link asks for page 2, past the last page \(1\) the API announced; stopped there; run again, and report it to Greenhouse if it repeats$/,
    );
    assert.equal(sandbox.log.filter((e) => e.path.startsWith("/v1/candidates")).length, 1);
  });
});

/** Extracts candidates, then runs `attachments` with `permissions`; the sandbox is prepared. */
async function attachmentsRun(
  sandbox: TestSandbox,
  root: string,
  api: "v1" | "v3",
  permissions?: string[],
  args: string[] = [],
): Promise<CliResult> {
  const env = apiEnv(api, sandbox);
  const listed = await runCli(["candidates", "-q"], { root, env, permissions });
  assert.equal(listed.code, 0, listed.stderr);
  return await runCli(["attachments", "-q", ...args], { root, env, permissions });
}

for (const api of APIS) {
  Deno.test(`attachment URLs to loopback or private addresses are refused, directly or by redirect (${api})`, async () => {
    await using victim = victimServer();
    const targets = [
      victim.origin, // another service on this machine
      "http://169.254.169.254", // cloud metadata
      "http://10.0.0.7:8080",
      "http://[::ffff:a9fe:a9fe]",
      "http://2130706433", // 127.0.0.1 as one decimal number
    ];
    // One sandbox and cache for every case; each `attachments` run starts afresh (no progress
    // file). v1 candidates carry their file URLs, so a new file origin means listing them again;
    // v3 lists attachments when it downloads. Three candidates (14 files): every case is refused
    // many times over, and each attempt makes and discards a folder.
    await using sandbox = await startSandboxDisposable({ candidates: 3, rateLimit: 0 });
    const ownOrigin = sandbox.tenant.fileOrigin;
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      let listedWith: string | undefined;
      const cases = [
        ...targets.map((target) => ({ target, how: "redirect" as const })),
        ...targets.map((target) => ({ target, how: "direct" as const })),
      ];
      for (const { target, how } of cases) {
        sandbox.tenant.fileOrigin = how === "direct" ? target : ownOrigin;
        sandbox.faults.fileRedirect = how === "redirect"
          ? { every: 1, scope: "files", location: `${target}/x` }
          : undefined;
        const cacheDir = ["--cache-dir", join(root, CACHE)];
        if (listedWith !== sandbox.tenant.fileOrigin && (api === "v1" || !listedWith)) {
          // Set-up, through the CLI's entry point in this process.
          const listed = await runInProcess(["candidates", "-q", ...cacheDir], env);
          assert.equal(listed.code, 0, listed.stderr);
          listedWith = sandbox.tenant.fileOrigin;
        }
        await Deno.remove(join(root, CACHE, stepProgressFile("attachments"))).catch(() => {});
        // The previous case's refusals are recorded as lasting: ask for them again. The first
        // case spawns the CLI; the others run its entry point in this process, whose network
        // permission is the same (loopback only), so Deno refuses nothing the tool would not.
        const args = ["attachments", "-q", "--retry-failed"];
        const result = target === victim.origin && how === "redirect"
          ? await runCli(args, { root, env })
          : await runInProcess([...args, ...cacheDir], env);
        const what = `${how} ${target}`;
        assert.equal(result.code, 1, `${what}: ${result.stderr}`);
        assert.match(result.stdout, /^attachments: 0 files downloaded/, what);
        assert.match(result.stderr, /refused: (a redirect: )?\S+ (is|resolves to)/, what);
        assert.match(result.stderr, /not a public file host/, what);
        assert.doesNotMatch(result.stderr, /--allow-net|Expires=|Signature=/, what);
        assert.deepEqual(await attachmentFiles(root), [], `${what}: nothing saved`);
      }
    });
    assert.deepEqual(victim.hits, [], "the other service was never contacted");
  });
}

Deno.test("under the binary's permissions too, a loopback attachment URL is refused", async () => {
  await using victim = victimServer();
  await using sandbox = await startSandboxDisposable({ candidates: 12, rateLimit: 0 });
  await withTempDir(async (root) => {
    sandbox.faults.fileRedirect = { every: 1, scope: "files", location: `${victim.origin}/x` };
    const result = await attachmentsRun(sandbox, root, "v1", BINARY_FLAGS);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /refused: a redirect: 127\.0\.0\.1 is a loopback address/);
    assert.deepEqual(victim.hits, []);
    assert.deepEqual(await attachmentFiles(root), []);
  });
});

Deno.test("attachments over --max-attachment-mb are refused or stopped, leaving no file and no marker", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 14,
    rateLimit: 0,
    hugeAttachmentBytes: 3 * 1024 * 1024,
  });
  const hugeId = sandbox.tenant.hugeAttachmentCandidateId()!;
  await withTempDir(async (root) => {
    const result = await attachmentsRun(sandbox, root, "v1", undefined, [
      "--max-attachment-mb",
      "1",
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `candidate ${hugeId}: \\S+: the file is 3 MiB, over the 1 MiB limit \\(--max-attachment-mb\\); not downloaded`,
      ),
    );
    const huge = sandbox.tenant.get("candidates", hugeId)!;
    const names = attachmentFolderNames(huge.attachments);
    const sizes = huge.attachments.map((_: unknown, i: number) =>
      sandbox.attachmentSize(hugeId, i)
    );
    for (let i = 0; i < names.length; i++) {
      const folder = join(candidateAttachmentsDir(join(root, CACHE), hugeId), names[i]);
      const inside: string[] = await fileTree(folder).catch(() => []);
      if (sizes[i] > 1024 * 1024) assert.deepEqual(inside, [], "no partial file, no marker");
      else assert.ok(inside.includes(MARKER_FILE), "the others are downloaded");
    }
  });
  // A file host that sends without end (no Content-Length) is stopped at the limit.
  await withTempDir(async (root) => {
    sandbox.faults.hugeBody = { times: 1, scope: "files", mode: "endless" };
    const result = await attachmentsRun(sandbox, root, "v1", undefined, [
      "--max-attachment-mb",
      "2",
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /: the file went on past the 2 MiB limit \(--max-attachment-mb\); stopped, and the partial file removed/,
    );
    const files = await attachmentFiles(root);
    const folders = new Set(files.map((f) => f.slice(0, f.lastIndexOf("/"))));
    for (const folder of folders) {
      assert.ok(files.includes(`${folder}/${MARKER_FILE}`), `${folder}: a file without a marker`);
    }
  });
});

/** A cache with candidates and feeds, then a link planted inside it to an `outside` folder. */
async function tamperedCache(
  sandbox: TestSandbox,
  root: string,
  plant: (cache: string, outside: string) => Promise<void>,
  permissions?: string[],
): Promise<string> {
  const env = apiEnv("v1", sandbox);
  assert.equal((await runCli(["candidates", "-q"], { root, env, permissions })).code, 0);
  const outside = join(root, "outside");
  await Deno.mkdir(outside);
  await Deno.writeTextFile(join(outside, "precious.txt"), "not the cache's\n");
  await plant(join(root, CACHE), outside);
  return outside;
}

Deno.test("links inside the cache are refused with one clear line and nothing outside changes", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 12, rateLimit: 0 });
  const [first] = sandbox.tenant.list("candidates").filter((c) => c.attachments.length > 0);
  const user = String(sandbox.tenant.userIds()[0]);
  const email = (first.email_addresses as { value: string }[])[0].value;
  const cases: {
    name: string;
    args: string[];
    plant: (cache: string, out: string) => Promise<void>;
  }[] = [
    {
      name: "activity_feeds/ → outside",
      args: ["activity_feeds", "-q"],
      plant: (cache, out) => Deno.symlink(out, join(cache, "activity_feeds")),
    },
    {
      name: "<id>-attachments/ → outside",
      args: ["attachments", "-q"],
      plant: (cache, out) => Deno.symlink(out, candidateAttachmentsDir(cache, first.id)),
    },
    {
      name: ".lock → an outside file",
      args: ["jobs", "-q"],
      plant: (cache, out) => Deno.symlink(join(out, "precious.txt"), join(cache, ".lock")),
    },
    {
      name: "index.csv → an outside file",
      args: ["candidates", "-q"],
      plant: async (cache, out) => {
        await Deno.remove(join(cache, "candidates", "index.csv"));
        await Deno.symlink(join(out, "precious.txt"), join(cache, "candidates", "index.csv"));
      },
    },
    {
      name: ".privacy-log.jsonl → an outside file",
      args: ["erase", "--email", email, "--mode", "delete", "--on-behalf-of", user, "--yes"],
      plant: (cache, out) =>
        Deno.symlink(join(out, "precious.txt"), join(cache, ".privacy-log.jsonl")),
    },
  ];
  for (const { name, args, plant } of cases) {
    await withTempDir(async (root) => {
      const outside = await tamperedCache(sandbox, root, plant);
      const before = await snapshot(outside);
      const writes = () => sandbox.log.filter((e) => e.method !== "GET").length;
      const writesBefore = writes();
      const result = await runCli(args, { root, env: apiEnv("v1", sandbox) });
      assert.equal(result.code, 1, `${name}: ${result.stderr}`);
      // Refused before Greenhouse was asked to act, so nobody is erased upstream but kept here.
      assert.equal(writes(), writesBefore, `${name}: no write was sent`);
      assert.match(
        result.stderr,
        /: is a symbolic link, and the cache never follows links inside itself \(a write there would land outside it\); remove the link, and find out how it got there/,
        name,
      );
      assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+|unexpected internal error/, name);
      assert.deepEqual(await snapshot(outside), before, `${name}: nothing outside changed`);
    });
  }
});

Deno.test("under the binary's permissions too, a linked activity_feeds/ is not written through", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 12, rateLimit: 0 });
  await withTempDir(async (root) => {
    const outside = await tamperedCache(
      sandbox,
      root,
      (cache, out) => Deno.symlink(out, join(cache, "activity_feeds")),
      BINARY_FLAGS,
    );
    const before = await snapshot(outside);
    const result = await runCli(["activity_feeds", "-q"], {
      root,
      env: apiEnv("v1", sandbox),
      permissions: BINARY_FLAGS,
    });
    assertOneLineError(result, /activity_feeds: is a symbolic link/);
    assert.deepEqual(await snapshot(outside), before);
  });
});
