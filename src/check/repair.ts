/**
 * `check --repair`: acts on an audit Report. Under the cache lock it removes temporary files and
 * bad record files, lets the store's recovery rebuild each damaged folder's index from its valid
 * record files (journal replay, adoption, rows without files dropped), re-fetches every record
 * whose file was missing, corrupt or mismatched (a 404 removes it), removes activity feeds of
 * candidates no longer cached, and names the candidates whose attachments are incomplete (the
 * command re-downloads them afterwards). With `dryRun` it only says what it would do.
 */
import { join } from "node:path";
import { RunError } from "../errors.ts";
import {
  type ApiRecord,
  ENTITIES,
  entityListParams,
  type EntityName,
  entityPath,
  isEntityName,
} from "../entities.ts";
import {
  ACTIVITY_FEEDS_FOLDER,
  type Cache,
  INDEX_FILE,
  LOCK_FILE,
  openCache,
  recordFileName,
} from "../cache/mod.ts";
import { getRecord, type HarvestClient } from "../harvest/mod.ts";
import type { Clock } from "../clock.ts";
import type { IntegrityKey, Problem, Report } from "./report_types.ts";
import { removeIfPresent } from "../files.ts";

export interface RepairOptions {
  dryRun: boolean;
  clock: Clock;
  /** The API client; only created when a record must be re-fetched. */
  client?: () => HarvestClient;
  /**
   * Whether the caller re-downloads incomplete attachments once the repair returns (it needs the
   * API); the plan then lists a "redownload-attachments" action. Otherwise the repair says which
   * command to run.
   */
  redownloadAttachments: boolean;
  /** One line per action, as it happens. */
  log: (line: string) => void;
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
    | "redownload-attachments"
    | "attachments-pending";
  entity?: string;
  ids?: number[];
  paths?: string[];
  detail: string;
}

/** The moniker of an adopted activity-feed file (the feed's index rows are keyed by candidate). */
const feedMoniker = () => "";

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
  /** Activity feeds to remove (their candidate is gone, or their file is corrupt). */
  removeFeeds: number[];
  rebuild: boolean;
}

