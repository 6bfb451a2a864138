/**
 * End to end: `export` spawned as the real CLI over a cache the real `sync` filled from the
 * sandbox. Each format is read back and compared with the cache's record files: NDJSON line by
 * line, CSV through the project's RFC 4180 tokenizer and the documented flattening, Parquet
 * through hyparquet (the reader hyparquet-writer itself depends on).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { ManualClock } from "../../src/clock.ts";
import { CsvTokenizer } from "../../src/cache/index_codec.ts";
import { entityNamesFor } from "../../src/entities.ts";
import type { ApiRecord } from "../../src/entities.ts";
import { apiEnv } from "./api.ts";
import { readEntityFolder, runCli, runInProcess, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";
import { entryNames, exists } from "../support.ts";

const CACHE = "greenhouse-cache";
/** What a v1 sync caches: every list v1 has. */
const V1_LISTS = entityNamesFor("v1");

/**
 * A v1 sync of every list, or of `only` where a test exports no other (each list costs the
 * set-up its files).
 */
async function syncedCache(root: string, candidates = 40, only?: string[]) {
  const clock = new ManualClock(Date.now());
  const sandbox = await startSandboxDisposable({ rateLimit: 0, candidates, clock });
  const env = apiEnv("v1", sandbox);
  const lists = only ? ["--only", only.join(",")] : ["--skip", "activity_feeds,attachments"];
  // Set-up, through the CLI's entry point in this process (the exports are spawned).
  const result = await runInProcess(
    ["sync", "-q", ...lists, "--cache-dir", join(root, CACHE)],
    env,
  );
  assert.equal(result.code, 0, result.stderr);
  return Object.assign(sandbox, { env, clock });
}

/** The cache's records of an entity, by id, and the ids in order. */
async function cached(root: string, entity: string): Promise<Map<number, ApiRecord>> {
  const { files } = await readEntityFolder(join(root, CACHE, entity));
  return new Map([...files].sort(([a], [b]) => a - b)) as Map<number, ApiRecord>;
}

function parseCsv(text: string): string[][] {
  const tokenizer = new CsvTokenizer();
  const records = [...tokenizer.push(text), ...tokenizer.end()];
  for (const record of records) assert.equal(record.error, undefined, `line ${record.line}`);
  return records.map((r) => r.fields).filter((f) => !(f.length === 1 && f[0] === ""));
}

/** The documented CSV rule, written out again independently of src/export/shape.ts. */
function expectedColumns(records: ApiRecord[]): string[] {
  const leaves = new Set<string>();
  const objectPaths = new Map<string, boolean>(); // path → only ever objects (or null)
  const visit = (value: unknown, path: string) => {
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    if (path !== "") {
      if (value !== null) objectPaths.set(path, (objectPaths.get(path) ?? true) && isObject);
    }
    if (isObject) {
      for (const [key, inner] of Object.entries(value as ApiRecord)) {
        visit(inner, path === "" ? key : `${path}.${key}`);
      }
    }
    if (path !== "") leaves.add(path);
  };
  for (const record of records) visit(record, "");
  const flattened = (path: string) =>
    objectPaths.get(path) === true && [...leaves].some((p) => p.startsWith(`${path}.`));
  const columns = [...leaves].filter((path) => {
    if (flattened(path)) return false;
    // a path under an object that is not flattened is inside a JSON-text cell
    const parts = path.split(".");
    for (let i = 1; i < parts.length; i++) {
      if (!flattened(parts.slice(0, i).join("."))) return false;
    }
    return true;
  });
  return ["id", ...columns.filter((c) => c !== "id").sort()];
}

