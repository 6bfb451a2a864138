/**
 * End to end: activity_feeds and attachments, the real CLI spawned with scoped permissions
 * against the in-process sandbox.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  attachmentFolderNames,
  formatIndex,
  isTempName,
  MARKER_FILE,
  parseIndex,
  readMarker,
  sanitizeFileName,
} from "../../src/cache/mod.ts";
import { ManualClock } from "../../src/clock.ts";
import { ENTITIES } from "../../src/entities.ts";
import {
  HOSTILE_FILENAMES,
  MINTED_LIFETIME_MS,
  v3Attachments,
  v3Notes,
} from "../../src/sandbox/mod.ts";
import { type Api, apiEnv, APIS } from "./api.ts";
import { cliCommand, readEntityFolder, runCli, setUpCache, waitFor, withTempDir } from "./cli.ts";
import { frozenClock, startSandboxDisposable, type TestSandbox } from "./sandbox.ts";
import { fileTree } from "../support.ts";

type ApiAttachment = { filename: string; url: string; type: string; created_at: string };

const filesRequests = (sandbox: TestSandbox) =>
  sandbox.log.filter((entry) => entry.path.startsWith("/files/"));

/** Where each of a candidate's attachments belongs, in API order. */
// deno-lint-ignore no-explicit-any
function expectedLayout(record: Record<string, any>) {
  const candidate = record as { id: number; attachments: ApiAttachment[] };
  const names = attachmentFolderNames(candidate.attachments);
  return candidate.attachments.map((attachment, index) => ({
    index,
    attachment,
    folder: `${candidate.id}-attachments/${names[index]}`,
    file: sanitizeFileName(attachment.filename),
  }));
}

/**
 * The candidates whose files the version lists: on v3 every attachment belongs to an
 * application, so a candidate without one (which the sandbox has, Greenhouse never) has none.
 */
const filedCandidates = (sandbox: TestSandbox, api: Api) =>
  sandbox.tenant.list("candidates").filter((c) => api === "v1" || c.application_ids.length > 0);

