/**
 * `check --repair`: acts on an audit Report. Under the cache lock it removes temporary files and
 * bad record files, lets the store's recovery rebuild each damaged folder's index from its valid
 * record files (journal replay, adoption, rows without files dropped), re-fetches every record
 * whose file was missing, corrupt or mismatched (a 404 removes it), and names the candidates
 * whose attachments are incomplete (the command re-downloads them afterwards). A symbolic link
 * where the cache keeps its own folder or file is removed (never what it points to; links.ts) and
 * its data fetched again: a record by id, a whole folder by listing it (the command), feeds and
 * attachments by their commands' code. Files and feeds the record of failures lists are fetched
 * again too, except files refused for a lasting reason (unless `retryFailed`). With `dryRun` it
 * only says what it would do.
 *
 * Nothing is lost on the way:
 * - the records to re-fetch are written to `.repair.json` (repair_file.ts) before any index is
 *   rebuilt, and the file is kept up to date as re-fetches are committed; a repair killed or
 *   interrupted midway is reported by `check` and finished by the next `check --repair`;
 * - an activity feed whose candidate is not in the cache is kept while that candidate is
 *   re-fetched: only the feeds of candidates the API says are gone (404) are removed.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import {
  type ApiRecord,
  ENTITIES,
  type Entity,
  entityListings,
  type EntityName,
  entityPath,
  isEntityName,
} from "../entities.ts";
import {
  ACTIVITY_FEEDS_FOLDER,
  type Cache,
  CANDIDATES_FOLDER,
  type EntityFolder,
  FAILURES_FILE,
  failuresPath,
  INDEX_FILE,
  LOCK_FILE,
  type MonikerOf,
  openCache,
  recordFileName,
  REPAIR_FILE,
  SCHEMA_FILE,
} from "../cache/mod.ts";
import { getRecord, type HarvestClient } from "../harvest/mod.ts";
import type { Clock } from "../clock.ts";
import { throwIfInterrupted } from "../interrupt.ts";
import type { IntegrityKey, Problem, Report, UpstreamKey } from "./report_types.ts";
import { type LinkPlan, planLinks, removeLinks } from "./links.ts";
import { removeIfPresent } from "../files.ts";
import { clearPendingRefetch, type PendingRefetch, writePendingRefetch } from "./repair_file.ts";

export interface RepairOptions {
  dryRun: boolean;
  clock: Clock;
  /** The API client; only created when a record must be re-fetched. */
  client?: () => HarvestClient;
  /**
   * Whether the caller fetches again, once the repair returns, what takes more than a record
   * (it needs the API): attachments, activity feeds, whole folders a link stood in for. The plan
   * then lists "redownload-attachments", "refetch-feeds" and "relist" actions. Otherwise the
   * repair says which command to run.
   */
  refetchAfter: boolean;
  /** Also re-download files refused for a lasting reason (`--retry-failed`). */
  retryFailed?: boolean;
  /** One line per action, as it happens. */
  log: (line: string) => void;
  /** Records re-fetched so far, of how many (for a progress line). */
  onProgress?: (done: number, total: number) => void;
  /** Stops the repair between two re-fetches (what is done is committed and saved first). */
  signal?: AbortSignal;
}

export interface RepairAction {
  action:
    | "remove-temp-files"
    | "remove-stale-lock"
    | "remove-bad-files"
    | "rebuild-index"
    | "refetch"
    | "remove-gone"
    | "remove-orphan-feeds"
    | "keep-feeds"
    | "forget-unreadable-repair"
    | "redownload-attachments"
    | "attachments-pending"
    | "remove-links"
    | "links-left"
    | "remove-failure-record"
    | "relist"
    | "refetch-feeds"
    | "republish-schema";
  entity?: string;
  ids?: number[];
  paths?: string[];
  detail: string;
}

/** The moniker of an adopted activity-feed file (the feed's index rows are keyed by candidate). */
const feedMoniker = () => "";
/** Re-fetched records between two commits (and two saves of `.repair.json`). */
const COMMIT_EVERY = 100;

const REBUILD_KEYS: IntegrityKey[] = [
  "row_without_file",
  "file_without_row",
  "duplicate_index_row",
  "index_unreadable",
  "index_header",
  "index_malformed",
  "uncommitted_journal",
  "invalid_json",
  "id_mismatch",
  "unfinished_repair",
];
const ATTACHMENT_KEYS: IntegrityKey[] = [
  "attachment_no_marker",
  "attachment_size_mismatch",
  "attachment_sha_mismatch",
  "attachment_no_file",
];

