/**
 * Secrets out of every text the tool shows: messages, stderr, stdout (`--json` included) and the
 * GitHub step summary. Redaction runs on the whole text before anything cuts it to a length, so a
 * secret split by the cut cannot leave its first part behind.
 *
 * A leak is any run of RUN characters of a secret in any spelling a server may echo it in:
 * - as written, cut short (a server that truncates its message) or split by a line break;
 * - inside the base64 of any longer text (HTTP Basic's `id:secret`, a JSON blob), standard or
 *   url-safe, padded or not: base64 writes 3 bytes as 4 characters, so the secret's own encoding
 *   shows at one of 3 alignments, less at most 2 characters at each end that mix in its
 *   neighbours' bits;
 * - the hex of its UTF-8 bytes;
 * - escaped: percent-encoded (double-encoded too), JSON string escapes (`\/`, `\u00..`, however
 *   many backslashes deep), HTML character references, quoted-printable soft line breaks.
 * The text is read twice, as written and with those escapes decoded, both with whitespace left
 * out and case folded (a few extra characters redacted cost nothing, a leak does); every run of
 * RUN characters that is also a run of a spelling of a secret is replaced by `[redacted]`, and
 * overlapping runs by one. An access token is a secret as a whole: no run of it shows, not even a
 * JWT's header. Secrets shorter than RUN characters (4 at least) are matched whole.
 *
 * A leaf: the harvest client redacts its own messages with its credentials; the process context
 * (cli/context.ts) redacts every line it writes with the secrets registered here.
 */

/** The shortest run of a secret's spelling that is redacted wherever it shows. */
export const RUN = 8;
/** The shortest secret worth redacting; shorter strings would blank out ordinary words. */
const MIN_SECRET = 4;
const REDACTED = "[redacted]";
/** Text is scanned in chunks of this many characters, overlapping by OVERLAP (bounded memory). */
const CHUNK = 1 << 20;
/** A run whose characters are spread wider than this (escapes, whitespace) may go unseen. */
const OVERLAP = 4096;

const encoder = new TextEncoder();

function binaryString(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return binary;
}

/**
 * The characters of base64 made of the secret's bits alone, when it starts `lead` bytes into the
 * encoded text: character j holds bits 6j to 6j+5.
 */
function base64At(bytes: Uint8Array, lead: number): string {
  const shifted = new Uint8Array(lead + bytes.length);
  shifted.set(bytes, lead);
  const encoded = btoa(binaryString(shifted));
  return encoded.slice(Math.ceil((lead * 4) / 3), Math.floor(((lead + bytes.length) * 4) / 3));
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every spelling of `secret` whose runs are redacted (the secret itself first). */
export function secretForms(secret: string): string[] {
  if (normalized(secret).length < MIN_SECRET) return [];
  const bytes = encoder.encode(secret);
  const forms = new Set([secret]);
  const add = (form: string) => {
    if (form.length >= RUN) forms.add(form);
  };
  add(encodeURIComponent(secret)); // escapes of non-ASCII bytes (ASCII ones are decoded)
  add(hex(bytes));
  for (const lead of [0, 1, 2]) {
    const stable = base64At(bytes, lead);
    add(stable);
    add(stable.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return [...forms];
}

// ---- the two readings of a text ----------------------------------------------------------

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0;
}

/** One code unit, case folded (only where folding keeps it one code unit). */
function fold(code: number): number {
  if (code >= 65 && code <= 90) return code + 32;
  if (code < 128) return code;
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : code;
}

function normalized(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isSpace(code)) out += String.fromCharCode(fold(code));
  }
  return out;
}

/** What the escape at `i` stands for: a code unit (-1: nothing, e.g. an escaped line break). */
interface Decoded {
  code: number;
  next: number;
}

const HEX2 = /^[0-9a-fA-F]{2}/;
const HEX4 = /^[0-9a-fA-F]{4}/;
const ENTITIES: Record<string, number> = { amp: 38, lt: 60, gt: 62, quot: 34, apos: 39, sol: 47 };
/** JSON and C escapes: the character, or -1 for whitespace (left out like any other). */
const SIMPLE_ESCAPES: Record<string, number> = {
  "/": 47,
  '"': 34,
  "'": 39,
  n: -1,
  r: -1,
  t: -1,
  b: -1,
  f: -1,
};

