/** erase on a terminal: the matches are listed, then only a typed "yes" lets writes go out. */
import assert from "node:assert/strict";
import type { RunContext } from "../../src/context.ts";
import { systemClock } from "../../src/clock.ts";
import { runErase } from "../../src/commands/erase.ts";
import { startSandbox } from "../../src/sandbox/mod.ts";

async function confirmRun(answer: string | null) {
  const sandbox = await startSandbox({ candidates: 20, rateLimit: 0 });
  try {
    const id = sandbox.tenant.list("candidates")[3].id;
    sandbox.tenant.patchCandidate(id, {
      email_addresses: [{ value: "Someone@Example.org", type: "personal" }],
    });
    let out = "", err = "";
    const ctx: RunContext = {
      env: () => undefined,
      out: (text) => (out += text),
      err: (text) => (err += text),
      stderrIsTerminal: true,
      stdinIsTerminal: true,
      readLine: () => Promise.resolve(answer),
      clock: systemClock,
    };
    const code = await runErase({
      kind: "erase",
      email: "someone@example.org",
      mode: "delete",
      onBehalfOf: sandbox.tenant.userIds()[0],
      dryRun: false,
      yes: false,
      cacheDir: `/nonexistent-${crypto.randomUUID()}`,
      connection: { api: "v1", baseUrl: sandbox.url, apiKey: sandbox.apiKey, rateTarget: 1 },
    }, ctx);
    const deletes = sandbox.log.filter((e) => e.method === "DELETE").length;
    return { code, out, err, deletes, id };
  } finally {
    await sandbox.close();
  }
}

Deno.test('erase on a terminal asks before writing and writes only after "yes"', async () => {
  const yes = await confirmRun("yes");
  assert.equal(yes.code, 0);
  assert.match(yes.out, new RegExp(`^1 candidate has this address:\\n  ${yes.id}  `));
  assert.match(yes.err, /Type "yes" to erase 1 candidate: /);
  assert.equal(yes.deletes, 1);

  for (const answer of ["no", "", null]) {
    const declined = await confirmRun(answer);
    assert.equal(declined.code, 1);
    assert.match(declined.out, /not confirmed; nothing was changed/);
    assert.equal(declined.deletes, 0);
  }
});
