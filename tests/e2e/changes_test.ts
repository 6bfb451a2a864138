/**
 * End to end: the change manifests `sync` and `erase` write under <cache>/.changes/, and the ids
 * `sync --json` reports from them, after a first sync (added), a changed tenant (changed), a
 * prune and an erasure (removed).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { changesFileName } from "../../src/cache/layout.ts";
import { entityNamesFor } from "../../src/entities.ts";
import { apiEnv, onlyCore } from "./api.ts";
import { auditCache, cliCommand, runCli, waitFor, withTempDir } from "./cli.ts";
import { startSandboxDisposable } from "./sandbox.ts";
import { entryNames } from "../support.ts";

const CHANGES = "greenhouse-cache/.changes";
const NO_DEPENDENTS = ["--skip", "activity_feeds,attachments"];

type Ids = Record<"added" | "changed" | "removed", number[]>;

async function sandboxAtNow(candidates: number) {
  const clock = new ManualClock(Date.now());
  const sandbox = await startSandboxDisposable({ rateLimit: 0, candidates, clock });
  return Object.assign(sandbox, { clock, env: apiEnv("v1", sandbox) });
}

async function syncJson(root: string, env: Record<string, string>, args: string[] = []) {
  const result = await runCli(["sync", "--json", "-q", ...NO_DEPENDENTS, ...args], { root, env });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as {
    changes: { manifest: string | null; entities: Record<string, Ids> };
  };
}

/** A manifest's lines: header, change lines, closing line. */
async function manifest(root: string, name: string) {
  const text = await Deno.readTextFile(join(root, "greenhouse-cache", name));
  assert.ok(text.endsWith("\n"));
  const lines = text.trimEnd().split("\n").map((line) => JSON.parse(line));
  const ids = (entity: string, change: string) =>
    lines.filter((l) => l.entity === entity && l.change === change).flatMap((l) => l.ids);
  return { header: lines[0], changes: lines.slice(1, -1), footer: lines.at(-1), ids };
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

Deno.test("sync: the manifest and --json list what was added, changed and pruned", async () => {
  await using sandbox = await sandboxAtNow(30);
  await withTempDir(async (root) => {
    const first = await syncJson(root, sandbox.env);
    assert.match(
      first.changes.manifest!,
      /^\.changes\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-sync\.ndjson$/,
    );
    // Every list v1 has, the reference lists and the other lists too.
    for (const entity of entityNamesFor("v1")) {
      const expected = sorted(sandbox.served("v1", entity).map((r) => r.id));
      assert.ok(expected.length > 0, entity);
      assert.deepEqual(sorted(first.changes.entities[entity].added), expected, entity);
      assert.deepEqual(first.changes.entities[entity].changed, []);
    }
    const one = await manifest(root, first.changes.manifest!);
    assert.deepEqual(
      { ...one.header, startedAt: undefined },
      { format: "greenhouse-extractor changes", version: 1, run: "sync", startedAt: undefined },
    );
    assert.equal(one.footer.counts.candidates.added, 30);
    assert.match(one.footer.finishedAt, /^\d{4}-/);
    assert.deepEqual(
      sorted(one.ids("candidates", "added")),
      first.changes.entities.candidates.added.sort((a, b) => a - b),
    );

    // An unchanged tenant: nothing changed, no manifest.
    const quiet = await syncJson(root, sandbox.env);
    assert.equal(quiet.changes.manifest, null);
    assert.deepEqual(quiet.changes.entities, {});

    // Three candidates change upstream, one is deleted; --prune removes it and its applications.
    sandbox.clock.time = Date.now();
    const [victim, ...touched] = sandbox.tenant.list("candidates").slice(2, 6).map((c) => c.id);
    for (const id of touched) sandbox.tenant.touchCandidate(id);
    const victimApps = sandbox.tenant.list("applications")
      .filter((a) => a.candidate_id === victim).map((a) => a.id);
    assert.ok(victimApps.length > 0);
    sandbox.tenant.deleteCandidate(victim);
    const third = await syncJson(root, sandbox.env, ["--prune"]);
    const candidates = third.changes.entities.candidates;
    assert.deepEqual(sorted(candidates.changed), sorted(touched));
    assert.deepEqual(candidates.added, []);
    assert.deepEqual(candidates.removed, [victim]);
    assert.deepEqual(sorted(third.changes.entities.applications.removed), sorted(victimApps));
    const three = await manifest(root, third.changes.manifest!);
    assert.deepEqual(three.ids("candidates", "removed"), [victim]);
    assert.deepEqual(sorted(three.ids("candidates", "changed")), sorted(touched));

    // Two manifests now (the quiet run wrote none); check does not mind them.
    assert.equal((await entryNames(join(root, CHANGES))).length, 2);
    const check = await auditCache(root);
    assert.equal(check.code, 0, check.stdout);
  });
});

Deno.test("erase: the purged candidate, their applications and their interviews and answers are listed as removed", async () => {
  await using sandbox = await sandboxAtNow(20);
  await withTempDir(async (root) => {
    // The seven and the lists whose records go with the candidate.
    await syncJson(root, sandbox.env, onlyCore("scheduled_interviews", "demographic_answers"));
    const candidate = sandbox.tenant.list("candidates")[4];
    const apps = sandbox.tenant.list("applications")
      .filter((a) => a.candidate_id === candidate.id).map((a) => a.id);
    // Their records in the other lists go with them (entities.ts `erasure`).
    const owned = (entity: "scheduled_interviews" | "demographic_answers") =>
      sorted(
        sandbox.served("v1", entity).filter((r) => apps.includes(r.application_id))
          .map((r) => r.id),
      );
    const interviews = owned("scheduled_interviews");
    const answers = owned("demographic_answers");
    assert.ok(interviews.length + answers.length > 0, "the candidate has records to erase");
    const result = await runCli([
      "erase",
      "--email",
      candidate.email_addresses[0].value,
      "--mode",
      "delete",
      "--yes",
    ], {
      root,
      env: { ...sandbox.env, GREENHOUSE_ON_BEHALF_OF: String(sandbox.tenant.userIds()[0]) },
    });
    assert.equal(result.code, 0, result.stderr);
    const names = await entryNames(join(root, CHANGES));
    const erased = names.filter((name) => name.endsWith("-erase.ndjson"));
    assert.equal(erased.length, 1, names.join(" "));
    const log = await manifest(root, `.changes/${erased[0]}`);
    assert.equal(log.header.run, "erase");
    assert.deepEqual(log.ids("candidates", "removed"), [candidate.id]);
    assert.deepEqual(sorted(log.ids("applications", "removed")), sorted(apps));
    assert.deepEqual(sorted(log.ids("scheduled_interviews", "removed")), interviews);
    assert.deepEqual(sorted(log.ids("demographic_answers", "removed")), answers);
    assert.equal(log.footer.counts.candidates.removed, 1);
  });
});

Deno.test("sync --keep-changes removes manifests of runs older than that; bad values exit 2", async () => {
  await using sandbox = await sandboxAtNow(5);
  await withTempDir(async (root) => {
    const only = ["--only", "candidates"]; // any step writes a manifest
    await syncJson(root, sandbox.env, only);
    const old = changesFileName(new Date(Date.now() - 3 * 86_400_000), "sync");
    const recent = changesFileName(new Date(Date.now() - 86_400_000 / 2), "erase");
    for (const name of [old, recent, "notes.txt"]) {
      await Deno.writeTextFile(join(root, CHANGES, name), "{}\n");
    }
    await syncJson(root, sandbox.env, [...only, "--keep-changes", "2"]);
    const names = await entryNames(join(root, CHANGES));
    assert.ok(!names.includes(old), "older than 2 days: removed");
    assert.ok(names.includes(recent) && names.includes("notes.txt"), "the rest kept");

    const bad = await runCli(["sync", "--keep-changes", "0"], { root, env: sandbox.env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--keep-changes "0" must be a whole number from 1/);
  });
});

Deno.test("sync killed -9 mid-listing: its manifest and the resumed run's together list every record", async () => {
  // Ten candidate pages of 10: a kill after the first checkpoint leaves most to resume.
  await using sandbox = await sandboxAtNow(100);
  await withTempDir(async (root) => {
    sandbox.faults.latencyMs = 60;
    const statePath = join(root, "greenhouse-cache/.state.json");
    const paging = ["--per-page", "10", ...onlyCore()];
    const child = cliCommand(["sync", "-q", ...NO_DEPENDENTS, ...paging], {
      root,
      env: sandbox.env,
    }).spawn();
    await waitFor(async () => {
      try {
        const state = JSON.parse(await Deno.readTextFile(statePath));
        return state.steps.candidates?.checkpoint !== undefined;
      } catch {
        return false;
      }
    }, "a candidates checkpoint");
    child.kill("SIGKILL");
    await child.output();
    sandbox.faults.latencyMs = 0;
    const [killed] = await entryNames(join(root, CHANGES));
    const partial = await manifest(root, `.changes/${killed}`);
    assert.equal(partial.footer.finishedAt, undefined, "a killed run has no closing line");

    const resumed = await syncJson(root, sandbox.env, paging);
    assert.notEqual(resumed.changes.manifest, `.changes/${killed}`);
    const listed = new Set([
      ...partial.ids("candidates", "added"),
      ...resumed.changes.entities.candidates.added,
    ]);
    const cached = sandbox.tenant.list("candidates").map((c) => c.id);
    assert.deepEqual(cached.filter((id) => !listed.has(id)), [], "every candidate listed once");
  });
});
