/**
 * Where attachment files come from on this tenant: one file URL's redirects followed, each hop
 * checked exactly as the attachments step checks it (its address, this build's hosts,
 * `--file-hosts`), and the last answer's body never read. Reported by host only: a file URL is
 * a credential of its own.
 */
import { fetchFile, type FileHostPolicy } from "../dependent/file_fetch.ts";
import type { ApiRecord } from "../entities.ts";

export interface FileHostSeen {
  /**
   * - `ok`: the last host answered 2xx (the body was not read);
   * - `refused`: a hop is refused by the rules the attachments step follows;
   * - `not reachable`: a hop's host is outside the hosts this build may connect to;
   * - `failed`: an answer other than 2xx, or none;
   * - `no file seen`: the first pages named no file.
   */
  outcome: "ok" | "refused" | "not reachable" | "failed" | "no file seen";
  /** The hosts the URL and its redirects led to, in order (`host` or `host:port`). */
  hosts: string[];
  /** The last answer's status. */
  status?: number;
  /** One line in our words, naming hosts only. */
  detail?: string;
}

/** How long one file URL may take to answer (headers only). */
export const FILE_TIMEOUT_MS = 30_000;

/** The first file URL in listed records: v3 attachments' `url`, v1 candidates' `attachments[]`. */
export function firstFileUrl(records: readonly ApiRecord[]): string | undefined {
  for (const record of records) {
    const urls = [
      record?.url,
      ...(Array.isArray(record?.attachments) ? record.attachments : [])
        .map((a: ApiRecord) => a?.url),
    ];
    const url = urls.find((u) => typeof u === "string" && /^https?:\/\//i.test(u));
    if (url) return url;
  }
  return undefined;
}

/** Follows `url`'s redirects as a download would, without reading the file. */
export async function resolveFileHost(
  url: string,
  policy: FileHostPolicy,
  fetchFn: typeof fetch,
  signal: AbortSignal,
): Promise<FileHostSeen> {
  const hosts: string[] = [];
  const onHop = (target: URL) => {
    if (hosts.at(-1) !== target.host) hosts.push(target.host);
  };
  try {
    const result = await fetchFile(new URL(url), policy, fetchFn, signal, onHop);
    if (result.kind === "refused") return { outcome: "refused", hosts, detail: result.reason };
    const { response } = result;
    await response.body?.cancel().catch(() => {});
    const status = response.status;
    if (status >= 200 && status < 300) return { outcome: "ok", hosts, status };
    return {
      outcome: "failed",
      hosts,
      status,
      detail: `${hosts.at(-1)} answered ${status}`,
    };
  } catch (error) {
    const host = hosts.at(-1) ?? "the file host";
    if (error instanceof Deno.errors.NotCapable) {
      return {
        outcome: "not reachable",
        hosts,
        detail: `this build may not connect to ${host} (--allow-net); build one that may with ` +
          `deno task compile --also-host ${host} (docs/permissions.md)`,
      };
    }
    // Not the error's own text: fetch's names the whole signed URL.
    const timedOut = (error as Error)?.name === "TimeoutError" || signal.aborted;
    return {
      outcome: "failed",
      hosts,
      detail: `${host} did not answer (${timedOut ? "timed out" : "network error"})`,
    };
  }
}
