/**
 * The sandbox's v3 records are held to Greenhouse's own v3 spec (src/schemas/v3_spec.json), so
 * the sandbox stops being the only judge of what v3 looks like. Generic: every list path the
 * sandbox serves on v3 is walked (catalog lists, the seven and users, notes, attachments), with
 * each boolean filter the spec declares for it both ways (so records a default hides are checked
 * too), and every record must have exactly the spec object's fields, typed as the spec types them
 * (nested objects too). A list the sandbox adds is covered with no change here.
 */
import assert from "node:assert/strict";
import { ENTITIES, ENTITY_NAMES, entityListings } from "../../src/entities.ts";
import { type Schema, V3_LISTS, v3ObjectSchema, validate } from "../../src/schemas/mod.ts";
import { V3_LISTS as SANDBOX_V3_LISTS } from "../../src/sandbox/catalog.ts";
import { type Sandbox, startSandbox, v3ListPaths } from "../../src/sandbox/mod.ts";
import { sandboxToken } from "../e2e/api.ts";

/**
 * The schema with every object closed: all its properties required, no others allowed (the
 * published schemas are lenient on both; the sandbox, which is ours, must be exact).
 */
function exact(schema: Schema): Schema {
  const out: Record<string, unknown> = { ...schema };
  if (schema.properties) {
    const properties = schema.properties as Record<string, Schema>;
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, child]) => [name, exact(child)]),
    );
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  if (schema.items) out.items = exact(schema.items as Schema);
  return out;
}

/** Every record of a v3 listing, following next links. */
async function walk(sandbox: Sandbox, bearer: string, path: string, params: URLSearchParams) {
  const records: Record<string, unknown>[] = [];
  let url: string | undefined = `${sandbox.v3Url}${path}?${params}`;
  for (let pages = 0; url && pages < 1000; pages++) {
    const res: Response = await fetch(url, { headers: { Authorization: `Bearer ${bearer}` } });
    const body = await res.json();
    assert.equal(res.status, 200, `${url}: ${JSON.stringify(body)}`);
    records.push(...body);
    url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
  }
  return records;
}

/** The queries a path is walked with: none, the entity table's, each boolean filter both ways. */
function variants(path: string): URLSearchParams[] {
  const out = [new URLSearchParams({ per_page: "500" })];
  for (const name of ENTITY_NAMES) {
    if (ENTITIES[name].paths.v3 !== path) continue;
    for (const params of entityListings(ENTITIES[name], { version: "v3" })) {
      out.push(new URLSearchParams({ ...params, per_page: "500" }));
    }
  }
  for (const [filter, type] of Object.entries(V3_LISTS[path]?.filters ?? {})) {
    if (!type.startsWith("boolean")) continue;
    for (const value of ["true", "false"]) {
      out.push(new URLSearchParams({ [filter]: value, per_page: "500" }));
    }
  }
  return out;
}

Deno.test("every record of every v3 list the sandbox serves has exactly its spec object's fields and types", async () => {
  const sandbox = await startSandbox({ candidates: 40, rateLimit: 0 });
  try {
    const bearer = await sandboxToken(sandbox);
    const problems: string[] = [];
    const paths = v3ListPaths();
    assert.ok(paths.length >= 30, `${paths.length} paths`);
    for (const path of paths) {
      const list = V3_LISTS[path];
      if (!list) {
        problems.push(`${path}: not a GET list of the v3 spec`);
        continue;
      }
      const schema = exact(v3ObjectSchema(list.object)!);
      let seen = 0;
      const reported = new Set<string>();
      for (const params of variants(path)) {
        for (const record of await walk(sandbox, bearer, path, params)) {
          seen++;
          for (const error of validate(schema, record, 50)) {
            // One line per field and problem, not per record.
            const key = `${path} ${error.pointer.replace(/\/\d+(?=\/|$)/g, "/*")} ${error.reason}`;
            const line = key.replace(/(got|is) .*$/, "$1 …");
            if (reported.has(line)) continue;
            reported.add(line);
            problems.push(`${key} (record ${record.id})`);
          }
        }
      }
      if (seen === 0) problems.push(`${path}: the tenant serves no record to check`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await sandbox.close();
  }
});

Deno.test("the entity table's v3 date filters agree with the spec's, and so do the sandbox's", () => {
  for (const name of ENTITY_NAMES) {
    const row = ENTITIES[name];
    const path = row.paths.v3;
    if (path === undefined) continue;
    const dates = V3_LISTS[path].dates;
    assert.equal(row.createdFilters.v3, dates, `${name}: createdFilters.v3 (${path})`);
    if (row.updatedFilter !== null) assert.ok(dates, `${name}: ${path} takes no updated_at`);
  }
  for (const [path, def] of Object.entries(SANDBOX_V3_LISTS)) {
    assert.equal(def.v3?.dates, V3_LISTS[path].dates, `sandbox ${path}`);
  }
});
