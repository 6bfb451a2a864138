/** The sandbox's per-credential permissions: v1 endpoint grants and v3 scopes, refused with 403. */
import assert from "node:assert/strict";
import { sandboxToken } from "../e2e/api.ts";
import { startSandbox, v1Permission, v3Scope } from "../../src/sandbox/mod.ts";
import { API_VERSIONS, ENTITIES, entityNamesFor } from "../../src/entities.ts";
import { applicationListPermission, listPermission } from "../../src/privacy/ping.ts";
import { RELATED_LISTS } from "../../src/privacy/personal_lists.ts";

Deno.test("each endpoint needs the permission Dev Center names it by (v1) or its scope (v3)", () => {
  const v1: [string, string, string | undefined][] = [
    ["GET", "/users", "Get: List Users"],
    ["GET", "/users/12", "Get: Retrieve User"],
    ["GET", "/candidates", "Get: List Candidates"],
    ["GET", "/candidates/12", "Get: Retrieve Candidate"],
    ["GET", "/candidates/12/activity_feed", "Get: Retrieve Activity Feed"],
    ["GET", "/applications/12", "Get: Retrieve Application"],
    ["GET", "/applications/12/scorecards", "Get: List Scorecards for Application"],
    [
      "GET",
      "/applications/12/scheduled_interviews",
      "Get: List Scheduled Interviews for Application",
    ],
    [
      "GET",
      "/applications/12/demographics/answers",
      "Get: List Demographic Answers for Application",
    ],
    ["GET", "/applications/12/demographics", undefined],
    ["GET", "/prospect_pools", "Get: List Prospect Pools"],
    ["GET", "/departments/3", "Get: Retrieve Department"],
    ["GET", "/tags/candidate", "Get: List Candidate Tags"],
    ["GET", "/demographics/question_sets", "Get: List Demographic Question Sets"],
    ["GET", "/demographics/answers/4", "Get: Retrieve Demographic Answer"],
    ["GET", "/demographics", undefined],
    ["DELETE", "/candidates/12", "Delete: Delete Candidate"],
    ["PATCH", "/candidates/12", "Patch: Edit Candidate"],
    ["PUT", "/candidates/12/anonymize", "Put: Anonymize Candidate"],
    ["GET", "/nothing", undefined],
  ];
  for (const [method, path, name] of v1) assert.equal(v1Permission(method, path), name, path);
  const v3: [string, string, string | undefined][] = [
    ["GET", "/candidates", "harvest:candidates:list"],
    ["GET", "/notes", "harvest:notes:list"],
    ["GET", "/job_interview_stages", "harvest:job_interview_stages:list"],
    ["DELETE", "/candidates/12", "harvest:candidates:destroy"],
    ["PATCH", "/candidates/12", "harvest:candidates:update"],
    ["PATCH", "/candidates/12/anonymize", "harvest:candidates:anonymize"],
  ];
  for (const [method, path, scope] of v3) assert.equal(v3Scope(method, path), scope, path);
});

Deno.test("a key answers 403 outside its grants, and the route itself inside them", async () => {
  const sandbox = await startSandbox({
    candidates: 5,
    rateLimit: 0,
    permissions: ["get: list candidates"],
    v3Scopes: ["harvest:users:list"],
  });
  try {
    const v1 = (path: string, method = "GET") =>
      fetch(`${sandbox.url}${path}`, {
        method,
        headers: { Authorization: `Basic ${btoa(`${sandbox.apiKey}:`)}` },
      });
    const list = await v1("/candidates?per_page=1");
    assert.equal(list.status, 200);
    await list.body?.cancel();
    for (const [path, method] of [["/users"], ["/candidates/1"], ["/candidates/999", "DELETE"]]) {
      const refused = await v1(path, method);
      assert.equal(refused.status, 403, path);
      assert.match((await refused.json()).message, /does not have permission/);
    }
    const token = await sandboxToken(sandbox);
    const v3 = (path: string) =>
      fetch(`${sandbox.v3Url}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
    const users = await v3("/users");
    assert.equal(users.status, 200);
    await users.body?.cancel();
    const candidates = await v3("/candidates");
    assert.equal(candidates.status, 403);
    assert.deepEqual(await candidates.json(), {
      errors: ["Missing required scope: harvest:candidates:list."],
    });
  } finally {
    await sandbox.close();
  }
});

Deno.test("every list of the entity table needs the permission ping names for it", () => {
  for (const version of API_VERSIONS) {
    for (const name of entityNamesFor(version)) {
      const path = ENTITIES[name].paths[version]!;
      const needed = version === "v1" ? v1Permission("GET", path) : v3Scope("GET", path);
      assert.equal(needed, listPermission(version, name), `${version} ${name}`);
    }
  }
});

Deno.test("every per-application v1 list access reads needs the permission access names for it", () => {
  for (const name of RELATED_LISTS) {
    const path = ENTITIES[name].paths.v1;
    if (path === undefined) continue;
    assert.equal(
      v1Permission("GET", `/applications/12${path}`),
      applicationListPermission(name),
      name,
    );
  }
});
