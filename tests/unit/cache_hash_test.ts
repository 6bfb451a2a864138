import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { sha256File, sha256Hex } from "../../src/cache/hash.ts";
import { withTempDir } from "../support.ts";

const reference = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Deterministic bytes (no two reads of the hasher's buffer alike). */
function bytesOf(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = 0x2545f491;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

Deno.test("sha256Hex is the SHA-256 of the bytes, in lowercase hex", () => {
  assert.equal(
    sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  const bytes = bytesOf(1000);
  assert.equal(sha256Hex(bytes), reference(bytes));
  assert.match(sha256Hex(bytes), /^[0-9a-f]{64}$/);
});

Deno.test("sha256File streams a file of any size to node:crypto's answer", async () => {
  await withTempDir(async (dir) => {
    // Empty, small, exactly one read buffer (256 KB), and several buffers plus a remainder.
    for (const length of [0, 1, 4096, 256 * 1024, 3 * 256 * 1024 + 17]) {
      const bytes = bytesOf(length);
      const path = join(dir, `f${length}`);
      await Deno.writeFile(path, bytes);
      assert.equal(await sha256File(path), reference(bytes), `${length} bytes`);
    }
    await assert.rejects(sha256File(join(dir, "missing")), Deno.errors.NotFound);
  });
});
