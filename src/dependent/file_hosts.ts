/**
 * Which hosts the attachment downloader fetches files from.
 *
 * The outer bound is what this process may connect to: for the released binary, the `--allow-net`
 * set compiled into it (scripts/permissions.ts and docs/permissions.md: `*.greenhouse.io`,
 * `*.amazonaws.com`, 127.0.0.1, plus any `--also-host` given at compile time). `--file-hosts` /
 * GREENHOUSE_FILE_HOSTS narrows that set at run time and can never widen it: a listed host
 * outside it is refused when the option is read, and a download is checked against both before
 * every hop (file_fetch.ts follows the redirects). Either refusal comes before the request and
 * names the host, never the signed URL.
 */

/** A host a download may reach: `host`, `host:port`, or `*.domain` (the domain and below it). */
export type HostPattern = string;

/** Whether this process may connect to `host` (`name` or `name:port`). */
export type ReachQuery = (host: string) => boolean;

/** Asks Deno's permissions, without prompting: what the binary (or `deno run`) was given. */
export const processMayReach: ReachQuery = (host) => {
  try {
    return Deno.permissions.querySync({ name: "net", host }).state === "granted";
  } catch {
    return false;
  }
};

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const PATTERN = new RegExp(`^(\\*\\.)?${LABEL}(?:\\.${LABEL})*(?::(\\d{1,5}))?$`);

/**
 * The patterns of a `--file-hosts` value (comma-separated, lower-cased), or the first entry that
 * is not one, with why.
 */
export function parseFileHosts(
  text: string,
): { hosts: HostPattern[] } | { bad: string; why: string } {
  const hosts: HostPattern[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    const m = PATTERN.exec(entry);
    if (!m || (m[2] !== undefined && !(Number(m[2]) >= 1 && Number(m[2]) <= 65535))) {
      return { bad: raw.trim(), why: "is not a host name, host:port or *.domain" };
    }
    if (m[1] && !entry.slice(2).includes(".")) {
      return { bad: raw.trim(), why: "is too wide: a wildcard needs a domain with a dot" };
    }
    hosts.push(entry);
  }
  if (hosts.length === 0) return { bad: text, why: "names no host" };
  return { hosts };
}

/**
 * Whether every host `pattern` covers is one this process may reach. A wildcard is checked with
 * a probe name below its domain: a grant for that name is a grant for the wildcard, since no one
 * allows the probe name on its own.
 */
export function withinReach(pattern: HostPattern, mayReach: ReachQuery = processMayReach): boolean {
  if (!pattern.startsWith("*.")) return mayReach(pattern);
  const domain = pattern.slice(2);
  return mayReach(domain) && mayReach(`file-hosts-probe.${domain}`);
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "");
}

/** Whether `url`'s host is one `pattern` names (a wildcard also names its domain, as Deno's do). */
export function hostMatches(pattern: HostPattern, url: URL): boolean {
  const host = url.hostname.toLowerCase();
  if (pattern.startsWith("*.")) {
    const domain = pattern.slice(2);
    return host === domain || host.endsWith(`.${domain}`);
  }
  const [name, port] = pattern.split(":");
  return host === name && (port === undefined || port === defaultPort(url));
}

/**
 * A host outside what this process may reach gets the error `fetch` itself would raise, before
 * anything is sent: every denial then takes one path, which stops the step at once
 * (attachments.ts) and says which host and how to allow it (failure.ts).
 */
export function deniedHost(url: URL): Deno.errors.NotCapable {
  return new Deno.errors.NotCapable(
    `Requires net access to "${url.host}", run again with the --allow-net flag`,
  );
}

/**
 * Why `url` may not be fetched under `--file-hosts` (`narrowed`), or undefined when it may (a
 * host outside the build's reach is `deniedHost`, checked first).
 */
export function fileHostRefusal(
  url: URL,
  narrowed: readonly HostPattern[] | undefined,
): string | undefined {
  if (narrowed && !narrowed.some((pattern) => hostMatches(pattern, url))) {
    return `file host ${url.host} is not in --file-hosts (GREENHOUSE_FILE_HOSTS: ` +
      `${narrowed.join(",")}); add it there to download from it`;
  }
  return undefined;
}
