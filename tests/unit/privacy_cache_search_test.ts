/** Searching the cache's candidate files for an address: exact once normalised, escapes included. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { findInCache } from "../../src/privacy/cache_search.ts";
import { withTempDir } from "../support.ts";

const record = (id: number, emails: string[]) =>
  JSON.stringify(
    {
      id,
      first_name: "A",
      last_name: String(id),
      email_addresses: emails.map((value) => ({ value, type: "personal" })),
    },
    null,
    2,
  );

Deno.test("every cached candidate with the address is found, whatever case or JSON escapes", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "candidates");
    await Deno.mkdir(dir);
    const put = (name: string, text: string) => Deno.writeTextFile(join(dir, name), text);
    await put("1.json", record(1, ["Someone@Example.org"]));
    await put("2.json", record(2, ["someone@example.org.uk"])); // a longer address: no match
    // Written by another tool with escapes: still the same address.
    await put("3.json", record(3, ["x@y.z"]).replace("x@y.z", "some\\u006Fne\\u0040example.org"));
    await put("4.json", record(5, ["someone@example.org"])); // its id is not its name's: skipped
    await put("index.csv", "id,moniker,timestamp\n");
    await put("5.json", "{ not json someone@example.org");
    await Deno.mkdir(join(dir, "6-attachments"));
    if (Deno.build.os !== "windows") {
      await Deno.writeTextFile(join(root, "outside.json"), record(7, ["someone@example.org"]));
      await Deno.symlink(join(root, "outside.json"), join(dir, "7.json"));
    }
    const found = await findInCache(root, "  SOMEONE@example.org ");
    assert.deepEqual(found.map((c) => [c.id, c.name]), [[1, "A 1"], [3, "A 3"]]);
    assert.deepEqual(await findInCache(join(root, "missing"), "someone@example.org"), []);
  });
});
