import assert from "node:assert/strict";
import { attachmentFolderNames, sanitizeFileName } from "../../src/cache/attachments.ts";

Deno.test("folder names follow the seed: type-created_at with ':' as 'c'", () => {
  assert.deepEqual(
    attachmentFolderNames([{ type: "resume", created_at: "2020-01-02T08:12:46.803Z" }]),
    ["resume-2020-01-02T08c12c46.803Z"],
  );
});

Deno.test("same type and time get a stable ~N suffix; odd values are reduced to a safe alphabet", () => {
  const same = { type: "resume", created_at: "2020-01-02T08:12:46.803Z" };
  assert.deepEqual(attachmentFolderNames([same, same, same]), [
    "resume-2020-01-02T08c12c46.803Z",
    "resume-2020-01-02T08c12c46.803Z~2",
    "resume-2020-01-02T08c12c46.803Z~3",
  ]);
  assert.deepEqual(attachmentFolderNames([{ type: "../../x", created_at: null }]), [
    "_.._x-undated",
  ]);
  assert.deepEqual(attachmentFolderNames([{ type: "", created_at: "../.." }]), ["other-_.."]);
});

Deno.test("hostile file names are contained", () => {
  const cases: [string, string][] = [
    ["First_Last_resume.pdf", "First_Last_resume.pdf"],
    ["../../etc/passwd", "___.._etc_passwd"],
    ["..\\..\\win.ini", "___.._win.ini"],
    ["CON", "_CON"],
    ["con.txt", "_con.txt"],
    ["complete", "_complete"],
    ["COMPLETE", "_COMPLETE"],
    ["a\u0000b\u0007c\n.pdf", "abc.pdf"],
    ["", "attachment"],
    ["...", "___"],
    ["a/b.pdf", "a_b.pdf"],
    [".hidden", "_hidden"],
    ["name. ", "name"],
  ];
  for (const [input, expected] of cases) {
    assert.equal(sanitizeFileName(input), expected, JSON.stringify(input));
  }
  for (const [input] of cases) {
    const safe = sanitizeFileName(input);
    assert.ok(!safe.includes("/") && !safe.includes("\\") && safe !== ".." && safe !== ".");
  }
});

Deno.test("long names are capped in bytes and keep their extension", () => {
  const long = sanitizeFileName("x".repeat(300) + ".pdf");
  assert.ok(new TextEncoder().encode(long).length <= 180);
  assert.ok(long.endsWith(".pdf"));
  const wide = sanitizeFileName("李".repeat(200) + ".docx");
  assert.ok(new TextEncoder().encode(wide).length <= 180);
  assert.ok(wide.endsWith(".docx"));
});