interface FolderPlan {
  name: string;
  /** Files to delete before the folder's index is rebuilt (corrupt or mismatched). */
  badFiles: number[];
  /** Records to fetch again (entity folders only). */
  refetch: number[];
  rebuild: boolean;
}

export interface RepairPlan {
  tempFiles: string[];
  staleLock: boolean;
  /** Entity folders first, the activity feeds last (they wait for the candidates' re-fetch). */
  folders: FolderPlan[];
  /** Feeds whose candidate is not cached: kept unless the re-fetch finds it gone upstream. */
  orphanFeeds: number[];
  /** `.repair.json` cannot be read: its list is lost, and the file is removed. */
  unreadableRepairFile: boolean;
  /** `.failures.json` cannot be read: it is removed. */
  unreadableFailureRecord: boolean;
  attachmentCandidates: number[];
  /** Links found, and what is done about them (links.ts). */
  links: LinkPlan;
  /** Activity feeds to fetch again: every one, or these candidates'. */
  feeds: number[] | "all";
}

function problemsOf(report: Report, keys: IntegrityKey[]): Problem[] {
  return report.integrity.filter((c) => keys.includes(c.key as IntegrityKey))
    .flatMap((c) => c.problems);
}

function idsOf(report: Report, entity: string, keys: IntegrityKey[]): number[] {
  const ids = new Set<number>();
  for (const p of problemsOf(report, keys)) {
    if (p.entity === entity && p.id !== undefined) ids.add(p.id);
  }
  return [...ids].sort((a, b) => a - b);
}

