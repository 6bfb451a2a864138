/**
 * Activity feeds: `GET /candidates/{id}/activity_feed` for each cached candidate, stored verbatim
 * as `<cache>/activity_feeds/<candidate_id>.json` with an index row (moniker = the candidate's).
 * Requests run `concurrency` at a time through the client, so the shared pacer, not latency,
 * sets the pace. A candidate deleted upstream (404) is reported and skipped.
 *
 * When the dialect fetches candidate data in batches (v3), the notes of up to `maxIds`
 * candidates come from one paginated `GET /notes?candidate_ids=…` and each candidate's file is
 * `{"notes": [<v3 note>, …]}` with every item the list has: v3 has no activity feed, and its
 * notes list carries notes, e-mails and activities told apart by `type` (NOTE, EMAIL, ACTIVITY,
 * …), all kept as served. Every candidate asked for gets a file, `{"notes": []}` when it has none
 * (v3 cannot tell a candidate without notes from one deleted upstream).
 */
import { ACTIVITY_FEEDS_FOLDER, type EntityFolder } from "../cache/mod.ts";
import type { CandidateBatch } from "../harvest/mod.ts";
import { listByCandidate } from "./batch.ts";
import {
  candidatesFolder,
  chunk,
  type DependentResult,
  type DependentRun,
  withoutErased,
} from "./run.ts";
import { forEachConcurrent } from "../concurrency.ts";

/** Merge the journal into index.csv every this many feeds, so a long run's index stays close. */
const COMMIT_EVERY = 200;

export async function fetchActivityFeeds(
  run: DependentRun,
  selected: number[],
): Promise<DependentResult> {
  const candidateIds = await withoutErased(run, selected);
  const candidates = await candidatesFolder(run.cache);
  // A feed carries no candidate name: an adopted file (no row after a crash) gets an empty moniker
  // until the next run rewrites its row.
  const folder = await run.cache.folder(ACTIVITY_FEEDS_FOLDER, () => "");
  const result: DependentResult = { done: 0, skipped: 0, failed: [] };
  const batch = run.client.dialect.candidateBatch;
  if (batch) {
    try {
      await fetchNotesBatched(run, batch, candidates, folder, candidateIds, result);
    } finally {
      await folder.commit();
    }
    return result;
  }
  let sinceCommit = 0;
  const total = candidateIds.length;
  try {
    await forEachConcurrent(candidateIds, run.concurrency, async (id) => {
      const response = await run.client.request("GET", `/candidates/${id}/activity_feed`, {
        allowStatus: [404],
      });
      if (response.status === 404) {
        result.skipped++;
        run.ctx.err(
          `activity_feeds: candidate ${id} not found (404, deleted upstream?); skipped\n`,
        );
      } else if (response.body === null || typeof response.body !== "object") {
        result.failed.push({ id, reason: "the activity feed is not a JSON object" });
      } else {
        const moniker = (await candidates.row(id))?.moniker ?? "";
        await folder.writeEntries(
          [{ id, moniker, body: response.body }],
          new Date(run.ctx.clock.now()),
        );
        result.done++;
        if (++sinceCommit >= COMMIT_EVERY) {
          sinceCommit = 0;
          await folder.commit();
        }
      }
      run.onItem?.({ done: result.done + result.skipped + result.failed.length, total });
    });
  } finally {
    await folder.commit();
  }
  return result;
}

/** v3: notes of `maxIds` candidates per paginated request, one file per candidate. */
async function fetchNotesBatched(
  run: DependentRun,
  batch: CandidateBatch,
  candidates: EntityFolder,
  feeds: EntityFolder,
  candidateIds: number[],
  result: DependentResult,
): Promise<void> {
  const total = candidateIds.length;
  await forEachConcurrent(chunk(candidateIds, batch.maxIds), run.concurrency, async (ids) => {
    const notes = await listByCandidate(run.client, batch, batch.notesPath, ids);
    const entries = [];
    for (const [id, list] of notes) {
      entries.push({
        id,
        moniker: (await candidates.row(id))?.moniker ?? "",
        body: { notes: list },
      });
    }
    await feeds.writeEntries(entries, new Date(run.ctx.clock.now()));
    result.done += ids.length;
    // Each batch is a few requests: merge into index.csv after each, like every COMMIT_EVERY feeds.
    await feeds.commit();
    run.onItem?.({ done: result.done, total });
  });
}
