/**
 * doctor's parts (src/doctor/): the rate window and clock read from answers, the headers it may
 * share, the token facts it reads, the verdict; the sandbox's different-tenant options; sync's
 * drift lines.
 */
import assert from "node:assert/strict";
import { AnswerObserver } from "../../src/doctor/observe.ts";
import { NOT_SHOWN, shareableHeaders } from "../../src/doctor/headers.ts";
import { judge, type Seen } from "../../src/doctor/verdict.ts";
import type { ListRow } from "../../src/doctor/types.ts";
import { probesFor } from "../../src/doctor/probes.ts";
import { jwtClaims, tokenFacts, v1Dialect, v3Dialect } from "../../src/harvest/mod.ts";
import { entityNamesFor } from "../../src/entities.ts";
import { driftedReply } from "../../src/sandbox/drift.ts";
import { json } from "../../src/sandbox/reply.ts";
import { parseCommand } from "../../src/cli/args.ts";
import { loadCommandGroups } from "../../src/commands/mod.ts";
import { driftLine } from "../../src/sync/drift.ts";
import type { StepReport } from "../../src/sync/run.ts";
import { formatJson, formatMarkdown, formatTable } from "../../src/sync/summary.ts";
import { UsageError } from "../../src/errors.ts";

/** Every command, its module loaded (the CLI loads only the one argv names). */
const COMMAND_GROUPS = await loadCommandGroups();

const T0 = Date.UTC(2026, 10, 1);
const STEP: StepReport = {
  step: "jobs",
  status: "ok",
  mode: "full",
  new: 2,
  updated: 0,
  unchanged: 0,
  removed: 0,
  requests: 1,
  seconds: 0.1,
};
const secondsEpoch = (ms: number) => String(Math.ceil(ms / 1000));

function answer(at: number, headers: Record<string, string>): [Headers, number] {
  return [new Headers({ date: new Date(at).toUTCString(), ...headers }), at];
}

Deno.test("the window seen: two resets a window apart, one reset ahead, refills, or nothing", () => {
  const exact = new AnswerObserver();
  exact.observe(
    ...answer(T0, { "x-ratelimit-limit": "75", "x-ratelimit-reset": secondsEpoch(T0 + 20_000) }),
  );
  exact.observe(...answer(T0 + 25_000, { "x-ratelimit-reset": secondsEpoch(T0 + 50_000) }));
  assert.deepEqual(exact.rateLimit(30_000, 0).window, { seen: "exact", seconds: 30 });
  assert.deepEqual(exact.rateLimit(30_000, 0).limits, [75]);

  const ahead = new AnswerObserver();
  ahead.observe(...answer(T0, { "x-ratelimit-reset": secondsEpoch(T0 + 55_000) }));
  assert.deepEqual(ahead.rateLimit(30_000, 2).window, { seen: "at least", seconds: 55 });
  assert.equal(ahead.rateLimit(30_000, 2).rateLimited, 2);

  const refills = new AnswerObserver();
  for (const [at, remaining] of [[0, 9], [4_000, 8], [10_500, 9], [15_000, 8], [20_500, 9]]) {
    refills.observe(...answer(T0 + at, { "x-ratelimit-remaining": String(remaining) }));
  }
  assert.deepEqual(refills.rateLimit(10_000, 0).window, { seen: "exact", seconds: 10 });

  assert.deepEqual(new AnswerObserver().rateLimit(10_000, 0), {
    limits: [],
    assumedWindowSeconds: 10,
    window: { seen: "not seen" },
    rateLimited: 0,
  });
});

Deno.test("the server's clock against ours: the median of the Date headers, to the second", () => {
  const observer = new AnswerObserver();
  // Date headers are cut to the second: the middle of that second is taken.
  for (const at of [T0 + 300, T0 + 1_300, T0 + 2_700]) {
    observer.observe(new Headers({ date: new Date(at - 600_000).toUTCString() }), at);
  }
  assert.deepEqual(observer.clock(), { skewSeconds: -600, answers: 3 });
  assert.deepEqual(new AnswerObserver().clock(), { answers: 0 });
});

Deno.test("shared headers: no credential or cookie, Link by its rel names, other values hidden", () => {
  const shared = shareableHeaders(
    new Headers({
      "Content-Type": "application/json",
      "X-RateLimit-Limit": "75",
      "Set-Cookie": "session=abc",
      "WWW-Authenticate": "Bearer realm=x",
      Link: '<https://harvest.greenhouse.io/v3/candidates?cursor=c2VjcmV0>; rel="next"',
      "X-Request-Id": "4100000003",
      ETag: '"abc"',
    }),
  );
  assert.deepEqual(shared, {
    "content-type": "application/json",
    etag: NOT_SHOWN,
    link: "rel=next",
    "x-ratelimit-limit": "75",
    "x-request-id": NOT_SHOWN,
  });
});

