/** End to end: ping, access and erase, spawned with scoped permissions against the sandbox. */
import assert from "node:assert/strict";
import { attachmentFolderNames, sanitizeFileName } from "../../src/cache/attachments.ts";
import { join } from "node:path";
import { PRIVACY_KEY_FILE, PRIVACY_LOG_FILE, TOMBSTONES_FILE } from "../../src/cache/layout.ts";
import { type ApiRecord, ENTITIES, entityNamesFor } from "../../src/entities.ts";
import { emailHmac, emailSha256 } from "../../src/privacy/email.ts";
import { v3Notes } from "../../src/sandbox/mod.ts";
import { APIS, asServed } from "./api.ts";
import { auditCache, cliCommand, runCli, waitFor, withTempDir } from "./cli.ts";
import { exists, snapshot } from "../support.ts";
import {
  actedAs,
  ADDRESS,
  assertNoPersonalData,
  CACHE,
  cacheKey,
  eraseArgs,
  fillCache,
  indexIds,
  privacyLog,
  privacySandbox,
  VARIANTS,
  writes,
} from "./privacy_support.ts";

// One suite for both API versions where the behaviour is the same (v3: batched by candidate_ids,
// notes instead of the activity feed, writes acting as the token's sub).
for (const api of APIS) {
  Deno.test(`access finds every candidate whatever the letter case and bundles their applications (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      const out = join(root, "bundle");
      const result = await runCli(
        ["access", "--email", `  ${ADDRESS.toUpperCase()} `, "--out", out, "--include-activity"],
        { root, env: sandbox.env },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /access: 3 candidates/);
      // Searched with the normalised address.
      const search = sandbox.log.find((e) => e.path.startsWith(`/${api}/candidates?`))!;
      assert.equal(
        new URL(search.path, "http://x").searchParams.get("email"),
        ADDRESS.toLowerCase(),
      );

      const candidates = JSON.parse(await Deno.readTextFile(join(out, "candidate_records.json")));
      assert.deepEqual(candidates.map((c: ApiRecord) => c.id), sandbox.matched);
      assert.deepEqual(
        candidates[0],
        asServed(api, "candidates", sandbox.tenant.get("candidates", sandbox.matched[0])!),
      );
      const apps = JSON.parse(await Deno.readTextFile(join(out, "apps_records.json")));
      const expectedApps = sandbox.matched.flatMap((id) =>
        sandbox.tenant.get("candidates", id)!.application_ids
      );
      const byId = (a: number, b: number) => a - b;
      assert.deepEqual(apps.map((a: ApiRecord) => a.id).sort(byId), [...expectedApps].sort(byId));
      // v1: the applications the candidate record embeds (no Retrieve Application needed).
      const embedded = new Map(
        sandbox.matched.flatMap((id) => sandbox.tenant.get("candidates", id)!.applications)
          .map((a: ApiRecord) => [a.id, a]),
      );
      for (const app of apps) {
        assert.deepEqual(
          app,
          api === "v1"
            ? embedded.get(app.id)
            : asServed(api, "applications", sandbox.tenant.get("applications", app.id)!),
        );
      }
      const activity = JSON.parse(await Deno.readTextFile(join(out, "activity_records.json")));
      assert.deepEqual(activity.map((a: ApiRecord) => a.candidate_id), sandbox.matched);
      for (const { candidate_id, activity_feed } of activity) {
        assert.deepEqual(
          activity_feed,
          api === "v1"
            ? sandbox.tenant.activityFeed(candidate_id)
            : { notes: v3Notes(sandbox.tenant, candidate_id).sort((a, b) => b.id - a.id) },
        );
      }
      assert.equal(await exists(join(out, "attachments.json")), false);
      assert.equal(writes(sandbox).length, 0);
    });
  });
}

Deno.test("access without --out prints one JSON document; attachments metadata with --include-attachments", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    const result = await runCli(["access", "--email", VARIANTS[1]], { root, env: sandbox.env });
    assert.equal(result.code, 0, result.stderr);
    const bundle = JSON.parse(result.stdout);
    assert.deepEqual(bundle.candidate_records.map((c: ApiRecord) => c.id), sandbox.matched);
    assert.ok(bundle.apps_records.length >= 3);

    const out = join(root, "with-files");
    const files = await runCli(
      ["access", "--email", ADDRESS, "--out", out, "--include-attachments"],
      { root, env: sandbox.env },
    );
    assert.equal(files.code, 0, files.stderr);
    const attachments = JSON.parse(await Deno.readTextFile(join(out, "attachments.json")));
    const expected = sandbox.matched.flatMap((id) =>
      sandbox.tenant.get("candidates", id)!.attachments.map((a: ApiRecord) => ({
        candidate_id: id,
        filename: a.filename,
        type: a.type,
        created_at: a.created_at,
        url: a.url,
      }))
    );
    assert.deepEqual(attachments, expected);
    // The files themselves, byte for byte, in the cache's layout with markers.
    for (const id of sandbox.matched) {
      const list = sandbox.tenant.get("candidates", id)!.attachments;
      const folders = attachmentFolderNames(list);
      for (let i = 0; i < list.length; i++) {
        const folder = join(out, "attachments", String(id), folders[i]);
        const bytes = await Deno.readFile(join(folder, sanitizeFileName(list[i].filename)));
        assert.deepEqual(bytes, sandbox.attachmentBytes(id, i), `${id} ${folders[i]}`);
        const marker = JSON.parse(await Deno.readTextFile(join(folder, "complete")));
        assert.equal(marker.size, bytes.length);
      }
    }
    assert.match(files.stdout, /\d+ attachment files/);

    const refused = await runCli(["access", "--email", ADDRESS, "--include-attachments"], {
      root,
      env: sandbox.env,
    });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--include-attachments needs --out/);
  });
});

Deno.test("access: no candidate has this address is an empty bundle and exit 0", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    const result = await runCli(["access", "--email", "nobody@example.net"], {
      root,
      env: sandbox.env,
    });
    assert.equal(result.code, 0, result.stderr);
    const bundle = JSON.parse(result.stdout);
    assert.deepEqual(bundle.candidate_records, []);
    assert.deepEqual(bundle.apps_records, []);
    // Nobody to look for: nothing asked of the other lists, every one the version has is empty.
    assert.deepEqual(Object.values(bundle.related_records), [[], [], [], []]);
    assert.ok(sandbox.log.every((e) => /^\/v1\/candidates\?/.test(e.path)));
    assert.match(result.stderr, /no candidate has this address/);
  });
});

Deno.test("erase --dry-run prints the exact requests, sends no write and changes no file", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    await fillCache(root, sandbox);
    const before = await snapshot(root);
    for (const mode of ["delete", "anonymize"]) {
      const result = await runCli(
        eraseArgs(sandbox, mode, "--dry-run"),
        { root, env: sandbox.env },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^3 candidates have this address:/);
      for (const id of sandbox.matched) {
        const method = mode === "delete" ? "DELETE" : "PATCH";
        assert.ok(
          result.stdout.includes(`${method} ${sandbox.url}/candidates/${id}\n`),
          result.stdout,
        );
      }
      assert.match(result.stdout, new RegExp(`On-Behalf-Of: ${sandbox.user}`));
      assert.ok(!result.stdout.includes(sandbox.apiKey), "the key was printed");
      if (mode === "anonymize") assert.match(result.stdout, /"email_addresses": \[\]/);
    }
    assert.deepEqual(writes(sandbox), []);
    assert.deepEqual(await snapshot(root), before);
    for (const id of sandbox.matched) assert.ok(sandbox.tenant.get("candidates", id));
  });
});

Deno.test("erase refuses without a user id, or without --yes off a terminal, before any request", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    const missing = await runCli(["erase", "--email", ADDRESS, "--mode", "delete", "--yes"], {
      root,
      env: sandbox.env,
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--on-behalf-of/);
    const badEnv = await runCli(["erase", "--email", ADDRESS, "--mode", "delete", "--yes"], {
      root,
      env: { ...sandbox.env, GREENHOUSE_ON_BEHALF_OF: "12abc" },
    });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /GREENHOUSE_ON_BEHALF_OF/);
    const noYes = await runCli(["erase", "--email", ADDRESS, "--mode", "delete"], {
      root,
      env: { ...sandbox.env, GREENHOUSE_ON_BEHALF_OF: String(sandbox.user) },
    });
    assert.equal(noYes.code, 2);
    assert.match(noYes.stderr, /--yes/);
    assert.equal(sandbox.log.length, 0);
  });
});

Deno.test("erase refuses an On-Behalf-Of id that is not a Greenhouse user, before any write", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    const result = await runCli(
      ["erase", "--email", ADDRESS, "--mode", "delete", "--on-behalf-of", "999", "--yes"],
      { root, env: sandbox.env },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /user 999 does not exist/);
    assert.deepEqual(writes(sandbox), []);
  });
});

for (const api of APIS) {
  Deno.test(`erase --mode delete deletes every match upstream and every cached trace (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      await fillCache(root, sandbox);
      const people = sandbox.matched.map((id) => sandbox.tenant.get("candidates", id)!);
      const owned = async (folder: string) =>
        [...(await indexIds(root, folder)).values()].filter((m) =>
          sandbox.matched.map(String).includes(m.split("/")[0])
        ).length;
      assert.ok((await owned("offers")) + (await owned("scorecards")) > 0, "nothing to purge");
      const result = await runCli(
        ["erase", "--email", ` ${ADDRESS} `, "--mode", "delete", "--yes"],
        { root, env: { ...sandbox.env, GREENHOUSE_ON_BEHALF_OF: String(sandbox.user) } },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /erase: 3 of 3 candidates deleted/);

      // Upstream: one DELETE each, acting as the user; the candidates are gone.
      const sent = writes(sandbox);
      assert.deepEqual(
        sent.map((e) => `${e.method} ${e.path}`),
        sandbox.matched.map((id) => `DELETE /${api}/candidates/${id}`),
      );
      assert.ok(sent.every((e) => actedAs(api, e, sandbox.user) && e.status < 300));
      for (const id of sandbox.matched) {
        assert.equal(sandbox.tenant.get("candidates", id), undefined);
      }

      // Cache: no file, row, attachment folder or feed of theirs; the bystander keeps everything.
      const gone = new Set(sandbox.matched.map(String));
      const candidates = await indexIds(root, "candidates");
      for (const id of sandbox.matched) {
        assert.equal(candidates.has(id), false);
        assert.equal(await exists(join(root, CACHE, "candidates", `${id}.json`)), false);
        assert.equal(await exists(join(root, CACHE, "candidates", `${id}-attachments`)), false);
        assert.equal(await exists(join(root, CACHE, "activity_feeds", `${id}.json`)), false);
      }
      for (
        const [folder, owner] of [
          ["applications", (m: string) => m.split("/")[0]],
          ["offers", (m: string) => m.split("/")[0]],
          ["scorecards", (m: string) => m],
        ] as const
      ) {
        const rows = await indexIds(root, folder);
        for (const [id, moniker] of rows) {
          assert.ok(!gone.has(owner(moniker)), `${folder} ${id} of an erased candidate`);
        }
        for await (const entry of Deno.readDir(join(root, CACHE, folder))) {
          const match = /^(\d+)\.json$/.exec(entry.name);
          if (!match) continue;
          const record = JSON.parse(await Deno.readTextFile(join(root, CACHE, folder, entry.name)));
          assert.ok(!gone.has(String(record.candidate_id)), `${folder}/${entry.name} left behind`);
        }
      }
      const apps = await indexIds(root, "applications");
      for (const id of people.flatMap((p) => p.application_ids)) assert.equal(apps.has(id), false);
      assert.ok(candidates.has(sandbox.bystander));
      assert.ok(await exists(join(root, CACHE, "candidates", `${sandbox.bystander}-attachments`)));
      assert.ok(await exists(join(root, CACHE, "activity_feeds", `${sandbox.bystander}.json`)));

      const log = await privacyLog(root);
      assert.deepEqual(
        log.lines.map((l) => [l.candidate_id, l.mode, l.result, l.cache]),
        sandbox.matched.map((id) => [id, "delete", "deleted", "purged"]),
      );
      for (const line of log.lines) {
        assert.equal(line.on_behalf_of, sandbox.user);
        assert.equal(line.email_hmac, emailHmac(await cacheKey(root), ADDRESS));
        assert.equal(line.email_sha256, undefined);
        assert.match(line.time, /^\d{4}-\d\d-\d\dT/);
      }
      assertNoPersonalData(log.text, people);
    });
  });

  Deno.test(`erase --mode anonymize clears the fields upstream and replaces the cached record (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      await fillCache(root, sandbox);
      const people = sandbox.matched.map((id) => sandbox.tenant.get("candidates", id)!);
      const appsBefore = await indexIds(root, "applications");
      const result = await runCli(
        eraseArgs(sandbox, "anonymize"),
        { root, env: sandbox.env },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /erase: 3 of 3 candidates anonymized/);
      // What Greenhouse keeps of them as it was: no anonymize field was given.
      assert.match(
        result.stdout,
        api === "v1"
          ? /\nGreenhouse keeps these records of the anonymized candidates as they were .*\n {2}application_stages, demographic_answers, eeoc, ai_opt_out_statuses, interview_media: no anonymize field reaches them .*\n {2}applications: not anonymized without --anonymize-fields application_questions,/
          : /\nGreenhouse keeps these records of the anonymized candidates as they were .*\n {2}application_stages: no anonymize field reaches them .*\n {2}applications: not anonymized without --anonymize-fields application_questions,/,
      );
      if (api === "v3") {
        // v3's own names reach what v1 could not.
        assert.match(
          result.stdout,
          /\n {2}demographic_answers: not anonymized without --anonymize-fields demographic_question_responses\n/,
        );
        assert.match(
          result.stdout,
          /\n {2}eeoc: not anonymized without --anonymize-fields eeoc_responses\n/,
        );
        assert.match(
          result.stdout,
          /\n {2}interview_media: not anonymized without --anonymize-fields notetaking_recording,notetaking_transcript\n/,
        );
      }
      // v3's lists of what scorecards and interviews embed go with them.
      assert.match(
        result.stdout,
        /\n {2}scorecards, scheduled_interviews, scorecard_question_answers, scorecard_question_answer_options, scorecard_candidate_attributes, interviewers: not anonymized without --anonymize-fields scorecards_and_interviews\n/,
      );

      const sent = writes(sandbox);
      assert.deepEqual(
        sent.map((e) => `${e.method} ${e.path}`),
        sandbox.matched.map((id) => `PATCH /${api}/candidates/${id}`),
      );
      assert.ok(sent.every((e) => actedAs(api, e, sandbox.user) && e.status === 200));
      const names = new Set<string>();
      for (const [i, id] of sandbox.matched.entries()) {
        const now = sandbox.tenant.get("candidates", id)!;
        for (
          const field of [
            "addresses",
            "email_addresses",
            "phone_numbers",
            "social_media_addresses",
            "website_addresses",
            "tags",
          ]
        ) {
          assert.deepEqual(now[field], [], `${id} ${field}`);
        }
        // v3's PATCH takes no null for them (the spec): emptied instead.
        assert.equal(now.company, api === "v1" ? null : "");
        assert.equal(now.title, api === "v1" ? null : "");
        assert.ok(Object.values(now.custom_fields).every((v) => v === null), `${id} custom_fields`);
        assert.notEqual(now.first_name, people[i].first_name);
        assert.notEqual(now.last_name, people[i].last_name);
        assert.match(now.first_name, /^[A-Z][a-z]{11}$/);
        names.add(now.first_name).add(now.last_name);

        // The cache holds exactly the API's anonymised record; attachments and feed are gone.
        const cached = JSON.parse(
          await Deno.readTextFile(join(root, CACHE, "candidates", `${id}.json`)),
        );
        assert.deepEqual(cached, asServed(api, "candidates", now));
        assert.equal(await exists(join(root, CACHE, "candidates", `${id}-attachments`)), false);
        assert.equal(await exists(join(root, CACHE, "activity_feeds", `${id}.json`)), false);
      }
      assert.equal(names.size, 6, "random names must differ for every candidate");
      const candidates = await indexIds(root, "candidates");
      for (const id of sandbox.matched) {
        const now = sandbox.tenant.get("candidates", id)!;
        assert.equal(candidates.get(id), `${now.first_name} ${now.last_name}`);
      }
      // Their applications go too (the cached copies predate the anonymisation); others stay.
      const theirs = new Set(people.flatMap((p) => p.application_ids as number[]));
      const appsAfter = await indexIds(root, "applications");
      assert.deepEqual(
        [...appsAfter.keys()],
        [...appsBefore.keys()].filter((id) => !theirs.has(id)),
      );
      assert.ok(await exists(join(root, CACHE, "activity_feeds", `${sandbox.bystander}.json`)));

      const log = await privacyLog(root);
      assert.deepEqual(
        log.lines.map((l) => [l.candidate_id, l.result, l.cache]),
        sandbox.matched.map((id) => [id, "anonymized", "replaced"]),
      );
      for (const line of log.lines) assert.ok(line.kept_upstream.includes("eeoc"));
      assertNoPersonalData(log.text, people);
    });
  });
}

for (const api of APIS) {
  // v1 records carry both spellings, and keyed_custom_fields may be empty while custom_fields has
  // values; v3 has only custom_fields, in the keyed form (the sandbox serves v1's
  // keyed_custom_fields there), so on v3 every field it lists must be cleared.
  Deno.test(`anonymize clears every custom field, even those only custom_fields lists (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    const [id] = sandbox.matched;
    if (api === "v1") sandbox.tenant.patchCandidate(id, { keyed_custom_fields: {} });
    const before = sandbox.tenant.get("candidates", id)!;
    const served = api === "v1" ? before.custom_fields : before.keyed_custom_fields;
    const keys = Object.keys(served);
    assert.ok(keys.length > 0 && Object.values(served).some((v) => v !== null), "nothing to clear");
    await withTempDir(async (root) => {
      const result = await runCli(eraseArgs(sandbox, "anonymize"), { root, env: sandbox.env });
      assert.equal(result.code, 0, result.stderr);
      const patch = writes(sandbox).find((e) => e.path === `/${api}/candidates/${id}`)!;
      // v1: delete_value (the v1 reference); v3: value null (v3 takes {name_key, value} only).
      assert.deepEqual(
        (patch.body as ApiRecord).custom_fields,
        keys.map((key) =>
          api === "v1" ? { name_key: key, delete_value: "true" } : { name_key: key, value: null }
        ),
      );
      const after = sandbox.tenant.get("candidates", id)!;
      if (api === "v1") {
        assert.deepEqual(after.custom_fields, Object.fromEntries(keys.map((k) => [k, null])));
      } else {
        for (const key of keys) {
          const field = after.keyed_custom_fields[key];
          assert.ok(field === null || field.value === null, `${key} still holds a value`);
        }
      }
    });
  });

  Deno.test(`erase --anonymize-fields also anonymizes attachments and activity upstream, first (${api})`, async () => {
    await using sandbox = await privacySandbox({}, api);
    await withTempDir(async (root) => {
      const withFiles = sandbox.matched.filter((id) =>
        sandbox.tenant.get("candidates", id)!.attachments.length > 0
      );
      assert.ok(withFiles.length > 0, "no attachments to anonymize");
      const result = await runCli(
        [...eraseArgs(sandbox, "anonymize"), "--anonymize-fields", "default"],
        { root, env: sandbox.env },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /erase: 3 of 3 candidates anonymized/);
      const fields = ["attachments", "notes", "emails", "activity_items", "innotes", "inmails"];
      const expected = sandbox.matched.flatMap((id) =>
        api === "v1"
          ? [
            `PUT /v1/candidates/${id}/anonymize?fields=${encodeURIComponent(fields.join(","))}`,
            `PATCH /v1/candidates/${id}`,
          ]
          : [`PATCH /v3/candidates/${id}/anonymize`, `PATCH /v3/candidates/${id}`]
      );
      const sent = writes(sandbox);
      assert.deepEqual(sent.map((e) => `${e.method} ${e.path}`), expected);
      assert.ok(sent.every((e) => actedAs(api, e, sandbox.user) && e.status === 200));
      if (api === "v3") {
        for (const e of sent.filter((e) => e.path.endsWith("/anonymize"))) {
          assert.deepEqual(e.body, { fields });
        }
      }
      for (const id of sandbox.matched) {
        const now = sandbox.tenant.get("candidates", id)!;
        assert.deepEqual(now.attachments, [], `${id} attachments`);
        assert.deepEqual(now.email_addresses, []);
        const feed = sandbox.tenant.activityFeed(id)!;
        assert.deepEqual([feed.notes, feed.emails, feed.activities], [[], [], []]);
      }
    });
  });
}

