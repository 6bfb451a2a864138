/**
 * Whether a nightly sync would work, from what `doctor` saw: what would stop it (a list the sync
 * needs refused, missing or failing; records it would refuse; a file host it may not reach; a
 * clock so far ahead that an incremental sync misses changes), and what is worth knowing but
 * would not (drift from the schemas, lists a default sync skips, an unexpected rate window or
 * token life). Every line is in our words: hosts, paths, scopes and numbers, never a value.
 */
import type { HarvestClient } from "../harvest/mod.ts";
import { describeProblem } from "../schemas/mod.ts";
import type { FileHostSeen } from "./files.ts";
import type { ClockSeen, RateLimitSeen } from "./observe.ts";
import type { ListShape } from "./shape.ts";
import type { ListRow, TokenSeen } from "./types.ts";

/** The tool's assumption when a token answer states no life (harvest/oauth.ts). */
const ASSUMED_TOKEN_SECONDS = 3600;
/** Shorter-lived tokens are worth a word: each renewal is a token request of its own. */
const SHORT_TOKEN_SECONDS = 300;
/** oauth.ts believes at most a day. */
const LONGEST_TOKEN_SECONDS = 86_400;
/** A window or clock this far off is worth a word (Date and reset times have 1 s steps). */
const WINDOW_SLACK_SECONDS = 2;
const CLOCK_WORTH_SAYING_SECONDS = 60;
/** Problems named per list in a line. */
const NAMED = 3;

/** What the credentials' token answer said, or undefined where there is no token (v1). */
export function tokenSeen(client: HarvestClient, needs: readonly string[]): TokenSeen | undefined {
  const facts = client.tokenFacts();
  if (!facts) return undefined;
  const seen: TokenSeen = {
    lifetimeFrom: facts.lifetimeFrom,
    assumedSeconds: ASSUMED_TOKEN_SECONDS,
  };
  // Down: measured against a Date header cut to the second, the life can only be shorter.
  if (facts.lifetimeMs !== undefined) seen.lifetimeSeconds = Math.floor(facts.lifetimeMs / 1000);
  if (facts.scopes) {
    seen.scopes = facts.scopes;
    seen.scopesFrom = facts.scopesFrom;
    const named = new Set(facts.scopes.map((s) => s.toLowerCase()));
    seen.missingScopes = [...new Set(needs)].filter((need) =>
      need.startsWith("harvest:") && !named.has(need)
    );
  }
  return seen;
}

/** `a, b, c and 2 more`. */
function some(items: string[], total = items.length): string {
  const shown = items.slice(0, NAMED).join(", ");
  return total > NAMED ? `${shown} and ${total - NAMED} more` : shown;
}

/** A list's drift in a phrase: the fields the schema does not know, the records that break it. */
export function driftPhrase(shape: ListShape): string {
  const unknown = shape.problems.filter((p) => p.kind === "unknown");
  const breaking = shape.problems.filter((p) => p.kind !== "unknown");
  const parts: string[] = [];
  if (unknown.length > 0) {
    parts.push(`fields the schema does not know: ${some(unknown.map((p) => p.path))}`);
  }
  if (shape.broken > 0) {
    parts.push(
      `${shape.broken} of ${shape.records} records break it (${
        some(breaking.map(describeProblem))
      })`,
    );
  }
  if (shape.moreProblems > 0) parts.push(`${shape.moreProblems} more field paths`);
  return parts.join("; ");
}

function rowProblem(row: ListRow): string {
  switch (row.status) {
    case "unavailable":
      return `${row.list}: the credentials may not read ${row.path} (403); grant ${row.grant}`;
    case "not found":
      return `${row.list}: ${row.path} answered 404: this tenant has no such list, or the tool ` +
        "has its path wrong; attach the --report file to a bug report";
    case "refused":
      return `${row.list}: ${row.path}: the credentials were refused (401)`;
    default:
      return `${row.list}: ${row.path}: ${row.detail ?? row.status}`;
  }
}

function rowWarning(row: ListRow): string | undefined {
  if (row.status === "unavailable") {
    return `${row.list}: unavailable (403): a default sync skips it; grant ${row.grant} to sync it`;
  }
  if (row.status === "not found") {
    return `${row.list}: not found (404: ${row.path}): a default sync skips it`;
  }
  if (row.status === "drift" && row.shape) {
    const strict = row.shape.broken > 0 ? "; sync passes, check --strict would fail" : "";
    return `${row.list}: ${driftPhrase(row.shape)}${strict}`;
  }
  if (row.status === "not checked") return `${row.list}: not checked: ${row.detail}`;
  return undefined;
}

