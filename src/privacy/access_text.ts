/** What `access` prints once the bundle is written: its closing line, or its `--json` step. */
import { ENTITIES, type EntityName } from "../entities.ts";
import type { AccessBundle } from "./access.ts";
import type { AccessResult } from "./access_run.ts";
import { listTitle } from "./personal_lists.ts";

export const NO_MATCH = "access: no candidate has this address; the bundle is empty";

const plural = (n: number, one: string, many = one + "s") => `${n} ${n === 1 ? one : many}`;

/** "1 offer, 0 scorecards, 5 scheduled interviews": the records per related list. */
function relatedCounts(related: AccessBundle["related_records"]): string {
  return Object.entries(related)
    .map(([list, records]) =>
      plural(records!.length, ENTITIES[list as EntityName].noun, listTitle(list as EntityName))
    )
    .join(", ");
}

/** The records per related list, as numbers. */
function counts(related: AccessBundle["related_records"]): Record<string, number> {
  return Object.fromEntries(Object.entries(related).map(([list, r]) => [list, r!.length]));
}

/** The candidates found only in the local cache. */
export function cacheOnlyCount({ bundle }: AccessResult): number {
  return bundle.cache_only?.candidate_records.length ?? 0;
}

/** The closing line of `access --out DIR`: what was found and what was written. */
export function formatAccessLine(result: AccessResult, out: string): string {
  const { candidates, bundle, files } = result;
  const cacheOnly = cacheOnlyCount(result);
  if (candidates.length === 0 && cacheOnly === 0) {
    return `${NO_MATCH}; wrote ${files.join(", ")} to ${out}\n`;
  }
  const leftOut = bundle.unavailable_lists;
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
  return `access: ${plural(candidates.length, "candidate")} from Greenhouse, ` +
    `${plural(bundle.apps_records.length, "application")}${other}${missing}${fromCache}; ` +
    `wrote ${files.join(", ")} to ${out}\n`;
}

/** The fields of `access --out DIR --json`'s step (src/summary.ts) after its status. */
export function accessStep(result: AccessResult, out: string, attachments: boolean) {
  const { candidates, bundle, files, failed } = result;
  return {
    candidates: candidates.length,
    applications: bundle.apps_records.length,
    related: counts(bundle.related_records),
    unavailable: bundle.unavailable_lists,
    ...(bundle.cache_only
      ? {
        cacheOnly: {
          candidates: cacheOnlyCount(result),
          applications: bundle.cache_only.apps_records.length,
          related: counts(bundle.cache_only.related_records),
        },
      }
      : {}),
    out,
    files,
    ...(attachments ? { attachmentFailures: failed } : {}),
  };
}
