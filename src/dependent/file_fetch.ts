/**
 * Fetching an attachment file: every hop (the URL and each redirect, followed here) is checked
 * before it is contacted, against three rules, in this order:
 *
 * 1. public addresses only (below): anything else fails this file, naming the host;
 * 2. the hosts this process may connect to (its --allow-net; file_hosts.ts): outside them, the
 *    NotCapable that fetch itself would raise, which stops the step once, naming the host;
 * 3. `--file-hosts`, when given (file_hosts.ts): outside it, this file fails, naming the host.
 *
 * An attachment's URL is API data: a hostile or compromised
 * server (or a redirect from the file host) could point it at this machine or its network (cloud
 * metadata at 169.254.169.254, an admin page on 10.0.0.1, a service on localhost), and the tool
 * would fetch it and store the answer as a résumé (server-side request forgery). So every URL
 * fetched, the first and each redirect's, must lead to a public address:
 *
 * - IP literals are checked as written (the URL parser has already turned decimal, octal, hex
 *   and short IPv4 forms into dotted decimal, and IPv4-mapped IPv6 into hex);
 * - `localhost` and `*.localhost` are loopback by name;
 * - other names are resolved (A and AAAA) and refused if any answer is not public. Deno only
 *   lets a program query DNS with network access to the resolver's address; the binary has none
 *   (docs/permissions.md), so there a name is not resolved and one that a DNS server points at a
 *   private address is not caught here. The binary's --allow-net list (Greenhouse and S3 hosts
 *   only) is then what keeps requests off other hosts.
 *
 * One exception: when the API itself is on loopback (the sandbox), files on the API's own origin
 * are allowed, since that is where the sandbox serves them. Any other loopback port is another
 * service on the machine and stays refused.
 */

/** Resolves a host name to addresses; undefined when it cannot be asked (no permission). */
export type Resolver = (hostname: string) => Promise<string[] | undefined>;

import {
  deniedHost,
  fileHostRefusal,
  type HostPattern,
  processMayReach,
  type ReachQuery,
} from "./file_hosts.ts";

/** Redirects followed for one file (v3 links redirect once to a signed URL; S3 may once more). */
export const MAX_REDIRECTS = 5;

const DNS_TIMEOUT_MS = 5_000;

/** Deno.resolveDns (A and AAAA); undefined when DNS may not be queried (the binary). */
export const systemResolver: Resolver = async (hostname) => {
  const ask = async (type: "A" | "AAAA"): Promise<string[]> => {
    try {
      return await Deno.resolveDns(hostname, type, { signal: AbortSignal.timeout(DNS_TIMEOUT_MS) });
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw error;
      return []; // no such record, or no answer: fetch will say so if it matters
    }
  };
  try {
    const [v4, v6] = await Promise.all([ask("A"), ask("AAAA")]);
    return [...v4, ...v6];
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
};

/** Dotted-decimal IPv4 → its 4 bytes; undefined for anything else. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** An IPv6 address (no brackets, no zone) → its 16 bytes; undefined for anything else. */
export function parseIPv6(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  // A trailing dotted IPv4 (::ffff:1.2.3.4) stands for the last two groups.
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const v4 = parseIPv4(dotted[2]);
    if (!v4) return undefined;
    head = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
    tail = v4;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const words = 8 - tail.length / 2;
  const missing = words - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const bytes: number[] = [];
  for (const g of all) bytes.push(parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff);
  return [...bytes, ...tail];
}

function inV4(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (prefix[i] & mask)) return false;
  }
  return true;
}

/** Not-public IPv4 ranges (RFC 6890 and friends), with what to call them. */
const V4_RANGES: [number[], number, string][] = [
  [[0, 0, 0, 0], 8, "a 'this network' address (0.0.0.0/8)"],
  [[10, 0, 0, 0], 8, "a private address (10.0.0.0/8)"],
  [[100, 64, 0, 0], 10, "a carrier-grade NAT address (100.64.0.0/10)"],
  [[127, 0, 0, 0], 8, "a loopback address"],
  [[169, 254, 0, 0], 16, "a link-local address (169.254.0.0/16, cloud metadata lives here)"],
  [[172, 16, 0, 0], 12, "a private address (172.16.0.0/12)"],
  [[192, 0, 0, 0], 24, "an IETF protocol address (192.0.0.0/24)"],
  [[192, 0, 2, 0], 24, "a documentation address"],
  [[192, 168, 0, 0], 16, "a private address (192.168.0.0/16)"],
  [[198, 18, 0, 0], 15, "a benchmarking address (198.18.0.0/15)"],
  [[198, 51, 100, 0], 24, "a documentation address"],
  [[203, 0, 113, 0], 24, "a documentation address"],
  [[224, 0, 0, 0], 4, "a multicast address"],
  [[240, 0, 0, 0], 4, "a reserved address (240.0.0.0/4)"],
];

function v4Reason(bytes: number[]): string | undefined {
  return V4_RANGES.find(([prefix, bits]) => inV4(bytes, prefix, bits))?.[2];
}

