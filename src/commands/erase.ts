/**
 * `erase`: deletes or anonymises every candidate carrying an address, on behalf of a Greenhouse
 * user, then makes the local cache forget what was erased and records each action (without the
 * address) in `<cache>/.privacy-log.jsonl`.
 */
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  actingAs,
  cacheDir,
  cacheHelp,
  cacheOptions,
  type Connection,
  connection,
  connectionHelp,
  connectionOptions,
} from "../cli/options.ts";
import { openClient } from "../cli/client.ts";
import { join } from "node:path";
import {
  addTombstones,
  type Cache,
  cacheFolderExists,
  CANDIDATES_FOLDER,
  type ChangeLog,
  openCache,
  openChangeLog,
  PENDING_ERASURES_FILE,
  PRIVACY_KEY_FILE,
  PRIVACY_LOG_FILE,
  refuseLinks,
  TOMBSTONES_FILE,
} from "../cache/mod.ts";
import { type ApiRecord, ENTITIES, type EntityName, personName } from "../entities.ts";
import { RunError, UsageError } from "../errors.ts";
import { carriesEmail, emailHmac } from "../privacy/email.ts";
import { addressKey, readAddressKey } from "../privacy/address_key.ts";
import {
  checkUser,
  checkWritable,
  type EraseMode,
  formatRequest,
  type Outcome,
  planErasure,
  sendErasure,
} from "../privacy/erase.ts";
import {
  appendPrivacyLog,
  erasureLogEntry,
  type ErasureRequest,
  lookupErasures,
  type PrivacyLogEntry,
} from "../privacy/log.ts";
import { anonymizeFieldsOption, emailOption, emailOptions, onBehalfOf } from "./privacy_options.ts";
import { DEFAULT_ANONYMIZE_FIELDS, type KeptList, keptUpstream } from "../privacy/anonymize.ts";
import { purgeDeleted, type PurgeReport, replaceAnonymized } from "../privacy/purge.ts";
import { listTitle, PERSONAL_LISTS } from "../privacy/personal_lists.ts";
import { addPending, clearPending, type PendingErasure, readPending } from "../privacy/pending.ts";
import { finishInterruptedErasures } from "../privacy/finish.ts";
import { findCandidates } from "../privacy/search.ts";
import { type CachedCandidate, findInCache } from "../privacy/cache_search.ts";
import { listedCandidate } from "../privacy/lookup.ts";
import { isPositiveId } from "../ids.ts";
import { formatSummaryJson } from "../summary.ts";
import { describeFailure } from "../failure.ts";

/** `erase --lookup`: whether the privacy log records an erasure of an address (reads only). */
export interface EraseLookupCommand {
  kind: "erase";
  lookup: true;
  email: string;
  cacheDir: string;
  /** Print the entries found as one JSON document (src/summary.ts). */
  json?: boolean;
}

export type EraseCommand = EraseRequestCommand | EraseLookupCommand;

export interface EraseRequestCommand {
  kind: "erase";
  lookup?: false;
  email: string;
  mode: EraseMode;
  /** Fields to anonymize upstream with Harvest's anonymize endpoint too (anonymize mode). */
  anonymizeFields?: readonly string[];
  onBehalfOf: number;
  dryRun: boolean;
  yes: boolean;
  cacheDir: string;
  connection: Connection;
  /** Print the summary as JSON (src/summary.ts) instead of the human lines. */
  json?: boolean;
}