Deno.test("--anonymize-fields takes each version's own names: v3's enum on v3, in the PATCH body", async () => {
  const v3Only = ["eeoc_responses", "demographic_question_responses", "pronouns"];
  await using v1 = await privacySandbox({}, "v1");
  await withTempDir(async (root) => {
    const refused = await runCli(
      [...eraseArgs(v1, "anonymize"), "--anonymize-fields", `notes,${v3Only.join(",")}`],
      { root, env: v1.env },
    );
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /--anonymize-fields: "eeoc_responses", "demographic_question_responses", "pronouns" are not fields Harvest v1's anonymize endpoint takes \(eeoc_responses, demographic_question_responses, pronouns: v3 only\)/,
    );
    assert.equal(v1.log.length, 0, "refused before any request");
  });
  await using v3 = await privacySandbox({}, "v3");
  await withTempDir(async (root) => {
    const result = await runCli(
      [...eraseArgs(v3, "anonymize"), "--anonymize-fields", `notes,${v3Only.join(",")}`],
      { root, env: v3.env },
    );
    assert.equal(result.code, 0, result.stderr);
    const sent = writes(v3).filter((e) => e.path.endsWith("/anonymize"));
    assert.equal(sent.length, v3.matched.length);
    for (const e of sent) {
      assert.equal(e.status, 200);
      assert.deepEqual(e.body, { fields: ["notes", ...v3Only] });
    }
    // Their demographic answers and EEOC responses now count as anonymized upstream.
    assert.doesNotMatch(result.stdout, /\n {2}(demographic_answers|eeoc)[:,]/);
  });
});

