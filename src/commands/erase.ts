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
import { type Cache, openCache, PRIVACY_LOG_FILE, removeTempFiles } from "../cache/mod.ts";
import { type ApiRecord, personName } from "../entities.ts";
import { RunError, UsageError } from "../errors.ts";
import { emailSha256 } from "../privacy/email.ts";
import {
  checkUser,
  checkWritable,
  type EraseMode,
  formatRequest,
  type Outcome,
  planRequest,
  sendErasure,
} from "../privacy/erase.ts";
import { appendPrivacyLog, erasureLogEntry, type PrivacyLogEntry } from "../privacy/log.ts";
import { emailOption, emailOptions, onBehalfOf } from "./privacy_options.ts";
import { purgeDeleted, replaceAnonymized } from "../privacy/purge.ts";
import { addPending, clearPending, type PendingErasure, readPending } from "../privacy/pending.ts";
import { finishInterruptedErasures } from "../privacy/finish.ts";
import { findCandidates } from "../privacy/search.ts";
import { exists } from "../files.ts";
import { isPositiveId } from "../ids.ts";
import { formatSummaryJson } from "../summary.ts";

export interface EraseCommand {
  kind: "erase";
  email: string;
  mode: EraseMode;
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
  usage: "erase --email ADDRESS --mode delete|anonymize --on-behalf-of USER_ID [--dry-run] [--yes]",
  description: "Searches GET /candidates?email= (case-insensitive, every match), lists the " +
    "matches, asks for confirmation (on a terminal; otherwise --yes is required), then sends " +
    "DELETE /candidates/{id} or an anonymising PATCH /candidates/{id} for each, with the " +
    "On-Behalf-Of header. The cache then forgets what was erased, and each action is appended " +
    `to <cache>/${PRIVACY_LOG_FILE} (with a SHA-256 of the address, never the address). ` +
    "Exit 1 if any candidate could not be erased, naming which.",
  options: {
    ...emailOptions,
    mode: { type: "string" },
    "on-behalf-of": { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    json: { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
  },
  help: [
    ["--email ADDRESS", "The data subject's address (matched trimmed and case-insensitively)"],
    ["--mode delete|anonymize", "Delete the candidates, or anonymise them (names randomised)"],
    [
      "--on-behalf-of USER_ID",
      "Greenhouse user the writes are made for (env GREENHOUSE_ON_BEHALF_OF)",
    ],
    ["--dry-run", "Print the exact requests and change nothing, upstream or local"],
    ["--yes", "Do not ask for confirmation (required without a terminal)"],
    ["--json", "Print the summary as one JSON document (fields in docs/commands.md)"],
    ...cacheHelp,
    ...connectionHelp,
  ],
  parse(values, _positionals, env) {
    const email = emailOption(values, "erase");
    const mode = values.mode;
    if (mode !== "delete" && mode !== "anonymize") {
      throw new UsageError(
        mode === undefined
          ? "erase needs --mode delete or --mode anonymize"
          : `--mode "${mode}" must be delete or anonymize`,
      );
    }
    return {
      kind: "erase",
      email,
      mode,
      onBehalfOf: onBehalfOf(values, env),
      dryRun: values["dry-run"] === true,
      yes: values.yes === true,
      cacheDir: cacheDir(values, env),
      connection: connection(values, env),
      json: values.json === true,
    };
  },
};

/** What `erase --json` reports, filled in as the erasure goes. */
interface EraseReport {
  client?: { stats: { requests: number } };
  matched: number;
  outcomes: Outcome[];
}

export async function runErase(cmd: EraseCommand, ctx: RunContext): Promise<number> {
  const report: EraseReport = { matched: 0, outcomes: [] };
  if (!cmd.json) return await erase(cmd, ctx, report);
  const startedAt = new Date(ctx.clock.now());
  let code: number | undefined;
  let error: unknown;
  try {
    code = await erase(cmd, { ...ctx, out: () => {} }, report);
  } catch (thrown) {
    if (thrown instanceof UsageError) throw thrown; // one line on stderr, nothing on stdout
    error = thrown;
  }
  const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
  const failures = report.outcomes.filter((o) => o.result === "failed");
  ctx.out(formatSummaryJson({
    command: "erase",
    startedAt,
    seconds,
    ok: code === 0,
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
    }],
  }));
  if (error !== undefined) throw error;
  return code!;
}

