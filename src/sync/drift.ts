/**
 * Drift noticed while syncing: per entity, the fields its published schema does not know and the
 * records that break it, counted as each record is written (schemas/drift.ts, one walk of the
 * record already parsed). It never fails the run: `check --strict` is the gate. The summary names
 * the first few field paths, never a value.
 */
import type { ApiRecord, ApiVersion, EntityName } from "../entities.ts";
import { describeProblem, DriftTally, schemaFor } from "../schemas/mod.ts";

/** What `sync --json` reports per drifting entity (`drift.<entity>`). */
export interface EntityDrift {
  /** Records checked (those this run wrote). */
  records: number;
  /** Distinct field paths the schema does not know (up to schemas' MAX_DRIFT_PATHS). */
  unknownFields: number;
  /** The first few of them. */
  fields: string[];
  /** Records with a required field missing, or a value of the wrong type or outside the schema. */
  brokenRecords: number;
  /** The first few ways they break it, by field path: `title: expected string or null, got integer`. */
  problems: string[];
}

/** Paths named per entity. */
export const NAMED_PATHS = 5;

export interface DriftCounter {
  inspect(record: ApiRecord): void;
  /** The entity's drift, or undefined when every record fit the schema. */
  result(): EntityDrift | undefined;
}

/** A counter for the entity's records on this version, or undefined when it has no schema. */
export function driftCounter(entity: EntityName, version: ApiVersion): DriftCounter | undefined {
  const schema = schemaFor(entity, version);
  if (!schema) return undefined;
  const tally = new DriftTally();
  return {
    inspect: (record) => void tally.add(schema, record),
    result() {
      if (!tally.drifts) return undefined;
      const unknown = tally.entries("unknown");
      const breaking = tally.entries("breaking");
      return {
        records: tally.records,
        unknownFields: unknown.length,
        fields: unknown.slice(0, NAMED_PATHS).map((e) => e.problem.path),
        brokenRecords: tally.broken,
        problems: breaking.slice(0, NAMED_PATHS).map((e) => describeProblem(e.problem)),
      };
    },
  };
}

function named(items: string[], total: number): string {
  return items.join(", ") + (total > items.length ? `, … (${total} in all)` : "");
}

/** One summary line: `drift: candidates: 1 field the schema does not know (nickname); …`. */
export function driftLine(entity: string, drift: EntityDrift): string {
  const parts: string[] = [];
  if (drift.unknownFields > 0) {
    const s = drift.unknownFields === 1 ? "" : "s";
    parts.push(
      `${drift.unknownFields} field${s} the schema does not know (${
        named(drift.fields, drift.unknownFields)
      })`,
    );
  }
  if (drift.brokenRecords > 0) {
    parts.push(
      `${drift.brokenRecords} of ${drift.records} records break it (${
        drift.problems.join("; ")
      }); check --strict fails on them`,
    );
  }
  return `drift: ${entity}: ${parts.join("; ")}`;
}