function decodeBackslashes(text: string, i: number): Decoded {
  let j = i;
  while (text[j] === "\\") j++; // JSON inside JSON: `\\\/` is still a slash
  const e = text[j];
  if (e === "u" && HEX4.test(text.slice(j + 1, j + 5))) {
    return { code: parseInt(text.slice(j + 1, j + 5), 16), next: j + 5 };
  }
  if (e === "x" && HEX2.test(text.slice(j + 1, j + 3))) {
    return { code: parseInt(text.slice(j + 1, j + 3), 16), next: j + 3 };
  }
  if (e !== undefined && e in SIMPLE_ESCAPES) return { code: SIMPLE_ESCAPES[e], next: j + 1 };
  return { code: 92, next: j };
}

function decodePercent(text: string, i: number): Decoded | undefined {
  let j = i + 1;
  while (text.startsWith("25", j) && HEX2.test(text.slice(j + 2, j + 4))) j += 2; // %252F
  if (!HEX2.test(text.slice(j, j + 2))) return undefined;
  const code = parseInt(text.slice(j, j + 2), 16);
  if (code < 128) return { code, next: j + 2 };
  // Other bytes are matched as secretForms' percent-encoded form: undo only the outer layers.
  return j > i + 1 ? { code: 37, next: j } : undefined;
}

function decodeEntity(text: string, i: number): Decoded | undefined {
  const m = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-z]{2,4}));/.exec(text.slice(i, i + 12));
  if (!m) return undefined;
  const code = m[1] ? Number(m[1]) : m[2] ? parseInt(m[2], 16) : ENTITIES[m[3]];
  return code !== undefined && code < 0x10000 ? { code, next: i + m[0].length } : undefined;
}

/** The escape starting at `i`, decoded; undefined when none starts there. */
function decodeAt(text: string, i: number): Decoded | undefined {
  switch (text[i]) {
    case "\\":
      return decodeBackslashes(text, i);
    case "%":
      return decodePercent(text, i);
    case "&":
      return decodeEntity(text, i);
    case "=": {
      const soft = /^=\r?\n/.exec(text.slice(i, i + 3)); // quoted-printable soft line break
      return soft ? { code: -1, next: i + soft[0].length } : undefined;
    }
  }
  return undefined;
}

/** A reading of text[from, to): folded code units without whitespace, and where each began. */
interface Reading {
  codes: Uint16Array;
  starts: Int32Array;
  length: number;
  /** Where the unit read at `start` ends in the text. */
  endOf: (start: number) => number;
}

function read(text: string, from: number, to: number, decode: boolean): Reading {
  const codes = new Uint16Array(to - from);
  const starts = new Int32Array(to - from);
  let n = 0;
  for (let i = from; i < to;) {
    const escaped = decode ? decodeAt(text, i) : undefined;
    const code = escaped ? escaped.code : text.charCodeAt(i);
    if (code >= 0 && !isSpace(code)) {
      codes[n] = fold(code);
      starts[n++] = i;
    }
    i = escaped ? escaped.next : i + 1;
  }
  const endOf = (start: number) => (decode ? decodeAt(text, start)?.next : undefined) ?? start + 1;
  return { codes, starts, length: n, endOf };
}

// ---- matching -----------------------------------------------------------------------------

/** Runs of every spelling of a list of secrets. */
interface Matcher {
  runs: Set<string>;
  hashes: Set<number>;
  /** Secrets shorter than RUN, matched whole (normalized). */
  whole: string[];
  shortest: number;
}

const BASE = 31;
const TOP = (() => {
  let p = 1;
  for (let i = 1; i < RUN; i++) p = Math.imul(p, BASE);
  return p;
})();

function hashRun(codes: ArrayLike<number>, at: number): number {
  let h = 0;
  for (let i = 0; i < RUN; i++) h = (Math.imul(h, BASE) + codes[at + i]) >>> 0;
  return h;
}

