import assert from "node:assert/strict";
import { join } from "node:path";
import {
  attachmentFolderNames,
  checkAttachmentFolder,
  type Marker,
  sanitizeFileName,
  writeMarker,
} from "../../src/cache/attachments.ts";
import { sha256Hex } from "../../src/cache/hash.ts";
import { withTempDir } from "../support.ts";

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

const CONTENT = new TextEncoder().encode("%PDF-1.4 a resume\n");

function markerFor(file: string, bytes: Uint8Array, overrides: Partial<Marker> = {}): Marker {
  return {
    file,
    filename: file,
    size: bytes.length,
    sha256: sha256Hex(bytes),
    content_type: "application/pdf",
    downloaded_at: "2026-11-23T01:52:11.123Z",
    type: "resume",
    created_at: "2020-01-02T08:12:46.803Z",
    ...overrides,
  };
}

Deno.test("attachment folder: complete when the marker matches its file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "cv.pdf"), CONTENT);
    await writeMarker(dir, markerFor("cv.pdf", CONTENT));
    for (const verify of [false, true]) {
      const state = await checkAttachmentFolder(dir, { verify });
      assert.ok(state.complete, `verify ${verify}`);
      assert.equal(state.marker.file, "cv.pdf");
    }
    // A marker's hash is compared without regard to case.
    await writeMarker(
      dir,
      markerFor("cv.pdf", CONTENT, { sha256: sha256Hex(CONTENT).toUpperCase() }),
    );
    assert.ok((await checkAttachmentFolder(dir, { verify: true })).complete);
  });
});

Deno.test("attachment folder: each way of being incomplete is named", async () => {
  await withTempDir(async (root) => {
    let n = 0;
    const folder = async (setup: (dir: string) => Promise<void>) => {
      const dir = join(root, String(++n));
      await Deno.mkdir(dir);
      await setup(dir);
      return dir;
    };
    const file = (dir: string, name = "cv.pdf", bytes = CONTENT) =>
      Deno.writeFile(join(dir, name), bytes);
    const cases: [string, string, boolean, string, string][] = [
      [
        join(root, "missing"),
        "a missing folder",
        false,
        "no_file",
        "folder holds no attachment file",
      ],
      [
        await folder(async () => {}),
        "an empty folder",
        false,
        "no_file",
        "folder holds no attachment file",
      ],
      [
        await folder(async (dir) => {
          await file(dir);
          await file(dir, ".cv.pdf.tmp-1-0123abcd");
        }),
        "a file without marker",
        false,
        "no_marker",
        'no "complete" marker: incomplete',
      ],
      [
        await folder(async (dir) => {
          await file(dir);
          await Deno.writeTextFile(join(dir, "complete"), "{not json");
        }),
        "an unreadable marker",
        false,
        "no_marker",
        '"complete" marker is unreadable',
      ],
      [
        await folder(async (dir) => {
          await Deno.writeTextFile(join(dir, "complete"), "{not json");
          await file(dir, ".cv.pdf.tmp-1-0123abcd");
        }),
        "a marker and a temporary only",
        false,
        "no_file",
        "folder holds no attachment file",
      ],
      [
        await folder(async (dir) => {
          await file(dir, "other.pdf");
          await writeMarker(dir, markerFor("cv.pdf", CONTENT));
        }),
        "a marker naming a missing file",
        false,
        "no_file",
        "marker names cv.pdf, which is missing",
      ],
      [
        await folder(async (dir) => {
          await file(dir, "other.pdf");
          await Deno.mkdir(join(dir, "cv.pdf"));
          await writeMarker(dir, markerFor("cv.pdf", CONTENT));
        }),
        "a marker naming a folder",
        false,
        "no_file",
        "marker names cv.pdf, which is not a file",
      ],
      [
        await folder(async (dir) => {
          await file(dir, "cv.pdf", CONTENT.subarray(0, 5));
          await writeMarker(dir, markerFor("cv.pdf", CONTENT));
        }),
        "a short file",
        false,
        "size_mismatch",
        `cv.pdf is 5 bytes, marker says ${CONTENT.length}`,
      ],
      [
        await folder(async (dir) => {
          await file(dir, "cv.pdf", CONTENT.map((b) => b ^ 1));
          await writeMarker(dir, markerFor("cv.pdf", CONTENT));
        }),
        "changed content, verified",
        true,
        "sha_mismatch",
        `cv.pdf SHA-256 ${sha256Hex(CONTENT.map((b) => b ^ 1)).slice(0, 12)}… ≠ marker ${
          sha256Hex(CONTENT).slice(0, 12)
        }…`,
      ],
    ];
    for (const [dir, what, verify, problem, detail] of cases) {
      assert.deepEqual(await checkAttachmentFolder(dir, { verify }), {
        complete: false,
        problem,
        detail,
      }, what);
    }
    // Without --verify, sizes alone are compared: changed content of the same size passes.
    const changed = cases.find((c) => c[3] === "sha_mismatch")![0];
    assert.ok((await checkAttachmentFolder(changed, { verify: false })).complete);
  });
});
