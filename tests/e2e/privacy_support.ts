/** What the privacy end-to-end suites share: a sandbox where three candidates share an address. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseIndex } from "../../src/cache/index_codec.ts";
import {
  ACTIVITY_FEEDS_FOLDER,
  candidateAttachmentsDir,
  INDEX_FILE,
  PRIVACY_LOG_FILE,
  recordFileName,
} from "../../src/cache/layout.ts";
import type { ApiRecord } from "../../src/entities.ts";
import { readAddressKey } from "../../src/privacy/address_key.ts";
import type { SandboxOptions } from "../../src/sandbox/mod.ts";
import { type Api, apiEnv } from "./api.ts";
import { runInProcess } from "./cli.ts";
import { frozenClock, startSandboxDisposable } from "./sandbox.ts";

export const ADDRESS = "Shared.Person@Example.com";
/** The same address as three candidates carry it, in different letter case. */
export const VARIANTS = [
  "shared.person@example.com",
  "SHARED.PERSON@EXAMPLE.COM",
  "Shared.Person@example.COM",
];

export async function privacySandbox(options: SandboxOptions = {}, api: Api = "v1") {
  const sandbox = await startSandboxDisposable({
    // Enough for the four candidates below (the eighth with applications the last of them).
    candidates: 20,
    // Unlimited in both versions: on a frozen clock a rate-limit window never ends, and a test
    // that syncs every list more than once would outlast it.
    rateLimit: 0,
    v3RateLimit: 0,
    // Frozen: signed attachment URLs stay identical between the API's answers and later reads.
    clock: frozenClock(),
    ...options,
  });
  const all = sandbox.tenant.list("candidates").sort((a, b) => a.id - b.id);
  // Three candidates with applications share the address; a fourth has a different one.
  const withApps = all.filter((c) => c.application_ids.length > 0);
  const matched = [withApps[1], withApps[4], withApps[7]].map((c) => c.id as number);
  matched.forEach((id, i) =>
    sandbox.tenant.patchCandidate(id, {
      email_addresses: [{ value: VARIANTS[i], type: i === 1 ? "work" : "personal" }],
    })
  );
  const bystander = withApps[2].id as number;
  return Object.assign(sandbox, {
    matched,
    bystander,
    user: sandbox.tenant.userIds()[0],
    env: apiEnv(api, sandbox),
  });
}

export type PrivacySandbox = Awaited<ReturnType<typeof privacySandbox>>;

export const CACHE = "greenhouse-cache";

/**
 * Extracts the four candidate-related entities, then fakes feeds and attachment folders. The
 * set-up runs the CLI's entry point in this process (the commands under test are spawned).
 */
export async function fillCache(root: string, sandbox: PrivacySandbox) {
  for (const entity of ["candidates", "applications", "offers", "scorecards"]) {
    const args = [entity, "-q", "--cache-dir", join(root, CACHE)];
    const result = await runInProcess(args, sandbox.env);
    assert.equal(result.code, 0, result.stderr);
  }
  const feeds = join(root, CACHE, ACTIVITY_FEEDS_FOLDER);
  await Deno.mkdir(feeds);
  for (const id of [...sandbox.matched, sandbox.bystander]) {
    const folder = join(candidateAttachmentsDir(join(root, CACHE), id), "resume-2020");
    await Deno.mkdir(folder, { recursive: true });
    await Deno.writeTextFile(join(folder, "cv.pdf"), "bytes");
    await Deno.writeTextFile(join(feeds, recordFileName(id)), "{}\n");
  }
  // The preconditions the erase tests rely on: the matched candidates and their records are cached.
  const candidates = await indexIds(root, "candidates");
  const applications = await indexIds(root, "applications");
  for (const id of sandbox.matched) {
    assert.ok(candidates.has(id), `candidate ${id} not cached`);
    for (const appId of sandbox.tenant.get("candidates", id)!.application_ids) {
      assert.ok(applications.has(appId), `application ${appId} not cached`);
    }
  }
  sandbox.log.length = 0;
}

export async function indexIds(root: string, folder: string): Promise<Map<number, string>> {
  const parsed = parseIndex(await Deno.readTextFile(join(root, CACHE, folder, INDEX_FILE)));
  return new Map(parsed.rows.map((row) => [row.id, row.moniker]));
}

/** The cache's privacy key (it must exist once an erase has written the log). */
export async function cacheKey(root: string): Promise<Uint8Array> {
  const key = await readAddressKey(join(root, CACHE));
  assert.ok(key, "no privacy key in the cache");
  return key;
}

export async function privacyLog(root: string): Promise<{ text: string; lines: ApiRecord[] }> {
  const text = await Deno.readTextFile(join(root, CACHE, PRIVACY_LOG_FILE));
  return { text, lines: text.trimEnd().split("\n").map((line) => JSON.parse(line)) };
}

/** The log must not hold the address (any case) or any name of the erased candidates. */
export function assertNoPersonalData(text: string, people: ApiRecord[]) {
  const lower = text.toLowerCase();
  assert.ok(!lower.includes("shared.person"), "address in the privacy log");
  for (const person of people) {
    for (const name of [person.first_name, person.last_name]) {
      if (typeof name === "string" && name.length > 2) {
        assert.ok(!text.includes(JSON.stringify(name).slice(1, -1)), `name ${name} in the log`);
      }
    }
  }
}

/** `erase` of ADDRESS acting as the sandbox's user; confirmed with --yes unless told otherwise. */
export const eraseArgs = (sandbox: PrivacySandbox, mode: string, confirm = "--yes") => [
  "erase",
  "--email",
  ADDRESS,
  "--mode",
  mode,
  "--on-behalf-of",
  String(sandbox.user),
  confirm,
];

/** Writes to the API (not v3's token requests, which are POSTs too). */
export const writes = (sandbox: PrivacySandbox) =>
  sandbox.log.filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.path !== "/token");

/** The write was made as `user`: v1 by the On-Behalf-Of header, v3 by the token's sub. */
export const actedAs = (api: Api, e: { onBehalfOf?: string; sub?: number }, user: number) =>
  api === "v1" ? e.onBehalfOf === String(user) : e.sub === user && e.onBehalfOf === undefined;