function matcherFor(secrets: Iterable<string>): Matcher {
  const matcher: Matcher = { runs: new Set(), hashes: new Set(), whole: [], shortest: Infinity };
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      const text = normalized(form);
      if (text.length < RUN) {
        matcher.whole.push(text);
        matcher.shortest = Math.min(matcher.shortest, text.length);
        continue;
      }
      matcher.shortest = Math.min(matcher.shortest, RUN);
      const codes = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
      for (let i = 0; i + RUN <= codes.length; i++) {
        matcher.runs.add(text.slice(i, i + RUN));
        matcher.hashes.add(hashRun(codes, i));
      }
    }
  }
  return matcher;
}

/** Pushes [start, end) of every run of `reading` that is a secret's. */
function findRuns(reading: Reading, matcher: Matcher, found: [number, number][]): void {
  const { codes, starts, length } = reading;
  const cover = (first: number, count: number) =>
    found.push([starts[first], reading.endOf(starts[first + count - 1])]);
  if (matcher.runs.size > 0 && length >= RUN) {
    let h = hashRun(codes, 0);
    for (let i = 0;; i++) {
      if (matcher.hashes.has(h)) {
        const run = String.fromCharCode(...codes.subarray(i, i + RUN));
        if (matcher.runs.has(run)) cover(i, RUN);
      }
      if (i + RUN >= length) break;
      h = (Math.imul((h - Math.imul(codes[i], TOP)) >>> 0, BASE) + codes[i + RUN]) >>> 0;
    }
  }
  if (matcher.whole.length === 0) return;
  let view = "";
  for (let i = 0; i < length; i += 8192) {
    view += String.fromCharCode(...codes.subarray(i, Math.min(length, i + 8192)));
  }
  for (const secret of matcher.whole) {
    for (let at = view.indexOf(secret); at >= 0; at = view.indexOf(secret, at + 1)) {
      cover(at, secret.length);
    }
  }
}

/** Compiled matchers by secret list: a run has two or three lists (client, token, process). */
const matchers = new Map<string, Matcher>();

function cachedMatcher(secrets: Iterable<string>): Matcher {
  const list = [...secrets];
  const key = list.join("\n");
  let matcher = matchers.get(key);
  if (!matcher) {
    if (matchers.size >= 16) matchers.clear(); // v3 tokens change: old lists are never reused
    matcher = matcherFor(list);
    matchers.set(key, matcher);
  }
  return matcher;
}

/** `text` with every run of every spelling of every secret replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const matcher = cachedMatcher(secrets);
  if (text.length < matcher.shortest) return text;
  const found: [number, number][] = [];
  for (let from = 0; from < text.length; from += CHUNK - OVERLAP) {
    const to = Math.min(text.length, from + CHUNK);
    findRuns(read(text, from, to, false), matcher, found);
    if (/[\\%&=]/.test(text.slice(from, to))) findRuns(read(text, from, to, true), matcher, found);
    if (to === text.length) break;
  }
  if (found.length === 0) return text;
  found.sort((a, b) => a[0] - b[0]);
  let out = "";
  let shown = 0;
  for (let i = 0; i < found.length;) {
    const start = found[i][0];
    let end = found[i][1];
    for (i++; i < found.length && found[i][0] <= end; i++) end = Math.max(end, found[i][1]);
    out += text.slice(shown, start) + REDACTED;
    shown = end;
  }
  return out + text.slice(shown);
}

/**
 * Redacts, then cuts to `max` characters (marking the cut with `…`). In this order only: cut
 * first and a secret straddling the cut survives in part.
 */
export function redactAndCut(text: string, secrets: Iterable<string>, max: number): string {
  const redacted = redactSecrets(text, secrets);
  return redacted.length > max ? `${redacted.slice(0, max)}…` : redacted;
}

/** Where the process's secrets come from (credentials, minted tokens); see `registerSecrets`. */
const sources = new Set<() => Iterable<string>>();

/**
 * Adds a source of secrets that `redactRegistered` removes from every line the process writes.
 * A function, not a list: v3 tokens change during a run.
 */
export function registerSecrets(source: () => Iterable<string>): void {
  sources.add(source);
}

/** `text` without any registered secret: the last filter before output leaves the process. */
export function redactRegistered(text: string): string {
  if (sources.size === 0) return text;
  const all: string[] = [];
  for (const source of sources) all.push(...source());
  return redactSecrets(text, all);
}
