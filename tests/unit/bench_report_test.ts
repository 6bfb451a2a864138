import assert from "node:assert/strict";
import { mergeReport } from "../../scripts/bench.ts";

const section = (module: string, value: string) =>
  `## ${module}\n\nModule: \`scripts/bench/${module}.ts\`\n\n| a |\n| ${value} |\n\n`;

Deno.test("bench --only: the groups that ran replace theirs, in module order; the rest stay", () => {
  const existing = "# Benchmarks\n\n- Date: then\n\n" + section("check", "1") +
    section("sync", "2");
  const fresh = "# Benchmarks\n\n- Date: now\n\n" + section("export", "3") + section("sync", "4");
  const merged = mergeReport(existing, fresh, new Date("2026-12-01T10:00:00Z"));
  assert.ok(merged.startsWith("# Benchmarks\n\n- Date: then\n"), "the full run's header stays");
  assert.deepEqual([...merged.matchAll(/^## (\w+)/gm)].map((m) => m[1]), [
    "check",
    "export",
    "sync",
  ]);
  assert.match(merged, /\| 1 \|/);
  assert.match(merged, /\| 3 \|/);
  assert.match(merged, /\| 4 \|/);
  assert.doesNotMatch(merged, /\| 2 \|/);
  assert.match(merged, /`scripts\/bench\/sync\.ts` \(run on its own, .*2026-12-01 10:00 UTC\)/);
});
