/**
 * Ids of the records the other list endpoints serve, in the scheme of ids.ts: each kind has its
 * own range (above every range there, below the v3 attachment ids), and an id is the owner's
 * slot (a job, an application) × STRIDE + the record's number within it.
 */
import { STRIDE } from "../ids.ts";

const BASE = {
  jobPost: 10_100_000_003,
  jobStage: 10_200_000_003,
  jobInterview: 10_300_000_003,
  interviewKit: 10_350_000_003,
  hiringManager: 10_400_000_003,
  jobOwner: 10_500_000_003,
  approval: 10_600_000_003,
  interview: 11_000_000_003,
  applicationStage: 12_000_000_003,
  demographicAnswer: 13_000_000_003,
  eeoc: 14_000_000_003,
} as const;
export type MoreIdKind = keyof typeof BASE;

/** The id of record `n` of owner slot `owner`. */
export function moreId(kind: MoreIdKind, owner: number, n = 0): number {
  return BASE[kind] + owner * STRIDE + n;
}