async function erase(cmd: EraseCommand, ctx: RunContext, report: EraseReport): Promise<number> {
  // Without a terminal nobody can confirm: refuse before sending anything.
  if (!cmd.dryRun && !cmd.yes && !ctx.stdinIsTerminal) {
    throw new UsageError(
      "erase needs --yes when not run from a terminal (there is nobody to confirm); " +
        "run with --dry-run first to see what it would do",
    );
  }
  // v3 acts as the token's user (sub); v1 sends On-Behalf-Of (the dialect's candidateWrites).
  const client = openClient(actingAs(cmd.connection, String(cmd.onBehalfOf)), ctx);
  report.client = client;
  const writes = client.dialect.candidateWrites;
  checkWritable(writes, cmd.mode, client.dialect.version);
  await checkUser(client, cmd.onBehalfOf);
  const hasCache = await exists(cmd.cacheDir);
  if (hasCache && !cmd.dryRun) {
    await withCache(cmd.cacheDir, async (cache) => {
      await removeTempFiles(cache.dir);
      await finishInterruptedErasures(client, cache, ctx);
    });
  }
  const matches = await findCandidates(client, cmd.email);
  report.matched = matches.length;
  const hash = emailSha256(cmd.email);
  const request = { mode: cmd.mode, on_behalf_of: cmd.onBehalfOf, email_sha256: hash };

  if (matches.length === 0) {
    ctx.out("erase: no candidate has this address; nothing to erase\n");
    if (!cmd.dryRun && hasCache) {
      await withCache(
        cmd.cacheDir,
        (cache) =>
          appendPrivacyLog(
            cache.dir,
            erasureLogEntry(request, null, "no match", "unchanged", ctx.clock.now()),
          ),
      );
    }
    return 0;
  }
  const noun = matches.length === 1 ? "candidate has" : "candidates have";
  ctx.out(`${matches.length} ${noun} this address:\n`);
  for (const c of matches) ctx.out(`  ${c.id}  ${personName(c)}\n`);

  const plans = matches.map((c) => planRequest(c, cmd.mode, cmd.onBehalfOf, writes));
  if (cmd.dryRun) {
    ctx.out(`\nDry run: these ${plans.length} request(s) would be sent; nothing was changed.\n`);
    const pending = hasCache ? (await readPending(cmd.cacheDir)).length : 0;
    if (pending > 0) {
      ctx.out(
        `(${pending} erasure(s) an interrupted run left unfinished would be finished first)\n`,
      );
    }
    if (cmd.mode === "anonymize") {
      ctx.out("(first_name and last_name are drawn anew from a cryptographic source when sent)\n");
    }
    for (const plan of plans) ctx.out(`\n${formatRequest(plan, client.baseUrl, writes)}\n`);
    return 0;
  }

  if (!cmd.yes) {
    const verb = cmd.mode === "delete" ? "erase" : "anonymize";
    ctx.err(
      `Type "yes" to ${verb} ${matches.length} candidate${matches.length === 1 ? "" : "s"}: `,
    );
    const answer = await ctx.readLine();
    if (answer?.trim().toLowerCase() !== "yes") {
      ctx.out("erase: not confirmed; nothing was changed\n");
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
  const work = async (cache: Cache | undefined) => {
    for (let i = 0; i < matches.length; i++) {
      // Recorded first: a kill after the request leaves the purge to the next erase.
      if (cache) {
        await addPending(cache.dir, pendingErasure(cmd, hash, matches[i], ctx.clock.now()));
      }
      const outcome = await sendErasure(client, matches[i], plans[i], cmd.email);
      outcomes.push(outcome);
      let local: PrivacyLogEntry["cache"] = "unchanged";
      if (cache && outcome.result === "deleted") {
        await purgeDeleted(cache, matches[i]);
        local = "purged";
      } else if (cache && outcome.anonymized) {
        const report = await replaceAnonymized(
          cache,
          outcome.anonymized,
          new Date(ctx.clock.now()),
        );
        local = report.replaced ? "replaced" : "purged";
      }
      cacheResults.set(outcome.id, local);
      if (cache) {
        await appendPrivacyLog(
          cache.dir,
          erasureLogEntry(request, outcome.id, outcome.result, local, ctx.clock.now()),
        );
        await clearPending(cache.dir, outcome.id);
      }
    }
  };
  if (hasCache) await withCache(cmd.cacheDir, work);
  else await work(undefined);

  const done = outcomes.filter((o) => o.result !== "failed");
  const failed = outcomes.filter((o) => o.result === "failed");
  const past = cmd.mode === "delete" ? "deleted" : "anonymized";
  for (const o of outcomes) {
    const local = hasCache ? `, cache ${cacheResults.get(o.id)}` : "";
    ctx.out(
      o.result === "failed"
        ? `  ${o.id}  NOT ${past}: ${o.error}\n`
        : `  ${o.id}  ${past}${local}\n`,
    );
  }
  ctx.out(
    `erase: ${done.length} of ${outcomes.length} candidates ${past}` +
      (failed.length ? `; NOT ${past}: ${failed.map((o) => o.id).join(", ")}` : "") + "\n",
  );
  if (failed.length) {
    throw new RunError(
      `${failed.length} of ${outcomes.length} candidates were not ${past} ` +
        `(${failed.map((o) => o.id).join(", ")}): check them in Greenhouse, then run erase again`,
    );
  }
  return 0;
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
  cmd: EraseCommand,
  hash: string,
  candidate: ApiRecord,
  now: number,
): PendingErasure {
  const ids: unknown[] = Array.isArray(candidate.application_ids) ? candidate.application_ids : [];
  return {
    candidate_id: candidate.id,
    mode: cmd.mode,
    application_ids: ids.filter((id) => isPositiveId(id)),
    on_behalf_of: cmd.onBehalfOf,
    email_sha256: hash,
    since: new Date(now).toISOString(),
  };
}