Deno.test("--anonymize-fields is checked before any request: known names only, anonymize mode only", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    const bad = await runCli(
      [...eraseArgs(sandbox, "anonymize"), "--anonymize-fields", "attachments,resume,notes"],
      { root, env: sandbox.env },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--anonymize-fields: "resume" is not a field/);
    const deleting = await runCli(
      [...eraseArgs(sandbox, "delete"), "--anonymize-fields", "default"],
      { root, env: sandbox.env },
    );
    assert.equal(deleting.code, 2);
    assert.match(deleting.stderr, /--anonymize-fields goes with --mode anonymize/);
    assert.equal(sandbox.log.length, 0);
    const dry = await runCli(
      [...eraseArgs(sandbox, "anonymize", "--dry-run"), "--anonymize-fields", "attachments"],
      { root, env: sandbox.env },
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /these 6 request\(s\) would be sent/);
    assert.match(
      dry.stdout,
      /PUT http:\/\/127\.0\.0\.1:\d+\/v1\/candidates\/\d+\/anonymize\?fields=attachments\n/,
    );
    assert.deepEqual(writes(sandbox), []);
  });
});

Deno.test("a write failing half way: exit 1, the report names erased and not-erased candidates", async () => {
  await using sandbox = await privacySandbox();
  // The second PATCH fails with a 500: it may have reached Greenhouse, so it is not retried.
  sandbox.faults.status5xx = { every: 2, times: 1, methods: ["PATCH"] };
  await withTempDir(async (root) => {
    await fillCache(root, sandbox);
    const [first, second, third] = sandbox.matched;
    const cachedSecond = await Deno.readTextFile(join(root, CACHE, "candidates", `${second}.json`));
    const result = await runCli(
      eraseArgs(sandbox, "anonymize"),
      { root, env: sandbox.env },
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`${first}  anonymized`));
    assert.match(result.stdout, new RegExp(`${second}  NOT anonymized: .*500`));
    assert.match(result.stdout, new RegExp(`${third}  anonymized`));
    assert.match(
      result.stdout,
      new RegExp(`2 of 3 candidates anonymized; NOT anonymized: ${second}`),
    );
    assert.match(
      result.stderr,
      new RegExp(`1 of 3 candidates were not anonymized \\(${second}\\)`),
    );
    assert.equal(writes(sandbox).filter((e) => e.path.endsWith(`/${second}`)).length, 1);
    // The failed one is left as it was, in Greenhouse and in the cache.
    assert.ok(sandbox.tenant.get("candidates", second)!.email_addresses.length > 0);
    assert.equal(
      await Deno.readTextFile(join(root, CACHE, "candidates", `${second}.json`)),
      cachedSecond,
    );
    const log = await privacyLog(root);
    assert.deepEqual(log.lines.map((l) => [l.candidate_id, l.result]), [[first, "anonymized"], [
      second,
      "failed",
    ], [third, "anonymized"]]);
  });
});