function cellOf(record: ApiRecord, column: string): string {
  let value: unknown = record;
  for (const key of column.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return "";
    value = (value as ApiRecord)[key];
  }
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

Deno.test("export: each format holds exactly the cache's records, as documented", async () => {
  await withTempDir(async (root) => {
    await using _sandbox = await syncedCache(root);
    for (const format of ["ndjson", "csv", "parquet"]) {
      const result = await runCli(["export", "--format", format, "-q"], { root });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.match(
        result.stdout,
        new RegExp(`export complete: ${V1_LISTS.length} ${format} file\\(s\\)`),
      );
    }
    const out = join(root, "greenhouse-export");
    assert.deepEqual(
      await entryNames(out),
      V1_LISTS.flatMap((e) => [`${e}.csv`, `${e}.ndjson`, `${e}.parquet`]).sort(),
      "one file per entity and format, no temporary or lock left",
    );
    // Every list the v1 sync cached: the seven, and the reference and other lists (users,
    // departments, scheduled interviews, demographic answers…) with no code of their own.
    for (const entity of V1_LISTS) {
      const records = await cached(root, entity);
      assert.ok(records.size > 0, entity);
      const texts = await Promise.all(
        [...records.keys()].map((id) => Deno.readTextFile(join(root, CACHE, entity, `${id}.json`))),
      );

      // NDJSON: one line per record, in id order, the cached JSON made compact.
      const lines = (await Deno.readTextFile(join(out, `${entity}.ndjson`))).split("\n");
      assert.equal(lines.pop(), "", "ends with a line end");
      assert.deepEqual(lines, texts.map((text) => JSON.stringify(JSON.parse(text))), entity);

      // CSV: the documented columns; every cell the documented value.
      const rows = parseCsv(await Deno.readTextFile(join(out, `${entity}.csv`)));
      const values = [...records.values()];
      const columns = expectedColumns(values);
      assert.deepEqual(rows[0], columns, `${entity} header`);
      assert.equal(rows.length - 1, records.size, entity);
      values.forEach((record, i) => {
        assert.deepEqual(rows[i + 1], columns.map((c) => cellOf(record, c)), `${entity} row ${i}`);
      });

      // Parquet: id INT64, one column per top-level field, nested ones as JSON text.
      const file = (await Deno.readFile(join(out, `${entity}.parquet`))).buffer;
      const metadata = await parquetMetadataAsync(file);
      const schema = parquetSchema(metadata).children.map((c) => c.element);
      assert.deepEqual(schema[0], { ...schema[0], name: "id", type: "INT64" });
      const objects = await parquetReadObjects({ file });
      assert.equal(objects.length, records.size, entity);
      objects.forEach((row, i) => {
        const record = values[i];
        assert.equal(row.id, BigInt(record.id));
        for (const element of schema.slice(1)) {
          const value = Object.hasOwn(record, element.name) ? record[element.name] : null;
          const got = row[element.name];
          if (element.logical_type?.type === "JSON") {
            assert.equal(element.converted_type, "JSON", `${entity}.${element.name}`);
            assert.deepEqual(got ?? null, value, `${entity}.${element.name}`);
          } else if (element.type === "INT64") {
            assert.equal(got, value === null ? null : BigInt(value), element.name);
          } else {
            assert.deepEqual(got ?? null, value ?? null, `${entity}.${element.name}`);
          }
        }
      });
    }
    // The candidates' nested fields: flattened in CSV, JSON in Parquet.
    const header = parseCsv(await Deno.readTextFile(join(out, "candidates.csv")))[0];
    assert.ok(header.includes("recruiter.name") && header.includes("email_addresses"));
    assert.ok(!header.includes("recruiter"));
  });
});

Deno.test("export --since keeps what the cache wrote since; --only picks entities; --json", async () => {
  await withTempDir(async (root) => {
    await using sandbox = await syncedCache(root, 40, ["sources", "candidates"]);
    // Index timestamps come from the CLI's (real) clock: the first sync wrote before `between`,
    // the second (a new process, started after it) writes after.
    const between = new Date();
    sandbox.clock.time = Date.now();
    const touched = sandbox.tenant.list("candidates").slice(3, 6).map((c) => c.id);
    for (const id of touched) sandbox.tenant.touchCandidate(id);
    const second = await runCli(["sync", "-q", "--only", "candidates"], {
      root,
      env: sandbox.env,
    });
    assert.equal(second.code, 0, second.stderr);

    const result = await runCli([
      "export",
      "--format",
      "ndjson",
      "--only",
      "candidates,sources",
      "--since",
      between.toISOString(),
      "--out",
      "out",
      "--json",
    ], { root });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.ok, true);
    assert.equal(summary.format, "ndjson");
    assert.equal(summary.since, between.toISOString());
    assert.deepEqual(summary.entities.map((e: { entity: string }) => e.entity), [
      "candidates",
      "sources",
    ]);
    const candidates = summary.entities[0];
    assert.equal(candidates.records, touched.length);
    assert.equal(candidates.older, 40 - touched.length);
    assert.equal(summary.entities[1].records, 0, "sources were not written again");
    assert.deepEqual(await entryNames(join(root, "out")), ["candidates.ndjson", "sources.ndjson"]);
    const ids = (await Deno.readTextFile(join(root, "out/candidates.ndjson"))).trim().split("\n")
      .map((line) => JSON.parse(line).id);
    assert.deepEqual(ids, [...touched].sort((a, b) => a - b));
  });
});

