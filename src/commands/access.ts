/**
 * `access`: the subject-access bundle for an address: the candidates carrying it, their
 * applications and their records in the other lists holding personal data (and, on request,
 * activity feeds and attachments), as files in --out DIR or one JSON document on stdout. Reads
 * only; changes nothing upstream or in the cache.
 */
import { cacheFolderExists } from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import type { CommandSpec } from "../cli/spec.ts";
import {
  cacheDir,
  cacheHelp,
  cacheOptions,
  type Connection,
  connection,
  connectionHelp,
  connectionOptions,
} from "../cli/options.ts";
import { openClient } from "../cli/client.ts";
import { RunError, UsageError } from "../errors.ts";
import { buildBundle, downloadAccessFiles, writeBundle } from "../privacy/access.ts";
import { emailOption, emailOptions } from "./privacy_options.ts";
import { findCandidates } from "../privacy/search.ts";
import { findInCache } from "../privacy/cache_search.ts";
import { buildCacheOnly, copyCachedAttachments } from "../privacy/access_cache.ts";
import { formatSummaryJson } from "../summary.ts";
import type { AccessBundle } from "../privacy/access.ts";
import { listTitle } from "../privacy/personal_lists.ts";
import { ENTITIES, type EntityName } from "../entities.ts";

export interface AccessCommand {
  kind: "access";
  email: string;
  out?: string;
  activity: boolean;
  attachments: boolean;
  cacheDir: string;
  connection: Connection;
  /**
   * Print one JSON document (src/summary.ts): with --out the summary instead of the human line,
   * without it the bundle inside the envelope (without --json the bundle alone).
   */
  json?: boolean;
}