Deno.test("a delete refused half way (403) is reported; a DELETE whose answer was lost is retried and counts as done", async () => {
  await using sandbox = await privacySandbox();
  const [first, second, third] = sandbox.matched;
  await using refusing = await privacySandbox({ deniedPaths: [`/candidates/${second}`] });
  await withTempDir(async (root) => {
    const result = await runCli(
      eraseArgs(refusing, "delete"),
      { root, env: refusing.env },
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`${second}  NOT deleted: .*403`));
    assert.match(result.stdout, /2 of 3 candidates deleted/);
    assert.ok(refusing.tenant.get("candidates", second));
    assert.equal(refusing.tenant.get("candidates", third), undefined);
    assert.match(result.stderr, /no cache at/);
    assert.match(result.stderr, new RegExp(`1 of 3 candidates were not deleted \\(${second}\\)`));
  });
  // The connection drops after the first DELETE took effect: the retry's 404 is confirmed by the
  // candidates list (List Candidates; Retrieve Candidate is not a scope privacy keys have).
  sandbox.faults.reset = { times: 1, methods: ["DELETE"] };
  await withTempDir(async (root) => {
    const result = await runCli(
      eraseArgs(sandbox, "delete"),
      { root, env: sandbox.env },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /3 of 3 candidates deleted/);
    const toFirst = sandbox.log.filter((e) =>
      e.path === `/v1/candidates/${first}` || e.path.includes(`candidate_ids=${first}`)
    );
    assert.deepEqual(toFirst.map((e) => `${e.method} ${e.path.split("?")[0]} ${e.status}`), [
      `DELETE /v1/candidates/${first} 200`,
      `DELETE /v1/candidates/${first} 404`,
      "GET /v1/candidates 200",
    ]);
  });
});

