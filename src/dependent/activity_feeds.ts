/**
 * Activity feeds: `GET /candidates/{id}/activity_feed` for each cached candidate, stored verbatim
 * as `<cache>/activity_feeds/<candidate_id>.json` with an index row (moniker = the candidate's).
 * Requests run `concurrency` at a time through the client, so the shared pacer, not latency,
 * sets the pace. A candidate deleted upstream (404) is reported and skipped.
 */
import {
  candidatesFolder,
  type DependentResult,
  type DependentRun,
  forEachConcurrent,
} from "./run.ts";

export const ACTIVITY_FEEDS_FOLDER = "activity_feeds";
/** Merge the journal into index.csv every this many feeds, so a long run's index stays close. */
const COMMIT_EVERY = 200;

export async function fetchActivityFeeds(
  run: DependentRun,
  candidateIds: number[],
): Promise<DependentResult> {
  const candidates = await candidatesFolder(run.cache);
  // A feed carries no candidate name: an adopted file (no row after a crash) gets an empty moniker
  // until the next run rewrites its row.
  const folder = await run.cache.folder(ACTIVITY_FEEDS_FOLDER, () => "");
  const result: DependentResult = { done: 0, skipped: 0, failed: [] };
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
        const moniker = candidates.row(id)?.moniker ?? "";
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
