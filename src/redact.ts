/**
 * Secrets out of every text the tool shows: messages, stderr, stdout (`--json` included) and the
 * GitHub step summary. Redaction runs on the whole text before anything cuts it to a length, so a
 * secret split by the cut cannot leave its first part behind.
 *
 * A secret is caught as written and in the spellings a server may echo it in: percent-encoded
 * (either case), base64 without its padding, base64url, and the start of the base64 of any text
 * that begins with it (`base64("<key>:")`, what HTTP Basic sends, begins like `base64("<key>")`).
 * Matching ignores case: redacting a few extra characters costs nothing, a leak does.
 *
 * A leaf: the harvest client redacts its own messages with its credentials; the process context
 * (cli/context.ts) redacts every line it writes with the secrets registered here.
 */

/** The shortest secret worth redacting; shorter strings would blank out ordinary words. */
const MIN_SECRET = 4;
/** The shortest derived spelling (an encoding's prefix) worth redacting. */
const MIN_FORM = 8;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function toBase64Url(base64: string): string {
  return base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Every spelling of `secret` worth looking for (the secret itself first). */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET) return [];
  const forms = new Set([secret]);
  const add = (form: string) => {
    if (form.length >= MIN_FORM) forms.add(form);
  };
  add(encodeURIComponent(secret));
  if (BASE64.test(secret)) {
    // The secret is itself base64 (an HTTP Basic credential): unpadded and base64url forms.
    add(secret.replace(/=+$/, ""));
    add(toBase64Url(secret));
  }
  // base64 of anything that starts with the secret starts with these characters: 4 for each
  // whole 3 bytes of the secret.
  const bytes = new TextEncoder().encode(secret).length;
  const stable = base64Utf8(secret).slice(0, Math.floor(bytes / 3) * 4);
  add(stable);
  add(toBase64Url(stable));
  return [...forms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Compiled patterns by secret list: a run has two or three lists (client, token, process). */
const patterns = new Map<string, RegExp | undefined>();

function patternFor(secrets: Iterable<string>): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  const sorted = [...forms].sort((a, b) => b.length - a.length); // longest spelling wins
  const key = sorted.join("\n");
  if (!patterns.has(key)) {
    if (patterns.size >= 16) patterns.clear(); // v3 tokens change: old lists are never reused
    patterns.set(
      key,
      sorted.length ? new RegExp(sorted.map(escapeRegExp).join("|"), "gi") : undefined,
    );
  }
  return patterns.get(key);
}

/** `text` with every spelling of every secret replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const pattern = patternFor(secrets);
  return pattern ? text.replace(pattern, "[redacted]") : text;
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
