/**
 * Record ids: the one rule for which values may name a file in the cache or a record in a request
 * path. An id is a positive safe integer; written as text it is canonical ("12", never "012",
 * "+12", "1.0" or "1e3"), so one id has one file name. A leaf: imports nothing.
 */

const CANONICAL_ID = /^[1-9][0-9]*$/;

/** Whether `value` is a positive safe integer (a number, not a numeric string). */
export function isPositiveId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** `value` when it is a positive safe integer, else undefined. */
export function positiveId(value: unknown): number | undefined {
  return isPositiveId(value) ? value : undefined;
}

/** The id a canonical decimal text names ("12"; not "012", "+12", "1.0"), else undefined. */
export function parseId(text: string): number | undefined {
  return CANONICAL_ID.test(text) ? positiveId(Number(text)) : undefined;
}
