/**
 * The sandbox's id scheme. Ids end in 003 like real Greenhouse ids, and each kind of record has
 * its own range in which the id grows with the slot (so with created_at), STRIDE apart: an id
 * names its slot without any lookup.
 */

export const STRIDE = 1000;

const BASE = {
  user: 3_000_000_003,
  opening: 3_500_000_003,
  job: 4_000_000_003,
  candidate: 4_100_000_003,
  application: 5_100_000_003,
  offer: 6_100_000_003,
  scorecard: 7_100_000_003,
  note: 8_100_000_003,
  email: 8_600_000_003,
  activity: 9_100_000_003,
  education: 9_600_000_003,
  employment: 9_700_000_003,
  // Per user (issue 23's v3 lists).
  referrer: 9_800_000_003,
  userEmail: 9_850_000_003,
  touch: 9_900_000_003,
  // The other list endpoints' records (catalog.ts), above every range above and below the v3
  // attachment ids; owned by a job or an application slot.
  jobPost: 10_100_000_003,
  jobStage: 10_200_000_003,
  jobInterview: 10_300_000_003,
  interviewKit: 10_350_000_003,
  hiringManager: 10_400_000_003,
  jobOwner: 10_500_000_003,
  approval: 10_600_000_003,
  // Per job, 10,000 jobs apart (issue 23's v3 lists: the interview plan, notes, permissions…).
  attributeType: 10_700_000_003,
  jobAttribute: 10_710_000_003,
  focusAttribute: 10_720_000_003,
  scorecardQuestion: 10_730_000_003,
  questionOption: 10_740_000_003,
  questionAttribute: 10_750_000_003,
  defaultInterviewer: 10_760_000_003,
  jobNote: 10_770_000_003,
  jobPermission: 10_780_000_003,
  approverGroup: 10_790_000_003,
  approver: 10_800_000_003,
  jobPostLocation: 10_810_000_003,
  searchableLocation: 10_820_000_003,
  payInputRange: 10_830_000_003,
  trackingLink: 10_840_000_003,
  interview: 11_000_000_003,
  applicationStage: 12_000_000_003,
  demographicAnswer: 13_000_000_003,
  eeoc: 14_000_000_003,
  // Per application, per scorecard (two per application) and per candidate (issue 23).
  rejectionDetail: 15_000_000_003,
  prospectDetail: 16_000_000_003,
  interviewer: 17_000_000_003,
  interviewMedium: 18_000_000_003,
  aiOptOut: 19_000_000_003,
  scorecardAnswer: 20_000_000_003,
  scorecardAttribute: 21_000_000_003,
  answerOption: 22_000_000_003,
  appliedTag: 23_000_000_003,
} as const;
export type IdKind = keyof typeof BASE;

/** The id of a slot; `n` numbers the records one owner slot has (its notes, its openings). */
export function idOf(kind: IdKind, slot: number, n = 0): number {
  return BASE[kind] + slot * STRIDE + n;
}

/** The slot an id of `kind` names, or undefined when it is not such an id. */
export function slotOfId(kind: IdKind, id: number): number | undefined {
  const d = id - BASE[kind];
  return Number.isSafeInteger(d) && d >= 0 && d % STRIDE === 0 ? d / STRIDE : undefined;
}

/** The id of the n-th touch (touches are numbered across the tenant, not per candidate). */
export function touchId(serial: number): number {
  return BASE.touch + serial * 10;
}