/** Asserts that every attachment of every candidate is on disk, byte-exact, with its marker. */
async function assertAllDownloaded(sandbox: TestSandbox, candidatesDir: string, api: Api) {
  const expectedFiles: string[] = [];
  for (const candidate of filedCandidates(sandbox, api)) {
    for (const { index, attachment, folder, file } of expectedLayout(candidate)) {
      const dir = join(candidatesDir, folder);
      const bytes = await Deno.readFile(join(dir, file));
      assert.deepEqual(bytes, sandbox.attachmentBytes(candidate.id, index), `${folder}/${file}`);
      const marker = await readMarker(dir);
      assert.ok(marker && marker !== "invalid", `${folder} has a marker`);
      assert.equal(marker.file, file);
      assert.equal(marker.filename, attachment.filename);
      assert.equal(marker.size, sandbox.attachmentSize(candidate.id, index));
      assert.equal(marker.sha256, sandbox.attachmentSha256(candidate.id, index));
      assert.equal(marker.type, attachment.type);
      assert.equal(marker.created_at, attachment.created_at);
      assert.match(marker.content_type ?? "", /^[a-z]+\/[a-z0-9.+-]+$/);
      assert.match(marker.downloaded_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expectedFiles.push(`${folder}/${file}`, `${folder}/${MARKER_FILE}`);
    }
  }
  // Nothing else anywhere under the attachment folders.
  const onDisk = (await fileTree(candidatesDir)).filter((path) => path.includes("-attachments/"));
  assert.deepEqual(onDisk, expectedFiles.sort());
}

// The same behaviour on both API versions (v3: metadata from /v3/attachments, 50 candidates a
// request, URLs that redirect to freshly minted ones).
for (const api of APIS) {
  Deno.test(`attachments: exact bytes and markers, hostile names contained, pairs kept, re-runs download nothing (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({ candidates: 30, rateLimit: 0 });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      const candidatesDir = join(root, "greenhouse-cache", "candidates");
      await setUpCache(["candidates", "-q"], root, env);

      const first = await runCli(["attachments", "-q"], { root, env });
      assert.equal(first.code, 0, first.stderr);
      const total = filedCandidates(sandbox, api).reduce((n, c) => n + c.attachments.length, 0);
      assert.match(first.stdout, new RegExp(`^attachments: ${total} files downloaded`));
      assert.equal(first.stderr, "");
      await assertAllDownloaded(sandbox, candidatesDir, api);

      // Hostile names: sanitised, and nothing was written outside the cache folder.
      assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["greenhouse-cache"]);
      const hostile = sandbox.tenant.hostileAttachmentCandidateIds();
      for (const [kind, name] of Object.entries(HOSTILE_FILENAMES)) {
        const candidate = sandbox.tenant.get("candidates", hostile[kind as keyof typeof hostile])!;
        const entry = expectedLayout(candidate).find((e) => e.attachment.filename === name)!;
        const file = entry.file;
        // deno-lint-ignore no-control-regex
        assert.doesNotMatch(file, /[/\\\u0000-\u001f\u007f]/, kind);
        assert.ok(!file.startsWith("."), kind);
        assert.notEqual(file.toLowerCase(), "con", kind);
        assert.notEqual(file.toLowerCase(), MARKER_FILE, kind);
        assert.ok(new TextEncoder().encode(file).length <= 180, kind);
        assert.ok(file.length > 0, kind);
        await Deno.stat(join(candidatesDir, entry.folder, file));
      }
      assert.ok(sanitizeFileName(HOSTILE_FILENAMES.long300).endsWith(".pdf"));

      // The same-type-same-time pair: both kept, the second with ~2.
      const pair = expectedLayout(
        sandbox.tenant.get("candidates", hostile.duplicateTypeAndCreatedAt)!,
      ).filter((e) => e.attachment.filename === "Resume.pdf");
      assert.equal(pair.length, 2);
      assert.equal(pair[1].folder, `${pair[0].folder}~2`);
      const [a, b] = await Promise.all(pair.map((e) => readMarker(join(candidatesDir, e.folder))));
      assert.ok(typeof a === "object" && typeof b === "object");
      assert.notEqual(a.sha256, b.sha256);

      // A second run downloads nothing.
      const before = filesRequests(sandbox).length;
      const second = await runCli(["attachments", "-q"], { root, env });
      assert.equal(second.code, 0, second.stderr);
      assert.match(
        second.stdout,
        new RegExp(`^attachments: 0 files downloaded .*, ${total} already`),
      );
      assert.equal(filesRequests(sandbox).length, before);

      // A file whose size no longer matches its marker is downloaded again; with --verify, so is
      // one whose bytes changed at the same size.
      const [shortened, altered] = expectedLayout(sandbox.tenant.get("candidates", hostile.empty)!);
      const shortPath = join(candidatesDir, shortened.folder, shortened.file);
      await Deno.truncate(shortPath, 10);
      const alteredPath = join(candidatesDir, altered.folder, altered.file);
      const bytes = await Deno.readFile(alteredPath);
      bytes[bytes.length - 1] ^= 0xff;
      await Deno.writeFile(alteredPath, bytes);
      const third = await runCli(["attachments", "-q"], { root, env });
      assert.match(third.stdout, /^attachments: 1 files downloaded/);
      const verified = await runCli(["attachments", "-q", "--verify"], { root, env });
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /^attachments: 1 files downloaded/);
      await assertAllDownloaded(sandbox, candidatesDir, api);
    });
  });

  Deno.test(`attachments --candidates downloads only those candidates' files (${api})`, async () => {
    await using sandbox = await startSandboxDisposable({ candidates: 20, rateLimit: 0 });
    await withTempDir(async (root) => {
      const env = apiEnv(api, sandbox);
      await setUpCache(["candidates", "-q"], root, env);
      const target = filedCandidates(sandbox, api).find((c) => c.attachments.length > 1)!;
      const result = await runCli(["attachments", "-q", "--candidates", String(target.id)], {
        root,
        env,
      });
      assert.equal(result.code, 0, result.stderr);
      const folders = [...Deno.readDirSync(join(root, "greenhouse-cache", "candidates"))]
        .filter((e) => e.isDirectory).map((e) => e.name);
      assert.deepEqual(folders, [`${target.id}-attachments`]);
      assert.equal(
        filesRequests(sandbox).filter((e) => e.status === 200).length,
        target.attachments.length,
      );
    });
  });
}

