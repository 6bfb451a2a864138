/**
 * Symbolic links planted inside a cache, each pointing outside it: the cache refuses to follow
 * them with one clear error, and nothing outside is written, created or truncated.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  candidateAttachmentsDir,
  makeAttachmentFolder,
  openCache,
  readMarker,
  writeFileAtomic,
} from "../../src/cache/mod.ts";
import { RunError } from "../../src/errors.ts";
import { appendPrivacyLog, erasureLogEntry } from "../../src/privacy/log.ts";
import { readPending } from "../../src/privacy/pending.ts";
import { readState } from "../../src/sync/state.ts";
import { snapshot, withTempDir } from "../support.ts";

const moniker = (r: Record<string, unknown>) => String(r.name ?? "");

/** A cache folder and, beside it, an `outside` folder holding one precious file. */
async function withCacheAndOutside(
  fn: (cache: string, outside: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const cache = join(dir, "cache");
    const outside = join(dir, "outside");
    await Deno.mkdir(cache);
    await Deno.mkdir(outside);
    await Deno.writeTextFile(join(outside, "precious.txt"), "not the cache's\n");
    const before = await snapshot(outside);
    await fn(cache, outside);
    assert.deepEqual(await snapshot(outside), before, "nothing outside the cache changed");
  });
}

async function refused(p: Promise<unknown>, path: string): Promise<void> {
  await assert.rejects(p, (error: Error) => {
    assert.ok(error instanceof RunError, `${error.name}: ${error.message}`);
    assert.ok(error.message.startsWith(`${path}: is a symbolic link`), error.message);
    assert.match(error.message, /; remove the link/);
    return true;
  });
}

Deno.test("cache symlinks: an entity folder that is a link is refused, not written through", async () => {
  for (const name of ["candidates", "activity_feeds"]) {
    await withCacheAndOutside(async (dir, outside) => {
      await Deno.symlink(outside, join(dir, name));
      const cache = await openCache(dir);
      try {
        await refused(cache.folder(name, moniker), join(dir, name));
        await refused(cache.existingFolder(name, moniker), join(dir, name));
      } finally {
        await cache.close();
      }
    });
  }
});

Deno.test("cache symlinks: a .lock link is refused before anything is truncated", async () => {
  await withCacheAndOutside(async (dir, outside) => {
    await Deno.symlink(join(outside, "precious.txt"), join(dir, ".lock"));
    await refused(openCache(dir), join(dir, ".lock"));
  });
  // A link to nothing: the lock is not created at its target either.
  await withCacheAndOutside(async (dir, outside) => {
    await Deno.symlink(join(outside, "new-file"), join(dir, ".lock"));
    await refused(openCache(dir), join(dir, ".lock"));
  });
});

Deno.test("cache symlinks: index.csv and the journal are never read or appended through a link", async () => {
  for (const [file, target] of [["index.csv", "precious.txt"], [".index-journal.csv", "new"]]) {
    await withCacheAndOutside(async (dir, outside) => {
      const folder = join(dir, "jobs");
      await Deno.mkdir(folder);
      await Deno.symlink(join(outside, target), join(folder, file));
      const cache = await openCache(dir);
      try {
        const opening = (async () => {
          const jobs = await cache.folder("jobs", moniker);
          await jobs.writeRecords([{ id: 1, name: "Cook" }], new Date());
          await jobs.commit();
        })();
        await refused(opening, join(folder, file));
      } finally {
        await cache.close();
      }
    });
  }
});

Deno.test("cache symlinks: attachment folders are made without following links", async () => {
  const cases = [
    { link: (dir: string) => candidateAttachmentsDir(dir, 12), parts: ["12-attachments", "x"] },
    {
      link: (dir: string) => join(candidateAttachmentsDir(dir, 12), "resume-2024"),
      parts: ["12-attachments", "resume-2024"],
    },
  ];
  for (const { link, parts } of cases) {
    await withCacheAndOutside(async (dir, outside) => {
      const root = join(dir, "candidates");
      await Deno.mkdir(join(root, "12-attachments"), { recursive: true });
      if (parts[1] !== "x") await Deno.mkdir(join(root, parts[0]), { recursive: true });
      await Deno.remove(link(dir), { recursive: true }).catch(() => {});
      await Deno.symlink(outside, link(dir));
      await refused(makeAttachmentFolder(root, parts), link(dir));
    });
  }
  await withTempDir(async (dir) => {
    const made = await makeAttachmentFolder(join(dir, "candidates"), ["7-attachments", "cv"]);
    assert.equal(made, join(dir, "candidates", "7-attachments", "cv"));
    assert.ok((await Deno.lstat(made)).isDirectory);
  });
});

Deno.test("cache symlinks: a marker that is a link is invalid, never read through", async () => {
  await withCacheAndOutside(async (dir, outside) => {
    await Deno.writeTextFile(
      join(outside, "marker.json"),
      JSON.stringify({ file: "cv.pdf", size: 1, sha256: "ab" }),
    );
    await Deno.symlink(join(outside, "marker.json"), join(dir, "complete"));
    assert.equal(await readMarker(dir), "invalid");
    await Deno.remove(join(outside, "marker.json"));
  });
});

Deno.test("cache symlinks: root files (privacy log, state, pending erasures) refuse links", async () => {
  const entry = erasureLogEntry(
    { mode: "delete", on_behalf_of: 1, email_sha256: "0".repeat(64) },
    5,
    "deleted",
    "purged",
    0,
  );
  for (const target of ["precious.txt", "log-that-does-not-exist"]) {
    await withCacheAndOutside(async (dir, outside) => {
      await Deno.symlink(join(outside, target), join(dir, ".privacy-log.jsonl"));
      await refused(appendPrivacyLog(dir, entry), join(dir, ".privacy-log.jsonl"));
    });
  }
  await withCacheAndOutside(async (dir, outside) => {
    await Deno.symlink(join(outside, "precious.txt"), join(dir, ".state.json"));
    await refused(readState(dir, () => {}), join(dir, ".state.json"));
    await Deno.symlink(join(outside, "precious.txt"), join(dir, ".privacy-pending.json"));
    await refused(readPending(dir), join(dir, ".privacy-pending.json"));
    // Written by rename, a root file replaces the link and never touches its target.
    await writeFileAtomic(join(dir, ".state.json"), "{}\n");
    assert.ok((await Deno.lstat(join(dir, ".state.json"))).isFile);
  });
});
