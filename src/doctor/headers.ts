/**
 * An answer's headers as `doctor` may share them: no credential, no cookie, no URL, no id. The
 * headers that describe the protocol keep their value; a `Link` header shows only its `rel`
 * names (its URLs carry cursors and filters); every other header shows only that it was there.
 */

/** Headers whose values are protocol facts (types, sizes, limits, times), kept as sent. */
const KEPT = new Set([
  "cache-control",
  "content-encoding",
  "content-length",
  "content-type",
  "date",
  "retry-after",
  "strict-transport-security",
  "transfer-encoding",
  "vary",
  "x-content-type-options",
  "x-frame-options",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
]);

/** Headers left out entirely: credentials and cookies, even their presence. */
const DROPPED = new Set([
  "authorization",
  "cookie",
  "proxy-authenticate",
  "proxy-authorization",
  "set-cookie",
  "set-cookie2",
  "www-authenticate",
]);

/** Shown in place of a value that is not kept. */
export const NOT_SHOWN = "(not shown)";
/** Most headers listed from one answer, and the longest value kept. */
const MAX_HEADERS = 64;
const MAX_VALUE_CHARS = 200;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

/** The `rel` names of a Link header, e.g. "rel=next" (never its URLs). */
function linkRels(value: string): string {
  const rels = [...value.matchAll(/rel\s*=\s*"?([a-z-]{1,20})"?/gi)].map((m) => m[1]);
  return rels.length
    ? [...new Set(rels)].map((rel) => `rel=${rel.toLowerCase()}`).join(", ")
    : NOT_SHOWN;
}

/** The headers as they may be shared, by lower-case name, sorted. */
export function shareableHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (count >= MAX_HEADERS) break;
    if (DROPPED.has(name) || !HEADER_NAME.test(name)) continue;
    count++;
    if (name === "link") out[name] = linkRels(value);
    else if (KEPT.has(name) && value.length <= MAX_VALUE_CHARS && /^[\x20-\x7e]*$/.test(value)) {
      out[name] = value;
    } else out[name] = NOT_SHOWN;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
