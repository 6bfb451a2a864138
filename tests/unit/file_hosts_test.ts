import assert from "node:assert/strict";
import {
  deniedHost,
  fileHostRefusal,
  hostMatches,
  parseFileHosts,
  type ReachQuery,
  withinReach,
} from "../../src/dependent/file_hosts.ts";
import { fetchFile, FileHostPolicy, MAX_REDIRECTS } from "../../src/dependent/file_fetch.ts";
import { describeFailure } from "../../src/failure.ts";
import { connection, fileHostsOption } from "../../src/cli/options.ts";
import { UsageError } from "../../src/errors.ts";

/** A stand-in for the binary's --allow-net set (scripts/permissions.ts). */
const BUILD: ReachQuery = (host) => {
  const name = host.split(":")[0];
  return name === "127.0.0.1" || name === "greenhouse.io" || name.endsWith(".greenhouse.io") ||
    name === "amazonaws.com" || name.endsWith(".amazonaws.com");
};

Deno.test("file hosts: host, host:port and *.domain patterns, lower-cased; anything else refused", () => {
  assert.deepEqual(parseFileHosts("Prod-Heroku.s3.amazonaws.com, *.greenhouse.io,127.0.0.1:8080"), {
    hosts: ["prod-heroku.s3.amazonaws.com", "*.greenhouse.io", "127.0.0.1:8080"],
  });
  for (const bad of ["https://x.com", "*.com", "a/b", "x.com:99999", "*", "a..b", "-a.com"]) {
    assert.ok("bad" in parseFileHosts(bad), bad);
  }
  assert.ok("bad" in parseFileHosts(" , "));
});

Deno.test("file hosts: a wildcard names its domain and everything below it; a port must match", () => {
  const u = (s: string) => new URL(s);
  assert.ok(hostMatches("*.amazonaws.com", u("https://prod-heroku.s3.amazonaws.com/a")));
  assert.ok(hostMatches("*.amazonaws.com", u("https://amazonaws.com/a")));
  assert.ok(!hostMatches("*.amazonaws.com", u("https://amazonaws.com.evil.net/a")));
  assert.ok(!hostMatches("*.amazonaws.com", u("https://evilamazonaws.com/a")));
  assert.ok(hostMatches("files.greenhouse.io", u("https://files.greenhouse.io/x")));
  assert.ok(!hostMatches("files.greenhouse.io", u("https://a.files.greenhouse.io/x")));
  assert.ok(hostMatches("127.0.0.1:8080", u("http://127.0.0.1:8080/x")));
  assert.ok(!hostMatches("127.0.0.1:8080", u("http://127.0.0.1:9090/x")));
  assert.ok(hostMatches("files.example.com:443", u("https://files.example.com/x")));
});

Deno.test("file hosts narrow the build's set and never widen it", () => {
  assert.ok(withinReach("*.amazonaws.com", BUILD));
  assert.ok(withinReach("prod-heroku.s3.amazonaws.com", BUILD));
  assert.ok(!withinReach("files.example.com", BUILD), "a host the build does not allow");
  assert.ok(!withinReach("*.example.com", BUILD));
  // A wildcard wider than the build's: only some of its hosts are allowed.
  const narrowBuild: ReachQuery = (host) => host === "prod-heroku.s3.amazonaws.com";
  assert.ok(!withinReach("*.s3.amazonaws.com", narrowBuild));

  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.deepEqual(fileHostsOption({ "file-hosts": "*.amazonaws.com" }, env({}), BUILD), [
    "*.amazonaws.com",
  ]);
  assert.deepEqual(
    fileHostsOption({}, env({ GREENHOUSE_FILE_HOSTS: "127.0.0.1" }), BUILD),
    ["127.0.0.1"],
  );
  assert.equal(fileHostsOption({}, env({}), BUILD), undefined);
  assert.throws(
    () => fileHostsOption({ "file-hosts": "*.amazonaws.com,files.example.com" }, env({}), BUILD),
    (e) =>
      e instanceof UsageError &&
      /^--file-hosts "files\.example\.com" is outside the hosts this build may connect to, and it can only narrow them; /
        .test(e.message),
  );
  assert.throws(
    () => fileHostsOption({}, env({ GREENHOUSE_FILE_HOSTS: "http://x" }), BUILD),
    (e) =>
      e instanceof UsageError &&
      /^GREENHOUSE_FILE_HOSTS "http:\/\/x" is not a host/.test(e.message),
  );
});