export interface RepairPlan {
  tempFiles: string[];
  staleLock: boolean;
  folders: FolderPlan[];
  attachmentCandidates: number[];
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

export function planRepair(report: Report): RepairPlan {
  const touched = new Set(problemsOf(report, REBUILD_KEYS).map((p) => p.entity));
  for (const p of problemsOf(report, ["orphan_activity_feed"])) touched.add(p.entity);
  const folders: FolderPlan[] = [...touched].sort().map((name) => {
    const badFiles = idsOf(report, name, ["invalid_json", "id_mismatch"]);
    const missing = idsOf(report, name, ["row_without_file"]);
    if (name === ACTIVITY_FEEDS_FOLDER) {
      // Feeds are fetched by the activity-feed command: remove what cannot be trusted.
      const orphans = idsOf(report, name, ["orphan_activity_feed"]);
      return {
        name,
        badFiles,
        refetch: [],
        removeFeeds: [...new Set([...orphans, ...badFiles])].sort((a, b) => a - b),
        rebuild: true,
      };
    }
    const refetch = [...new Set([...badFiles, ...missing])].sort((a, b) => a - b);
    return { name, badFiles, refetch, removeFeeds: [], rebuild: true };
  });
  return {
    tempFiles: problemsOf(report, ["temp_file"]).map((p) => p.path),
    staleLock: report.lock === "stale",
    folders,
    attachmentCandidates: idsOf(report, "attachments", ATTACHMENT_KEYS),
  };
}

export function isEmptyPlan(plan: RepairPlan): boolean {
  return plan.tempFiles.length === 0 && !plan.staleLock && plan.folders.length === 0 &&
    plan.attachmentCandidates.length === 0;
}

function listIds(ids: number[], max = 25): string {
  const shown = ids.slice(0, max).join(", ");
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

export function attachmentsCommand(ids: number[]): string {
  return `attachments --candidates ${ids.join(",")}`;
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
  const plan = planRepair(report);
  const actions: RepairAction[] = [];
  const would = opts.dryRun ? "would " : "";
  const remove = opts.dryRun ? "remove" : "removed";
  const act = (action: RepairAction) => {
    actions.push(action);
    opts.log(`${would}${action.detail}`);
  };
  if (isEmptyPlan(plan)) return actions;

  let cache: Cache | undefined;
  try {
    if (!opts.dryRun) cache = await openCache(report.cacheDir, { clock: opts.clock });
    if (plan.staleLock) {
      act({ action: "remove-stale-lock", detail: `${remove} the stale lock ${LOCK_FILE}` });
    }
    if (plan.tempFiles.length > 0) {
      if (!opts.dryRun) {
        for (const path of plan.tempFiles) await removeIfPresent(join(report.cacheDir, path));
      }
      act({
        action: "remove-temp-files",
        paths: plan.tempFiles,
        detail: `${remove} ${plan.tempFiles.length} temporary file(s): ${
          plan.tempFiles.slice(0, 5).join(", ")
        }${plan.tempFiles.length > 5 ? ", …" : ""}`,
      });
    }
    for (const folder of plan.folders) {
      await repairFolder(report.cacheDir, cache, folder, opts, act);
    }
  } finally {
    await cache?.close();
  }

  const candidates = plan.attachmentCandidates;
  if (candidates.length > 0) {
    if (opts.redownloadAttachments) {
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
  return actions;
}

async function repairFolder(
  cacheDir: string,
  cache: Cache | undefined,
  plan: FolderPlan,
  opts: RepairOptions,
  act: (action: RepairAction) => void,
): Promise<void> {
  const dir = join(cacheDir, plan.name);
  const remove = cache ? "removed" : "remove";
  const bad = plan.name === ACTIVITY_FEEDS_FOLDER ? [] : plan.badFiles;
  if (bad.length > 0) {
    // Removed before the index is rebuilt, so the rebuild does not adopt them.
    if (cache) { for (const id of bad) await removeIfPresent(join(dir, recordFileName(id))); }
    act({
      action: "remove-bad-files",
      entity: plan.name,
      ids: bad,
      detail: `${remove} ${plan.name} files that are corrupt or hold another id: ${listIds(bad)}`,
    });
  }
  const entity = isEntityName(plan.name) ? ENTITIES[plan.name as EntityName] : undefined;
  const folder = cache
    ? await cache.folder(plan.name, entity ? entity.moniker : feedMoniker, { reconcile: true })
    : undefined;
  if (folder) {
    const r = folder.recovery;
    const changes = [
      r.adopted.length ? `${r.adopted.length} row(s) added` : "",
      r.droppedRows.length ? `${r.droppedRows.length} row(s) without file dropped` : "",
      r.journalRowsReplayed ? `${r.journalRowsReplayed} journal row(s) replayed` : "",
      r.badLines ? `${r.badLines} bad line(s) dropped` : "",
    ].filter((s) => s !== "");
    act({
      action: "rebuild-index",
      entity: plan.name,
      ids: r.adopted,
      detail: `rebuilt ${plan.name}/${INDEX_FILE} from its record files` +
        (changes.length ? ` (${changes.join(", ")})` : ""),
    });
  } else {
    act({
      action: "rebuild-index",
      entity: plan.name,
      detail: `rebuild ${plan.name}/${INDEX_FILE} from its record files`,
    });
  }

  if (plan.removeFeeds.length > 0) {
    await folder?.remove(plan.removeFeeds);
    act({
      action: "remove-orphan-feeds",
      entity: plan.name,
      ids: plan.removeFeeds,
      detail: `${remove} activity feeds of candidates not in the cache or corrupt: ${
        listIds(plan.removeFeeds)
      }`,
    });
  }

  if (!entity || plan.refetch.length === 0) return;
  if (!folder) {
    act({
      action: "refetch",
      entity: plan.name,
      ids: plan.refetch,
      detail: `re-fetch ${plan.name} ${listIds(plan.refetch)} (${
        entity.listLookup ? `from a listing of ${entity.path}` : `GET ${entity.path}/{id}`
      })`,
    });
    return;
  }
  // The command always passes a client when it repairs for real (it parsed the connection).
  if (!opts.client) throw new TypeError("repairCache: re-fetching records needs opts.client");
  const client = opts.client();
  const fetched: number[] = [];
  const gone: number[] = [];
  // One record by id the dialect's way: v1 GET {path}/{id}, v3 GET {path}?ids={id}; or, for a
  // v1 list without a single-record GET, from one listing of it.
  const path = entityPath(entity, client.dialect);
  const listParams = entityListParams(entity, client.dialect);
  let listed: Map<number, ApiRecord> | undefined;
  const lookUp = async (id: number) => {
    if (client.dialect.version !== "v1" || !entity.listLookup) {
      return await getRecord(client, path, id, listParams);
    }
    if (!listed) {
      listed = new Map();
      for await (const page of client.paginate(path, listParams)) {
        for (const record of page.records) listed.set(record?.id, record);
      }
    }
    return listed.get(id);
  };
  for (const id of plan.refetch) {
    let body;
    try {
      body = await lookUp(id);
    } catch (error) {
      if (!(error instanceof RunError)) throw error;
      throw new RunError(`${error.message}; ${plan.name} ${id} was left as it is`);
    }
    if (body === undefined) {
      gone.push(id);
      continue;
    }
    await folder.writeRecords([body], new Date(opts.clock.now()));
    fetched.push(id);
  }
  if (gone.length > 0) await folder.remove(gone);
  await folder.commit();
  if (fetched.length > 0) {
    act({
      action: "refetch",
      entity: plan.name,
      ids: fetched,
      detail: `re-fetched ${plan.name} ${listIds(fetched)}`,
    });
  }
  if (gone.length > 0) {
    act({
      action: "remove-gone",
      entity: plan.name,
      ids: gone,
      detail: `removed ${plan.name} ${listIds(gone)} (gone upstream: 404)`,
    });
  }
}
