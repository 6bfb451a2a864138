/** The sandbox's v3 candidate writes accept exactly the v3 bodies, acting as the token's sub. */
import assert from "node:assert/strict";
import { sandboxToken } from "../e2e/api.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

Deno.test("v3 PATCH and anonymize take v3 bodies only; v1 shapes are refused with 422", async () => {
  const sandbox = await startSandbox({ candidates: 5, rateLimit: 0 });
  try {
    const user = sandbox.tenant.userIds()[0];
    const id = sandbox.tenant.list("candidates")[1].id as number;
    const token = await sandboxToken(sandbox, user);
    const send = async (path: string, body: unknown) => {
      const response = await fetch(`${sandbox.v3Url}${path}`, {
        method: "PATCH",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const refused: [string, unknown][] = [
      [`/candidates/${id}`, { is_private: true }],
      [`/candidates/${id}`, { recruiter: null }],
      [`/candidates/${id}`, {
        custom_fields: [{ name_key: "desired_salary", delete_value: "true" }],
      }],
      [`/candidates/${id}/anonymize`, { fields: "attachments" }],
      [`/candidates/${id}/anonymize`, { fields: ["attachments", "resume"] }],
      [`/candidates/${id}/anonymize`, { fields: [] }],
    ];
    for (const [path, body] of refused) {
      const answer = await send(path, body);
      assert.equal(answer.status, 422, JSON.stringify(body));
      assert.ok(Array.isArray(answer.body.errors));
    }
    const patched = await send(`/candidates/${id}`, {
      private: true,
      tags: [],
      custom_fields: [{ name_key: "desired_salary", value: null }],
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.private, true);
    // v3 custom_fields are keyed: {name, type, value}.
    assert.equal(patched.body.custom_fields.desired_salary.value, null);
    const anonymized = await send(`/candidates/${id}/anonymize`, { fields: ["attachments"] });
    assert.equal(anonymized.status, 200);
    assert.deepEqual(sandbox.tenant.get("candidates", id)!.attachments, []);
    assert.ok(sandbox.log.filter((e) => e.method === "PATCH").every((e) => e.sub === user));
  } finally {
    await sandbox.close();
  }
});