function v6Reason(b: number[]): string | undefined {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 15) && b[15] === 0) return "the unspecified address (::)";
  if (zero(0, 15) && b[15] === 1) return "a loopback address (::1)";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d):
  // judged by the IPv4 address inside.
  const mapped = zero(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const nat64 = b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12);
  if (mapped || zero(0, 12) || nat64) {
    const inner = v4Reason(b.slice(12));
    return inner && `${inner}, inside an IPv6 address`;
  }
  if (b[0] === 0x20 && b[1] === 0x02) { // 6to4: 2002:a.b.c.d::/48
    const inner = v4Reason(b.slice(2, 6));
    return inner && `${inner}, inside a 6to4 address`;
  }
  if ((b[0] & 0xfe) === 0xfc) return "a unique local address (fc00::/7)";
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return "a link-local address (fe80::/10)";
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return "a site-local address (fec0::/10)";
  if (b[0] === 0xff) return "a multicast address";
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) {
    return "a documentation address";
  }
  return undefined;
}

/** Why an IP address is not a public one (e.g. "a loopback address"), or undefined if it is. */
export function nonPublicAddress(address: string): string | undefined {
  const text = address.replace(/^\[|\]$/g, "");
  const v4 = parseIPv4(text);
  if (v4) return v4Reason(v4);
  const v6 = parseIPv6(text);
  if (v6) return v6Reason(v6);
  return undefined;
}

function isIpLiteral(hostname: string): boolean {
  return parseIPv4(hostname) !== undefined || hostname.startsWith("[");
}

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/** What decides where files may come from, for one run. */
export class FileHostPolicy {
  readonly #apiOrigin: string;
  readonly #apiOnLoopback: boolean;
  readonly #resolve: Resolver;
  readonly #answers = new Map<string, Promise<string[] | undefined>>();

  readonly #narrowed: readonly HostPattern[] | undefined;
  readonly #mayReach: ReachQuery;

  /**
   * `apiBaseUrl`: the Harvest base URL of the run (its origin may serve files if loopback);
   * `narrowed`: `--file-hosts`; `mayReach`: what the process may connect to (its permissions).
   */
  constructor(
    apiBaseUrl: string,
    opts: { resolve?: Resolver; narrowed?: readonly HostPattern[]; mayReach?: ReachQuery } = {},
  ) {
    const resolve = opts.resolve ?? systemResolver;
    this.#narrowed = opts.narrowed;
    this.#mayReach = opts.mayReach ?? processMayReach;
    const api = new URL(apiBaseUrl);
    this.#apiOrigin = api.origin;
    const host = api.hostname;
    this.#apiOnLoopback = isLoopbackName(host) ||
      nonPublicAddress(host)?.startsWith("a loopback address") === true;
    this.#resolve = resolve;
  }

  /**
   * Why `url` must not be fetched (one phrase naming the host, never the whole signed URL), or
   * undefined when it may be. A host outside the process's reach throws NotCapable instead.
   */
  async refusal(url: URL): Promise<string | undefined> {
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return `${url.protocol} URLs are not fetched, only http(s)`;
    }
    if (url.username || url.password) return `the URL to ${url.hostname} carries credentials`;
    // The address first: a URL at this machine or its network is hostile data, refused for this
    // file whatever the permissions say; then the hosts the process and --file-hosts allow.
    const address = await this.#addressRefusal(url);
    if (address) return address;
    if (!this.#mayReach(url.host)) throw deniedHost(url);
    return fileHostRefusal(url, this.#narrowed);
  }

  async #addressRefusal(url: URL): Promise<string | undefined> {
    if (this.#apiOnLoopback && url.origin === this.#apiOrigin) return undefined;
    const host = url.hostname;
    if (isLoopbackName(host)) return `${host} is a loopback name, not a public file host`;
    if (isIpLiteral(host)) {
      const why = nonPublicAddress(host);
      return why && `${host} is ${why}, not a public file host`;
    }
    let pending = this.#answers.get(host);
    if (!pending) {
      pending = this.#resolve(host);
      this.#answers.set(host, pending);
    }
    for (const address of (await pending) ?? []) {
      const why = nonPublicAddress(address);
      if (why) return `${host} resolves to ${address}, ${why}, not a public file host`;
    }
    return undefined;
  }
}

/** A fetch that follows redirects itself, checking every hop against the policy. */
export type FileFetchResult =
  | { kind: "response"; response: Response }
  | { kind: "refused"; reason: string };

/**
 * GET `url` with no headers of ours (the signed URL is the only credential the file host needs),
 * following at most MAX_REDIRECTS redirects by hand so that each target is checked before it is
 * contacted. Network errors are thrown as fetch throws them. `onHop` sees each URL before it is
 * checked (`doctor` reports the hosts a file URL leads to).
 */
export async function fetchFile(
  url: URL,
  policy: FileHostPolicy,
  fetchFn: typeof fetch,
  signal: AbortSignal,
  onHop?: (target: URL) => void,
): Promise<FileFetchResult> {
  let target = url;
  for (let hops = 0;; hops++) {
    onHop?.(target);
    const refused = await policy.refusal(target);
    if (refused) {
      return { kind: "refused", reason: hops === 0 ? refused : `a redirect: ${refused}` };
    }
    const response = await fetchFn(target, { redirect: "manual", signal });
    const location = response.headers.get("location");
    if (![301, 302, 303, 307, 308].includes(response.status) || location === null) {
      return { kind: "response", response };
    }
    await response.body?.cancel().catch(() => {});
    if (hops >= MAX_REDIRECTS) {
      return { kind: "refused", reason: `more than ${MAX_REDIRECTS} redirects` };
    }
    try {
      target = new URL(location, target);
    } catch {
      return { kind: "refused", reason: "a redirect to a URL that is not valid" };
    }
  }
}
