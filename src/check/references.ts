/**
 * `check`'s cross-references, derived from the entity table: for each entity other records name
 * (ENTITIES[…].references), the ids named but not in the cache, and, where a reference asks for
 * it, the cached records that no record names through it. Works on id sets only.
 *
 * A record names ids through its fields, or, for records that do not carry the field (v3
 * scorecards name no candidate), through its index.csv moniker (`Reference.fromMoniker`),
 * which was looked up when the record was written.
 */
import { recordFileName } from "../cache/mod.ts";
import {
  type ApiRecord,
  ENTITIES,
  ENTITY_NAMES,
  type EntityName,
  type Reference,
} from "../entities.ts";
import { positiveId } from "../ids.ts";
import type { CategoryInfo, Problem } from "./report_types.ts";

/** The id sets the audit collects from the record files of the folders that exist. */
export interface ReferenceIds {
  /** The cached ids of each entity some reference names (absent: no such folder). */
  cached: Map<EntityName, Set<number>>;
  /** The ids each reference names, over its entity's cached records (absent: no such folder). */
  named: Map<Reference, Set<number>>;
}

/** One category of cross-reference gaps; `ids` is undefined when a folder it needs is absent. */
export interface CrossReference extends CategoryInfo {
  /** The report category: "<entity>_missing" or "<entity>_without_<naming entity>". */
  key: string;
  /** The entity whose ids the category lists. */
  entity: EntityName;
  detail: string;
  ids(found: ReferenceIds): number[] | undefined;
}

/**
 * What to make of records nothing names through a reference: all are normal in a complete
 * cache (so they never fail the check); the advice says why.
 */
const UNNAMED_ADVICE: Record<string, string> = {
  candidates_without_applications: "normal for prospects; or extract applications",
  jobs_without_applications: "normal for new or closed jobs",
  candidates_without_scorecards: "normal for candidates not yet interviewed",
};

interface Naming {
  /** The entity whose records carry the reference. */
  from: EntityName;
  reference: Reference;
}

const byId = (a: number, b: number) => a - b;

/** "scheduled interview" → "Scheduled interviews". */
const plural = (noun: string) => noun.endsWith("s") ? noun : `${noun}s`;
const capital = (text: string) => text[0].toUpperCase() + text.slice(1);

/** "applications", "offers or scorecards": names joined by commas and a final "or". */
function wordList(words: string[]): string {
  if (words.length === 1) return words[0];
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** "an application", "an offer or a scorecard" → "an application, offer or scorecard". */
function nounList(nouns: string[]): string {
  // "an application", "an EEOC response", but "a user".
  const first = `${/^(?:[aeio]|u(?!s)|E)/.test(nouns[0]) ? "an" : "a"} ${nouns[0]}`;
  const rest = nouns.slice(1);
  if (rest.length === 0) return first;
  return [first, ...rest.slice(0, -1)].join(", ") + ` or ${rest[rest.length - 1]}`;
}

function crossReferencesOf(entities: typeof ENTITIES): CrossReference[] {
  const out: CrossReference[] = [];
  for (const target of ENTITY_NAMES) {
    const namings: Naming[] = ENTITY_NAMES.flatMap((from) =>
      entities[from].references.filter((r) => r.entity === target).map((reference) => ({
        from,
        reference,
      }))
    );
    if (namings.length === 0) continue;
    const noun = entities[target].noun;
    for (const { from, reference } of namings.filter((n) => n.reference.listUnnamed)) {
      const key = `${target}_without_${from}`;
      out.push({
        key,
        title: `${capital(plural(noun))} without ${plural(entities[from].noun)}`,
        advice: UNNAMED_ADVICE[key] ?? "normal in a complete cache",
        informational: true,
        entity: target,
        detail: `no ${entities[from].noun} names this ${noun}`,
        ids(found) {
          const cached = found.cached.get(target);
          const named = found.named.get(reference);
          if (!cached || !named) return undefined;
          return [...cached].filter((id) => !named.has(id)).sort(byId);
        },
      });
    }
    const namers = [...new Set(namings.map((n) => plural(entities[n.from].noun)))];
    out.push({
      key: `${target}_missing`,
      title: `${capital(plural(noun))} named by ${wordList(namers)} but missing`,
      advice: `extract ${target} (without a date filter, or with a wider one)`,
      entity: target,
      detail: `named by ${nounList(namings.map((n) => entities[n.from].noun))}, ` +
        "but not in the cache",
      ids(found) {
        const cached = found.cached.get(target);
        if (!cached) return undefined;
        const missing = new Set<number>();
        for (const { reference } of namings) {
          for (const id of found.named.get(reference) ?? []) if (!cached.has(id)) missing.add(id);
        }
        return [...missing].sort(byId);
      },
    });
  }
  return out;
}

/** Every cross-reference category the entity table asks for. */
export const CROSS_REFERENCES: readonly CrossReference[] = crossReferencesOf(ENTITIES);

/** The report categories of the cross-references, in the same order. */
export const CROSS_REFERENCE_CATEGORIES: readonly CategoryInfo[] = CROSS_REFERENCES.map((c) => ({
  key: c.key,
  title: c.title,
  advice: c.advice,
  ...(c.informational ? { informational: true } : {}),
}));

/** The entities whose cached ids the cross-references need. */
export const REFERENCED_ENTITIES: ReadonlySet<EntityName> = new Set(
  CROSS_REFERENCES.map((c) => c.entity),
);

/**
 * The gaps, per category key. A category is computed only when the folders it relates exist: a
 * cache without applications is not "every candidate lacks one".
 */
export function crossReferenceGaps(found: ReferenceIds): Map<string, Problem[]> {
  const gaps = new Map<string, Problem[]>();
  for (const check of CROSS_REFERENCES) {
    const ids = check.ids(found);
    if (ids === undefined) continue;
    gaps.set(
      check.key,
      ids.map((id) => ({
        entity: check.entity,
        id,
        path: `${check.entity}/${recordFileName(id)}`,
        detail: check.detail,
      })),
    );
  }
  return gaps;
}

function addTo(set: Set<number>, value: unknown): void {
  const id = positiveId(value);
  if (id !== undefined) set.add(id);
}

/**
 * Keeps, for one entity folder, only the ids the cross-references need: `row` sees each
 * index.csv moniker, `record` each record file. Undefined when the entity takes no part.
 */
export function referenceCollector(
  name: EntityName,
  refs: ReferenceIds,
): { row: (moniker: string) => void; record: (id: number, record: ApiRecord) => void } | undefined {
  const cached = REFERENCED_ENTITIES.has(name) ? new Set<number>() : undefined;
  if (cached) refs.cached.set(name, cached);
  const named = ENTITIES[name].references.map((reference) => {
    const ids = new Set<number>();
    refs.named.set(reference, ids);
    return { reference, ids };
  });
  if (!cached && named.length === 0) return undefined;
  const byMoniker = named.filter((n) => n.reference.fromMoniker);
  return {
    row(moniker) {
      for (const { reference, ids } of byMoniker) {
        for (const value of reference.fromMoniker!(moniker)) addTo(ids, value);
      }
    },
    record(id, record) {
      cached?.add(id);
      for (const { reference, ids } of named) {
        for (const value of reference.ids(record)) addTo(ids, value);
      }
    },
  };
}
