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
 *
 * A candidate (or v3 batch) whose request fails is reported in the result and the step carries
 * on; only `MAX_FAILURES_IN_A_ROW` failures in a row (the key, the network or Greenhouse, not one
 * candidate) stop it. Each failed candidate is put in the cache's record of failures
 * (`.failures.json`, with the reason and time) and taken out again once its feed is fetched, so a
 * later run can ask for it alone. Progress is saved as the step goes (resume.ts), so a run after
 * a kill or an interrupt asks again only for candidates not finished; an interrupt stops between
 * candidates.
 */
import {
  ACTIVITY_FEEDS_FOLDER,
  type EntityFolder,
  FailureRecord,
  recordedReason,
} from "../cache/mod.ts";
import { type CandidateBatch, statusOf } from "../harvest/mod.ts";
import { RunError } from "../errors.ts";
import { throwIfInterrupted } from "../interrupt.ts";
import { listByCandidate } from "./batch.ts";
import type { DependentResult } from "../dependent_result.ts";
import { listScope, StepProgress } from "./resume.ts";
import { ascendingIds, candidatesFolder, chunk, type DependentRun, withoutErased } from "./run.ts";
import { forEachConcurrent } from "../concurrency.ts";

/** Merge the journal into index.csv every this many feeds, so a long run's index stays close. */
const COMMIT_EVERY = 200;
/** Failures in a row that stop the step: past this, it is not one candidate's problem. */
export const MAX_FAILURES_IN_A_ROW = 25;

/** What one step run shares: its folders, its progress and its running result. */
interface FeedsRun {
  run: DependentRun;
  candidates: EntityFolder;
  feeds: EntityFolder;
  progress: StepProgress;
  record: FailureRecord;
  result: DependentResult;
  total: number;
  failuresInARow: number;
}

export async function fetchActivityFeeds(
  run: DependentRun,
  selected: number[],
): Promise<DependentResult> {
  const ids = ascendingIds(await withoutErased(run, selected));
  const candidates = await candidatesFolder(run.cache);
  // A feed carries no candidate name: an adopted file (no row after a crash) gets an empty moniker
  // until the next run rewrites its row.
  const feeds = await run.cache.folder(ACTIVITY_FEEDS_FOLDER, () => "");
  const scope = run.scope ?? listScope(ids);
  const progress = await StepProgress.open(run.cacheDir, "activity_feeds", scope, run.ctx);
  const record = await FailureRecord.open(run.cacheDir, run.ctx.err);
  const state: FeedsRun = {
    run,
    candidates,
    feeds,
    progress,
    record,
    result: { done: 0, skipped: 0, resumed: 0, failed: [] },
    total: ids.length,
    failuresInARow: 0,
  };
  let completed = false;
  reportItem(state);
  try {
    const batch = run.client.dialect.candidateBatch;
    if (batch) await fetchNotesBatched(state, batch, ids);
    else await fetchFeedsOneByOne(state, ids);
    completed = true;
  } finally {
    // What is finished is committed (and its failures recorded) before the progress claims it.
    await feeds.commit();
    if (completed && run.pass) {
      // From the start of the pass: an interrupted run of it may have done part of it.
      const passStart = new Date(progress.startedAt);
      record.completePass("activity_feeds", passStart, run.pass === "full");
    }
    await record.save();
    if (completed) await progress.clear();
    else await progress.save();
  }
  return state.result;
}

/** v1: one request per candidate, `concurrency` in flight. */
async function fetchFeedsOneByOne(state: FeedsRun, ids: number[]): Promise<void> {
  const { run, candidates, feeds, progress, result } = state;
  let sinceCommit = 0;
  await forEachConcurrent(ids, run.concurrency, async (id, index) => {
    throwIfInterrupted(run.ctx.signal);
    if (await progress.coversFeed(id, feeds, candidates)) {
      result.resumed!++;
    } else {
      const feed = await requestFeed(state, id);
      if (feed !== undefined) {
        const moniker = (await candidates.row(id))?.moniker ?? "";
        await feeds.writeEntries([{ id, moniker, body: feed }], new Date(run.ctx.clock.now()));
        result.done++;
      }
    }
    progress.finish(index, id);
    // Cheap (a small file) and what makes a kill repeat nothing: after every candidate. The
    // record is written only when it changed.
    await state.record.save();
    await progress.save();
    if (++sinceCommit >= COMMIT_EVERY) {
      sinceCommit = 0;
      await feeds.commit();
    }
    reportItem(state);
  });
}

