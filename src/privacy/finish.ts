/**
 * Finishing what an interrupted `erase` left: see pending.ts. Shared by `erase` (first thing,
 * whatever the address) and `sync` (which runs on a schedule), so a cached copy of an erased person
 * does not outlive the run that was killed.
 */
import { addTombstones, type Cache, type ChangeLog } from "../cache/mod.ts";
import type { RunContext } from "../context.ts";
import type { HarvestClient } from "../harvest/mod.ts";
import { listedCandidate } from "./lookup.ts";
import { readAddressKey } from "./address_key.ts";
import { carriesDigest } from "./email.ts";
import { appendPrivacyLog, erasureLogEntry, type PrivacyLogEntry } from "./log.ts";
import { clearPending, readPending } from "./pending.ts";
import { purgeDeleted, replaceAnonymized } from "./purge.ts";
import { keptUpstream } from "./anonymize.ts";

/**
 * Finishes erasures an earlier run recorded but did not see through (it was killed after sending
 * the request): Greenhouse says what happened. A candidate that is gone is purged from the cache;
 * one that no longer carries the address was anonymised, and its record replaces the cached one;
 * one unchanged was never reached, and the record is dropped. Each finished one is logged.
 * Callers sweep the cache folder's temporaries first (a kill can leave one of the pending file).
 * What the cache loses or has replaced is recorded in `changes`, the caller's manifest.
 */
export async function finishInterruptedErasures(
  client: HarvestClient,
  cache: Cache,
  ctx: RunContext,
  changes?: ChangeLog,
): Promise<void> {
  const list = await readPending(cache.dir);
  if (list.length === 0) return;
  const key = await readAddressKey(cache.dir);
  for (const pending of list) {
    const id = pending.candidate_id;
    const record = await listedCandidate(client, id);
    const entry = (result: PrivacyLogEntry["result"], local: PrivacyLogEntry["cache"]) =>
      erasureLogEntry(pending, id, result, local, ctx.clock.now());
    if (record === undefined) {
      await addTombstones(cache.dir, [id]);
      await purgeDeleted(cache, { id, application_ids: pending.application_ids }, changes);
      await appendPrivacyLog(cache.dir, entry("deleted", "purged"));
      ctx.err(`erase: candidate ${id}, deleted by an interrupted run, purged from the cache\n`);
    } else if (pending.mode === "anonymize" && !carriesDigest(record, pending, key)) {
      await addTombstones(cache.dir, [id]);
      const report = await replaceAnonymized(cache, record, new Date(ctx.clock.now()), changes);
      await appendPrivacyLog(cache.dir, {
        ...entry("anonymized", report.replaced ? "replaced" : "purged"),
        ...(pending.anonymize_fields ? { anonymized_fields: pending.anonymize_fields } : {}),
        kept_upstream: keptUpstream(pending.anonymize_fields).map((k) => k.list),
      });
      ctx.err(`erase: candidate ${id}, anonymized by an interrupted run, replaced in the cache\n`);
    } else {
      ctx.err(`erase: an interrupted run had not erased candidate ${id}; nothing to finish\n`);
    }
    await clearPending(cache.dir, id);
  }
}
