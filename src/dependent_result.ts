/**
 * What a candidate-dependent step reports (activity feeds, attachments): one shape for the
 * dependent engine that produces it, sync that sums it and the commands that print it.
 */
export interface DependentResult {
  /** Items fetched and written (feeds, or files downloaded). */
  done: number;
  /** Items not fetched: already complete, or the candidate is gone upstream (404). */
  skipped: number;
  /** Candidates not asked for again: an interrupted run of the step had finished them. */
  resumed?: number;
  /**
   * Items that could not be fetched, by candidate id; the run carries on past them. `lasting`:
   * refused for a reason a retry cannot change (a file over the size cap, a refused host).
   */
  failed: { id: number; reason: string; lasting?: boolean }[];
  /** Files not tried again: refused earlier for a lasting reason (attachments). */
  notRetried?: number;
  /** Bytes downloaded (attachments). */
  bytes?: number;
  /** Candidates fetched again for fresh attachment URLs (attachments). */
  refreshed?: number;
}