/**
 * One candidate's feed; undefined when there is none to write (gone upstream, or failed: then
 * recorded in the result).
 */
async function requestFeed(state: FeedsRun, id: number): Promise<object | undefined> {
  const { run, result } = state;
  let response;
  try {
    response = await run.client.request("GET", `/candidates/${id}/activity_feed`, {
      allowStatus: [404],
    });
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    failed(state, [id], error.message);
    return undefined;
  }
  if (response.status === 404) {
    result.skipped++;
    succeeded(state, [id]);
    run.ctx.err(`activity_feeds: candidate ${id} not found (404, deleted upstream?); skipped\n`);
    return undefined;
  }
  if (response.body === null || typeof response.body !== "object") {
    failed(state, [id], "the activity feed is not a JSON object");
    return undefined;
  }
  succeeded(state, [id]);
  return response.body;
}

/** v3: notes of `maxIds` candidates per paginated request, one file per candidate. */
async function fetchNotesBatched(
  state: FeedsRun,
  batch: CandidateBatch,
  ids: number[],
): Promise<void> {
  const { run, candidates, feeds, progress, result } = state;
  const batches = chunk(ids, batch.maxIds);
  await forEachConcurrent(batches, run.concurrency, async (batchIds, index) => {
    throwIfInterrupted(run.ctx.signal);
    const wanted: number[] = [];
    for (const id of batchIds) {
      if (await progress.coversFeed(id, feeds, candidates)) result.resumed!++;
      else wanted.push(id);
    }
    if (wanted.length > 0) {
      let notes;
      try {
        notes = await listByCandidate(run.client, batch, batch.notesPath, wanted);
      } catch (error) {
        // A missing list (404) is no batch's failure: it stops the step (batch.ts).
        if (!(error instanceof RunError) || statusOf(error) === 404) throw error;
        failed(state, wanted, error.message);
      }
      if (notes) {
        succeeded(state, wanted);
        const entries = [];
        for (const [id, list] of notes) {
          entries.push({
            id,
            moniker: (await candidates.row(id))?.moniker ?? "",
            body: { notes: list },
          });
        }
        await feeds.writeEntries(entries, new Date(run.ctx.clock.now()));
        result.done += wanted.length;
      }
    }
    progress.finish(index, batchIds[batchIds.length - 1]);
    // Each batch is a few requests: merge into index.csv after each, like every COMMIT_EVERY feeds.
    await feeds.commit();
    await state.record.save();
    await progress.save();
    reportItem(state);
  });
}

function reportItem(state: FeedsRun): void {
  const { done, skipped, resumed = 0, failed } = state.result;
  state.run.onItem?.({ done: done + skipped + resumed + failed.length, total: state.total });
}

/** These candidates' feeds were fetched (or they are gone upstream): nothing to retry. */
function succeeded(state: FeedsRun, ids: number[]): void {
  state.failuresInARow = 0;
  for (const id of ids) state.record.replace("activity_feeds", id, []);
}

/** Records failed candidates; too many failures in a row stop the step. */
function failed(state: FeedsRun, ids: number[], reason: string): void {
  const at = new Date(state.run.ctx.clock.now()).toISOString();
  const item = { reason: recordedReason(reason), lasting: false, at };
  for (const id of ids) {
    state.result.failed.push({ id, reason });
    state.progress.fail(id);
    state.record.replace("activity_feeds", id, [{ id, ...item }]);
  }
  if (++state.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
    throw new RunError(
      `activity_feeds: ${state.failuresInARow} requests in a row failed (the last for candidate ` +
        `${ids[ids.length - 1]}: ${reason}); stopping: fix the cause and run again ` +
        "(finished candidates are not asked for again)",
    );
  }
}