const INTERRUPTED = [["delete", "erase"], ["anonymize", "erase"], ["delete", "sync"]] as const;
for (const [mode, next] of INTERRUPTED) {
  Deno.test(`erase --mode ${mode} killed after Greenhouse acted: the next ${next} finishes the local purge`, async () => {
    await using sandbox = await privacySandbox();
    const [first, ...rest] = sandbox.matched;
    await withTempDir(async (root) => {
      await fillCache(root, sandbox);
      const applications = sandbox.tenant.get("candidates", first)!.application_ids as number[];
      // The first write takes effect, then its answer hangs: the run is killed meanwhile.
      sandbox.faults.stallAnswer = {
        times: 1,
        methods: [mode === "delete" ? "DELETE" : "PATCH"],
        ms: 3000,
      };
      const child = cliCommand(eraseArgs(sandbox, mode), { root, env: sandbox.env }).spawn();
      await waitFor(
        () =>
          sandbox.log.some((e) => e.method !== "GET" && e.path.endsWith(`/candidates/${first}`)),
        "the first write",
      );
      child.kill("SIGKILL");
      await child.output();
      const pending = join(root, CACHE, ".privacy-pending.json");
      assert.ok(await exists(pending), "the interrupted erasure is recorded");
      assert.ok(await exists(join(root, CACHE, "candidates", `${first}.json`)), "not purged yet");
      const firstNow = sandbox.tenant.get("candidates", first);
      assert.ok(mode === "delete" ? firstNow === undefined : firstNow !== undefined);
      const audit = await auditCache(root);
      assert.equal(audit.code, 1, "an unfinished erasure fails the check");
      assert.match(audit.stdout, /Erasures an interrupted `erase` left unfinished/);
      assert.match(audit.stdout, new RegExp(`${mode} of candidate ${first} sent at`));

      // The next erase (same address: Greenhouse no longer lists the first candidate under it),
      // or the next scheduled sync.
      const result = await runCli(
        next === "erase" ? eraseArgs(sandbox, mode) : ["sync", "--only", "candidates", "-q"],
        { root, env: sandbox.env },
      );
      assert.equal(result.code, 0, result.stderr);
      const past = mode === "delete" ? "deleted" : "anonymized";
      assert.match(result.stderr, new RegExp(`candidate ${first}, ${past} by an interrupted run`));
      if (next === "erase") {
        assert.match(result.stdout, new RegExp(`erase: 2 of 2 candidates ${past}`));
      }
      assert.equal(await exists(pending), false);
      // Finished erasures are tombstoned like the others: never fetched again.
      assert.ok(
        (await Deno.readTextFile(join(root, CACHE, TOMBSTONES_FILE))).split("\n").includes(
          String(first),
        ),
      );
      assert.doesNotMatch((await auditCache(root)).stdout, /left unfinished/);
      assert.equal(await exists(join(root, CACHE, "candidates", `${first}-attachments`)), false);
      assert.equal(await exists(join(root, CACHE, "activity_feeds", `${first}.json`)), false);
      const cached = await indexIds(root, "candidates");
      if (mode === "delete") {
        assert.equal(cached.has(first), false);
        assert.equal(await exists(join(root, CACHE, "candidates", `${first}.json`)), false);
        const apps = await indexIds(root, "applications");
        for (const id of applications) assert.equal(apps.has(id), false, `application ${id}`);
      } else {
        const record = JSON.parse(
          await Deno.readTextFile(join(root, CACHE, "candidates", `${first}.json`)),
        );
        assert.deepEqual(
          record,
          asServed("v1", "candidates", sandbox.tenant.get("candidates", first)!),
        );
        assert.deepEqual(record.email_addresses, []);
      }
      const log = await privacyLog(root);
      assert.deepEqual(
        log.lines.map((l) => [l.candidate_id, l.result]).sort(),
        (next === "erase" ? [first, ...rest] : [first]).map((id) => [id, past]).sort(),
      );
      assertNoPersonalData(log.text, []);
    });
  });
}

