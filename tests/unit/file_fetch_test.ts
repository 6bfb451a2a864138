/** Where attachment files may come from: address classes, literal forms, names, redirects. */
import assert from "node:assert/strict";
import {
  fetchFile,
  FileHostPolicy,
  MAX_REDIRECTS,
  nonPublicAddress,
  parseIPv6,
  type Resolver,
} from "../../src/dependent/file_fetch.ts";

const PUBLIC_API = "https://harvest.greenhouse.io/v1";
const noDns: Resolver = () => Promise.resolve(undefined);
/** These tests are about addresses, not permissions: every host is one the process may reach. */
const anyHost = () => true;

Deno.test("file hosts: every non-public address class is named, public ones pass", () => {
  const refused: [string, RegExp][] = [
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["0.0.0.0", /this network/],
    ["10.20.30.40", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["100.127.255.255", /carrier-grade NAT/],
    ["169.254.169.254", /link-local/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["[::1]", /loopback/],
    ["::ffff:7f00:1", /loopback.*inside an IPv6/],
    ["::ffff:127.0.0.1", /loopback.*inside an IPv6/],
    ["::ffff:a9fe:a9fe", /link-local.*inside an IPv6/],
    ["::ffff:10.0.0.1", /private.*inside an IPv6/],
    ["64:ff9b::a00:1", /private.*inside an IPv6/],
    ["2002:7f00:1::", /loopback.*6to4/],
    ["fd00::1", /unique local/],
    ["fc00::", /unique local/],
    ["fe80::1", /link-local/],
    ["ff02::1", /multicast/],
  ];
  for (const [address, why] of refused) {
    assert.match(nonPublicAddress(address) ?? "(public)", why, address);
  }
  for (const address of ["8.8.8.8", "52.216.8.21", "172.32.0.1", "100.128.0.1", "2600:1f18::1"]) {
    assert.equal(nonPublicAddress(address), undefined, address);
  }
  assert.equal(nonPublicAddress("harvest.greenhouse.io"), undefined, "names are not addresses");
  assert.deepEqual(parseIPv6("::ffff:1.2.3.4")?.slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.equal(parseIPv6("1::2::3"), undefined);
  assert.equal(parseIPv6("1:2:3:4:5:6:7:8:9"), undefined);
});

Deno.test("file hosts: decimal, octal, hex and short IPv4 forms and localhost names are refused", async () => {
  const policy = new FileHostPolicy(PUBLIC_API, { resolve: noDns, mayReach: anyHost });
  for (
    const url of [
      "http://2130706433/latest",
      "http://0x7f000001/",
      "http://0177.0.0.1/",
      "http://127.1/",
      "http://0x7f.1:8080/",
      "http://[::ffff:127.0.0.1]/",
      "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
      "http://169.254.169.254/latest/meta-data/",
      "https://10.0.0.7/file.pdf",
      "http://localhost:9000/",
      "http://LOCALHOST./",
      "http://files.localhost/",
      "http://0/",
    ]
  ) {
    const why = await policy.refusal(new URL(url));
    assert.ok(why, `${url} must be refused`);
    assert.doesNotMatch(why, /latest|meta-data|file\.pdf/, "names the host, not the URL");
  }
  assert.match(
    (await policy.refusal(new URL("file:///etc/passwd")))!,
    /only http\(s\)/,
  );
  assert.equal(
    await policy.refusal(new URL("https://prod-heroku.s3.amazonaws.com/a?X=1")),
    undefined,
  );
});

Deno.test("file hosts: with the API on loopback only the API's own origin may serve files", async () => {
  const sandbox = new FileHostPolicy("http://127.0.0.1:4100/v1", {
    resolve: noDns,
    mayReach: anyHost,
  });
  assert.equal(
    await sandbox.refusal(new URL("http://127.0.0.1:4100/files/abc?Expires=1")),
    undefined,
  );
  assert.match((await sandbox.refusal(new URL("http://127.0.0.1:4101/files/abc")))!, /loopback/);
  assert.match((await sandbox.refusal(new URL("http://10.1.1.1:4100/x")))!, /private/);
  assert.match((await sandbox.refusal(new URL("http://localhost:4100/x")))!, /loopback name/);
  const publicApi = new FileHostPolicy(PUBLIC_API, { resolve: noDns, mayReach: anyHost });
  assert.match((await publicApi.refusal(new URL("http://127.0.0.1:4100/files/abc")))!, /loopback/);
});

Deno.test("file hosts: names are resolved and refused when any answer is not public", async () => {
  const asked: string[] = [];
  const dns: Resolver = (host) => {
    asked.push(host);
    const answers: Record<string, string[]> = {
      "rebind.example": ["52.1.2.3", "10.0.0.5"],
      "metadata.example": ["fd00:ec2::254"],
      "s3.example": ["52.216.8.21", "2600:1f18::1"],
    };
    return Promise.resolve(answers[host] ?? []);
  };
  const policy = new FileHostPolicy(PUBLIC_API, { resolve: dns, mayReach: anyHost });
  assert.match(
    (await policy.refusal(new URL("https://rebind.example/x")))!,
    /^rebind\.example resolves to 10\.0\.0\.5, a private address/,
  );
  assert.match((await policy.refusal(new URL("https://metadata.example/x")))!, /unique local/);
  assert.equal(await policy.refusal(new URL("https://s3.example/x")), undefined);
  await policy.refusal(new URL("https://s3.example/y"));
  assert.equal(asked.filter((h) => h === "s3.example").length, 1, "one lookup per host a run");
  // Without permission to ask DNS (the binary), a name is let through: the residual risk.
  assert.equal(
    await new FileHostPolicy(PUBLIC_API, { resolve: noDns, mayReach: anyHost }).refusal(
      new URL("https://x.example/"),
    ),
    undefined,
  );
});

Deno.test("file hosts: redirects are followed by hand and each target checked before it is contacted", async () => {
  const policy = new FileHostPolicy(PUBLIC_API, { resolve: noDns, mayReach: anyHost });
  const contacted: string[] = [];
  const hops: Record<string, string> = {
    "https://files.example/a": "https://files.example/b",
    "https://files.example/b": "http://169.254.169.254/latest/meta-data/iam",
  };
  const fetchFn = ((input: URL, init?: RequestInit) => {
    contacted.push(String(input));
    assert.equal(init?.redirect, "manual");
    const location = hops[String(input)];
    return Promise.resolve(
      location
        ? new Response(null, { status: 302, headers: { Location: location } })
        : new Response("file"),
    );
  }) as typeof fetch;
  const signal = new AbortController().signal;
  const result = await fetchFile(new URL("https://files.example/a"), policy, fetchFn, signal);
  assert.equal(result.kind, "refused");
  assert.match(
    (result as { reason: string }).reason,
    /^a redirect: 169\.254\.169\.254 is a link-local address/,
  );
  assert.deepEqual(contacted, ["https://files.example/a", "https://files.example/b"]);

  // An endless chain of redirects stops after MAX_REDIRECTS.
  let n = 0;
  const loop = (() => {
    n++;
    return Promise.resolve(
      new Response(null, { status: 301, headers: { Location: `https://files.example/${n}` } }),
    );
  }) as typeof fetch;
  const looped = await fetchFile(new URL("https://files.example/0"), policy, loop, signal);
  assert.deepEqual(looped, { kind: "refused", reason: `more than ${MAX_REDIRECTS} redirects` });
  assert.equal(n, MAX_REDIRECTS + 1);
});
