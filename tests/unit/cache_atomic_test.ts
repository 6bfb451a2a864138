import assert from "node:assert/strict";
import { join } from "node:path";
import { openAtomic, writeFileAtomic } from "../../src/cache/atomic.ts";
import { entryNames } from "../support.ts";

Deno.test("writeFileAtomic writes, replaces and leaves no temp", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "12.json");
    await writeFileAtomic(path, "first\n");
    await writeFileAtomic(path, new TextEncoder().encode("second ✓\n"));
    assert.equal(await Deno.readTextFile(path), "second ✓\n");
    assert.deepEqual(await entryNames(dir), ["12.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic removes the temp when the rename fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "target");
    await Deno.mkdir(join(path, "sub"), { recursive: true }); // renaming a file over a non-empty dir fails
    await assert.rejects(writeFileAtomic(path, "data"));
    assert.deepEqual(await entryNames(dir), ["target"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic fails cleanly when the folder is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      writeFileAtomic(join(dir, "missing", "x.json"), "data"),
      Deno.errors.NotFound,
    );
    assert.deepEqual(await entryNames(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openAtomic: commit renames, abort removes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "resume.pdf");
    const a = await openAtomic(path);
    await a.file.write(new TextEncoder().encode("half"));
    assert.deepEqual(await entryNames(dir), [a.tempPath.slice(dir.length + 1)]);
    await a.abort();
    assert.deepEqual(await entryNames(dir), []);

    const b = await openAtomic(path);
    await b.file.write(new TextEncoder().encode("whole"));
    await b.commit();
    await b.abort(); // harmless after commit
    assert.equal(await Deno.readTextFile(path), "whole");
    assert.deepEqual(await entryNames(dir), ["resume.pdf"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