Deno.test("the privacy log keys the address hash with a per-cache owner-only key; erase --lookup finds it", async () => {
  await using sandbox = await privacySandbox();
  await withTempDir(async (root) => {
    await fillCache(root, sandbox);
    const result = await runCli(eraseArgs(sandbox, "delete"), { root, env: sandbox.env });
    assert.equal(result.code, 0, result.stderr);
    const keyFile = join(root, CACHE, PRIVACY_KEY_FILE);
    const info = await Deno.lstat(keyFile);
    assert.ok(info.isFile);
    if (Deno.build.os !== "windows") assert.equal(info.mode! & 0o777, 0o600);
    assert.match(await Deno.readTextFile(keyFile), /^[0-9a-f]{64}\n$/);
    const key = await cacheKey(root);
    const log = await privacyLog(root);
    // Guessing addresses and hashing them (the attack on the old unsalted SHA-256) finds nothing.
    assert.ok(!log.text.includes(emailSha256(ADDRESS)), "plain SHA-256 of the address logged");
    for (const line of log.lines) assert.equal(line.email_hmac, emailHmac(key, ADDRESS));

    // An entry an older version wrote (plain SHA-256) stays readable.
    const legacy = {
      time: "2025-01-01T00:00:00.000Z",
      command: "erase",
      mode: "anonymize",
      candidate_id: 42,
      on_behalf_of: sandbox.user,
      result: "anonymized",
      cache: "replaced",
      email_sha256: emailSha256(ADDRESS),
    };
    await Deno.writeTextFile(join(root, CACHE, PRIVACY_LOG_FILE), JSON.stringify(legacy) + "\n", {
      append: true,
    });
    sandbox.log.length = 0;
    // No credentials, no request: the look-up reads the log only.
    const lookup = await runCli(
      ["erase", "--lookup", "--email", ` ${ADDRESS.toUpperCase()} `],
      { root },
    );
    assert.equal(lookup.code, 0, lookup.stderr);
    assert.match(lookup.stdout, /4 entries of .* name this address/);
    for (const id of [...sandbox.matched, 42]) {
      assert.match(lookup.stdout, new RegExp(`candidate ${id}  (deleted|anonymized)`));
    }
    assert.equal(sandbox.log.length, 0);
    const other = await runCli(["erase", "--lookup", "--email", "someone@else.org"], { root });
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stdout, /no entry of .* names this address/);
    const mixed = await runCli(
      ["erase", "--lookup", "--email", ADDRESS, "--mode", "delete"],
      { root },
    );
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--lookup reads the privacy log only: drop --mode/);
  });
});

