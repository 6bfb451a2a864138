/** The privacy key (created once, owner-only, never replaced) and reading the privacy log back. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PRIVACY_KEY_FILE, PRIVACY_LOG_FILE } from "../../src/cache/layout.ts";
import { RunError } from "../../src/errors.ts";
import { addressKey, readAddressKey } from "../../src/privacy/address_key.ts";
import { carriesDigest, digestNames, emailHmac, emailSha256 } from "../../src/privacy/email.ts";
import {
  appendPrivacyLog,
  erasureLogEntry,
  lookupErasures,
  readPrivacyLog,
} from "../../src/privacy/log.ts";
import { withTempDir } from "../support.ts";

Deno.test("the key is created once, owner-only, and read back the same", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await readAddressKey(dir), undefined);
    const key = await addressKey(dir);
    assert.equal(key.length, 32);
    assert.deepEqual(await addressKey(dir), key);
    assert.deepEqual(await readAddressKey(dir), key);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(join(dir, PRIVACY_KEY_FILE))).mode! & 0o777, 0o600);
    }
    // No temporary is left behind.
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names, [PRIVACY_KEY_FILE]);
  });
});

Deno.test("a damaged key or a link in its place is refused, never replaced", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, PRIVACY_KEY_FILE), "not a key\n");
    await assert.rejects(() => addressKey(dir), RunError);
    assert.equal(await Deno.readTextFile(join(dir, PRIVACY_KEY_FILE)), "not a key\n");
  });
  if (Deno.build.os === "windows") return;
  await withTempDir(async (dir) => {
    const outside = join(dir, "outside");
    await Deno.mkdir(join(dir, "cache"));
    await Deno.writeTextFile(outside, "a".repeat(64) + "\n");
    await Deno.symlink(outside, join(dir, "cache", PRIVACY_KEY_FILE));
    await assert.rejects(() => readAddressKey(join(dir, "cache")), /not a plain file/);
  });
});

Deno.test("keyed and legacy digests name an address whatever its case and spacing", () => {
  const key = new Uint8Array(32).fill(7);
  const hmac = emailHmac(key, " Someone@Example.ORG ");
  assert.equal(hmac, emailHmac(key, "someone@example.org"));
  assert.notEqual(hmac, emailHmac(new Uint8Array(32).fill(8), "someone@example.org"));
  assert.notEqual(hmac, emailSha256("someone@example.org"));
  assert.ok(digestNames({ email_hmac: hmac }, "SOMEONE@example.org", key));
  assert.ok(!digestNames({ email_hmac: hmac }, "someone@example.org", undefined));
  assert.ok(digestNames({ email_sha256: emailSha256("a@b.c") }, "A@B.C", undefined));
  const candidate = { email_addresses: [{ value: "x@y.z" }, { value: "Someone@example.org" }] };
  assert.ok(carriesDigest(candidate, { email_hmac: hmac }, key));
  assert.ok(!carriesDigest({ email_addresses: [] }, { email_hmac: hmac }, key));
});

Deno.test("the log reads back complete lines only and looks up both digest forms", async () => {
  await withTempDir(async (dir) => {
    const key = await addressKey(dir);
    const request = {
      mode: "delete" as const,
      on_behalf_of: 7,
      email_hmac: emailHmac(key, "a@b.c"),
    };
    await appendPrivacyLog(dir, erasureLogEntry(request, 1, "deleted", "purged", 0));
    await appendPrivacyLog(
      dir,
      erasureLogEntry(
        { ...request, email_hmac: emailHmac(key, "x@y.z") },
        2,
        "deleted",
        "purged",
        0,
      ),
    );
    const legacy = { ...erasureLogEntry(request, 3, "deleted", "purged", 0) };
    delete legacy.email_hmac;
    legacy.email_sha256 = emailSha256("a@b.c");
    const path = join(dir, PRIVACY_LOG_FILE);
    await Deno.writeTextFile(
      path,
      JSON.stringify(legacy) + "\nnot json\n" + "x".repeat(200_000) + '\n[1]\n{"torn":',
      { append: true },
    );
    const all = [];
    for await (const entry of readPrivacyLog(dir)) all.push(entry.candidate_id);
    assert.deepEqual(all, [1, 2, 3]);
    const found = await lookupErasures(dir, "A@B.C", key);
    assert.deepEqual(found.found.map((e) => e.candidate_id), [1, 3]);
    assert.equal(found.unverifiable, 0);
    const keyless = await lookupErasures(dir, "a@b.c", undefined);
    assert.deepEqual(keyless.found.map((e) => e.candidate_id), [3]);
    assert.equal(keyless.unverifiable, 2);
  });
  await withTempDir(async (dir) => {
    assert.deepEqual((await lookupErasures(dir, "a@b.c", undefined)).found, []);
  });
});