Deno.test("export: usage errors exit 2 before writing anything", async () => {
  await withTempDir(async (root) => {
    const cases: [string[], RegExp][] = [
      [["export"], /export needs --format/],
      [["export", "--format", "xml"], /--format "xml" is not a format/],
      [["export", "--format", "csv", "--since", "yesterday"], /--since "yesterday" is not/],
      [["export", "--format", "csv", "--only", "nope"], /--only: unknown entity "nope"/],
      [
        ["export", "--format", "csv", "--only", "jobs", "--skip", "jobs"],
        /leave no entity to export/,
      ],
      [["export", "--format", "csv", "--out", `${CACHE}/x`], /is inside the cache folder/],
      [["export", "--format", "csv", "--out", ""], /--out must name a folder/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { root });
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, "one line");
    }
    assert.deepEqual(await entryNames(root), [], "nothing written");
    const none = await runCli(["export", "--format", "csv"], { root });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /export: no cache at \.\/greenhouse-cache/);
  });
});

Deno.test("export: a damaged record is named and exit is 1; the others are exported", async () => {
  await withTempDir(async (root) => {
    await using _sandbox = await syncedCache(root, 20, ["candidates", "offers"]);
    const records = await cached(root, "candidates");
    const [damaged] = [...records.keys()];
    await Deno.writeTextFile(join(root, CACHE, "candidates", `${damaged}.json`), "{ not json");
    const result = await runCli(["export", "--format", "csv", "--only", "candidates"], { root });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`candidates/${damaged}\\.json: not valid JSON`));
    assert.match(result.stderr, /error: export: 1 record\(s\).*could not be exported/);
    const rows = parseCsv(await Deno.readTextFile(join(root, "greenhouse-export/candidates.csv")));
    assert.equal(rows.length - 1, records.size - 1);
    assert.ok(!rows.some((row) => row[0] === String(damaged)));

    // An entity named in --only that the cache lacks: exit 1, nothing written.
    await Deno.remove(join(root, CACHE, "offers"), { recursive: true });
    const absent = await runCli(["export", "--format", "csv", "--only", "offers", "--out", "o"], {
      root,
    });
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /has no offers/);
    assert.equal(await exists(join(root, "o")), false);
  });
});

Deno.test("export: a list only v3 has (job openings) exports like the others", async () => {
  await withTempDir(async (root) => {
    await using sandbox = await startSandboxDisposable({ v3RateLimit: 0, candidates: 5 });
    const sync = await runCli(["sync", "-q", "--only", "jobs,job_openings"], {
      root,
      env: apiEnv("v3", sandbox),
    });
    assert.equal(sync.code, 0, sync.stderr);
    const result = await runCli(["export", "--format", "ndjson", "--only", "job_openings"], {
      root,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /export complete: 1 ndjson file\(s\)/);
    const records = await cached(root, "job_openings");
    assert.ok(records.size > 0);
    const lines = (await Deno.readTextFile(join(root, "greenhouse-export/job_openings.ndjson")))
      .trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(lines, [...records.keys()].sort((a, b) => a - b).map((id) => records.get(id)));
  });
});

Deno.test("export: v3 scorecard answers, whose value is text, yes/no or an option id, keep each in Parquet", async () => {
  await withTempDir(async (root) => {
    await using sandbox = await startSandboxDisposable({ v3RateLimit: 0, candidates: 20 });
    const lists = "applications,scorecards,scorecard_question_answers";
    const sync = await runCli(["sync", "-q", "--only", lists], {
      root,
      env: apiEnv("v3", sandbox),
    });
    assert.equal(sync.code, 0, sync.stderr);
    const result = await runCli(
      ["export", "--format", "parquet", "--only", "scorecard_question_answers", "-q"],
      { root },
    );
    assert.equal(result.code, 0, result.stderr);
    const records = await cached(root, "scorecard_question_answers");
    const values = [...records.keys()].sort((a, b) => a - b).map((id) => records.get(id)!.value);
    assert.deepEqual(
      new Set(values.map((v) => typeof v)),
      new Set(["string", "boolean", "number"]),
      "the sandbox answers every kind of question",
    );
    const file = (await Deno.readFile(
      join(root, "greenhouse-export/scorecard_question_answers.parquet"),
    )).buffer;
    const objects = await parquetReadObjects({ file });
    assert.deepEqual(objects.map((row) => row.value), values);
  });
});
