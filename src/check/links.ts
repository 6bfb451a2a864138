/**
 * Symbolic links inside the cache, as `check` sees them. The cache never makes a link and never
 * follows one (src/cache/no_follow.ts): every writing command refuses a cache holding one. So a
 * link where the cache keeps its own folder or file is damage, and the audit names it and reads
 * nothing through it (lstat, never stat): a linked `candidates/` would otherwise be audited as if
 * it were the cache's, and a linked attachment folder would silently drop out of the count.
 *
 * `check --repair` removes the link itself (never what it points to) and fetches the data again;
 * a link in place of a privacy file is left for the user (repair.ts).
 */
import { join } from "node:path";
import {
  ACTIVITY_FEEDS_FOLDER,
  attachmentsOwnerOf,
  CANDIDATES_FOLDER,
  CHANGES_FOLDER,
  lstatOrUndefined,
  PRIVACY_FILES,
  ROOT_FILES,
  SCHEMA_FILE,
} from "../cache/mod.ts";
import { ENTITY_NAMES, type EntityName, isEntityName } from "../entities.ts";
import type { Problem } from "./report_types.ts";

/** The names at the cache's root that the cache owns. */
const ROOT_NAMES: ReadonlySet<string> = new Set([
  ...ENTITY_NAMES,
  ACTIVITY_FEEDS_FOLDER,
  CHANGES_FOLDER,
  ...ROOT_FILES,
]);

/** Where a link points, for the report (the target is never opened). */
export async function linkDetail(path: string): Promise<string> {
  let target = "";
  try {
    target = ` to ${await Deno.readLink(path)}`;
  } catch {
    // Unreadable: the link is named all the same.
  }
  return `a symbolic link${target}, which the cache never follows`;
}

/** Whether `path` is a link (false when nothing is there). */
export async function isLink(path: string): Promise<boolean> {
  return (await lstatOrUndefined(path))?.isSymlink === true;
}

/**
 * Reports every link at a name the cache owns at its root; returns those names, so that nothing
 * is read through them.
 */
export async function scanRootLinks(
  cacheDir: string,
  report: (problem: Problem) => void,
): Promise<Set<string>> {
  const linked = new Set<string>();
  try {
    for await (const entry of Deno.readDir(cacheDir)) {
      if (!entry.isSymlink || !ROOT_NAMES.has(entry.name)) continue;
      linked.add(entry.name);
      const folder = isEntityName(entry.name) || entry.name === ACTIVITY_FEEDS_FOLDER;
      report({
        entity: folder ? entry.name : "cache",
        path: entry.name,
        detail: await linkDetail(join(cacheDir, entry.name)),
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return linked;
}

/** What a repair does about the links `check` found. */
export interface LinkPlan {
  /** Links to remove (paths relative to the cache): never what they point to. */
  remove: string[];
  /** Links in place of privacy files: left to the user (they hold erasures). */
  kept: string[];
  /** Entity folders a link stood in for: listed again whole. */
  relist: EntityName[];
  /** Activity feeds to fetch again: every one (the folder was a link) or these candidates'. */
  feeds: number[] | "all";
  /** Records a link stood in for, to re-fetch, by entity folder. */
  records: Map<string, number[]>;
  /** Folders that held a link (their index is rebuilt once it is gone). */
  rebuild: Set<string>;
  /** Entity folders whose schema.json was a link: published again. */
  republish: EntityName[];
  /** Candidates whose attachments a link stood in for: downloaded again. */
  attachments: number[];
}

/** Sorts the links of `problems` (the `symlink` category) into what the repair does. */
export function planLinks(problems: readonly Problem[]): LinkPlan {
  const plan: LinkPlan = {
    remove: [],
    kept: [],
    relist: [],
    feeds: [],
    records: new Map(),
    rebuild: new Set(),
    republish: [],
    attachments: [],
  };
  for (const problem of problems) {
    const [top, name] = problem.path.split("/");
    if (PRIVACY_FILES.includes(problem.path)) {
      plan.kept.push(problem.path);
      continue;
    }
    plan.remove.push(problem.path);
    if (name === undefined) {
      if (isEntityName(top)) plan.relist.push(top);
      if (top === ACTIVITY_FEEDS_FOLDER) plan.feeds = "all";
    } else if (top === CANDIDATES_FOLDER && attachmentsOwnerOf(name) !== undefined) {
      plan.attachments.push(problem.id!);
    } else {
      plan.rebuild.add(top);
      if (top === ACTIVITY_FEEDS_FOLDER && problem.id !== undefined) {
        if (plan.feeds !== "all") plan.feeds.push(problem.id);
      } else if (problem.id !== undefined) {
        plan.records.set(top, [...plan.records.get(top) ?? [], problem.id]);
      } else if (name === SCHEMA_FILE && isEntityName(top)) {
        plan.republish.push(top);
      }
    }
  }
  return plan;
}

/**
 * Removes each link (a path that is no longer a link is left alone: it is not ours to remove).
 * Returns the paths removed.
 */
export async function removeLinks(cacheDir: string, paths: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const path of paths) {
    const full = join(cacheDir, path);
    if (!await isLink(full)) continue;
    await Deno.remove(full); // the link itself: Deno.remove never follows one
    removed.push(path);
  }
  return removed;
}
