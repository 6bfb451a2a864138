/**
 * End to end: one bad item is named once, recorded, retried on its own, and reported by `check`
 * as what it is (issue 19, points 1 to 3). The real CLI against the sandbox with the faults of a
 * file host that refuses, fails or drips, and an API that fails some candidates.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  attachmentFolderNames,
  candidateAttachmentsDir,
  FAILURES_FILE,
  MARKER_FILE,
} from "../../src/cache/mod.ts";
import { apiEnv } from "./api.ts";
import { runCli, setUpCache, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";
import { exists, fileTree } from "../support.ts";

const CACHE = "greenhouse-cache";

interface RecordItem {
  id: number;
  folder?: string;
  reason: string;
  lasting: boolean;
  at: string;
}

async function recorded(root: string, step: string): Promise<RecordItem[]> {
  const path = join(root, CACHE, FAILURES_FILE);
  if (!await exists(path)) return [];
  return JSON.parse(await Deno.readTextFile(path))[step].items;
}

/** Every attachment folder on disk: none may be empty or without its marker. */
async function assertNoIncompleteFolder(root: string) {
  const tree = (await fileTree(join(root, CACHE, "candidates"), true))
    .filter((p) => p.includes("-attachments/"));
  // Folders end in "/": `<id>-attachments/` and `<id>-attachments/<type>-<time>/`.
  const depth = (p: string) => p.split("/").length - 1;
  const folders = tree.filter((p) => p.endsWith("/") && depth(p) === 2);
  for (const folder of folders) {
    assert.ok(tree.includes(`${folder}${MARKER_FILE}`), `${folder}: no marker`);
  }
  // No candidate folder left empty either.
  for (const owner of tree.filter((p) => p.endsWith("/") && depth(p) === 1)) {
    assert.ok(folders.some((f) => f.startsWith(owner)), `${owner}: empty`);
  }
}

function fileRequests(sandbox: TestSandbox, url: string, from = 0): number {
  const path = new URL(url).pathname;
  return sandbox.log.slice(from).filter((e) => e.path.split("?")[0] === path).length;
}

Deno.test("a file refused for a lasting reason: no folder, recorded, a warning for check, not fetched again unless its setting changes or --retry-failed", async () => {
  await using sandbox = await startSandboxDisposable({
    candidates: 14,
    rateLimit: 0,
    hugeAttachmentBytes: 3 * 1024 * 1024,
  });
  const hugeId = sandbox.tenant.hugeAttachmentCandidateId()!;
  const huge = sandbox.tenant.get("candidates", hugeId)!;
  const index = huge.attachments.findIndex((_: unknown, i: number) =>
    sandbox.attachmentSize(hugeId, i) > 1024 * 1024
  );
  const folder = attachmentFolderNames(huge.attachments)[index];
  const url = huge.attachments[index].url as string;
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const first = await runCli(["attachments", "-q", "--max-attachment-mb", "1"], { root, env });
    assert.equal(first.code, 1, first.stderr);
    assert.match(
      first.stderr,
      /over the 1 MiB limit .*not tried again until the setting that refused them changes, or --retry-failed/s,
    );
    await assertNoIncompleteFolder(root);
    const items = await recorded(root, "attachments");
    assert.deepEqual(items.map((i) => [i.id, i.folder, i.lasting]), [[hugeId, folder, true]]);
    assert.match(items[0].reason, /the file is 3 MiB, over the 1 MiB limit/);

    // check: consistent (exit 0), the file listed as not downloaded, apart from damage.
    const check = await runCli(["check"], { root, env });
    assert.equal(check.code, 0, check.stdout);
    assert.match(
      check.stdout,
      /Not downloaded \(recorded upstream failures: warnings, not damage\)/,
    );
    assert.match(
      check.stdout,
      new RegExp(
        `attachments ${hugeId}: candidates/${hugeId}-attachments/${folder}: not ` +
          "downloaded \\(the file is 3 MiB, over the 1 MiB limit .*; not tried again unless " +
          "--max-attachment-mb is raised or --retry-failed",
      ),
    );
    assert.doesNotMatch(check.stdout, /Attachment folders without their file/);
    assert.equal((await runCli(["check", "--strict", "-q"], { root, env })).code, 1);
    const json = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    assert.equal(json.ok, true);
    assert.equal(json.upstreamFailures, 1);
    assert.equal(json.attachments.notDownloaded, 1);
    const [problem] = json.upstream.find((c: { key: string }) =>
      c.key === "attachment_not_downloaded"
    ).problems;
    assert.deepEqual([problem.id, problem.lasting], [hugeId, true]);

    // Neither a repair nor the next run under the same cap fetches it again…
    const before = sandbox.log.length;
    const repair = await runCli(["check", "--repair", "-q"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    const rerun = await runCli(["attachments", "-q", "--max-attachment-mb", "1"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, /1 file not tried again: refused earlier for a lasting reason/);
    assert.equal(fileRequests(sandbox, url, before), 0);
    // …unless asked to.
    const retried = await runCli(["check", "--repair", "--retry-failed", "-q"], { root, env });
    assert.equal(retried.code, 0, retried.stdout + retried.stderr);
    assert.equal(fileRequests(sandbox, url, before), 1);
    assert.deepEqual(await recorded(root, "attachments"), []);
    const done = join(candidateAttachmentsDir(join(root, CACHE), hugeId), folder, MARKER_FILE);
    assert.ok(await exists(done));
    assert.equal(await exists(join(root, CACHE, FAILURES_FILE)), false, "nothing left: no file");
  });
  // A run with a higher cap than the one that refused the file tries it again by itself.
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const cap = (mb: string) => ["attachments", "-q", "--max-attachment-mb", mb];
    assert.equal((await runCli(cap("1"), { root, env })).code, 1);
    const before = sandbox.log.length;
    const raised = await runCli(cap("4"), { root, env });
    assert.equal(raised.code, 0, raised.stderr);
    assert.equal(fileRequests(sandbox, url, before), 1);
    assert.deepEqual(await recorded(root, "attachments"), []);
  });
});

