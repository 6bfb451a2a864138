/**
 * End to end: `check` sees symbolic links (issue 19, point 7). Every writing command refuses a
 * cache holding one; `check` must too: name each link as damage (exit 1) without reading through
 * it, and `check --repair` removes the link itself, never its target, and fetches the data again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  attachmentFolderNames,
  attachmentsFolderName,
  MARKER_FILE,
  recordFileName,
  TOMBSTONES_FILE,
} from "../../src/cache/mod.ts";
import { apiEnv } from "./api.ts";
import { runCli, setUpCache, withTempDir } from "./cli.ts";
import { startSandboxDisposable, type TestSandbox } from "./sandbox.ts";
import { exists, fileTree, snapshot } from "../support.ts";

const CACHE = "greenhouse-cache";

/** Moves `path` (relative to the cache) out to `outside`, and leaves a link to it in its place. */
async function replaceWithLink(root: string, path: string): Promise<void> {
  const inside = join(root, CACHE, path);
  const outside = join(root, "outside", path.replaceAll("/", "__"));
  await Deno.rename(inside, outside);
  await Deno.symlink(outside, inside);
}

async function isLink(path: string): Promise<boolean> {
  return (await Deno.lstat(path)).isSymlink;
}

async function fullCache(sandbox: TestSandbox, root: string) {
  const env = apiEnv("v1", sandbox);
  for (const command of ["candidates", "jobs", "activity_feeds", "attachments"]) {
    await setUpCache([command, "-q"], root, env);
  }
  await Deno.mkdir(join(root, "outside"));
  return env;
}

interface CheckJson {
  ok: boolean;
  attachments: { candidates: number; complete: number; incomplete: number };
  activityFeeds: number;
  integrity: { key: string; problems: { path: string }[] }[];
}

function linksNamed(json: CheckJson): string[] {
  return json.integrity.find((c) => c.key === "symlink")!.problems.map((p) => p.path).sort();
}

Deno.test("check names every link inside the cache as damage; --repair removes the links, never their targets, and fetches the data again", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 12, rateLimit: 0 });
  const withFiles = sandbox.tenant.list("candidates").filter((c) => c.attachments.length > 0);
  const [a, b, c, d] = withFiles.map((x) => x.id as number);
  const folderOf = (id: number) =>
    attachmentFolderNames(sandbox.tenant.get("candidates", id)!.attachments)[0];
  await withTempDir(async (root) => {
    const env = await fullCache(sandbox, root);
    const clean = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    const cFolder = `candidates/${attachmentsFolderName(c)}/${folderOf(c)}`;
    const dFolder = `candidates/${attachmentsFolderName(d)}/${folderOf(d)}`;
    const dMarker = JSON.parse(await Deno.readTextFile(join(root, CACHE, dFolder, MARKER_FILE)));
    const planted = [
      "activity_feeds",
      "jobs",
      `candidates/${recordFileName(a)}`,
      `candidates/${attachmentsFolderName(b)}`,
      cFolder,
      `${dFolder}/${dMarker.file}`,
    ];
    for (const path of planted) await replaceWithLink(root, path);
    await Deno.writeTextFile(join(root, "outside", "lock"), "");
    await Deno.symlink(join(root, "outside", "lock"), join(root, CACHE, ".lock"));
    planted.push(".lock");
    const outside = await snapshot(join(root, "outside"));

    const check = await runCli(["check"], { root, env });
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stdout, /Symbolic links inside the cache: 7/);
    for (const path of planted) {
      assert.match(
        check.stdout,
        new RegExp(`: ${path.replaceAll(".", "\\.")}: a symbolic link to `),
      );
    }
    const json: CheckJson = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    assert.deepEqual(linksNamed(json), [...planted].sort());
    // Nothing is read through a link, and a linked attachment folder still counts.
    assert.equal(json.activityFeeds, 0);
    assert.equal(json.attachments.candidates, clean.attachments.candidates);
    // b's files are behind one link (one entry); c's folder and d's file are one entry each.
    const behindB = sandbox.tenant.get("candidates", b)!.attachments.length;
    assert.equal(json.attachments.incomplete, 3);
    assert.equal(json.attachments.complete, clean.attachments.complete - behindB - 2);

    const repair = await runCli(["check", "--repair"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    assert.match(repair.stdout, /removed 7 symbolic link\(s\), never what they point to/);
    for (const path of planted.filter((p) => p !== ".lock")) {
      assert.ok(!await isLink(join(root, CACHE, path)), `${path} is still a link`);
      assert.ok(await exists(join(root, CACHE, path)), `${path} was not fetched again`);
    }
    assert.deepEqual(await snapshot(join(root, "outside")), outside, "the targets are untouched");
    const after = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    assert.equal(after.ok, true, JSON.stringify(after.integrity));
    assert.equal(after.activityFeeds, clean.activityFeeds);
    assert.deepEqual(after.attachments, clean.attachments);
    assert.deepEqual(
      after.folders.map((f: { records: number }) => f.records),
      clean.folders.map((f: { records: number }) => f.records),
    );

    // A link in place of a privacy file is named, and left for the user: it stands for erasures.
    await Deno.writeTextFile(join(root, "outside", "tombstones"), "");
    await Deno.symlink(join(root, "outside", "tombstones"), join(root, CACHE, TOMBSTONES_FILE));
    const left = await runCli(["check", "--repair"], { root, env });
    assert.equal(left.code, 1, left.stdout);
    assert.match(left.stdout, /left the link\(s\) in place of \.privacy-tombstones/);
    assert.ok(await isLink(join(root, CACHE, TOMBSTONES_FILE)));
  });
});

Deno.test("a linked candidates/ folder: check reads nothing through it; --repair lists the candidates and downloads their files again", async () => {
  await using sandbox = await startSandboxDisposable({ candidates: 8, rateLimit: 0 });
  await withTempDir(async (root) => {
    const env = await fullCache(sandbox, root);
    const clean = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    await replaceWithLink(root, "candidates");
    const outside = await snapshot(join(root, "outside"));

    const json = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    assert.equal(json.ok, false);
    assert.deepEqual(linksNamed(json), ["candidates"]);
    assert.equal(json.attachments.candidates, 0, "no attachment is counted through the link");
    assert.ok(!json.folders.some((f: { name: string }) => f.name === "candidates"));

    const repair = await runCli(["check", "--repair", "-q"], { root, env });
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    assert.ok(!await isLink(join(root, CACHE, "candidates")));
    assert.deepEqual(await snapshot(join(root, "outside")), outside, "the target is untouched");
    const after = JSON.parse((await runCli(["check", "--json"], { root, env })).stdout);
    assert.equal(after.ok, true, JSON.stringify(after.integrity));
    assert.deepEqual(after.attachments, clean.attachments);
    const files = await fileTree(join(root, CACHE, "candidates"));
    assert.equal(
      files.filter((f) => f.endsWith(`/${MARKER_FILE}`)).length,
      clean.attachments.complete,
    );
  });
});