export const accessSpec: CommandSpec<AccessCommand> = {
  name: "access",
  summary: "Export everything Greenhouse holds on the candidates with an e-mail address",
  usage: "access --email ADDRESS [--out DIR] [--json] [--include-activity] [--include-attachments]",
  description: "Searches GET /candidates?email= (case-insensitive, every match) and takes " +
    "their applications (v1: embedded in the candidate; v3: GET /applications?candidate_ids=) " +
    "and their records in every other list holding personal data (offers, scorecards, " +
    "interviews, application stages, demographic answers, EEOC; v1 per application, v3 by " +
    "application_ids), then searches the local cache too: candidates only the cache still holds " +
    "(deleted or changed upstream) are reported apart, under cache_only. A list the version " +
    "lacks or the credentials may not read is left out and named, with the permission to " +
    "grant, in unavailable_lists. With --out, writes candidate_records.json, " +
    "apps_records.json, <list>_records.json per other list and unavailable_lists.json (plus " +
    "activity_records.json, attachments.json and cache_only.json when they apply) into DIR; " +
    "otherwise prints one JSON document. No match is not an error: the bundle is empty and " +
    "exit is 0.",
  options: {
    ...emailOptions,
    out: { type: "string" },
    "include-activity": { type: "boolean" },
    "include-attachments": { type: "boolean" },
    json: { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
  },
  help: [
    ["--email ADDRESS", "The data subject's address (matched trimmed and case-insensitively)"],
    ["--out DIR", "Write the bundle's files into DIR (default: one JSON document on stdout)"],
    ["--include-activity", "Add each candidate's activity feed (activity_records.json)"],
    ["--include-attachments", "Add the candidates' attachments (needs --out)"],
    [
      "--json",
      "Print one JSON document (docs/commands.md): with --out the summary, else the bundle in it",
    ],
    ...cacheHelp,
    ...connectionHelp,
  ],
  parse(values, _positionals, env) {
    const email = emailOption(values, "access");
    const out = values.out;
    if (out !== undefined && (typeof out !== "string" || out.trim() === "")) {
      throw new UsageError("--out must name a folder");
    }
    const attachments = values["include-attachments"] === true;
    if (attachments && out === undefined) {
      throw new UsageError("--include-attachments needs --out DIR: files cannot go to stdout");
    }
    return {
      kind: "access",
      email,
      out: out as string | undefined,
      activity: values["include-activity"] === true,
      attachments,
      cacheDir: cacheDir(values, env),
      connection: connection(values, env),
      json: values.json === true,
    };
  },
};

const NO_MATCH = "access: no candidate has this address; the bundle is empty";

const plural = (n: number, one: string, many = one + "s") => `${n} ${n === 1 ? one : many}`;

/** "1 offer, 0 scorecards, 5 scheduled interviews": the records per related list. */
function relatedCounts(related: AccessBundle["related_records"]): string {
  return Object.entries(related)
    .map(([list, records]) =>
      plural(records!.length, ENTITIES[list as EntityName].noun, listTitle(list as EntityName))
    )
    .join(", ");
}

export async function runAccess(cmd: AccessCommand, ctx: RunContext): Promise<number> {
  const startedAt = new Date(ctx.clock.now());
  // Before any request: a file in the cache's place is said at once.
  const hasCache = await cacheFolderExists(cmd.cacheDir);
  const client = openClient(cmd.connection, ctx);
  const candidates = await findCandidates(client, cmd.email);
  const bundle = await buildBundle(client, candidates, {
    activity: cmd.activity,
    attachments: cmd.attachments,
  });
  // The local cache may still hold people Greenhouse's search no longer finds.
  if (hasCache) {
    const known = new Set(candidates.map((c) => c.id as number));
    const cached = (await findInCache(cmd.cacheDir, cmd.email)).filter((c) => !known.has(c.id));
    bundle.cache_only = await buildCacheOnly(cmd.cacheDir, cached, {
      activity: cmd.activity,
      attachments: cmd.attachments && cmd.out !== undefined,
    });
  } else {
    ctx.err(`note: no cache at ${cmd.cacheDir}; only Greenhouse was searched\n`);
  }
  const cacheOnly = bundle.cache_only?.candidate_records.length ?? 0;
  const none = candidates.length === 0 && cacheOnly === 0;
  const leftOut = bundle.unavailable_lists;
  if (cmd.out === undefined) {
    if (cmd.json) {
      // The envelope every --json document has, the bundle inside it.
      const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
      const step = { step: "access", status: "ok" as const, requests: client.stats.requests };
      ctx.out(formatSummaryJson({
        command: "access",
        startedAt,
        seconds,
        steps: [{ ...step, seconds }],
      }, { bundle }));
    } else ctx.out(JSON.stringify(bundle, null, 2) + "\n");
    if (none) ctx.err(NO_MATCH + "\n");
    // The document says it too (unavailable_lists); a person reading stderr should not miss it.
    for (const u of leftOut) ctx.err(`note: access: ${u.list} is not in the bundle: ${u.reason}\n`);
    return 0;
  }
  const files = await writeBundle(cmd.out, bundle);
  let failed: string[] = [];
  if (cmd.attachments) {
    const downloads = await downloadAccessFiles(
      ctx,
      client,
      cmd.out,
      candidates,
      cmd.connection.fileHosts,
    );
    const copied = bundle.cache_only
      ? await copyCachedAttachments(cmd.cacheDir, cmd.out, bundle.cache_only)
      : [];
    files.push(`${downloads.files.length + copied.length} attachment files`);
    failed = downloads.failed;
  }
  const failure = failed.length === 0 ? undefined : new RunError(
    `access: ${failed.length} attachment file(s) could not be downloaded (listed above); ` +
      `the rest of the bundle is in ${cmd.out}; run again to retry`,
  );
  for (const reason of failed) ctx.err(`access: ${reason}\n`);
  if (cmd.json) {
    const seconds = (ctx.clock.now() - startedAt.getTime()) / 1000;
    const counts = (related: AccessBundle["related_records"]) =>
      Object.fromEntries(Object.entries(related).map(([list, r]) => [list, r!.length]));
    ctx.out(formatSummaryJson({
      command: "access",
      startedAt,
      seconds,
      steps: [{
        step: "access",
        status: failure ? "failed" : "ok",
        requests: client.stats.requests,
        seconds,
        ...(failure ? { error: failure.message } : {}),
        candidates: candidates.length,
        applications: bundle.apps_records.length,
        related: counts(bundle.related_records),
        unavailable: leftOut,
        ...(bundle.cache_only
          ? {
            cacheOnly: {
              candidates: cacheOnly,
              applications: bundle.cache_only.apps_records.length,
              related: counts(bundle.cache_only.related_records),
            },
          }
          : {}),
        out: cmd.out,
        files,
        ...(cmd.attachments ? { attachmentFailures: failed } : {}),
      }],
      ...(failure ? { error: { kind: "run" as const, message: failure.message } } : {}),
    }));
  }
  if (failure) throw failure;
  if (cmd.json) return 0;
  const fromCache = cacheOnly === 0 ? "" : `; ${plural(cacheOnly, "more candidate")} only in the ` +
    `local cache (${plural(bundle.cache_only!.apps_records.length, "application")}` +
    (Object.keys(bundle.cache_only!.related_records).length > 0
      ? `, ${relatedCounts(bundle.cache_only!.related_records)}`
      : "") +
    "), deleted or changed in Greenhouse";
  const other = Object.keys(bundle.related_records).length > 0
    ? `, ${relatedCounts(bundle.related_records)}`
    : "";
  const missing = leftOut.length === 0
    ? ""
    : `; not in the bundle: ${leftOut.map((u) => u.list).join(", ")} (why: unavailable_lists.json)`;
  ctx.out(
    none
      ? `${NO_MATCH}; wrote ${files.join(", ")} to ${cmd.out}\n`
      : `access: ${plural(candidates.length, "candidate")} from Greenhouse, ` +
        `${plural(bundle.apps_records.length, "application")}${other}${missing}${fromCache}; ` +
        `wrote ${files.join(", ")} to ${cmd.out}\n`,
  );
  return 0;
}