Deno.test("v3 attachments: listed 50 candidates a request; each URL redirects to a freshly minted one", async () => {
  const clock = frozenClock();
  await using sandbox = await startSandboxDisposable({ candidates: 70, rateLimit: 0, clock });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const result = await runCli(["attachments", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    await assertAllDownloaded(sandbox, join(root, "greenhouse-cache", "candidates"), "v3");

    const lists = sandbox.log.filter((e) => e.path.startsWith("/v3/attachments?"));
    assert.equal(lists.length, 2, "70 candidates: two batches of at most 50");
    for (const list of lists) {
      const ids = new URL(list.path, "http://x").searchParams.get("candidate_ids")!.split(",");
      assert.ok(ids.length <= 50);
    }
    // No candidate is fetched one by one, and the cached candidates are not rewritten.
    assert.equal(sandbox.log.filter((e) => /^\/v3\/candidates[/?]/.test(e.path)).length, 1);

    // Every download went through a mint link (302) to a signed URL living MINTED_LIFETIME_MS.
    const files = filesRequests(sandbox);
    const mints = files.filter((e) => e.path.startsWith("/files/m/"));
    const total = filedCandidates(sandbox, "v3").reduce((n, c) => n + c.attachments.length, 0);
    assert.equal(mints.length, total);
    assert.ok(mints.every((e) => e.status === 302));
    const minted = files.filter((e) => /^\/files\/[^mr]/.test(e.path) && e.status === 200);
    assert.equal(minted.length, total);
    const expected = Math.floor((clock.now() + MINTED_LIFETIME_MS) / 1000);
    for (const e of minted) {
      assert.equal(Number(new URL(e.path, "http://x").searchParams.get("Expires")), expected);
    }
    const listed = v3Attachments(sandbox.tenant, sandbox.tenant.list("candidates")[0].id);
    for (const a of listed) assert.match(a.url, /\/files\/m\//);
  });
});

Deno.test("v3 activity_feeds: notes 50 candidates a request, one {notes} file per candidate", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 120,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const candidates = sandbox.tenant.list("candidates");
    // Every seeded candidate has an activity; one whose items are anonymized away has none.
    sandbox.tenant.anonymizeCandidate(candidates[3].id, ["notes", "emails", "activity_items"]);
    const before = sandbox.log.filter((e) => e.path.startsWith("/v3/")).length;
    const result = await runCli(["activity_feeds", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^activity_feeds: ${candidates.length} feeds written`));

    const requests = sandbox.log.filter((e) => e.path.startsWith("/v3/")).slice(before);
    assert.ok(requests.every((e) => e.path.startsWith("/v3/notes?")), "only the notes endpoint");
    assert.equal(requests.length, Math.ceil(candidates.length / 50), "one request per 50");
    assert.ok(requests.length * 20 < candidates.length, "far fewer than one per candidate");

    const { files, index } = await readEntityFolder(
      join(root, "greenhouse-cache", "activity_feeds"),
    );
    assert.equal(files.size, candidates.length, "every candidate has a file, notes or not");
    let withoutNotes = 0;
    for (const candidate of candidates) {
      const notes = v3Notes(sandbox.tenant, candidate.id).sort((a, b) => b.id - a.id);
      if (notes.length === 0) withoutNotes++;
      assert.deepEqual(files.get(candidate.id), { notes });
    }
    assert.ok(withoutNotes > 0, "the tenant has candidates without notes");
    assert.equal(parseIndex(index).rows.length, candidates.length);
  });
});

Deno.test("attachments: a URL that expired is refreshed by fetching its candidate again", async () => {
  const clock = new ManualClock(Date.now());
  await using sandbox = await startSandboxDisposable({
    candidates: 16,
    rateLimit: 0,
    clock,
    attachmentLifetimeMs: 3_600_000,
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    const candidatesDir = join(root, "greenhouse-cache", "candidates");
    await setUpCache(["candidates", "-q"], root, env);
    const withFiles = sandbox.tenant.list("candidates").filter((c) => c.attachments.length > 0);
    const cachedBefore = JSON.parse(
      await Deno.readTextFile(join(candidatesDir, `${withFiles[0].id}.json`)),
    );

    clock.advance(2 * 3_600_000); // every cached URL is now past its Expires
    const result = await runCli(["attachments", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`, ${withFiles.length} candidates refreshed`));
    const expired = filesRequests(sandbox).filter((entry) => entry.status === 403);
    assert.ok(expired.length >= withFiles.length, "the first download of each candidate expired");
    for (const candidate of withFiles) {
      const gets = sandbox.log.filter((e) => e.path === `/v1/candidates/${candidate.id}`);
      assert.equal(gets.length, 1, `candidate ${candidate.id} fetched once`);
    }
    await assertAllDownloaded(sandbox, candidatesDir, "v1");

    // The cache holds the fresh candidate (a later Expires), and its index row was rewritten.
    const cachedAfter = JSON.parse(
      await Deno.readTextFile(join(candidatesDir, `${withFiles[0].id}.json`)),
    );
    const expires = (c: { attachments: ApiAttachment[] }) =>
      Number(new URL(c.attachments[0].url).searchParams.get("Expires"));
    assert.ok(expires(cachedAfter) > expires(cachedBefore));
    const { files } = await readEntityFolder(candidatesDir);
    assert.equal(files.size, 16);
  });
});

Deno.test("attachments: candidates cached longer ago than the URL lifetime are refreshed 50 at a time first", async () => {
  const clock = new ManualClock(Date.now());
  await using sandbox = await startSandboxDisposable({ candidates: 70, rateLimit: 0, clock });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    const candidatesDir = join(root, "greenhouse-cache", "candidates");
    await setUpCache(["candidates", "-q"], root, env);
    // As if the candidates had been extracted eight days ago.
    const eightDays = 8 * 86_400_000;
    const indexPath = join(candidatesDir, "index.csv");
    const { rows } = parseIndex(await Deno.readTextFile(indexPath));
    const old = new Date(Date.now() - eightDays).toISOString();
    await Deno.writeTextFile(indexPath, formatIndex(rows.map((r) => ({ ...r, timestamp: old }))));
    clock.advance(eightDays);

    const result = await runCli(["attachments", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    const withFiles = sandbox.tenant.list("candidates").filter((c) => c.attachments.length > 0);
    const batches = sandbox.log.filter((e) =>
      e.path.startsWith("/v1/candidates?") && e.path.includes("candidate_ids=")
    );
    assert.equal(batches.length, Math.ceil(withFiles.length / 50));
    for (const batch of batches) {
      const ids = new URL(batch.path, "http://x").searchParams.get("candidate_ids")!.split(",");
      assert.ok(ids.length <= 50);
    }
    assert.equal(
      filesRequests(sandbox).filter((e) => e.status !== 200 && e.status !== 302).length,
      0,
    );
    assert.equal(sandbox.log.filter((e) => /^\/v1\/candidates\/\d+$/.test(e.path)).length, 0);
    assert.match(result.stdout, new RegExp(`, ${withFiles.length} candidates refreshed`));
    await assertAllDownloaded(sandbox, candidatesDir, "v1");
    const refreshedRows = parseIndex(await Deno.readTextFile(indexPath)).rows
      .filter((r) => r.timestamp !== old);
    assert.equal(refreshedRows.length, withFiles.length);
  });
});

Deno.test("attachments: kill -9 mid-download leaves no marker beside a partial file; the next run finishes", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 14,
    rateLimit: 0,
    hugeAttachmentBytes: 8 * 1024 * 1024,
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    const candidatesDir = join(root, "greenhouse-cache", "candidates");
    await setUpCache(["candidates", "-q"], root, env);
    const hugeId = sandbox.tenant.hugeAttachmentCandidateId()!;
    const layout = expectedLayout(sandbox.tenant.get("candidates", hugeId)!);
    const huge = layout[layout.length - 1];
    const hugeDir = join(candidatesDir, huge.folder);

    sandbox.faults.fileChunkDelayMs = 10; // 128 chunks: the huge file takes over a second
    const child = cliCommand(["attachments", "-q"], { root, env }).spawn();
    const partial = async () => {
      try {
        for await (const entry of Deno.readDir(hugeDir)) {
          if (isTempName(entry.name) && (await Deno.stat(join(hugeDir, entry.name))).size > 0) {
            return true;
          }
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return false;
    };
    await waitFor(partial, "part of the huge file on disk");
    child.kill("SIGKILL");
    await child.output();

    // No marker beside the partial download, and the final name never holds a partial file.
    const names = [...Deno.readDirSync(hugeDir)].map((e) => e.name);
    assert.ok(!names.includes(MARKER_FILE), names.join(", "));
    assert.ok(!names.includes(huge.file), names.join(", "));
    // Every marker written so far stands beside its whole file.
    for (const path of await fileTree(candidatesDir)) {
      if (!path.endsWith(`/${MARKER_FILE}`)) continue;
      const dir = join(candidatesDir, path.slice(0, -MARKER_FILE.length - 1));
      const marker = await readMarker(dir);
      assert.ok(typeof marker === "object");
      assert.equal((await Deno.stat(join(dir, marker.file))).size, marker.size);
    }

    sandbox.faults.fileChunkDelayMs = 0;
    const rerun = await runCli(["attachments", "-q"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    await assertAllDownloaded(sandbox, candidatesDir, "v1");
    assert.deepEqual(
      [...Deno.readDirSync(hugeDir)].map((e) => e.name).sort(),
      [
        huge.file,
        MARKER_FILE,
      ].sort(),
    );
  });
});

Deno.test("activity_feeds: stores each feed verbatim, skips a deleted candidate, honours --candidates", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 25,
    rateLimit: 0,
    clock: frozenClock(),
  });
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const candidates = sandbox.tenant.list("candidates");
    const gone = candidates[3];
    sandbox.tenant.deleteCandidate(gone.id);

    const result = await runCli(["activity_feeds", "-q"], { root, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^activity_feeds: 24 feeds written, 1 skipped \(not found\), 0 failed/,
    );
    assert.match(result.stderr, new RegExp(`candidate ${gone.id} not found \\(404`));

    const { files, index } = await readEntityFolder(
      join(root, "greenhouse-cache", "activity_feeds"),
    );
    assert.equal(files.size, 24);
    assert.ok(!files.has(gone.id));
    for (const candidate of candidates) {
      if (candidate.id === gone.id) continue;
      assert.deepEqual(files.get(candidate.id), sandbox.tenant.activityFeed(candidate.id));
    }
    const parsed = parseIndex(index);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.rows.length, 24);
    const byId = new Map(candidates.map((c) => [c.id, c]));
    for (const row of parsed.rows) {
      assert.equal(row.moniker, ENTITIES.candidates.moniker(byId.get(row.id)!));
    }

    // --candidates limits the run to those candidates (and reports ids not in the cache).
    const feedRequests = () => sandbox.log.filter((e) => e.path.endsWith("/activity_feed"));
    const before = feedRequests().length;
    const picked = [candidates[0].id, candidates[5].id];
    const limited = await runCli(
      ["activity_feeds", "-q", "--candidates", `${picked.join(",")},999`, "--concurrency", "2"],
      { root, env },
    );
    assert.equal(limited.code, 0, limited.stderr);
    assert.match(limited.stdout, /^activity_feeds: 2 feeds written/);
    assert.match(limited.stderr, /candidate 999 is not in candidates\/index\.csv/);
    assert.deepEqual(
      feedRequests().slice(before).map((e) => e.path).sort(),
      picked.map((id) => `/v1/candidates/${id}/activity_feed`).sort(),
    );
  });
});

Deno.test("dependent commands: usage errors exit 2, and a cache without candidates exits 1", async () => {
  await using sandbox = await startSandboxDisposable({});
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    for (
      const args of [
        ["attachments", "--concurrency", "0"],
        ["activity_feeds", "--candidates", "12,abc"],
        ["activity_feeds", "--verify"],
        ["attachments", "--download-grace", "0"],
        ["attachments", "--download-grace", "soon"],
        ["attachments", "--min-download-rate", "0"],
        ["activity_feeds", "--retry-failed"],
      ]
    ) {
      const result = await runCli(args, { root, env });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    for (const command of ["activity_feeds", "attachments"]) {
      const result = await runCli([command], { root, env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /candidates\/index\.csv does not exist: run `candidates`/);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    assert.equal(sandbox.log.length, 0);
    assert.deepEqual([...Deno.readDirSync(root)], []);
  });
});
