/**
 * `access`: the subject-access bundle for an address: the candidates carrying it and their
 * applications (and, on request, activity feeds and attachments), as files in --out DIR or one
 * JSON document on stdout. Reads only; changes nothing upstream or in the cache.
 */
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
import { exists } from "../files.ts";

export interface AccessCommand {
  kind: "access";
  email: string;
  out?: string;
  activity: boolean;
  attachments: boolean;
  cacheDir: string;
  connection: Connection;
}

export const accessSpec: CommandSpec<AccessCommand> = {
  name: "access",
  summary: "Export everything Greenhouse holds on the candidates with an e-mail address",
  usage: "access --email ADDRESS [--out DIR] [--include-activity] [--include-attachments]",
  description: "Searches GET /candidates?email= (case-insensitive, every match) and takes " +
    "their applications (v1: embedded in the candidate; v3: GET /applications?candidate_ids=), " +
    "then searches the local cache too: candidates only the cache still holds (deleted or " +
    "changed upstream) are reported apart, under cache_only. With --out, writes " +
    "candidate_records.json and apps_records.json (plus activity_records.json, " +
    "attachments.json and cache_only.json when they apply) into DIR; otherwise prints one JSON " +
    "document. No match is not an error: the bundle is empty and exit is 0.",
  options: {
    ...emailOptions,
    out: { type: "string" },
    "include-activity": { type: "boolean" },
    "include-attachments": { type: "boolean" },
    ...cacheOptions,
    ...connectionOptions,
  },
  help: [
    ["--email ADDRESS", "The data subject's address (matched trimmed and case-insensitively)"],
    ["--out DIR", "Write the bundle's files into DIR (default: one JSON document on stdout)"],
    ["--include-activity", "Add each candidate's activity feed (activity_records.json)"],
    ["--include-attachments", "Add the candidates' attachments (needs --out)"],
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
    };
  },
};

const NO_MATCH = "access: no candidate has this address; the bundle is empty";

const plural = (n: number, one: string, many = one + "s") => `${n} ${n === 1 ? one : many}`;

export async function runAccess(cmd: AccessCommand, ctx: RunContext): Promise<number> {
  const client = openClient(cmd.connection, ctx);
  const candidates = await findCandidates(client, cmd.email);
  const bundle = await buildBundle(client, candidates, {
    activity: cmd.activity,
    attachments: cmd.attachments,
  });
  // The local cache may still hold people Greenhouse's search no longer finds.
  if (await exists(cmd.cacheDir)) {
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
  if (cmd.out === undefined) {
    ctx.out(JSON.stringify(bundle, null, 2) + "\n");
    if (none) ctx.err(NO_MATCH + "\n");
    return 0;
  }
  const files = await writeBundle(cmd.out, bundle);
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
    if (downloads.failed.length > 0) {
      for (const failure of downloads.failed) ctx.err(`access: ${failure}\n`);
      throw new RunError(
        `access: ${downloads.failed.length} attachment file(s) could not be downloaded (listed above); ` +
          `the rest of the bundle is in ${cmd.out}; run again to retry`,
      );
    }
  }
  const fromCache = cacheOnly === 0 ? "" : `; ${plural(cacheOnly, "more candidate")} only in the ` +
    `local cache (${plural(bundle.cache_only!.apps_records.length, "application")}), ` +
    "deleted or changed in Greenhouse";
  ctx.out(
    none
      ? `${NO_MATCH}; wrote ${files.join(", ")} to ${cmd.out}\n`
      : `access: ${plural(candidates.length, "candidate")} from Greenhouse, ` +
        `${plural(bundle.apps_records.length, "application")}${fromCache}; ` +
        `wrote ${files.join(", ")} to ${cmd.out}\n`,
  );
  return 0;
}
