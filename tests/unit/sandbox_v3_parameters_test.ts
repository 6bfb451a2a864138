/**
 * The sandbox takes v3's list parameters as Greenhouse's own spec declares them
 * (src/schemas/v3_spec.json): every `ids` / `*_ids` filter of every list it serves answers 422
 * beyond 50 ids, and each default the spec notes as hiding (or not hiding) records holds.
 */
import assert from "node:assert/strict";
import { MAX_FILTER_IDS, V3_LISTS, V3_NOTES } from "../../src/schemas/mod.ts";
import { ARCHIVED_OPTION_ID, DEFAULT_REJECTION_REASONS } from "../../src/sandbox/reference_data.ts";
import { type Sandbox, startSandbox, v3ListPaths } from "../../src/sandbox/mod.ts";
import { sandboxToken } from "../e2e/api.ts";

type Rec = Record<string, unknown>;

async function withSandbox(fn: (s: Sandbox, get: Getter) => Promise<void>) {
  const sandbox = await startSandbox({ candidates: 60, jobs: 20, rateLimit: 0 });
  try {
    const bearer = await sandboxToken(sandbox);
    const get: Getter = async (path, params = {}) => {
      const query = new URLSearchParams({ per_page: "500", ...params });
      const res = await fetch(`${sandbox.v3Url}${path}?${query}`, {
        headers: { Authorization: `Bearer ${bearer}` },
      });
      return { status: res.status, body: await res.json() };
    };
    await fn(sandbox, get);
  } finally {
    await sandbox.close();
  }
}
type Getter = (path: string, params?: Record<string, string>) => Promise<
  { status: number; body: Rec[] & { errors?: string[] } }
>;

const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1)).join(",");

Deno.test("sandbox v3: every id filter of every list takes 50 ids and answers 422 to 51", async () => {
  await withSandbox(async (sandbox, get) => {
    let checked = 0;
    for (const path of v3ListPaths()) {
      for (const filter of V3_LISTS[path].idFilters) {
        const fifty = await get(path, { [filter]: ids(MAX_FILTER_IDS) });
        assert.equal(fifty.status, 200, `${path}?${filter}=<50 ids>`);
        const more = await get(path, { [filter]: ids(MAX_FILTER_IDS + 1) });
        assert.equal(more.status, 422, `${path}?${filter}=<51 ids>`);
        assert.match(more.body.errors![0], new RegExp(`^${filter}: at most 50 ids$`));
        checked++;
      }
    }
    assert.ok(checked >= 80, `${checked} filters`);
    assert.equal(sandbox.log.filter((e) => e.status >= 500).length, 0);
  });
});

Deno.test("sandbox v3: per_page from 1 to 500, 422 outside", async () => {
  await withSandbox(async (_sandbox, get) => {
    for (const path of ["/applications", "/job_posts", "/notes"]) {
      const cases: [string, number][] = [["1", 200], ["500", 200], ["0", 422], ["501", 422]];
      for (const [perPage, status] of cases) {
        assert.equal((await get(path, { per_page: perPage })).status, status, perPage);
      }
    }
  });
});

Deno.test("sandbox v3: the defaults the spec notes, as it states them", async () => {
  await withSandbox(async (sandbox, get) => {
    const idsOf = (records: Rec[]) => records.map((r) => r.id as number).sort((a, b) => a - b);
    const split = async (path: string, param: string, extra: Record<string, string> = {}) => ({
      omitted: (await get(path, extra)).body,
      yes: (await get(path, { ...extra, [param]: "true" })).body,
      no: (await get(path, { ...extra, [param]: "false" })).body,
    });

    // Job posts: active only unless active=false, which lists the deleted ones.
    assert.match(V3_NOTES["job_posts.active"], /defaults to true/);
    const posts = await split("/job_posts", "active");
    assert.ok(posts.no.length > 0 && posts.no.every((p) => p.active === false));
    assert.deepEqual(idsOf(posts.omitted), idsOf(posts.yes));
    assert.ok(posts.omitted.every((p) => p.active === true));

    // Custom field options: archived ones are listed unless active=true (not what issue 23
    // says: the spec is the reference).
    assert.match(V3_NOTES["custom_field_options.active"], /returned unless active=true/);
    const options = await split("/custom_field_options", "active", {
      custom_field_key: "school_name",
    });
    assert.ok(options.omitted.some((o) => o.id === ARCHIVED_OPTION_ID && o.active === false));
    assert.ok(!options.yes.some((o) => o.id === ARCHIVED_OPTION_ID));
    assert.deepEqual(idsOf(options.no), [ARCHIVED_OPTION_ID]);

    // Lists whose inactive rows come by default: omitted = true + false.
    for (const path of ["/custom_fields", "/demographic_question_sets"]) {
      const both = await split(path, "active");
      assert.ok(both.no.length > 0, `${path} has inactive rows`);
      assert.deepEqual(idsOf(both.omitted), idsOf([...both.yes, ...both.no]), path);
    }

    // Users: service accounts only with show_service_accounts=true, their primary_email "".
    const users = await split("/users", "show_service_accounts");
    const service = users.yes.filter((u) => sandbox.tenant.isServiceUser(u.id as number));
    assert.equal(service.length, 1);
    assert.equal(service[0].primary_email, "");
    assert.deepEqual(idsOf(users.omitted), idsOf(users.no));
    assert.deepEqual(idsOf(users.yes), idsOf([...users.omitted, ...service]));

    // Rejection reasons: Greenhouse's defaults only with include_defaults=true.
    const reasons = await split("/rejection_reasons", "include_defaults");
    const defaults = DEFAULT_REJECTION_REASONS.map((r) => r.id);
    assert.ok(!reasons.omitted.some((r) => defaults.includes(r.id as number)));
    assert.ok(defaults.every((id) => reasons.yes.some((r) => r.id === id)));

    // Candidates: private ones listed unless private=false.
    const candidates = await split("/candidates", "private");
    assert.ok(candidates.omitted.some((c) => c.private === true));
    assert.ok(candidates.no.every((c) => c.private !== true));
    assert.equal(
      candidates.no.length,
      candidates.omitted.filter((c) => c.private !== true).length,
    );
  });
});
