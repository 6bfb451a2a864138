/** The candidate-dependent pieces in-process: the concurrency helper, parsing, and downloads. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { attachmentFolderNames, openCache, readFailures, readMarker } from "../../src/cache/mod.ts";
import { exists } from "../support.ts";
import { openClient } from "../../src/cli/client.ts";
import { candidateIds } from "../../src/commands/dependent.ts";
import {
  assertInside,
  attachmentsOf,
  downloadableUrl,
  downloadAttachments,
  isExpiryError,
} from "../../src/dependent/attachments.ts";
import { candidatesFolder, chunk } from "../../src/dependent/run.ts";
import { fileRules, refusalHolds } from "../../src/dependent/download.ts";
import { ManualClock } from "../../src/clock.ts";
import { UsageError } from "../../src/errors.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";
import { quietContext } from "../support.ts";

Deno.test("chunk splits into batches of at most n", () => {
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunk([], 50), []);
});

Deno.test("--candidates takes positive integer ids and nothing else", () => {
  assert.equal(candidateIds({}), undefined);
  assert.deepEqual(candidateIds({ candidates: "12, 34" }), [12, 34]);
  for (const bad of ["", "12,", "abc", "0", "-3", "1.5", "99999999999999999999"]) {
    assert.throws(() => candidateIds({ candidates: bad }), UsageError, bad);
  }
});

Deno.test("expiry errors, downloadable URLs and path containment", () => {
  assert.ok(isExpiryError(403, "<Error><Code>AccessDenied</Code><Message>Request has expired"));
  assert.ok(isExpiryError(400, "<Code>ExpiredToken</Code>"));
  assert.ok(!isExpiryError(403, "<Code>SignatureDoesNotMatch</Code>"));
  assert.ok(!isExpiryError(404, "expired"));
  assert.equal(downloadableUrl("file:///etc/passwd"), undefined);
  assert.equal(downloadableUrl("data:text/plain,hi"), undefined);
  assert.equal(downloadableUrl(42), undefined);
  assert.ok(downloadableUrl("https://s3.example.com/a?Signature=x"));
  assert.throws(() => assertInside("/c/candidates", "/c/candidates/../x"));
  assert.throws(() => assertInside("/c/candidates", "/etc/passwd"));
  assertInside("/c/candidates", "/c/candidates/1-attachments/resume-x/a.pdf");
  assert.deepEqual(attachmentsOf({ attachments: [null, 3, { url: "u" }] }), [{ url: "u" }]);
  assert.deepEqual(attachmentsOf({}), []);
});

/** A cache holding the sandbox's candidates, and a run over it with a custom fetch. */
async function withCachedCandidates(
  fn: (
    sandbox: Awaited<ReturnType<typeof startSandbox>>,
    dir: string,
    run: Parameters<typeof downloadAttachments>[0],
  ) => Promise<void>,
) {
  const sandbox = await startSandbox({
    candidates: 12,
    rateLimit: 0,
    clock: new ManualClock(Date.now()),
  });
  const dir = await Deno.makeTempDir({ prefix: "ghx-dep-" });
  const ctx = quietContext();
  const cache = await openCache(dir);
  try {
    const folder = await candidatesFolder(cache);
    await folder.writeRecords(sandbox.tenant.list("candidates"), new Date());
    await folder.commit();
    const client = openClient(
      { api: "v1", baseUrl: sandbox.url, apiKey: sandbox.apiKey, rateTarget: 1 },
      ctx,
    );
    await fn(sandbox, dir, { client, cache, cacheDir: dir, ctx, concurrency: 2, quiet: true });
  } finally {
    await cache.close();
    await sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("file downloads never carry the Authorization header", async () => {
  await withCachedCandidates(async (sandbox, _dir, run) => {
    const headers: Headers[] = [];
    const spy: typeof fetch = (input, init) => {
      headers.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    const id = sandbox.tenant.list("candidates").find((c) => c.attachments.length > 0)!.id;
    const result = await downloadAttachments(run, [id], { verify: false, fetchFn: spy });
    assert.ok(result.done > 0);
    // One fetch per file, plus one per redirect the downloader followed itself.
    assert.ok(headers.length >= result.done);
    for (const h of headers) assert.equal(h.get("authorization"), null);
  });
});

Deno.test("an error answer or a short body is never saved, leaves no folder, and is recorded", async () => {
  await withCachedCandidates(async (sandbox, dir, run) => {
    const candidate = sandbox.tenant.list("candidates").find((c) => c.attachments.length > 0)!;
    const notFound: typeof fetch = () =>
      Promise.resolve(
        new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 }),
      );
    const missing = await downloadAttachments(run, [candidate.id], {
      verify: false,
      fetchFn: notFound,
    });
    assert.equal(missing.done, 0);
    assert.equal(missing.failed.length, candidate.attachments.length);
    assert.match(missing.failed[0].reason, /answered 404 \(NoSuchKey\)/);

    let calls = 0;
    const short: typeof fetch = () => {
      calls++;
      return Promise.resolve(
        new Response("partial", { status: 200, headers: { "Content-Length": "100" } }),
      );
    };
    run.ctx.clock = new ManualClock(Date.now()); // retries back off without waiting
    const cut = await downloadAttachments(run, [candidate.id], { verify: false, fetchFn: short });
    assert.equal(cut.done, 0);
    assert.match(cut.failed[0].reason, /ended after 7 of 100 bytes \(after 4 attempts\)/);
    assert.equal(calls, 4 * candidate.attachments.length);

    // Nothing on disk looks like a damaged download: no folder, not even the candidate's.
    const folder = join(dir, "candidates", `${candidate.id}-attachments`);
    assert.equal(await exists(folder), false);
    // The record names each file, why and when; none of them as lasting.
    const record = await readFailures(dir);
    assert.ok(typeof record === "object");
    const items = record.items("attachments");
    const names = attachmentFolderNames(candidate.attachments);
    assert.deepEqual(items.map((i) => i.folder).sort(), [...names].sort());
    for (const item of items) {
      assert.equal(item.id, candidate.id);
      assert.match(item.reason, /ended after 7 of 100 bytes \(after 4 attempts\)/);
      assert.equal(item.lasting, false);
      assert.ok(!Number.isNaN(Date.parse(item.at)));
    }
    assert.equal(await readMarker(join(folder, names[0])), undefined);
  });
});

Deno.test("attachments work a chunk of candidates at a time, reporting candidates done", async () => {
  await withCachedCandidates(async (sandbox, dir, run) => {
    const ids = sandbox.tenant.list("candidates").map((c) => c.id as number);
    const byUrl = new Map(
      sandbox.tenant.list("candidates").flatMap((c) =>
        (c.attachments as { url: string }[]).map((a) => [a.url, c.id as number])
      ),
    );
    const downloadedFor: number[] = [];
    const spy: typeof fetch = (input, init) => {
      const id = byUrl.get(String(input)); // undefined for a redirect's target
      if (id !== undefined) downloadedFor.push(id);
      return fetch(input, init);
    };
    const progress: string[] = [];
    const result = await downloadAttachments(
      { ...run, onItem: ({ done, total }) => progress.push(`${done}/${total}`) },
      ids,
      { verify: false, fetchFn: spy, candidatesPerChunk: 5 },
    );
    // A candidate counts as done once its last file is: the count moves one by one.
    const steps = progress.filter((p, i) => p !== progress[i - 1]);
    assert.deepEqual(steps, Array.from({ length: 13 }, (_, i) => `${i}/12`));
    const expected = sandbox.tenant.list("candidates").reduce(
      (n, c) => n + c.attachments.length,
      0,
    );
    assert.equal(result.done, expected);
    // No download of a chunk starts before every download of the one before it.
    const chunkOf = (id: number) => Math.floor(ids.indexOf(id) / 5);
    const chunks = downloadedFor.map(chunkOf);
    assert.deepEqual(chunks, [...chunks].sort((a, b) => a - b));
    assert.ok(new Set(chunks).size > 1, "files from several chunks");
    for (const id of ids) {
      const folder = join(dir, "candidates", `${id}-attachments`);
      const count = sandbox.tenant.get("candidates", id)!.attachments.length;
      if (count > 0) assert.ok((await Deno.stat(folder)).isDirectory);
    }
  });
});

Deno.test("a lasting refusal holds while the setting that refused it does", async () => {
  await withCachedCandidates((_sandbox, _dir, run) => {
    const rules = (maxBytes: number, fileHosts?: string[]) =>
      fileRules({ ...run, fileHosts }, { maxBytes });
    const withUrl = { url: "https://s3.example.com/a" };
    assert.ok(refusalHolds("max-bytes:1048576", withUrl, rules(1024 * 1024)));
    assert.ok(refusalHolds("max-bytes:1048576", withUrl, rules(512 * 1024)));
    assert.ok(!refusalHolds("max-bytes:1048576", withUrl, rules(4 * 1024 * 1024)));
    assert.ok(
      refusalHolds("file-hosts:a.example,b.example", withUrl, rules(1, ["b.example", "a.example"])),
    );
    assert.ok(!refusalHolds("file-hosts:a.example", withUrl, rules(1)));
    assert.ok(refusalHolds("url", {}, rules(1)));
    assert.ok(!refusalHolds("url", withUrl, rules(1)));
    assert.ok(refusalHolds(undefined, withUrl, rules(1)));
    return Promise.resolve();
  });
});
