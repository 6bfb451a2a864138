import assert from "node:assert/strict";
import { changeStamp } from "../../src/sync/compare.ts";
import { STATE_FILE } from "../../src/cache/layout.ts";
import { mergeIds, readState, writeState } from "../../src/sync/state.ts";
import { formatJson, formatMarkdown, formatTable } from "../../src/sync/summary.ts";
import type { StepReport } from "../../src/sync/run.ts";
import { v1Dialect } from "../../src/harvest/dialect.ts";

Deno.test("changeStamp: timestamps decide, signed attachment URLs do not", () => {
  const a = {
    id: 1,
    updated_at: "2024-01-01T00:00:00.000Z",
    last_activity: "2024-01-02T00:00:00.000Z",
    attachments: [{ url: "https://x/files/1?Expires=1&Signature=a" }],
  };
  const b = { ...a, attachments: [{ url: "https://x/files/1?Expires=2&Signature=b" }] };
  assert.equal(changeStamp(a), changeStamp(b));
  assert.notEqual(changeStamp(a), changeStamp({ ...a, last_activity: "2024-01-03T00:00:00Z" }));
  // No timestamps (sources, prospect pools): the whole record.
  assert.notEqual(changeStamp({ id: 1, name: "A" }), changeStamp({ id: 1, name: "B" }));
  assert.equal(changeStamp({ id: 1, name: "A" }), changeStamp({ id: 1, name: "A" }));
});

Deno.test("v1 dialect spells the change filters as ISO-8601 UTC", () => {
  const since = new Date("2026-01-02T03:04:05+02:00");
  assert.deepEqual(v1Dialect.updatedSince("updated_after", since), {
    updated_after: "2026-01-02T01:04:05.000Z",
  });
  assert.deepEqual(v1Dialect.updatedSince("last_activity_after", since), {
    last_activity_after: "2026-01-02T01:04:05.000Z",
  });
  assert.throws(() => v1Dialect.updatedSince("updated_after", new Date("nope")), RangeError);
});

Deno.test("state: round trip; a missing file is empty; a damaged one is ignored with a warning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const warnings: string[] = [];
    const empty = await readState(dir, (t) => warnings.push(t));
    assert.deepEqual(empty, { version: 1, steps: {}, pending: {} });
    empty.steps.jobs = { highWater: "2026-01-01T00:00:00.000Z" };
    empty.pending.attachments = [3, 1];
    await writeState(dir, empty);
    assert.deepEqual(await readState(dir, (t) => warnings.push(t)), empty);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [STATE_FILE]);

    await Deno.writeTextFile(`${dir}/${STATE_FILE}`, '{"version": 1, "steps": ');
    assert.deepEqual(await readState(dir, (t) => warnings.push(t)), {
      version: 1,
      steps: {},
      pending: {},
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ignoring .*\.state\.json.*full/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeIds: sorted union without duplicates", () => {
  assert.deepEqual(mergeIds([5, 1], undefined, [1, 3]), [1, 3, 5]);
});

const reports: StepReport[] = [
  {
    step: "jobs",
    status: "ok",
    mode: "incremental",
    new: 1,
    updated: 2,
    unchanged: 0,
    removed: 0,
    requests: 1,
    seconds: 0.25,
  },
  {
    step: "offers",
    status: "failed",
    mode: "full",
    new: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    requests: 1,
    seconds: 0.1,
    error: "GET /v1/offers: 403 | no permission",
  },
];

Deno.test("summary: table, Markdown and JSON say the same", () => {
  const table = formatTable(reports, 1.5);
  assert.match(table, /^step +status +new +updated +unchanged +removed +requests +seconds\n/);
  assert.match(table, /\njobs +incremental +1 +2 +0 +0 +1 +0\.3\n/);
  assert.match(table, /\noffers +failed +0/);
  assert.match(
    table,
    /sync finished with 1 failed step\(s\) \(offers\): 2 step\(s\), 2 requests, 1\.5s\n$/,
  );

  const md = formatMarkdown(reports, 1.5, new Date("2026-01-01T00:00:00Z"));
  assert.match(
    md,
    /^\| step \| status \| new \| updated \| unchanged \| removed \| requests \| seconds \|$/m,
  );
  assert.match(md, /^\| --- \| --- \| ---: \|/m);
  assert.match(md, /^\| jobs \| incremental \| 1 \| 2 \| 0 \| 0 \| 1 \| 0\.3 \|$/m);
  assert.match(md, /\*\*offers\*\* failed: GET \/v1\/offers: 403 \\\| no permission/);

  const json = JSON.parse(formatJson(reports, 1.5, new Date("2026-01-01T00:00:00Z")));
  assert.equal(json.ok, false);
  assert.deepEqual(json.failed, ["offers"]);
  assert.equal(json.requests, 2);
  assert.deepEqual(json.steps, reports);
});
