/**
 * What `doctor` finds, as data: one row per list, what the answers said of the rate limit, the
 * token, the clock and the file host, and the verdict. The whole DoctorReport holds no value of
 * any record (statuses, field paths, JSON types and counts, protocol headers, hosts, scopes and
 * numbers), so `--json` prints it and `--report` writes it as it is.
 */
import type { FileHostSeen } from "./files.ts";
import type { ClockSeen, RateLimitSeen } from "./observe.ts";
import type { ListShape } from "./shape.ts";

export type RowStatus =
  | "ok"
  | "drift"
  | "unavailable"
  | "not found"
  | "refused"
  | "error"
  | "not checked";

export interface ListRow {
  /** The entity, or the sync step the list serves. */
  list: string;
  /** The list path (`{id}` for a candidate's); from the entity table, never from an answer. */
  path: string;
  status: RowStatus;
  httpStatus?: number;
  /** unavailable: the permission (v1) or scope (v3) to grant. */
  grant?: string;
  /** A default sync would fail because of this row. */
  blocks: boolean;
  /** One line in our words (no value of the answer). */
  detail?: string;
  shape?: ListShape;
  /** The answer's headers as they may be shared (headers.ts). */
  headers?: Record<string, string>;
}

export interface DoctorReport {
  tool: string;
  /** Bumped when the document changes incompatibly. */
  format: 1;
  api: string;
  /** Whether the base URL is Greenhouse's own (the URL itself is not in the report). */
  baseUrl: "default" | "other";
  startedAt: string;
  seconds: number;
  /** API requests sent (the token's and the file host's not included). */
  requests: number;
  perPage: number;
  /** Whether a nightly sync would work; `verdict` says it in one line. */
  ok: boolean;
  verdict: string;
  /** What would stop a nightly sync, then what is worth knowing but would not, in our words. */
  blockers: string[];
  warnings: string[];
  lists: ListRow[];
  rateLimit: RateLimitSeen;
  token?: TokenSeen;
  clock: ClockSeen;
  attachments: FileHostSeen;
}

export interface TokenSeen {
  /** The life the token answer states, in seconds; absent when it states none. */
  lifetimeSeconds?: number;
  lifetimeFrom: "expires_at" | "expires_in" | "token exp claim" | "none";
  /** What the tool assumes when no life is stated. */
  assumedSeconds: number;
  /** The scopes the answer (or the token's claims) names, when any. */
  scopes?: string[];
  scopesFrom?: "answer" | "token claims";
  /** Of the scopes the lists need, those the token does not name (when it names any). */
  missingScopes?: string[];
}