function union(...lists: number[][]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

/** Candidates whose recorded failures a repair fetches again (lasting ones: `retryFailed`). */
function recordedFailures(report: Report, key: UpstreamKey, retryFailed: boolean): number[] {
  const ids = report.upstream.find((c) => c.key === key)?.problems
    .filter((p) => p.id !== undefined && (retryFailed || !p.lasting))
    .map((p) => p.id!) ?? [];
  return union(ids);
}

export function planRepair(report: Report, opts: { retryFailed?: boolean } = {}): RepairPlan {
  const orphanFeeds = idsOf(report, ACTIVITY_FEEDS_FOLDER, ["orphan_activity_feed"]);
  const links = planLinks(problemsOf(report, ["symlink"]));
  const touched = new Set(problemsOf(report, REBUILD_KEYS).map((p) => p.entity));
  for (const name of links.rebuild) touched.add(name);
  touched.delete("cache");
  // An orphan feed's candidate is re-fetched: if it still exists it is restored with its feed.
  if (orphanFeeds.length > 0) touched.add(CANDIDATES_FOLDER);
  const entityFolders = [...touched].filter((name) => name !== ACTIVITY_FEEDS_FOLDER).sort();
  const folders: FolderPlan[] = entityFolders.map((name) => {
    const badFiles = idsOf(report, name, ["invalid_json", "id_mismatch"]);
    const missing = idsOf(report, name, ["row_without_file", "unfinished_repair"]);
    const restore = name === CANDIDATES_FOLDER ? orphanFeeds : [];
    const linked = links.records.get(name) ?? [];
    return { name, badFiles, refetch: union(badFiles, missing, restore, linked), rebuild: true };
  });
  if (touched.has(ACTIVITY_FEEDS_FOLDER) || orphanFeeds.length > 0) {
    // Feeds are fetched by the activity-feed command: a corrupt one is removed.
    const badFiles = idsOf(report, ACTIVITY_FEEDS_FOLDER, ["invalid_json"]);
    folders.push({ name: ACTIVITY_FEEDS_FOLDER, badFiles, refetch: [], rebuild: true });
  }
  const unreadableRepairFile = problemsOf(report, ["unfinished_repair"])
    .some((p) => p.entity === "cache");
  const retryFailed = opts.retryFailed === true;
  const failedFeeds = recordedFailures(report, "feed_not_fetched", retryFailed);
  return {
    tempFiles: problemsOf(report, ["temp_file"]).map((p) => p.path),
    staleLock: report.lock === "stale",
    folders,
    orphanFeeds,
    unreadableRepairFile,
    unreadableFailureRecord: problemsOf(report, ["failure_record_unreadable"]).length > 0,
    attachmentCandidates: union(
      idsOf(report, "attachments", ATTACHMENT_KEYS),
      links.attachments,
      recordedFailures(report, "attachment_not_downloaded", retryFailed),
    ),
    links,
    feeds: links.feeds === "all" ? "all" : union(links.feeds, failedFeeds),
  };
}

export function isEmptyPlan(plan: RepairPlan): boolean {
  const { links } = plan;
  return plan.tempFiles.length === 0 && !plan.staleLock && plan.folders.length === 0 &&
    plan.attachmentCandidates.length === 0 && !plan.unreadableRepairFile &&
    !plan.unreadableFailureRecord && links.remove.length === 0 && links.kept.length === 0 &&
    plan.feeds.length === 0;
}

function listIds(ids: number[], max = 25): string {
  const shown = ids.slice(0, max).join(", ");
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

export function attachmentsCommand(ids: number[]): string {
  return `attachments --candidates ${ids.join(",")}`;
}

/** What a repair run shares while it works through the folders. */
interface Repair {
  report: Report;
  opts: RepairOptions;
  cache: Cache | undefined;
  act: (action: RepairAction) => void;
  /** Still to re-fetch, per folder; saved to `.repair.json` as re-fetches are committed. */
  pending: PendingRefetch;
  refetched: number;
  toRefetch: number;
  /** Candidates whose feed is kept while they are re-fetched. */
  orphanFeeds: Set<number>;
  /** Candidates the API says are gone: their feeds go too. */
  goneCandidates: number[];
}

/** Carries out (or, with dryRun, describes) the plan. Returns the actions, in order. */
export async function repairCache(
  report: Report,
  opts: RepairOptions,
): Promise<RepairAction[]> {
  if (report.lock === "held") {
    throw new RunError(
      `cache ${report.cacheDir} is locked by a run that is still active; ` +
        "run check --repair again when it has finished",
    );
  }
  const plan = planRepair(report, { retryFailed: opts.retryFailed });
  const actions: RepairAction[] = [];
  const would = opts.dryRun ? "would " : "";
  const act = (action: RepairAction) => {
    actions.push(action);
    opts.log(`${would}${action.detail}`);
  };
  if (isEmptyPlan(plan)) return actions;
  // Links first: before the lock is taken (one may stand in for the lock file) and before any
  // folder is opened (the store refuses a folder that holds one).
  await handleLinks(report.cacheDir, plan.links, opts, act);

  const pending: PendingRefetch = new Map(
    plan.folders.filter((f) => f.refetch.length > 0).map((f) => [f.name, f.refetch]),
  );
  const repair: Repair = {
    report,
    opts,
    cache: undefined,
    act,
    pending,
    refetched: 0,
    toRefetch: [...pending.values()].reduce((n, ids) => n + ids.length, 0),
    orphanFeeds: new Set(plan.orphanFeeds),
    goneCandidates: [],
  };
  try {
    if (!opts.dryRun) {
      repair.cache = await openCache(report.cacheDir, { clock: opts.clock });
      // Before any index drops a row: the list of what must come back.
      await writePendingRefetch(report.cacheDir, pending, new Date(opts.clock.now()));
    }
    if (repair.cache) {
      for (const path of plan.tempFiles) await removeIfPresent(join(report.cacheDir, path));
    }
    reportLeftovers(repair, plan);
    await forgetUnreadable(repair, plan);
    for (const folder of plan.folders) {
      if (folder.name === ACTIVITY_FEEDS_FOLDER) await repairFeeds(repair, folder, plan);
      else await repairFolder(repair, folder);
    }
    if (repair.cache) await clearPendingRefetch(report.cacheDir);
  } finally {
    await repair.cache?.close();
  }
  listFollowUps(plan, opts, act);
  listAttachmentsFollowUp(plan.attachmentCandidates, opts, act, actions);
  return actions;
}

/** Removes the root files that cannot be read (the lists they held cannot be known). */
async function forgetUnreadable(repair: Repair, plan: RepairPlan): Promise<void> {
  const { opts, act, report } = repair;
  if (plan.unreadableFailureRecord) {
    if (repair.cache) await removeIfPresent(failuresPath(report.cacheDir));
    act({
      action: "remove-failure-record",
      paths: [FAILURES_FILE],
      detail: `${opts.dryRun ? "remove" : "removed"} the unreadable ${FAILURES_FILE}: the next ` +
        "full `activity_feeds` and `attachments` runs ask for what it listed",
    });
  }
  if (plan.unreadableRepairFile) {
    act({
      action: "forget-unreadable-repair",
      paths: [REPAIR_FILE],
      detail: `${opts.dryRun ? "remove" : "removed"} the unreadable ${REPAIR_FILE}: the ` +
        "records it listed cannot be known; run `sync --full` to fetch everything again",
    });
  }
}

/** The attachments to download again: an action for the command, or the command to run. */
function listAttachmentsFollowUp(
  candidates: number[],
  opts: RepairOptions,
  act: (action: RepairAction) => void,
  actions: RepairAction[],
): void {
  if (candidates.length > 0) {
    if (opts.refetchAfter) {
      const verb = opts.dryRun ? "re-download" : "re-downloading";
      act({
        action: "redownload-attachments",
        entity: "attachments",
        ids: candidates,
        detail: `${verb} the attachments of candidates ${listIds(candidates)}`,
      });
    } else {
      actions.push({
        action: "attachments-pending",
        entity: "attachments",
        ids: candidates,
        detail: `attachments need re-download: run \`${attachmentsCommand(candidates)}\``,
      });
      opts.log(`attachments need re-download: run \`${attachmentsCommand(candidates)}\``);
    }
  }
}

/**
 * Removes the links (never what they point to) and says so; names those left in place of privacy
 * files. A dry run only says what it would remove.
 */
async function handleLinks(
  cacheDir: string,
  links: LinkPlan,
  opts: RepairOptions,
  act: (action: RepairAction) => void,
): Promise<void> {
  if (links.remove.length > 0) {
    const removed = opts.dryRun ? links.remove : await removeLinks(cacheDir, links.remove);
    act({
      action: "remove-links",
      paths: removed,
      detail: `${opts.dryRun ? "remove" : "removed"} ${removed.length} symbolic link(s), never ` +
        `what they point to: ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ", …" : ""}`,
    });
  }
  if (links.kept.length > 0) {
    const detail = `left the link(s) in place of ${links.kept.join(", ")}: they stand for ` +
      "erasures, which a repair never drops; replace each with the file it points to";
    act({ action: "links-left", paths: links.kept, detail });
  }
}

/**
 * What the command fetches once the repair returns (it needs more than a record): whole folders
 * a link stood in for, their schemas, activity feeds. Listed as actions for it to carry out.
 */
function listFollowUps(
  plan: RepairPlan,
  opts: RepairOptions,
  act: (action: RepairAction) => void,
): void {
  if (!opts.refetchAfter && !opts.dryRun) return;
  const [list, publish, fetch] = opts.dryRun
    ? ["list", "publish", "fetch"]
    : ["listing", "publishing", "fetching"];
  const { relist, republish } = plan.links;
  for (const entity of relist) {
    const files = entity === CANDIDATES_FOLDER ? ", then every attachment again" : "";
    act({
      action: "relist",
      entity,
      detail: `${list} ${entity} again, whole (its folder was a link)${files}`,
    });
  }
  for (const entity of republish.filter((name) => !relist.includes(name))) {
    act({
      action: "republish-schema",
      entity,
      detail: `${publish} ${entity}/${SCHEMA_FILE} again`,
    });
  }
  const { feeds } = plan;
  if (feeds === "all") {
    act({
      action: "refetch-feeds",
      entity: ACTIVITY_FEEDS_FOLDER,
      detail: `${fetch} every cached candidate's activity feed again (the folder was a link)`,
    });
  } else if (feeds.length > 0) {
    act({
      action: "refetch-feeds",
      entity: ACTIVITY_FEEDS_FOLDER,
      ids: feeds,
      detail: `${fetch} the activity feeds of candidates ${listIds(feeds)} again`,
    });
  }
}

/** Says what was done about the stale lock (openCache took it over) and the temporary files. */
function reportLeftovers(repair: Repair, plan: RepairPlan): void {
  const remove = repair.opts.dryRun ? "remove" : "removed";
  if (plan.staleLock) {
    repair.act({ action: "remove-stale-lock", detail: `${remove} the stale lock ${LOCK_FILE}` });
  }
  if (plan.tempFiles.length > 0) {
    repair.act({
      action: "remove-temp-files",
      paths: plan.tempFiles,
      detail: `${remove} ${plan.tempFiles.length} temporary file(s): ${
        plan.tempFiles.slice(0, 5).join(", ")
      }${plan.tempFiles.length > 5 ? ", …" : ""}`,
    });
  }
}

/** Opens (rebuilding) the folder and says what the rebuild did; undefined in a dry run. */
async function rebuild(
  repair: Repair,
  name: string,
  moniker: MonikerOf,
): Promise<EntityFolder | undefined> {
  if (!repair.cache) {
    repair.act({
      action: "rebuild-index",
      entity: name,
      detail: `rebuild ${name}/${INDEX_FILE} from its record files`,
    });
    return undefined;
  }
  const folder = await repair.cache.folder(name, moniker, { reconcile: true });
  const r = folder.recovery;
  const changes = [
    r.adopted.length ? `${r.adopted.length} row(s) added` : "",
    r.droppedRows.length ? `${r.droppedRows.length} row(s) without file dropped` : "",
    r.journalRowsReplayed ? `${r.journalRowsReplayed} journal row(s) replayed` : "",
    r.badLines ? `${r.badLines} bad line(s) dropped` : "",
  ].filter((s) => s !== "");
  repair.act({
    action: "rebuild-index",
    entity: name,
    ids: r.adopted,
    detail: `rebuilt ${name}/${INDEX_FILE} from its record files` +
      (changes.length ? ` (${changes.join(", ")})` : ""),
  });
  return folder;
}

/** Removes bad files (before the rebuild, so it does not adopt them); says so. */
async function removeBadFiles(repair: Repair, name: string, ids: number[], what: string) {
  if (ids.length === 0) return;
  const dir = join(repair.report.cacheDir, name);
  if (repair.cache) { for (const id of ids) await removeIfPresent(join(dir, recordFileName(id))); }
  repair.act({
    action: "remove-bad-files",
    entity: name,
    ids,
    detail: `${repair.cache ? "removed" : "remove"} ${name} ${what}: ${listIds(ids)}`,
  });
}

async function repairFolder(repair: Repair, plan: FolderPlan): Promise<void> {
  await removeBadFiles(
    repair,
    plan.name,
    plan.badFiles,
    "files that are corrupt or hold another id",
  );
  const entity = isEntityName(plan.name) ? ENTITIES[plan.name as EntityName] : undefined;
  if (!entity) return;
  const folder = await rebuild(repair, plan.name, entity.moniker);
  if (plan.refetch.length === 0) return;
  if (folder) await refetchRecords(repair, plan, folder, entity);
  else describeRefetch(repair, plan, entity);
}

/** A dry run: which records would be fetched again, and how. */
function describeRefetch(repair: Repair, plan: FolderPlan, entity: Entity): void {
  const kept = plan.name === CANDIDATES_FOLDER
    ? plan.refetch.filter((id) => repair.orphanFeeds.has(id))
    : [];
  repair.act({
    action: "refetch",
    entity: plan.name,
    ids: plan.refetch,
    detail:
      `re-fetch ${plan.name} ${listIds(plan.refetch)} (${
        entity.listLookup ? `from a listing of ${entity.path}` : `GET ${entity.path}/{id}`
      })` +
      (kept.length > 0 ? "; their activity feeds are kept unless they are gone upstream" : ""),
  });
}

/**
 * One record by id the dialect's way: v1 GET {path}/{id}, v3 GET {path}?ids={id}; or, for a v1
 * list without a single-record GET, from one listing of it (made once, on first use). Every
 * variant of the listing is asked (v3 job posts: active, then deleted ones): a record a default
 * hides is not gone.
 */
function recordLookup(client: HarvestClient, entity: Entity, signal?: AbortSignal) {
  const path = entityPath(entity, client.dialect);
  const listings = entityListings(entity, client.dialect);
  const byListing = client.dialect.version === "v1" && entity.listLookup === true;
  let listed: Map<number, ApiRecord> | undefined;
  const lookUp = async (id: number) => {
    if (!byListing) {
      for (const params of client.dialect.recordQuery(path, id).list ? listings : [{}]) {
        const found = await getRecord(client, path, id, params);
        if (found) return found;
      }
      return undefined;
    }
    if (!listed) {
      listed = new Map();
      for (const params of listings) {
        for await (const page of client.paginate(path, params)) {
          throwIfInterrupted(signal);
          for (const record of page.records) listed.set(record?.id, record);
        }
      }
    }
    return listed.get(id);
  };
  return { lookUp, byListing };
}

/**
 * Fetches the plan's records again into the rebuilt folder; a record gone upstream is removed.
 * Commits (and saves what is left to `.repair.json`) every COMMIT_EVERY records and at the end.
 */
async function refetchRecords(
  repair: Repair,
  plan: FolderPlan,
  folder: EntityFolder,
  entity: Entity,
): Promise<void> {
  const { opts } = repair;
  // The command always passes a client when it repairs for real (it parsed the connection).
  if (!opts.client) throw new TypeError("repairCache: re-fetching records needs opts.client");
  const { lookUp, byListing } = recordLookup(opts.client(), entity, opts.signal);
  const fetched: number[] = [];
  const gone: number[] = [];
  let done = 0;
  let goneSinceSave: number[] = [];
  // Commits what was re-fetched (and removes what is gone), then saves what is left to do.
  const save = async () => {
    if (goneSinceSave.length > 0) await folder.remove(goneSinceSave);
    goneSinceSave = [];
    await folder.commit();
    repair.pending.set(plan.name, plan.refetch.slice(done));
    await writePendingRefetch(repair.report.cacheDir, repair.pending, new Date(opts.clock.now()));
  };
  try {
    for (const id of plan.refetch) {
      throwIfInterrupted(opts.signal);
      const body = await lookUpOrSay(lookUp, plan.name, id);
      if (body === undefined) {
        goneSinceSave.push(id);
        gone.push(id);
      } else {
        await folder.writeRecords([body], new Date(opts.clock.now()));
        fetched.push(id);
      }
      done++;
      opts.onProgress?.(++repair.refetched, repair.toRefetch);
      if (done % COMMIT_EVERY === 0) await save();
    }
  } finally {
    await save();
    reportRefetched(repair, plan.name, fetched, gone, byListing);
  }
}

/** The record, or undefined when gone; a failure says what is left to do. */
async function lookUpOrSay(
  lookUp: (id: number) => Promise<ApiRecord | undefined>,
  name: string,
  id: number,
): Promise<ApiRecord | undefined> {
  try {
    return await lookUp(id);
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    throw new RunError(
      `${error.message}; ${name} ${id} and the records after it are still to be ` +
        "re-fetched: run check --repair again",
    );
  }
}

function reportRefetched(
  repair: Repair,
  name: string,
  fetched: number[],
  gone: number[],
  byListing: boolean,
): void {
  if (name === CANDIDATES_FOLDER) repair.goneCandidates.push(...gone);
  if (fetched.length > 0) {
    repair.act({
      action: "refetch",
      entity: name,
      ids: fetched,
      detail: `re-fetched ${name} ${listIds(fetched)}`,
    });
  }
  if (gone.length > 0) {
    repair.act({
      action: "remove-gone",
      entity: name,
      ids: gone,
      detail: `removed ${name} ${listIds(gone)} (gone upstream: ${
        byListing ? "not in its listing" : "404"
      })`,
    });
  }
}

/**
 * The activity feeds, after the candidates' re-fetch: corrupt ones are removed, the index is
 * rebuilt, and feeds whose candidate is gone upstream are removed; the others are kept.
 */
async function repairFeeds(repair: Repair, plan: FolderPlan, repairPlan: RepairPlan) {
  const name = ACTIVITY_FEEDS_FOLDER;
  await removeBadFiles(repair, name, plan.badFiles, "files that are corrupt");
  const folder = await rebuild(repair, name, feedMoniker);
  const orphans = repairPlan.orphanFeeds;
  if (!folder) {
    if (orphans.length > 0) {
      repair.act({
        action: "keep-feeds",
        entity: name,
        ids: orphans,
        detail: `keep the activity feeds of candidates ${listIds(orphans)} (not cached): they ` +
          "are removed only if the re-fetch finds the candidate gone upstream",
      });
    }
    return;
  }
  const gone = new Set(repair.goneCandidates);
  const removed = orphans.filter((id) => gone.has(id));
  if (removed.length > 0) {
    await folder.remove(removed);
    repair.act({
      action: "remove-orphan-feeds",
      entity: name,
      ids: removed,
      detail: `removed the activity feeds of candidates gone upstream: ${listIds(removed)}`,
    });
  }
  await folder.commit();
}
