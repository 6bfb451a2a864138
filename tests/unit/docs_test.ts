/**
 * The README and docs/ link to each other and to the code by relative paths and #anchors; moving a
 * section must not leave a link behind. And the README shows the test command CI runs.
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function markdownFiles(): string[] {
  const docs = [...Deno.readDirSync(join(ROOT, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => join(ROOT, "docs", e.name));
  return [join(ROOT, "README.md"), ...docs];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    out.add(
      heading[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").trim().replace(/\s/g, "-"),
    );
  }
  return out;
}

/** [text](target) outside code, without external URLs. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/.test(target));
}

Deno.test("every relative link in README.md and docs/ points at a file and heading that exist", () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of markdownFiles()) {
    const text = Deno.readTextFileSync(file);
    for (const target of links(text)) {
      const [path, anchor] = target.split("#");
      const resolved = path ? join(dirname(file), path) : file;
      const where = `${relative(ROOT, file)}: (${target})`;
      if (relative(ROOT, resolved).startsWith("..")) continue; // GitHub pages such as ../../releases
      checked++;
      let isFile = false;
      try {
        isFile = Deno.statSync(resolved).isFile;
      } catch {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (anchor && isFile && resolved.endsWith(".md")) {
        if (!anchors(Deno.readTextFileSync(resolved)).has(anchor)) {
          problems.push(`${where}: no heading #${anchor}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 40, `the scan finds the links (${checked})`);
});

Deno.test("the README shows the test command that .ci/run runs", () => {
  const readme = Deno.readTextFileSync(join(ROOT, "README.md"));
  const ciRun = Deno.readTextFileSync(join(ROOT, ".ci/run"));
  assert.match(readme, /^deno task test\b/m);
  assert.match(ciRun, /^deno task test\b/m);
});
