import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ACTIVITY_FEEDS_FOLDER,
  attachmentsFolderName,
  attachmentsOwnerOf,
  candidateAttachmentsDir,
  CANDIDATES_FOLDER,
  INDEX_FILE,
  isFolderName,
  isTempName,
  JOURNAL_FILE,
  LOCK_FILE,
  MARKER_FILE,
  PENDING_ERASURES_FILE,
  PRIVACY_KEY_FILE,
  PRIVACY_LOG_FILE,
  recordFileName,
  recordIdOf,
  removeTempFiles,
  removeTempFolders,
  STATE_FILE,
  tempPathFor,
  TOMBSTONES_FILE,
} from "../../src/cache/layout.ts";
import { ENTITIES } from "../../src/entities.ts";
import { RunError } from "../../src/errors.ts";
import { entryNames, withTempDir } from "../support.ts";

Deno.test("the on-disk names are the documented ones", () => {
  // Literal on purpose: these names are the cache format other tools and older caches rely on.
  assert.deepEqual(
    [
      LOCK_FILE,
      STATE_FILE,
      PENDING_ERASURES_FILE,
      PRIVACY_LOG_FILE,
      PRIVACY_KEY_FILE,
      TOMBSTONES_FILE,
    ],
    [
      ".lock",
      ".state.json",
      ".privacy-pending.json",
      ".privacy-log.jsonl",
      ".privacy-key",
      ".privacy-tombstones",
    ],
  );
  assert.deepEqual([INDEX_FILE, JOURNAL_FILE, MARKER_FILE], [
    "index.csv",
    ".index-journal.csv",
    "complete",
  ]);
  assert.equal(ACTIVITY_FEEDS_FOLDER, "activity_feeds");
  assert.equal(CANDIDATES_FOLDER, ENTITIES.candidates.name);
});

Deno.test("record files are <id>.json, read back only from canonical names", () => {
  assert.equal(recordFileName(12), "12.json");
  assert.equal(recordIdOf("12.json"), 12);
  assert.equal(recordIdOf(recordFileName(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  for (const name of ["012.json", "0.json", "-1.json", "1.5.json", "12.JSON", "12.json.tmp", "x"]) {
    assert.equal(recordIdOf(name), undefined, name);
  }
  assert.equal(recordIdOf(INDEX_FILE), undefined);
  assert.equal(recordIdOf(JOURNAL_FILE), undefined);
  for (const bad of [0, -1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 1]) {
    assert.throws(() => recordFileName(bad), RangeError, String(bad));
  }
});

Deno.test("attachment folders are <candidate id>-attachments inside candidates/", () => {
  assert.equal(attachmentsFolderName(12), "12-attachments");
  assert.equal(attachmentsOwnerOf("12-attachments"), 12);
  for (const name of ["012-attachments", "0-attachments", "12-attachment", "x-attachments", "12"]) {
    assert.equal(attachmentsOwnerOf(name), undefined, name);
  }
  assert.throws(() => attachmentsFolderName(-1), RangeError);
  assert.equal(candidateAttachmentsDir("c", 12), join("c", "candidates", "12-attachments"));
  for (const bad of [-1, 0, 1.5]) {
    assert.throws(() => candidateAttachmentsDir("c", bad), RunError, String(bad));
  }
});

Deno.test("folder names are plain names, never hidden and never a path", () => {
  for (const name of ["candidates", ACTIVITY_FEEDS_FOLDER, "a.b-c_1", "_x"]) {
    assert.ok(isFolderName(name), name);
  }
  for (const name of ["", ".", "..", ".lock", "a/b", "a\\b", "a..b", "-x", "a b", "é"]) {
    assert.ok(!isFolderName(name), name);
  }
});

Deno.test("temp names are recognised and removed", async () => {
  await withTempDir(async (dir) => {
    const temp = tempPathFor(join(dir, "5.json"));
    const tempName = temp.slice(dir.length + 1);
    assert.match(tempName, new RegExp(`^\\.5\\.json\\.tmp-${Deno.pid}-[0-9a-f]+$`));
    assert.ok(isTempName(tempName));
    assert.ok(isTempName(".index.csv.tmp-1-0123abcd"));
    for (const name of ["5.json", INDEX_FILE, LOCK_FILE, JOURNAL_FILE, "x.tmp-1-abc"]) {
      assert.ok(!isTempName(name), name);
    }
    await Deno.writeTextFile(temp, "partial");
    await Deno.writeTextFile(join(dir, ".index.csv.tmp-99-deadbeef"), "partial");
    await Deno.writeTextFile(join(dir, "5.json"), "{}\n");
    await Deno.mkdir(join(dir, ".12-attachments.tmp-7-0123abcd"));
    const removed = await removeTempFiles(dir);
    assert.deepEqual(removed, [".index.csv.tmp-99-deadbeef", tempName].sort());
    assert.deepEqual(await entryNames(dir), [".12-attachments.tmp-7-0123abcd", "5.json"]);
    assert.deepEqual(await removeTempFiles(join(dir, "nope")), []);
  });
});

Deno.test("temp folders are removed with their content, and nothing else", async () => {
  await withTempDir(async (dir) => {
    const doomed = tempPathFor(join(dir, "12-attachments"));
    await Deno.mkdir(join(doomed, "resume-2020"), { recursive: true });
    await Deno.writeTextFile(join(doomed, "resume-2020", "cv.pdf"), "%PDF");
    await Deno.mkdir(join(dir, "13-attachments"));
    await Deno.writeTextFile(join(dir, ".5.json.tmp-1-0123abcd"), "partial");
    const removed = await removeTempFolders(dir);
    assert.deepEqual(removed, [doomed.slice(dir.length + 1)]);
    assert.deepEqual(await entryNames(dir), [".5.json.tmp-1-0123abcd", "13-attachments"]);
    assert.deepEqual(await removeTempFolders(join(dir, "nope")), []);
  });
});
