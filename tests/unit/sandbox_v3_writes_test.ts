/** The sandbox's v3 candidate writes accept exactly the v3 bodies, acting as the token's sub. */
import assert from "node:assert/strict";
import { sandboxToken } from "../e2e/api.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

Deno.test("v3 PATCH and anonymize take the bodies the v3 spec declares; others are refused with 422", async () => {
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
      // The request body's own names (the v3 spec): `is_private`, though the answer says `private`.
      [`/candidates/${id}`, { private: true }],
      [`/candidates/${id}`, { recruiter: null }],
      [`/candidates/${id}`, { company: null }],
      [`/candidates/${id}`, { is_private: "true" }],
      [`/candidates/${id}`, { custom_fields: [{ name_key: "desired_salary" }] }],
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
      is_private: true,
      company: "",
      preferred_name: "Sam",
      tags: [],
      custom_fields: [{ name_key: "desired_salary", value: null }],
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.private, true);
    assert.equal(patched.body.company, "");
    assert.equal(patched.body.preferred_name, "Sam");
    // v3 custom_fields are keyed: {name, type, value}.
    assert.equal(patched.body.custom_fields.desired_salary.value, null);
    const anonymized = await send(`/candidates/${id}/anonymize`, { fields: ["attachments"] });
    assert.equal(anonymized.status, 200);
    assert.deepEqual(sandbox.tenant.get("candidates", id)!.attachments, []);
    // The spec's enum: v3-only names are taken, a name outside it is a 422 naming it.
    const v3Names = await send(`/candidates/${id}/anonymize`, {
      fields: ["eeoc_responses", "demographic_question_responses", "notetaking_transcript"],
    });
    assert.equal(v3Names.status, 200);
    const unknown = await send(`/candidates/${id}/anonymize`, { fields: ["notes", "eeoc"] });
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.body.errors, ['fields: Unknown field: "eeoc"']);
    const extra = await send(`/candidates/${id}/anonymize`, { fields: ["notes"], all: true });
    assert.equal(extra.status, 422);
    assert.ok(sandbox.log.filter((e) => e.method === "PATCH").every((e) => e.sub === user));
  } finally {
    await sandbox.close();
  }
});

Deno.test("v1 anonymize takes v1's 44 names only: a v3-only name is refused with 422", async () => {
  const sandbox = await startSandbox({ candidates: 5, rateLimit: 0 });
  try {
    const id = sandbox.tenant.list("candidates")[1].id as number;
    const put = (fields: string) =>
      fetch(`${sandbox.url}/candidates/${id}/anonymize?fields=${fields}`, {
        method: "PUT",
        headers: {
          Authorization: `Basic ${btoa(`${sandbox.apiKey}:`)}`,
          "On-Behalf-Of": String(sandbox.tenant.userIds()[0]),
        },
      });
    const v3Only = await put("notes,eeoc_responses");
    assert.equal(v3Only.status, 422);
    assert.match(JSON.stringify(await v3Only.json()), /Unknown field: \\"eeoc_responses\\"/);
    const known = await put("notes,full_name");
    assert.equal(known.status, 200);
    await known.body?.cancel();
  } finally {
    await sandbox.close();
  }
});