export const eraseSpec: CommandSpec<EraseCommand> = {
  name: "erase",
  summary: "Delete or anonymise every candidate with an e-mail address, upstream and in the cache",
  usage: "erase --email ADDRESS --mode delete|anonymize [--anonymize-fields LIST] " +
    "--on-behalf-of USER_ID [--dry-run] [--yes]\n" +
    "       erase --lookup --email ADDRESS [--cache-dir DIR] [--json]",
  description: "Searches GET /candidates?email= (case-insensitive, every match), lists the " +
    "matches, asks for confirmation (on a terminal; otherwise --yes is required), then sends " +
    "DELETE /candidates/{id} or an anonymising PATCH /candidates/{id} for each (after Harvest's " +
    "anonymize of --anonymize-fields, if given), acting as the user (v1 On-Behalf-Of, v3 the " +
    "token's sub). The local cache is searched too. The cache then forgets what was erased, " +
    "erased ids are never fetched again, and each action is appended " +
    `to <cache>/${PRIVACY_LOG_FILE} (with a keyed hash of the address, never the address). ` +
    "Exit 1 if any candidate could not be erased, naming which. With --lookup, only reads " +
    "the privacy log and prints the erasures recorded for the address (no request is sent).",
  options: {
    ...emailOptions,
    mode: { type: "string" },
    "anonymize-fields": { type: "string" },
    "on-behalf-of": { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    lookup: { type: "boolean" },
    json: { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
  },
  help: [
    ["--email ADDRESS", "The data subject's address (matched trimmed and case-insensitively)"],
    ["--mode delete|anonymize", "Delete the candidates, or anonymise them (names randomised)"],
    [
      "--anonymize-fields LIST",
      "With anonymize: also anonymize these fields upstream with Harvest's anonymize endpoint " +
      `(comma-separated, e.g. attachments,notes; "default": ${DEFAULT_ANONYMIZE_FIELDS.join(",")})`,
    ],
    [
      "--on-behalf-of USER_ID",
      "Greenhouse user the writes are made for (env GREENHOUSE_ON_BEHALF_OF)",
    ],
    ["--dry-run", "Print the exact requests and change nothing, upstream or local"],
    ["--yes", "Do not ask for confirmation (required without a terminal)"],
    [
      "--lookup",
      `Only say whether <cache>/${PRIVACY_LOG_FILE} records erasures of the address (no request)`,
    ],
    ["--json", "Print the summary as one JSON document (fields in docs/commands.md)"],
    ...cacheHelp,
    ...connectionHelp,
  ],
  parse(values, _positionals, env) {
    const email = emailOption(values, "erase");
    if (values.lookup === true) {
      for (const flag of ["mode", "anonymize-fields", "on-behalf-of", "dry-run", "yes"]) {
        if (values[flag] !== undefined) {
          throw new UsageError(
            `--lookup reads the privacy log only: drop --${flag}, or drop --lookup to erase`,
          );
        }
      }
      return {
        kind: "erase",
        lookup: true,
        email,
        cacheDir: cacheDir(values, env),
        json: values.json === true,
      };
    }
    const mode = values.mode;
    if (mode !== "delete" && mode !== "anonymize") {
      throw new UsageError(
        mode === undefined
          ? "erase needs --mode delete or --mode anonymize"
          : `--mode "${mode}" must be delete or anonymize`,
      );
    }
    const conn = connection(values, env);
    const anonymizeFields = anonymizeFieldsOption(values, mode, conn.api);
    return {
      kind: "erase",
      email,
      mode,
      ...(anonymizeFields ? { anonymizeFields } : {}),
      onBehalfOf: onBehalfOf(values, env),
      dryRun: values["dry-run"] === true,
      yes: values.yes === true,
      cacheDir: cacheDir(values, env),
      connection: conn,
      json: values.json === true,
    };
  },
};

export function runErase(cmd: EraseCommand, ctx: RunContext): Promise<number> {
  return cmd.lookup ? runLookup(cmd, ctx) : runRequestReported(cmd, ctx);
}

/** Prints the privacy log's entries naming the address; reads only (the key is never created). */
async function runLookup(cmd: EraseLookupCommand, ctx: RunContext): Promise<number> {
  if (!await cacheFolderExists(cmd.cacheDir)) {
    throw new RunError(
      `erase --lookup: no cache at ${cmd.cacheDir}; give --cache-dir of the cache whose privacy ` +
        "log to search",
    );
  }
  const startedAt = new Date(ctx.clock.now());
  const log = join(cmd.cacheDir, PRIVACY_LOG_FILE);
  const { found, unverifiable } = await lookupErasures(
    cmd.cacheDir,
    cmd.email,
    await readAddressKey(cmd.cacheDir),
  );
  if (cmd.json) {
    const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
    ctx.out(formatSummaryJson({
      command: "erase",
      startedAt,
      seconds,
      steps: [{ step: "lookup", status: "ok", requests: 0, seconds }],
    }, { log: PRIVACY_LOG_FILE, entries: found, unverifiable }));
  } else if (found.length === 0) {
    ctx.out(`erase --lookup: no entry of ${log} names this address\n`);
  } else {
    ctx.out(
      `erase --lookup: ${found.length} entr${found.length === 1 ? "y" : "ies"} of ${log} ` +
        `name${found.length === 1 ? "s" : ""} this address:\n`,
    );
    for (const e of found) {
      const who = e.candidate_id === null ? "no candidate" : `candidate ${e.candidate_id}`;
      ctx.out(
        `  ${e.time}  ${e.mode}  ${who}  ${e.result}  cache ${e.cache}` +
          (e.found_in === "cache" ? "  (found in the cache only)" : "") + "\n",
      );
    }
  }
  if (unverifiable > 0) {
    ctx.err(
      `note: ${unverifiable} entr${unverifiable === 1 ? "y" : "ies"} could not be checked: ` +
        `${join(cmd.cacheDir, PRIVACY_KEY_FILE)} is missing\n`,
    );
  }
  return 0;
}

/** A candidate erase acts on upstream: found by Greenhouse's search, or only in the cache. */
interface Match {
  candidate: ApiRecord;
  foundIn: "api" | "cache";
}

/**
 * A cached candidate Greenhouse's search does not find, and that Greenhouse no longer has with
 * this address: gone upstream (purged locally), or there under another address (the cached copy,
 * which still holds this one, is replaced by Greenhouse's).
 */
interface CacheOnly {
  cached: CachedCandidate;
  upstream?: ApiRecord;
}

/** What happens locally to a cache-only match: to be done, done in a dry run, or done. */
function cacheOnlyAction(c: CacheOnly, when: "to be" | "would be" | "done"): string {
  const verb = when === "done" ? "" : `${when} `;
  return c.upstream === undefined
    ? `gone from Greenhouse: ${verb}purged from the cache`
    : `in Greenhouse without this address: the cached copy ${
      when === "done" ? "was " : verb
    }replaced by Greenhouse's`;
}

/** What `erase --json` reports, filled in as the erasure goes. */
interface EraseReport {
  client?: { stats: { requests: number } };
  matched: number;
  outcomes: Outcome[];
  /** Records removed from the cache per personal list (personal_lists.ts), all candidates. */
  removed: Partial<Record<EntityName, number>>;
}

/** Adds a purge's removed records of the personal lists to `into`. */
function countRemoved(into: Partial<Record<EntityName, number>>, purge: PurgeReport): void {
  for (const list of PERSONAL_LISTS) {
    const n = purge.removed[list];
    if (n) into[list] = (into[list] ?? 0) + n;
  }
}

/** "2 applications, 1 offer": the personal-list records a purge removed. */
function removedText(purge: PurgeReport | undefined): string {
  const parts = PERSONAL_LISTS.filter((list) => purge?.removed[list])
    .map((list) => {
      const n = purge!.removed[list]!;
      return `${n} ${n === 1 ? ENTITIES[list].noun : listTitle(list)}`;
    });
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

/**
 * The lines saying in which lists Greenhouse keeps an anonymized candidate's records as they were
 * (no anonymize field given reaches them), grouped by what would reach them; none when nothing is
 * kept.
 */
function keptLines(kept: KeptList[], when: "keeps" | "would keep"): string[] {
  if (kept.length === 0) return [];
  const groups = new Map<string, string[]>();
  for (const k of kept) {
    const key = k.missingFields.join(",");
    groups.set(key, [...groups.get(key) ?? [], k.list]);
  }
  return [
    `Greenhouse ${when} these records of the anonymized candidates as they were (cached copies ` +
    "are dropped; a later sync brings back those Greenhouse changes, sync --full all of them):",
    ...[...groups].map(([fields, lists]) =>
      `  ${lists.join(", ")}: ` +
      (fields === ""
        ? "no anonymize field reaches them (--mode delete removes them)"
        : `not anonymized without --anonymize-fields ${fields}`)
    ),
  ];
}

const NOT_CONFIRMED = "erase: not confirmed; nothing was changed";

/** The erasure, with its summary as one JSON document instead of the human lines under --json. */
async function runRequestReported(cmd: EraseRequestCommand, ctx: RunContext): Promise<number> {
  const report: EraseReport = { matched: 0, outcomes: [], removed: {} };
  if (!cmd.json) return await runRequestWithManifest(cmd, ctx, report);
  const startedAt = new Date(ctx.clock.now());
  let code: number | undefined;
  let error: unknown;
  try {
    code = await runRequestWithManifest(cmd, { ...ctx, out: () => {} }, report);
  } catch (thrown) {
    if (thrown instanceof UsageError) throw thrown; // one line on stderr, nothing on stdout
    error = thrown;
  }
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  const failures = report.outcomes.filter((o) => o.result === "failed");
  const failure = error !== undefined
    ? describeFailure(error)
    : code === 0
    ? undefined
    : { kind: "run" as const, message: NOT_CONFIRMED };
  // The human line stays on stderr (main.ts prints a thrown error's).
  if (error === undefined && failure) ctx.err(`${failure.message}\n`);
  ctx.out(formatSummaryJson({
    command: "erase",
    startedAt,
    seconds,
    ok: code === 0,
    ...(failure ? { error: { kind: failure.kind, message: failure.message } } : {}),
    steps: [{
      step: "erase",
      status: code === 0 ? "ok" : "failed",
      requests: report.client?.stats.requests ?? 0,
      seconds,
      mode: cmd.mode,
      dryRun: cmd.dryRun,
      matched: report.matched,
      erased: report.outcomes.filter((o) => o.result !== "failed").map((o) => o.id),
      failures: failures.map((o) => ({ id: o.id, reason: o.error ?? "" })),
      removedFromCache: report.removed,
      ...(cmd.mode === "anonymize"
        ? { keptUpstream: keptUpstream(cmd.anonymizeFields, cmd.connection.api) }
        : {}),
    }],
  }));
  if (error !== undefined) throw error;
  return code!;
}

/** What the cache loses goes to a change manifest (none is written if nothing changes). */
async function runRequestWithManifest(
  cmd: EraseRequestCommand,
  ctx: RunContext,
  report: EraseReport,
): Promise<number> {
  const changes = cmd.dryRun
    ? undefined
    : openChangeLog(cmd.cacheDir, "erase", new Date(ctx.clock.now()));
  try {
    return await runRequest(cmd, ctx, changes, report);
  } finally {
    await changes?.close(new Date(ctx.clock.now()));
  }
}

async function runRequest(
  cmd: EraseRequestCommand,
  ctx: RunContext,
  changes: ChangeLog | undefined,
  report: EraseReport,
): Promise<number> {
  // Without a terminal nobody can confirm: refuse before sending anything.
  if (!cmd.dryRun && !cmd.yes && !ctx.stdinIsTerminal) {
    throw new UsageError(
      "erase needs --yes when not run from a terminal (there is nobody to confirm); " +
        "run with --dry-run first to see what it would do",
    );
  }
  // Before any request: a file in the cache's place is said at once.
  const hasCache = await cacheFolderExists(cmd.cacheDir);
  // v3 acts as the token's user (sub); v1 sends On-Behalf-Of (the dialect's candidateWrites).
  const client = openClient(actingAs(cmd.connection, String(cmd.onBehalfOf)), ctx);
  report.client = client;
  const writes = client.dialect.candidateWrites;
  checkWritable(writes, cmd.mode, client.dialect.version, cmd.anonymizeFields);
  await checkUser(client, cmd.onBehalfOf);
  if (hasCache && !cmd.dryRun) {
    await withCache(cmd.cacheDir, async (cache) => {
      await finishInterruptedErasures(client, cache, ctx, changes);
    });
  }
  // Greenhouse's search, then the cache's (read-only, before the lock): a person deleted or
  // changed upstream may still be cached, where no search of Greenhouse finds them.
  const matches: Match[] = (await findCandidates(client, cmd.email)).map((candidate) => ({
    candidate,
    foundIn: "api",
  }));
  const cacheOnly: CacheOnly[] = [];
  if (hasCache) {
    const known = new Set(matches.map((m) => m.candidate.id));
    for (const cached of await findInCache(cmd.cacheDir, cmd.email)) {
      if (known.has(cached.id)) continue;
      const upstream = await listedCandidate(client, cached.id);
      // Still there with the address (the search missed it): erased upstream like the others.
      if (upstream && carriesEmail(upstream, cmd.email)) {
        matches.push({ candidate: upstream, foundIn: "cache" });
      } else cacheOnly.push({ cached, upstream });
    }
  }
  report.matched = matches.length + cacheOnly.length;
  // The address is recorded by its HMAC under the cache's key (created on first use).
  const requestIn = async (cache: Cache): Promise<ErasureRequest> => ({
    mode: cmd.mode,
    on_behalf_of: cmd.onBehalfOf,
    email_hmac: emailHmac(await addressKey(cache.dir), cmd.email),
  });

  if (matches.length === 0 && cacheOnly.length === 0) {
    ctx.out("erase: no candidate has this address; nothing to erase\n");
    if (!cmd.dryRun && hasCache) {
      await withCache(
        cmd.cacheDir,
        async (cache) =>
          appendPrivacyLog(
            cache.dir,
            erasureLogEntry(await requestIn(cache), null, "no match", "unchanged", ctx.clock.now()),
          ),
      );
    }
    return 0;
  }
  if (matches.length > 0) {
    const noun = matches.length === 1 ? "candidate has" : "candidates have";
    ctx.out(`${matches.length} ${noun} this address:\n`);
    for (const m of matches) {
      ctx.out(
        `  ${m.candidate.id}  ${personName(m.candidate)}` +
          (m.foundIn === "cache"
            ? "  (found in the local cache; Greenhouse's search missed it)"
            : "") +
          "\n",
      );
    }
  } else ctx.out("erase: Greenhouse's search finds no candidate with this address\n");
  if (cacheOnly.length > 0) {
    ctx.out(`${cacheOnly.length} more only in the local cache ${cmd.cacheDir}:\n`);
    for (const c of cacheOnly) {
      ctx.out(
        `  ${c.cached.id}  ${c.cached.name}  ${
          cacheOnlyAction(c, cmd.dryRun ? "would be" : "to be")
        }\n`,
      );
    }
  }

  const plans = matches.map((m) =>
    planErasure(
      m.candidate,
      cmd.mode,
      cmd.onBehalfOf,
      writes,
      client.dialect.version,
      cmd.anonymizeFields,
    )
  );
  const requests = plans.flat();
  if (cmd.dryRun) {
    ctx.out(
      `\nDry run: these ${requests.length} request(s) would be sent; nothing was changed.\n`,
    );
    const pending = hasCache ? (await readPending(cmd.cacheDir)).length : 0;
    if (pending > 0) {
      ctx.out(
        `(${pending} erasure(s) an interrupted run left unfinished would be finished first)\n`,
      );
    }
    if (cmd.mode === "anonymize") {
      ctx.out("(first_name and last_name are drawn anew from a cryptographic source when sent)\n");
    }
    for (const plan of requests) ctx.out(`\n${formatRequest(plan, client.baseUrl, writes)}\n`);
    if (cmd.mode === "anonymize" && matches.length > 0) {
      const lines = keptLines(keptUpstream(cmd.anonymizeFields, cmd.connection.api), "would keep");
      if (lines.length > 0) ctx.out(`\n${lines.join("\n")}\n`);
    }
    return 0;
  }

  if (!cmd.yes) {
    const verb = cmd.mode === "delete" ? "erase" : "anonymize";
    const upstream = matches.length > 0
      ? `${verb} ${matches.length} candidate${matches.length === 1 ? "" : "s"}`
      : "";
    const local = cacheOnly.length > 0 ? `update ${cacheOnly.length} found only in the cache` : "";
    ctx.err(`Type "yes" to ${[upstream, local].filter((p) => p !== "").join(" and ")}: `);
    const answer = await ctx.readLine();
    if (answer?.trim().toLowerCase() !== "yes") {
      ctx.out(`${NOT_CONFIRMED}\n`);
      return 1;
    }
  }
  if (!hasCache) {
    ctx.err(
      `note: no cache at ${cmd.cacheDir}; only Greenhouse is changed and no privacy log is written\n`,
    );
  }

  // The lock is taken before the first write, so a busy cache stops us before anything changes.
  const outcomes: Outcome[] = report.outcomes;
  const cacheResults = new Map<number, string>();
  const purges = new Map<number, PurgeReport>();
  const kept = cmd.mode === "anonymize"
    ? keptUpstream(cmd.anonymizeFields, cmd.connection.api)
    : [];
  const work = async (cache: Cache | undefined) => {
    // The files written once Greenhouse has acted are checked before it is asked to: a link
    // found only then would leave the person erased upstream but still in the cache.
    if (cache) {
      await refuseLinks(
        [PRIVACY_LOG_FILE, PENDING_ERASURES_FILE, TOMBSTONES_FILE].map((f) => join(cache.dir, f)),
      );
    }
    const request = cache ? await requestIn(cache) : undefined;
    for (let i = 0; i < matches.length; i++) {
      const { candidate, foundIn } = matches[i];
      // Recorded first: a kill after the request leaves the purge to the next erase.
      if (cache && request) {
        await addPending(
          cache.dir,
          pendingErasure(request, candidate, cmd.anonymizeFields, ctx.clock.now()),
        );
      }
      const outcome = await sendErasure(client, candidate, plans[i], cmd.email);
      outcomes.push(outcome);
      // Erased: no later run fetches their résumé or feed again (before the purge, so a kill
      // after it cannot let a sync bring them back; the pending entry covers a kill before).
      if (cache && outcome.result !== "failed") await addTombstones(cache.dir, [outcome.id]);
      let local: PrivacyLogEntry["cache"] = "unchanged";
      let purge: PurgeReport | undefined;
      if (cache && outcome.result === "deleted") {
        purge = await purgeDeleted(cache, candidate, changes);
        local = "purged";
      } else if (cache && outcome.anonymized) {
        purge = await replaceAnonymized(
          cache,
          outcome.anonymized,
          new Date(ctx.clock.now()),
          changes,
        );
        local = purge.replaced ? "replaced" : "purged";
      }
      cacheResults.set(outcome.id, local);
      if (purge) {
        purges.set(outcome.id, purge);
        countRemoved(report.removed, purge);
      }
      if (cache && request) {
        await appendPrivacyLog(
          cache.dir,
          erasureLogEntry(request, outcome.id, outcome.result, local, ctx.clock.now(), {
            found_in: foundIn,
            ...(cmd.anonymizeFields && outcome.result === "anonymized"
              ? { anonymized_fields: [...cmd.anonymizeFields] }
              : {}),
            ...(outcome.result === "anonymized" ? { kept_upstream: kept.map((k) => k.list) } : {}),
          }),
        );
        await clearPending(cache.dir, outcome.id);
      }
    }
    if (cache && request) {
      for (const c of cacheOnly) {
        const result = await settleCacheOnly(cache, c, ctx, changes);
        if (result.purge) countRemoved(report.removed, result.purge);
        await appendPrivacyLog(
          cache.dir,
          erasureLogEntry(request, c.cached.id, result.result, result.cache, ctx.clock.now(), {
            found_in: "cache",
          }),
        );
      }
    }
  };
  if (hasCache) await withCache(cmd.cacheDir, work);
  else await work(undefined);

  const done = outcomes.filter((o) => o.result !== "failed");
  const failed = outcomes.filter((o) => o.result === "failed");
  const past = cmd.mode === "delete" ? "deleted" : "anonymized";
  for (const o of outcomes) {
    const local = hasCache
      ? `, cache ${cacheResults.get(o.id)}${removedText(purges.get(o.id))}`
      : "";
    ctx.out(
      o.result === "failed"
        ? `  ${o.id}  NOT ${past}: ${o.error}\n`
        : `  ${o.id}  ${past}${local}\n`,
    );
  }
  for (const c of cacheOnly) {
    ctx.out(`  ${c.cached.id}  only in the cache: ${cacheOnlyAction(c, "done")}\n`);
  }
  if (outcomes.some((o) => o.result === "anonymized")) {
    for (const line of keptLines(kept, "keeps")) ctx.out(`${line}\n`);
  }
  ctx.out(
    `erase: ${done.length} of ${outcomes.length} candidates ${past}` +
      (failed.length ? `; NOT ${past}: ${failed.map((o) => o.id).join(", ")}` : "") +
      (cacheOnly.length
        ? `; ${cacheOnly.length} found only in the local cache, updated there`
        : "") +
      "\n",
  );
  if (failed.length) {
    throw new RunError(
      `${failed.length} of ${outcomes.length} candidates were not ${past} ` +
        `(${failed.map((o) => o.id).join(", ")}): check them in Greenhouse, then run erase again`,
    );
  }
  return 0;
}

/**
 * The local part of a cache-only match (with the lock held): gone upstream, every cached trace
 * goes and the id is tombstoned (nothing to fetch ever again); still upstream under another
 * address, the cached record is replaced by Greenhouse's, which no longer holds this one.
 */
async function settleCacheOnly(
  cache: Cache,
  c: CacheOnly,
  ctx: RunContext,
  changes: ChangeLog | undefined,
): Promise<Pick<PrivacyLogEntry, "result" | "cache"> & { purge?: PurgeReport }> {
  if (c.upstream === undefined) {
    await addTombstones(cache.dir, [c.cached.id]);
    const purge = await purgeDeleted(cache, c.cached.record, changes);
    return { result: "gone upstream", cache: "purged", purge };
  }
  const candidates = await cache.folder(CANDIDATES_FOLDER, ENTITIES.candidates.moniker);
  await changes?.record(CANDIDATES_FOLDER, "changed", [c.cached.id]);
  await candidates.writeRecords([c.upstream], new Date(ctx.clock.now()));
  await candidates.commit();
  return { result: "changed upstream", cache: "replaced" };
}

async function withCache<T>(dir: string, fn: (cache: Cache) => Promise<T>): Promise<T> {
  const cache = await openCache(dir);
  try {
    return await fn(cache);
  } finally {
    await cache.close();
  }
}

function pendingErasure(
  request: ErasureRequest,
  candidate: ApiRecord,
  anonymizeFields: readonly string[] | undefined,
  now: number,
): PendingErasure {
  const ids: unknown[] = Array.isArray(candidate.application_ids) ? candidate.application_ids : [];
  return {
    candidate_id: candidate.id,
    mode: request.mode,
    application_ids: ids.filter((id) => isPositiveId(id)),
    on_behalf_of: request.on_behalf_of,
    email_hmac: request.email_hmac,
    ...(anonymizeFields ? { anonymize_fields: [...anonymizeFields] } : {}),
    since: new Date(now).toISOString(),
  };
}