function rateWarnings(rate: RateLimitSeen): string[] {
  const out: string[] = [];
  if (rate.limits.length === 0) {
    out.push(
      "rate limit: no answer carried X-RateLimit-Limit; the tool assumes 50 per window and " +
        "waits out 429s",
    );
  } else if (rate.limits.length > 1) {
    out.push(`rate limit: the answers announced different limits (${rate.limits.join(", ")})`);
  }
  const w = rate.window;
  const assumed = rate.assumedWindowSeconds;
  const off = w.seen === "exact"
    ? Math.abs(w.seconds - assumed) > WINDOW_SLACK_SECONDS
    : w.seen === "at least" && w.seconds > assumed + WINDOW_SLACK_SECONDS;
  if (off && w.seen !== "not seen") {
    const seen = w.seen === "exact" ? `${w.seconds} s` : `at least ${w.seconds} s`;
    out.push(
      `rate limit: the window seen is ${seen}, the tool paces for ${assumed} s; expect waits ` +
        "after 429s and attach the --report file to a bug report",
    );
  }
  if (rate.rateLimited > 0) {
    out.push(`rate limit: ${rate.rateLimited} answer(s) were 429 Too Many Requests`);
  }
  return out;
}

function tokenWarnings(token: TokenSeen | undefined): string[] {
  if (!token) return [];
  const out: string[] = [];
  const life = token.lifetimeSeconds;
  if (life === undefined) {
    out.push(
      `token: the token answer states no lifetime; the tool assumes ${token.assumedSeconds} s ` +
        "and renews a token refused with 401",
    );
  } else if (life < SHORT_TOKEN_SECONDS) {
    out.push(
      `token: tokens live ${life} s (${token.lifetimeFrom}); the tool renews them at half ` +
        "their life, each renewal a token request",
    );
  } else if (life > LONGEST_TOKEN_SECONDS) {
    out.push(`token: the answer states ${life} s; the tool renews after a day at most`);
  }
  if (token.missingScopes?.length) {
    out.push(`token: its scopes leave out ${some(token.missingScopes)}`);
  }
  return out;
}

export interface Seen {
  rows: ListRow[];
  rateLimit: RateLimitSeen;
  clock: ClockSeen;
  token?: TokenSeen;
  attachments: FileHostSeen;
  /** No request could be sent (credentials, connection): the reason went to stderr. */
  stopped: boolean;
  /** The overlap an incremental sync re-reads, in ms. */
  overlapMs: number;
}

export interface Judgement {
  ok: boolean;
  verdict: string;
  blockers: string[];
  warnings: string[];
}

/** What would stop a nightly sync, what is worth knowing, and the verdict in one line. */
export function judge(seen: Seen): Judgement {
  const blockers: string[] = [];
  const warnings: string[] = [];
  if (seen.stopped) {
    blockers.push("no list could be read: the credentials or the connection failed (see above)");
  }
  for (const row of seen.rows) {
    if (row.blocks) blockers.push(rowProblem(row));
    else {
      const warning = rowWarning(row);
      if (warning) warnings.push(warning);
    }
  }
  const files = seen.attachments;
  if (files.outcome === "refused" || files.outcome === "not reachable") {
    blockers.push(`attachments: ${files.detail}`);
  } else if (files.outcome === "failed") warnings.push(`attachments: ${files.detail}`);
  const skew = seen.clock.skewSeconds;
  const overlap = seen.overlapMs / 1000;
  if (skew !== undefined && -skew > overlap) {
    blockers.push(
      `clock: this machine's clock is ${-skew} s ahead of Greenhouse's, more than sync's ` +
        `${overlap / 60} min overlap, so an incremental sync would miss changes; fix the clock ` +
        `(NTP) or run sync with --overlap above ${Math.ceil(-skew / 60)} minutes`,
    );
  } else if (skew !== undefined && Math.abs(skew) >= CLOCK_WORTH_SAYING_SECONDS) {
    warnings.push(
      `clock: Greenhouse's clock is ${Math.abs(skew)} s ${skew > 0 ? "ahead of" : "behind"} ours`,
    );
  }
  warnings.push(...rateWarnings(seen.rateLimit), ...tokenWarnings(seen.token));
  const ok = blockers.length === 0;
  const count = (status: ListRow["status"]) => seen.rows.filter((r) => r.status === status).length;
  const skipped =
    seen.rows.filter((r) => !r.blocks && (r.status === "unavailable" || r.status === "not found"))
      .length;
  const verdict = ok
    ? `doctor: a nightly sync would work: ${count("ok")} of ${seen.rows.length} lists ok` +
      (count("drift") ? `, ${count("drift")} drift from their schema` : "") +
      (skipped ? `, ${skipped} skipped (unavailable or not found)` : "")
    : `doctor: a nightly sync would fail: ${blockers[0]}` +
      (blockers.length > 1 ? ` (and ${blockers.length - 1} more problem(s) above)` : "");
  return { ok, verdict, blockers, warnings };
}