Deno.test("a file that fails for a passing reason is recorded, and fetched again by check --repair and by sync", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 14, rateLimit: 0 });
  const origin = new URL(sandbox.url).origin;
  for (const retry of [["check", "--repair", "-q"], ["sync", "--only", "attachments", "-q"]]) {
    await withTempDir(async (root) => {
      const env = apiEnv("v1", sandbox);
      await setUpCache(["candidates", "-q"], root, env);
      // The first file asked for is sent to a URL the file host refuses (403, not retried).
      sandbox.faults.fileRedirect = { times: 1, scope: "files", location: `${origin}/files/gone` };
      const first = await runCli(["attachments", "-q", "--json"], { root, env });
      assert.equal(first.code, 1, first.stderr);
      const [failure] = JSON.parse(first.stdout).steps[0].failures;
      assert.match(failure.reason, /the file host answered 403/);
      assert.equal(failure.lasting, false);
      const [item] = await recorded(root, "attachments");
      assert.deepEqual([item.id, item.lasting], [failure.id, false]);
      await assertNoIncompleteFolder(root);
      const check = await runCli(["check", "-q"], { root, env });
      assert.equal(check.code, 0, check.stdout);
      assert.match(check.stdout, /1 item the upstream did not give \(warnings\)/);

      const candidate = sandbox.tenant.get("candidates", item.id)!;
      const index = attachmentFolderNames(candidate.attachments).indexOf(item.folder!);
      const url = candidate.attachments[index].url as string;
      // Tried again (it is not a lasting refusal), alone, and it comes this time.
      const before = sandbox.log.length;
      const again = await runCli(retry, { root, env });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal(fileRequests(sandbox, url, before), 1, retry.join(" "));
      // One file served (a URL may go through a redirect first: that is not a second file).
      const files = sandbox.log.slice(before).filter((e) =>
        e.path.startsWith("/files/") && !/^\/files\/[rm]\//.test(e.path)
      );
      assert.equal(files.length, 1, retry.join(" "));
      assert.deepEqual(await recorded(root, "attachments"), []);
    });
  }
});

Deno.test("a drip-fed file and a file that never ends are stopped at their deadline, once, and recorded", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 14, rateLimit: 0 });
  const candidate = sandbox.tenant.list("candidates").find((c) => c.attachments.length === 1)!;
  const url = candidate.attachments[0].url as string;
  const folder = attachmentFolderNames(candidate.attachments)[0];
  // Small settings: 1 KiB every 20 ms is 50 KiB/s, under a 2 MiB/s minimum after 0.2 s.
  const limits = ["--min-download-rate", "2048", "--download-grace", "0.2"];
  for (const endless of [false, true]) {
    await withTempDir(async (root) => {
      const env = apiEnv("v1", sandbox);
      await setUpCache(["candidates", "-q"], root, env);
      sandbox.faults.fileDrip = { times: 1, scope: "files", everyMs: 20, endless };
      const before = sandbox.log.length;
      const result = await runCli(
        ["attachments", "-q", "--candidates", String(candidate.id), ...limits],
        { root, env },
      );
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `candidate ${candidate.id}: ${folder}: too slow: [0-9.]+ KiB in [0-9.]+ s, under ` +
            "2048 KiB/s on average after 0.2 s \\(--min-download-rate, --download-grace\\); " +
            "stopped, and the partial file removed",
        ),
        `endless: ${endless}`,
      );
      // Given up on once: a slow file is not tried four times.
      assert.equal(fileRequests(sandbox, url, before), 1);
      const [item] = await recorded(root, "attachments");
      assert.deepEqual([item.id, item.folder, item.lasting], [candidate.id, folder, false]);
      assert.equal(await exists(candidateAttachmentsDir(join(root, CACHE), candidate.id)), false);
    });
  }
});

