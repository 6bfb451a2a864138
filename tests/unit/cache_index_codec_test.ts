import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CsvTokenizer,
  formatIndex,
  type IndexRow,
  isIndexProblem,
  parseIndex,
  readIndexRows,
} from "../../src/cache/index_codec.ts";

const TS = "2026-11-23T01:52:11.123Z";
const hostile: IndexRow[] = [
  { id: 10, moniker: "Smith, John", timestamp: TS },
  { id: 2, moniker: 'He said "hi"', timestamp: TS },
  { id: 3, moniker: "line1\r\nline2", timestamp: TS },
  { id: 4, moniker: "line1\nline2", timestamp: TS },
  { id: 5, moniker: "=SUM(A1:A2)", timestamp: TS },
  { id: 6, moniker: "+1 555", timestamp: TS },
  { id: 7, moniker: "-dash", timestamp: TS },
  { id: 8, moniker: "@handle", timestamp: TS },
  { id: 9, moniker: "Zoë Ångström 山田太郎 محمد", timestamp: TS },
  { id: 1, moniker: "", timestamp: TS },
  { id: 11, moniker: "lone\rcr", timestamp: TS },
  { id: 12, moniker: " spaced ", timestamp: TS },
  { id: 9007199254740991, moniker: "max", timestamp: TS },
];

Deno.test("formatIndex: header, sorted by numeric id, CRLF", () => {
  const text = formatIndex(hostile);
  assert(text.startsWith("id,moniker,timestamp\r\n"));
  const ids = parseIndex(text).rows.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.deepEqual(ids[0], 1);
  assert(text.includes('5,"=SUM(A1:A2)",'), "leading = is quoted, not prefixed");
  assert(text.includes('7,"-dash",'));
  assert(text.includes('8,"@handle",'));
  assert(text.includes('6,"+1 555",'));
  assert(text.includes('2,"He said ""hi""",'));
  assert.equal(formatIndex([]), "id,moniker,timestamp\r\n");
});

Deno.test("parseIndex: hostile monikers round-trip exactly", () => {
  const { rows, problems } = parseIndex(formatIndex(hostile));
  assert.deepEqual(problems, []);
  assert.deepEqual(rows, [...hostile].sort((a, b) => a.id - b.id));
});

Deno.test("parseIndex: LF-only files and missing final newline are accepted", () => {
  const { rows, problems } = parseIndex(`id,moniker,timestamp\n1,a,${TS}\n2,b,${TS}`);
  assert.deepEqual(problems, []);
  assert.deepEqual(rows.map((r) => r.moniker), ["a", "b"]);
});

Deno.test("parseIndex: reports problems with line numbers and keeps going", () => {
  const text = [
    "id,name,timestamp",
    `1,"multi\r\nline",${TS}`, // lines 2-3
    `2,"bad"x,${TS}`, // 4 malformed
    `abc,foo,${TS}`, // 5 id
    `1.5,foo,${TS}`, // 6 id
    `-3,foo,${TS}`, // 7 id
    `3,only-two`, // 8 malformed
    `4,ok,yesterday`, // 9 timestamp (row kept)
    `1,dup,${TS}`, // 10 duplicate
    `0,zero,${TS}`, // 11 id
    `9007199254740992,big,${TS}`, // 12 id (not safe)
    `6,fine,${TS}`, // 13
    `5,unsorted,${TS}`, // 14 order
    `7,"never closed,${TS}`, // 15 malformed to EOF
    `8,lost,${TS}`,
  ].join("\r\n") + "\r\n";
  const { rows, problems } = parseIndex(text);
  assert.deepEqual(
    problems.map((p) => [p.kind, p.line]),
    [
      ["header", 1],
      ["malformed", 4],
      ["id", 5],
      ["id", 6],
      ["id", 7],
      ["malformed", 8],
      ["timestamp", 9],
      ["duplicate", 10],
      ["id", 11],
      ["id", 12],
      ["order", 14],
      ["malformed", 15],
    ],
  );
  assert.deepEqual(rows.map((r) => r.id), [1, 4, 6, 5]);
  assert.deepEqual(rows[0].moniker, "multi\r\nline");
  for (const p of problems) assert(p.message.length > 0);
});

Deno.test("parseIndex: empty text and missing header", () => {
  assert.deepEqual(parseIndex("").problems.map((p) => p.kind), ["header"]);
  const { rows, problems } = parseIndex(`1,a,${TS}\r\n`);
  assert.deepEqual(problems.map((p) => [p.kind, p.line]), [["header", 1]]);
  assert.deepEqual(rows.map((r) => r.id), [1], "a first line that looks like data is kept");
});

Deno.test("CsvTokenizer: same result whatever the chunking", () => {
  const text = formatIndex(hostile) + `99,"a""b\r\nc",${TS}\r`;
  const whole = new CsvTokenizer();
  const expected = [...whole.push(text), ...whole.end()];
  for (const size of [1, 2, 3, 7]) {
    const t = new CsvTokenizer();
    const got = [];
    for (let i = 0; i < text.length; i += size) got.push(...t.push(text.slice(i, i + size)));
    got.push(...t.end());
    assert.deepEqual(got, expected, `chunk size ${size}`);
  }
});

Deno.test("readIndexRows streams a large index", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rows: IndexRow[] = [];
    for (let id = 1; id <= 100_000; id++) {
      rows.push({ id, moniker: id % 7 === 0 ? `Name, "${id}"\r\nx` : `Name ${id}`, timestamp: TS });
    }
    const path = join(dir, "index.csv");
    await Deno.writeTextFile(path, formatIndex(rows));
    let count = 0;
    let problems = 0;
    for await (const item of readIndexRows(path)) {
      if (isIndexProblem(item)) problems++;
      else {
        count++;
        if (item.id === 70) assert.equal(item.moniker, 'Name, "70"\r\nx');
      }
    }
    assert.equal(problems, 0);
    assert.equal(count, 100_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readIndexRows: journal mode drops a torn last line, allows repeats", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "j.csv");
    await Deno.writeTextFile(path, `id,moniker,timestamp\r\n1,a,${TS}\r\n1,b,${TS}\r\n2,"tor`);
    const items = [];
    for await (
      const item of readIndexRows(path, { allowDuplicates: true, dropUnterminated: true })
    ) {
      items.push(item);
    }
    assert.equal(items.length, 3);
    assert.equal((items[1] as IndexRow).moniker, "b");
    const torn = items[2];
    assert(isIndexProblem(torn));
    assert.equal(torn.line, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
