/**
 * A list's record shape as `doctor` shares it: every field path seen on its first page with the
 * JSON types it came as and how often, checked against the entity's schema on the way (the
 * drift). Paths come from schemas/drift.ts, which never holds a value; this keeps counts only.
 */
import { type ApiRecord, recordId } from "../entities.ts";
import {
  type DriftEntry,
  DriftTally,
  type FieldProblem,
  type JsonType,
  type Schema,
} from "../schemas/mod.ts";

/** A field path and how often each JSON type came there. */
export interface FieldShape {
  path: string;
  types: Partial<Record<JsonType, number>>;
}

/** A problem with the number of records that had it. */
export type CountedProblem = FieldProblem & { records: number };

export interface ListShape {
  records: number;
  /** Records that break the schema (missing required fields, wrong types or values). */
  broken: number;
  /** Records whose id cannot name a file: sync refuses the page. */
  withoutId: number;
  fields: FieldShape[];
  /** Distinct paths beyond MAX_SHAPE_PATHS: counted, not listed. */
  morePaths: number;
  problems: CountedProblem[];
  /** Distinct problem paths beyond those listed. */
  moreProblems: number;
}

/** Most field paths listed per list. */
export const MAX_SHAPE_PATHS = 500;

/** For a list without a schema: every field named (as unknown), problems ignored. */
const NO_SCHEMA: Schema = { type: "object", properties: {} };

const counted = (e: DriftEntry): CountedProblem => ({ ...e.problem, records: e.records });

/** The shape of `records` against `schema` (no schema: the shape alone, no problems). */
export function listShape(records: readonly unknown[], schema: Schema | undefined): ListShape {
  const fields = new Map<string, FieldShape>();
  const overflow = new Set<string>();
  const field = (path: string, type: JsonType) => {
    let shape = fields.get(path);
    if (!shape) {
      if (fields.size >= MAX_SHAPE_PATHS) {
        if (overflow.size < 10 * MAX_SHAPE_PATHS) overflow.add(path);
        return;
      }
      shape = { path, types: {} };
      fields.set(path, shape);
    }
    shape.types[type] = (shape.types[type] ?? 0) + 1;
  };
  const tally = new DriftTally(field);
  let withoutId = 0;
  for (const record of records) {
    tally.add(schema ?? NO_SCHEMA, record);
    if (recordId(record as ApiRecord) === undefined) withoutId++;
  }
  return {
    records: tally.records,
    broken: tally.broken,
    withoutId,
    fields: [...fields.values()],
    morePaths: overflow.size,
    problems: schema ? [...tally.byPath.values()].map(counted) : [],
    moreProblems: schema ? tally.morePaths : 0,
  };
}