function feedRequests(sandbox: TestSandbox, from = 0): number[] {
  return sandbox.log.slice(from)
    .map((e) => /^\/v1\/candidates\/(\d+)\/activity_feed$/.exec(e.path))
    .filter((m) => m !== null).map((m) => Number(m![1]));
}

Deno.test("activity_feeds (v1): a rerun asks only for the candidates that failed plus those changed since", async () => {
  const denied: string[] = [];
  await using sandbox = await startSandboxDisposable({
    candidates: 30,
    rateLimit: 0,
    deniedPaths: denied,
  });
  const ids = sandbox.tenant.list("candidates").map((c) => c.id as number).sort((a, b) => a - b);
  const failing = [ids[2], ids[11], ids[20]];
  for (const id of failing) denied.push(`/candidates/${id}/activity_feed`);
  await withTempDir(async (root) => {
    const env = apiEnv("v1", sandbox);
    assert.equal((await runCli(["sync", "--only", "candidates", "-q"], { root, env })).code, 0);
    const first = await runCli(["activity_feeds", "-q"], { root, env });
    assert.equal(first.code, 1, first.stderr);
    assert.equal(feedRequests(sandbox).length, 30);
    assert.deepEqual((await recorded(root, "activity_feeds")).map((i) => i.id), failing);
    const check = await runCli(["check"], { root, env });
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /Activity feeds not fetched: 3/);

    // Upstream: the failures are fixed, and one other candidate changes (a sync caches it again).
    denied.length = 0;
    const changed = ids[25];
    sandbox.tenant.touchCandidate(changed);
    assert.equal((await runCli(["sync", "--only", "candidates", "-q"], { root, env })).code, 0);
    const before = sandbox.log.length;
    const rerun = await runCli(["activity_feeds", "--json"], { root, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(feedRequests(sandbox, before).sort((a, b) => a - b), [...failing, changed]);
    assert.match(rerun.stderr, /asking again for the 3 candidates an earlier run failed/);
    const step = JSON.parse(rerun.stdout).steps[0];
    assert.deepEqual([step.mode, step.candidates, step.updated], ["retry", 4, 4]);
    assert.deepEqual(await recorded(root, "activity_feeds"), []);

    // Nothing left to retry: the next run is a full pass again.
    const full = sandbox.log.length;
    assert.equal((await runCli(["activity_feeds", "-q"], { root, env })).code, 0);
    assert.equal(feedRequests(sandbox, full).length, 30);
  });
});

Deno.test("activity_feeds and attachments (v3): a rerun lists only the failed candidates' notes and files", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 120, rateLimit: 0 });
  const origin = new URL(sandbox.url).origin;
  await withTempDir(async (root) => {
    const env = apiEnv("v3", sandbox);
    await setUpCache(["candidates", "-q"], root, env);
    const batches = (path: string, from: number) =>
      sandbox.log.slice(from).filter((e) => e.path.startsWith(`/v3/${path}?`));

    // One of the three notes requests fails (a 422 is not retried): its 20 to 50 candidates.
    sandbox.faults.echoCredentials = { times: 1, status: 422 };
    const first = await runCli(["activity_feeds", "-q", "--concurrency", "1"], { root, env });
    assert.equal(first.code, 1, first.stderr);
    const failed = (await recorded(root, "activity_feeds")).map((i) => i.id);
    assert.ok(failed.length >= 20 && failed.length <= 50, String(failed.length));
    // The error body echoed the credentials: none reaches the record.
    const text = await Deno.readTextFile(join(root, CACHE, FAILURES_FILE));
    assert.ok(!text.includes(sandbox.clientSecret), "the client secret is in the record");
    assert.ok(!text.includes(btoa(`${sandbox.clientId}:${sandbox.clientSecret}`)));
    let from = sandbox.log.length;
    assert.equal((await runCli(["activity_feeds", "-q"], { root, env })).code, 0);
    const notes = batches("notes", from);
    // One request for the failed batch, one for the notes changed since the first run.
    const asked = notes.filter((e) => e.path.includes("candidate_ids="));
    assert.equal(asked.length, 1, notes.map((e) => e.path).join("\n"));
    const listed = new URL(asked[0].path, origin).searchParams.get("candidate_ids")!;
    assert.deepEqual(listed.split(",").map(Number), failed);
    assert.equal(notes.length, 2);

    // Attachments: one file refused (403, not retried); the rerun lists only its candidate.
    sandbox.faults.fileRedirect = { times: 1, scope: "files", location: `${origin}/files/gone` };
    assert.equal((await runCli(["attachments", "-q"], { root, env })).code, 1);
    const [item] = await recorded(root, "attachments");
    from = sandbox.log.length;
    assert.equal((await runCli(["attachments", "-q"], { root, env })).code, 0);
    const listings = batches("attachments", from).filter((e) => e.path.includes("candidate_ids="));
    assert.equal(listings.length, 1);
    assert.equal(
      new URL(listings[0].path, origin).searchParams.get("candidate_ids"),
      String(item.id),
    );
    assert.deepEqual(await recorded(root, "attachments"), []);
  });
});