Deno.test("ping: ok, 401 and 403 name the reason and the permission", async () => {
  // A limit far above what ping sends: the run reports it, and the pacer never has to wait.
  await using sandbox = await privacySandbox({ rateLimit: 5000 });
  await withTempDir(async (root) => {
    const ok = await runCli(["ping"], { root, env: sandbox.env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Harvest v1 at /);
    assert.match(ok.stdout, /Rate limit: 5000 requests per 10 s/);
    assert.match(ok.stdout, /GET \/candidates\?per_page=1 +Get: List Candidates +ok/);
    assert.match(
      ok.stdout,
      /DELETE \/candidates\/\{id\} +Delete: Delete Candidate +not verifiable/,
    );
    assert.match(ok.stdout, /\nsync +yes\n/);
    // Reads only, each list with per_page=1.
    assert.ok(sandbox.log.every((e) => e.method === "GET"));
    // Every list v1 has (each is a command), users among them, once; and the lists access reads
    // per application, with the first candidate's first application.
    const firstApp = sandbox.tenant.list("candidates").sort((a, b) => a.id - b.id)[0]
      .application_ids[0];
    assert.deepEqual(
      sandbox.log.filter((e) => !e.path.includes("activity_feed")).map((e) => e.path).sort(),
      [
        ...entityNamesFor("v1").map((name) => `/v1${ENTITIES[name].paths.v1}?per_page=1`),
        ...["offers", "scorecards", "scheduled_interviews", "demographics/answers"]
          .map((list) => `/v1/applications/${firstApp}/${list}?per_page=1`),
      ].sort(),
    );
    assert.match(
      ok.stdout,
      /GET \/applications\/\d+\/demographics\/answers\?per_page=1 +Get: List Demographic Answers for Application +ok/,
    );
    assert.match(ok.stdout, /\naccess +yes\n/);
    assert.match(ok.stdout, /GET \/tags\/candidate\?per_page=1 +Get: List Candidate Tags +ok/);
    assert.match(ok.stdout, /\nscheduled_interviews +yes\n/);

    const bad = await runCli(["ping"], {
      root,
      env: { ...sandbox.env, GREENHOUSE_API_KEY: "wrong" },
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /rejected the credentials \(401\): check GREENHOUSE_API_KEY/);
    assert.ok(!bad.stdout.includes("wrong") && !bad.stderr.includes("wrong"));
  });
  for (
    const [denied, permission] of [["/users", "Get: List Users"], [
      "/candidates",
      "Get: List Candidates",
    ]]
  ) {
    await using limited = await privacySandbox({ deniedPaths: [denied] });
    await withTempDir(async (root) => {
      const result = await runCli(["ping", "--json"], { root, env: limited.env });
      assert.equal(result.code, 1);
      const report = JSON.parse(result.stdout);
      assert.equal(report.usable, false);
      assert.ok(report.reason.includes(`"${permission}" permission (403`), report.reason);
    });
  }
  // A list beyond the seven refused: its command cannot run, sync can (it skips that list).
  await using partial = await privacySandbox({ deniedPaths: ["/departments"] });
  await withTempDir(async (root) => {
    const result = await runCli(["ping"], { root, env: partial.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\ndepartments +no +refused: Get: List Departments\n/);
    assert.match(result.stdout, /\nsync +yes +skips the lists refused: Get: List Departments\n/);
  });
});

/** The four permissions DataGrail asks for (its Greenhouse integration page), and nothing else. */
const DATAGRAIL = [
  "Get: List Users",
  "Get: List Candidates",
  "Delete: Delete Candidate",
  "Patch: Edit Candidate",
];

Deno.test("with exactly the DataGrail permissions, access and erase work and ping says what the key can run", async () => {
  await using sandbox = await privacySandbox({ permissions: DATAGRAIL });
  await withTempDir(async (root) => {
    const out = join(root, "bundle");
    const access = await runCli(["access", "--email", ADDRESS, "--out", out], {
      root,
      env: sandbox.env,
    });
    assert.equal(access.code, 0, access.stderr);
    assert.match(access.stdout, /access: 3 candidates/);
    const apps = JSON.parse(await Deno.readTextFile(join(out, "apps_records.json")));
    const embedded = sandbox.matched.flatMap((id) =>
      sandbox.tenant.get("candidates", id)!.applications
    );
    assert.deepEqual(apps, embedded);
    assert.ok(apps.length >= 3);
    // The other lists need their per-application permissions, which DataGrail's four lack: left
    // out and named, with the permission to grant; the rest of the bundle is there.
    const left = JSON.parse(await Deno.readTextFile(join(out, "unavailable_lists.json")));
    assert.deepEqual(left.map((u: ApiRecord) => [u.list, u.permission]), [
      ["offers", "Get: List Offers for Application"],
      ["scorecards", "Get: List Scorecards for Application"],
      ["scheduled_interviews", "Get: List Scheduled Interviews for Application"],
      ["application_stages", undefined],
      ["demographic_answers", "Get: List Demographic Answers for Application"],
      ["eeoc", undefined],
      // v3's lists of what v1 embeds are in the bundle's records; these two v1 has no list of.
      ["ai_opt_out_statuses", undefined],
      ["interview_media", undefined],
    ]);
    assert.match(access.stdout, /not in the bundle: offers, scorecards, scheduled_interviews, /);
    for (const e of sandbox.log.filter((e) => e.status === 403)) {
      assert.match(
        e.path,
        /^\/v1\/applications\/\d+\/(offers|scorecards|scheduled_interviews|demographics\/answers)\?/,
      );
    }
    // Each refused list is asked once, not once per application.
    assert.equal(sandbox.log.filter((e) => e.status === 403).length, 4);
    sandbox.log.length = 0;

    const anonymize = await runCli(
      [
        "erase",
        "--email",
        VARIANTS[0],
        "--mode",
        "anonymize",
        "--on-behalf-of",
        String(sandbox.user),
        "--yes",
      ],
      { root, env: sandbox.env },
    );
    assert.equal(anonymize.code, 0, anonymize.stderr);
    assert.match(anonymize.stdout, /erase: 3 of 3 candidates anonymized/);
    assert.ok(sandbox.log.every((e) => e.status !== 403), "a request was refused");

    // Greenhouse lists the person no more: erase has nothing left to do, and deletes nothing.
    for (const id of sandbox.matched) {
      sandbox.tenant.patchCandidate(id, {
        email_addresses: [{ value: ADDRESS, type: "personal" }],
      });
    }
    sandbox.faults.reset = { times: 1, methods: ["DELETE"] };
    const erase = await runCli(eraseArgs(sandbox, "delete"), { root, env: sandbox.env });
    assert.equal(erase.code, 0, erase.stderr);
    assert.match(erase.stdout, /erase: 3 of 3 candidates deleted/);
    for (const id of sandbox.matched) assert.equal(sandbox.tenant.get("candidates", id), undefined);
    assert.ok(sandbox.log.every((e) => e.status !== 403), "a request was refused");
    // The lost DELETE answer was confirmed through the candidates list, not Retrieve Candidate.
    assert.ok(
      sandbox.log.some((e) =>
        e.method === "GET" && /\/v1\/candidates\?candidate_ids=\d+/.test(e.path)
      ),
    );

    const ping = await runCli(["ping", "--json"], { root, env: sandbox.env });
    assert.equal(ping.code, 0, ping.stderr);
    const report = JSON.parse(ping.stdout);
    const can = Object.fromEntries(
      report.commands.map((c: { command: string; can: string }) => [c.command, c.can]),
    );
    assert.equal(can["access"], "yes");
    assert.equal(can["candidates"], "yes");
    assert.equal(can["access --include-activity"], "no");
    assert.equal(can["applications"], "no");
    assert.equal(can["erase --mode delete"], "not verifiable");
    assert.equal(can["erase --mode anonymize"], "not verifiable");
    const writesShown = report.endpoints.filter((e: { result: string }) =>
      e.result === "not verifiable without writing"
    );
    assert.deepEqual(
      writesShown.map((e: { permission: string }) => e.permission),
      ["Delete: Delete Candidate", "Patch: Edit Candidate", "Put: Anonymize Candidate"],
    );
    // The other lists are refused too: their commands cannot run; sync needs the seven first.
    assert.equal(can["departments"], "no");
    assert.ok(
      report.endpoints.some((e: { permission: string; result: string }) =>
        e.permission === "Get: List Departments" && e.result === "denied"
      ),
    );
    // access runs, and says which lists its bundle leaves out with this key.
    assert.match(
      report.commands.find((c: { command: string }) => c.command === "access").detail,
      /^leaves out the lists refused: Get: List Offers for Application, .*Get: List Demographic Answers for Application$/,
    );
    const human = await runCli(["ping"], { root, env: sandbox.env });
    assert.match(human.stdout, /\naccess +yes +leaves out the lists refused: Get: List Offers/);
    assert.match(human.stdout, /\nsync +no +refused: Get: List Applications/);
  });
});

Deno.test("v3 with exactly the scopes access and erase need: no other endpoint is used", async () => {
  await using sandbox = await privacySandbox({
    v3Scopes: [
      "harvest:users:list",
      "harvest:candidates:list",
      "harvest:applications:list",
      "harvest:candidates:update",
      "harvest:candidates:destroy",
    ],
  }, "v3");
  await withTempDir(async (root) => {
    const access = await runCli(["access", "--email", ADDRESS], { root, env: sandbox.env });
    assert.equal(access.code, 0, access.stderr);
    const bundle = JSON.parse(access.stdout);
    assert.equal(bundle.candidate_records.length, 3);
    // Without their scopes the other lists are left out and named; a note says so on stderr. A
    // list found through a parent list the key may not read names the parent's scope.
    const refused = [
      "offers",
      "scorecards",
      "interviews",
      "application_stages",
      "demographic_answers",
      "eeoc",
      "candidate_educations",
      "candidate_employments",
      "applied_candidate_tags",
      "ai_opt_out_statuses",
      "rejection_details",
      "prospect_details",
    ];
    assert.deepEqual(
      bundle.unavailable_lists.map((u: ApiRecord) => [u.list, u.permission]),
      [
        ...refused.map((r) => [r === "interviews" ? "scheduled_interviews" : r, r]),
        ["scorecard_question_answers", "scorecards"],
        ["scorecard_question_answer_options", "scorecard_question_answers"],
        ["scorecard_candidate_attributes", "scorecards"],
        ["interviewers", "interviews"],
        ["interview_media", "interview_media"],
      ].map(([list, resource]) => [list, `harvest:${resource}:list`]),
    );
    assert.match(
      bundle.unavailable_lists.find((u: ApiRecord) => u.list === "interviewers").reason,
      /^interviewers are found through scheduled interviews, which the credentials may not read; grant the scope harvest:interviews:list$/,
    );
    // Only the lists read by the person's ids were asked; those found through a refused parent not.
    assert.equal(sandbox.log.filter((e) => e.status === 403).length, refused.length + 1);
    assert.deepEqual(bundle.related_records, {});
    assert.match(access.stderr, /note: access: eeoc is not in the bundle: .*harvest:eeoc:list/);
    sandbox.log.length = 0;
    const erase = await runCli(eraseArgs(sandbox, "anonymize"), { root, env: sandbox.env });
    assert.equal(erase.code, 0, erase.stderr);
    assert.match(erase.stdout, /erase: 3 of 3 candidates anonymized/);
    assert.ok(sandbox.log.every((e) => e.status !== 403), "a request was refused");
    const ping = await runCli(["ping"], { root, env: sandbox.env });
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, /GET \/jobs\?per_page=1 +harvest:jobs:list +denied \(403\)/);
    assert.match(
      ping.stdout,
      /\naccess +yes +leaves out the lists refused: harvest:offers:list, harvest:scorecards:list, harvest:interviews:list, harvest:application_stages:list, harvest:demographic_answers:list, harvest:eeoc:list, harvest:candidate_educations:list, .*harvest:interview_media:list\n/,
    );
    assert.match(
      ping.stdout,
      /\nerase --mode delete +not verifiable +reads ok; harvest:candidates:destroy/,
    );
  });
});
