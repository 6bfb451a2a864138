import assert from "node:assert/strict";
import { join } from "node:path";
import { formatIndex } from "../../src/cache/index_codec.ts";
import { type ReadProblem, readRecords } from "../../src/export/records.ts";
import { withTempDir } from "../support.ts";

const T = "2026-11-30T00:00:00.000Z";

Deno.test("readRecords: a file gone since the index was read is counted, a link or a wrong id is a problem", async () => {
  await withTempDir(async (dir) => {
    const folder = join(dir, "jobs");
    await Deno.mkdir(folder);
    await Deno.writeTextFile(join(dir, "secret.json"), JSON.stringify({ id: 3, leaked: true }));
    await Deno.writeTextFile(join(folder, "1.json"), JSON.stringify({ id: 1, name: "a" }));
    await Deno.symlink(join(dir, "secret.json"), join(folder, "3.json"));
    await Deno.writeTextFile(join(folder, "4.json"), JSON.stringify({ id: 5 }));
    await Deno.writeTextFile(join(folder, "5.json"), JSON.stringify({ id: 5, name: "old" }));
    await Deno.writeTextFile(
      join(folder, "index.csv"),
      formatIndex(
        [1, 2, 3, 4].map((id) => ({ id, moniker: "", timestamp: T })).concat([
          { id: 5, moniker: "", timestamp: "2026-11-01T00:00:00.000Z" },
        ]),
      ),
    );
    const counts = { read: 0, older: 0, vanished: 0, problems: 0 };
    const problems: ReadProblem[] = [];
    const records = [];
    for await (
      const batch of readRecords(dir, "jobs", counts, {
        since: new Date(T),
        onProblem: (p) => problems.push(p),
      })
    ) records.push(...batch);
    assert.deepEqual(records, [{ id: 1, name: "a" }]);
    assert.deepEqual(counts, { read: 1, older: 1, vanished: 1, problems: 2 });
    assert.deepEqual(problems.map((p) => [p.path, p.detail.split(" (")[0]]), [
      ["jobs/3.json", "not a regular file"],
      ["jobs/4.json", "holds id 5"],
    ]);
  });
});