Deno.test("token facts: the answer's life and scopes, else the JWT's claims; nothing secret kept", () => {
  const now = T0;
  assert.deepEqual(
    tokenFacts(
      {
        expires_at: new Date(now + 600_000).toISOString(),
        scope: "harvest:candidates:list bad scope!",
      },
      "opaque",
      now + 5_000,
      now,
    ),
    {
      lifetimeMs: 600_000,
      lifetimeFrom: "expires_at",
      scopes: ["harvest:candidates:list", "bad"],
      scopesFrom: "answer",
      serverDate: now,
    },
  );
  const payload = btoa(
    JSON.stringify({ exp: now / 1000 + 900, iat: now / 1000, scp: ["harvest:jobs:list"] }),
  )
    .replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${payload}.signature`;
  assert.deepEqual(jwtClaims("not.a-jwt"), undefined);
  assert.deepEqual(tokenFacts({}, jwt, now), {
    lifetimeMs: 900_000,
    lifetimeFrom: "token exp claim",
    scopes: ["harvest:jobs:list"],
    scopesFrom: "token claims",
  });
  assert.deepEqual(tokenFacts({ expires_in: 3600 }, "x", now), {
    lifetimeMs: 3_600_000,
    lifetimeFrom: "expires_in",
  });
  assert.deepEqual(tokenFacts({}, "x", now), { lifetimeFrom: "none" });
});

function row(
  list: string,
  status: ListRow["status"],
  blocks: boolean,
  extra: Partial<ListRow> = {},
): ListRow {
  return { list, path: `/${list}`, status, blocks, ...extra };
}

function seen(overrides: Partial<Seen> = {}): Seen {
  return {
    rows: [row("candidates", "ok", false), row("jobs", "ok", false)],
    rateLimit: {
      limits: [75],
      assumedWindowSeconds: 30,
      window: { seen: "exact", seconds: 30 },
      rateLimited: 0,
    },
    clock: { skewSeconds: 0, answers: 2 },
    attachments: { outcome: "ok", hosts: ["files.example.net"] },
    stopped: false,
    overlapMs: 300_000,
    ...overrides,
  };
}

Deno.test("the verdict: a list sync needs, a file host it may not reach, or a clock far ahead stop it", () => {
  assert.deepEqual(judge(seen()), {
    ok: true,
    verdict: "doctor: a nightly sync would work: 2 of 2 lists ok",
    blockers: [],
    warnings: [],
  });
  const skipped = judge(seen({
    rows: [
      row("candidates", "ok", false),
      row("eeoc", "not found", false),
      row("users", "unavailable", false, { grant: "harvest:users:list" }),
    ],
  }));
  assert.equal(skipped.ok, true);
  assert.match(skipped.verdict, /1 of 3 lists ok, 2 skipped/);
  assert.deepEqual(skipped.warnings, [
    "eeoc: not found (404: /eeoc): a default sync skips it",
    "users: unavailable (403): a default sync skips it; grant harvest:users:list to sync it",
  ]);
  const failing = judge(seen({
    rows: [row("jobs", "not found", true)],
    attachments: {
      outcome: "refused",
      hosts: ["x.example"],
      detail: "file host x.example is not in --file-hosts",
    },
    clock: { skewSeconds: -400, answers: 3 },
  }));
  assert.equal(failing.ok, false);
  assert.equal(failing.blockers.length, 3);
  assert.match(
    failing.verdict,
    /^doctor: a nightly sync would fail: jobs: \/jobs answered 404.*\(and 2 more problem\(s\) above\)$/,
  );
  assert.match(failing.blockers[2], /clock is 400 s ahead .* --overlap above 7 minutes/);
  // Behind: no change is missed, so it is only worth a word.
  assert.deepEqual(judge(seen({ clock: { skewSeconds: 400, answers: 1 } })).warnings, [
    "clock: Greenhouse's clock is 400 s ahead of ours",
  ]);
  const odd = judge(seen({
    rateLimit: {
      limits: [],
      assumedWindowSeconds: 30,
      window: { seen: "at least", seconds: 55 },
      rateLimited: 1,
    },
    token: {
      lifetimeSeconds: 120,
      lifetimeFrom: "expires_in",
      assumedSeconds: 3600,
      scopes: ["a"],
      missingScopes: ["harvest:jobs:list"],
    },
  }));
  assert.equal(odd.ok, true);
  assert.equal(odd.warnings.length, 5, odd.warnings.join("\n"));
});

Deno.test("doctor probes every list of the entity table, then the lists the dependent steps read", () => {
  const v3 = probesFor(v3Dialect, 10);
  assert.deepEqual(v3.map((p) => p.list), [
    ...entityNamesFor("v3"),
    "activity_feeds",
    "attachments",
  ]);
  assert.ok(v3.every((p) => p.params.per_page === "10"));
  assert.deepEqual(v3.find((p) => p.list === "users")?.params, {
    show_service_accounts: "true",
    per_page: "10",
  });
  assert.equal(v3.find((p) => p.list === "tags")?.permission, "harvest:candidate_tags:list");
  const v1 = probesFor(v1Dialect, 5);
  assert.deepEqual(v1.map((p) => p.list), [...entityNamesFor("v1"), "activity_feeds"]);
  assert.equal(v1.at(-1)?.perCandidate?.(7), "/candidates/7/activity_feed");
  assert.equal(v1.find((p) => p.list === "users")?.permission, "Get: List Users");
});

Deno.test("the sandbox's drift options rename, drop, add and retype fields of one list's records", () => {
  const reply = json(200, [{ id: 1, first_name: "A", title: "Boss", age: 30 }]);
  const drifted = driftedReply(
    [{
      path: "/candidates",
      rename: { first_name: "given_name" },
      drop: ["age"],
      add: { nick: "N" },
      retype: ["title", "id"],
    }],
    "v3",
    "/candidates",
    reply,
  );
  assert.deepEqual(JSON.parse(drifted.body as string), [{
    id: "1",
    given_name: "A",
    title: ["Boss"],
    nick: "N",
  }]);
  assert.equal(
    driftedReply(
      [{ path: "/candidates", version: "v1", drop: ["age"] }],
      "v3",
      "/candidates",
      reply,
    ),
    reply,
  );
  assert.equal(driftedReply([{ path: "/jobs", drop: ["age"] }], "v3", "/candidates", reply), reply);
});

Deno.test("sandbox: the different-tenant flags become sandbox options; bad ones are usage errors", () => {
  const cmd = parseCommand(
    [
      "sandbox",
      "--missing",
      "/jobs,/eeoc",
      "--deny",
      "/users",
      "--rename-field",
      "/candidates:first_name=given_name",
      "--drop-field",
      "/candidates:title",
      "--add-field",
      '/candidates:nickname="Zed"',
      "--add-field",
      '/jobs:flags={"a":1}',
      "--retype-field",
      "/applications:prospect",
      "--v3-rate-limit",
      "40",
      "--v3-window",
      "60",
      "--token-lifetime",
      "120",
      "--token-expiry",
      "expires_in",
      "--token-scopes",
      "--clock-skew=-600",
    ],
    () => undefined,
    COMMAND_GROUPS,
  );
  assert.equal(cmd.kind, "sandbox");
  assert.deepEqual((cmd as { tenant: unknown }).tenant, {
    missingPaths: ["/jobs", "/eeoc"],
    deniedPaths: ["/users"],
    tokenScopes: true,
    fieldDrift: [
      {
        path: "/candidates",
        rename: { first_name: "given_name" },
        drop: ["title"],
        add: { nickname: "Zed" },
      },
      { path: "/jobs", add: { flags: { a: 1 } } },
      { path: "/applications", retype: ["prospect"] },
    ],
    v3RateLimit: 40,
    v3WindowMs: 60_000,
    tokenLifetimeMs: 120_000,
    tokenExpiry: "expires_in",
    clockSkewMs: -600_000,
  });
  for (
    const bad of [
      ["--missing", "jobs"],
      ["--rename-field", "/candidates:first_name"],
      ["--drop-field", "/candidates:a=b"],
      ["--add-field", "candidates:x"],
      ["--clock-skew", "soon"],
      ["--token-expiry", "never"],
    ]
  ) {
    assert.throws(
      () => parseCommand(["sandbox", ...bad], () => undefined, COMMAND_GROUPS),
      UsageError,
      bad.join(" "),
    );
  }
});

Deno.test("sync's drift line names the first paths and says check --strict is the gate", () => {
  assert.equal(
    driftLine("candidates", {
      records: 60,
      unknownFields: 7,
      fields: ["a", "b", "c", "d", "e"],
      brokenRecords: 60,
      problems: ["title: expected string or null, got integer"],
    }),
    "drift: candidates: 7 fields the schema does not know (a, b, c, d, e, … (7 in all)); 60 of 60 " +
      "records break it (title: expected string or null, got integer); check --strict fails on them",
  );
  assert.equal(
    driftLine("jobs", {
      records: 3,
      unknownFields: 1,
      fields: ["x"],
      brokenRecords: 0,
      problems: [],
    }),
    "drift: jobs: 1 field the schema does not know (x)",
  );
});

Deno.test("sync's summary: drift lines before the last line, in Markdown too, a drift object in JSON", () => {
  const drift = {
    records: 2,
    unknownFields: 1,
    fields: ["custom_fields.*"],
    brokenRecords: 0,
    problems: [],
  };
  const reports: StepReport[] = [
    { ...STEP, step: "jobs", drift },
    { ...STEP, step: "sources" },
  ];
  const table = formatTable(reports, 1).trimEnd().split("\n");
  assert.equal(table.at(-2), "drift: jobs: 1 field the schema does not know (custom_fields.*)");
  assert.match(table.at(-1)!, /^sync complete: /);
  assert.match(
    formatMarkdown(reports, 1, new Date(0)),
    /^- drift: jobs: 1 field the schema does not know \(custom_fields\.\\\*\)$/m,
  );
  const json = JSON.parse(formatJson(reports, 1, new Date(0)));
  assert.deepEqual(json.drift, { jobs: drift });
  assert.ok(json.steps.every((step: object) => !("drift" in step)));
  assert.deepEqual(JSON.parse(formatJson([{ ...STEP, step: "jobs" }], 1, new Date(0))).drift, {});
});
