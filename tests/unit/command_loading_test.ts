/**
 * The command table loads a command's module only when argv names it (src/commands/mod.ts): the
 * named command alone, nothing for the version, every one for the list.
 */
import assert from "node:assert/strict";
import { loadCommandGroups } from "../../src/commands/mod.ts";

const names = (groups: Awaited<ReturnType<typeof loadCommandGroups>>) =>
  groups.flatMap((group) => group.specs.map((spec) => spec.name));

Deno.test("a command named in argv: its group holds its spec alone", async () => {
  assert.deepEqual(
    (await loadCommandGroups("check")).map((g) => [g.title, g.specs.map((s) => s.name)]),
    [["Cache administration", ["check"]]],
  );
  assert.deepEqual(names(await loadCommandGroups("candidates")), ["candidates"]);
  assert.deepEqual(names(await loadCommandGroups("job_notes")), ["job_notes"]);
});

Deno.test("the version loads no command; the list, a help topic or an unknown word load them all", async () => {
  assert.deepEqual(await loadCommandGroups("--version"), []);
  assert.deepEqual(await loadCommandGroups("-V"), []);
  const all = names(await loadCommandGroups());
  assert.ok(all.length > 70, `${all.length} commands`);
  assert.equal(new Set(all).size, all.length, "each command once");
  for (const first of ["--help", "help", "nosuch", "-x"]) {
    assert.deepEqual(names(await loadCommandGroups(first)), all, first);
  }
  // Each name loads the module whose spec has that name.
  for (const name of all) assert.deepEqual(names(await loadCommandGroups(name)), [name]);
});

Deno.test("the dispatcher imports no command module at start (only their types)", async () => {
  const source = await Deno.readTextFile(new URL("../../src/commands/mod.ts", import.meta.url));
  const statics = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"(\.\/[^"]+)";/gms)];
  assert.ok(statics.length > 10, "the command types are imported");
  for (const [statement, type, specifier] of statics) {
    assert.ok(type !== undefined, `${specifier} is imported at start: ${statement}`);
  }
});