Deno.test("--per-page is validated when parsed: 1 to 500", () => {
  const env = (name: string) =>
    ({ GREENHOUSE_CLIENT_ID: "id-1", GREENHOUSE_CLIENT_SECRET: "s" } as Record<string, string>)[
      name
    ];
  assert.equal(connection({ "per-page": "50" }, env).perPage, 50);
  assert.equal(connection({}, env).perPage, undefined);
  for (const bad of ["501", "0", "1e2", "-3", "ten"]) {
    assert.throws(
      () => connection({ "per-page": bad }, env),
      (e) =>
        e instanceof UsageError &&
        /^--per-page ".*" must be a whole number from 1 to 500$/.test(e.message),
      bad,
    );
  }
});

Deno.test("file host refusals name the host and what to do, never the signed URL", () => {
  const url = new URL("https://files.example.com/doc.pdf?Signature=secret-sig&Expires=1");
  // Outside the build's reach: the error fetch itself raises, which failure.ts explains.
  const outside = deniedHost(url);
  assert.ok(outside instanceof Deno.errors.NotCapable);
  assert.match(
    describeFailure(outside).message,
    /^this build may not connect to "files\.example\.com"/,
  );
  assert.match(describeFailure(outside).message, /--also-host files\.example\.com/);
  assert.ok(!outside.message.includes("secret-sig"));
  const s3 = new URL("https://prod-heroku.s3.amazonaws.com/doc.pdf?Signature=secret-sig");
  const narrowed = fileHostRefusal(s3, ["*.greenhouse.io"])!;
  assert.match(narrowed, /^file host prod-heroku\.s3\.amazonaws\.com is not in --file-hosts/);
  assert.ok(!narrowed.includes("secret-sig"));
  assert.equal(fileHostRefusal(s3, ["*.amazonaws.com"]), undefined);
});

/** A fake network: each URL answers what `routes` says; every request is recorded. */
function network(routes: Record<string, () => Response>) {
  const requested: string[] = [];
  const fetchFn = ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    requested.push(url);
    assert.equal(init?.redirect, "manual", "every hop is checked, so no hop is followed blindly");
    const route = routes[url];
    return Promise.resolve(route ? route() : new Response("missing", { status: 404 }));
  }) as typeof fetch;
  return { fetchFn, requested };
}
const redirect = (to: string) => () =>
  new Response(null, { status: 302, headers: { Location: to } });

/** The downloader's checks with the build's hosts, no DNS (addresses are file_fetch_test's). */
const policy = (narrowed?: string[]) =>
  new FileHostPolicy("https://harvest.greenhouse.io/v3", {
    mayReach: BUILD,
    narrowed,
    resolve: () => Promise.resolve(undefined),
  });
const signal = new AbortController().signal;

Deno.test("downloads follow redirects hop by hop and refuse a hop outside the narrowed hosts", async () => {
  const link = "https://app.greenhouse.io/attachments/1";
  const file = "https://prod-heroku.s3.amazonaws.com/1?Signature=x";
  const net = network({
    [link]: redirect(file),
    [file]: () => new Response("bytes", { status: 200 }),
  });
  const fetched = await fetchFile(new URL(link), policy(), net.fetchFn, signal);
  assert.equal(fetched.kind, "response");
  assert.equal(await (fetched as { response: Response }).response.text(), "bytes");
  assert.deepEqual(net.requested, [link, file]);

  net.requested.length = 0;
  const narrowed = await fetchFile(new URL(link), policy(["*.greenhouse.io"]), net.fetchFn, signal);
  assert.equal(narrowed.kind, "refused");
  assert.match(
    (narrowed as { reason: string }).reason,
    /^a redirect: file host prod-heroku\.s3\.amazonaws\.com is not in --file-hosts/,
  );
  assert.deepEqual(net.requested, [link], "the refused hop was never requested");

  // A redirect out of the build's set raises what fetch would, before it is sent.
  const out = network({ [link]: redirect("https://files.example.com/1") });
  await assert.rejects(
    () => fetchFile(new URL(link), policy(), out.fetchFn, signal),
    Deno.errors.NotCapable,
    'Requires net access to "files.example.com"',
  );
  assert.deepEqual(out.requested, [link]);
});

Deno.test("redirect loops end after MAX_REDIRECTS; relative Locations resolve; bad ones fail", async () => {
  const a = "https://a.greenhouse.io/x";
  const loop = network({ [a]: redirect("/x") });
  assert.deepEqual(await fetchFile(new URL(a), policy(), loop.fetchFn, signal), {
    kind: "refused",
    reason: `more than ${MAX_REDIRECTS} redirects`,
  });
  assert.equal(loop.requested.length, MAX_REDIRECTS + 1);
  const toFile = network({ [a]: redirect("file:///etc/passwd") });
  const refused = await fetchFile(new URL(a), policy(), toFile.fetchFn, signal);
  assert.equal(refused.kind, "refused");
  assert.match((refused as { reason: string }).reason, /file: URLs are not fetched/);
  assert.deepEqual(toFile.requested, [a]);
});
