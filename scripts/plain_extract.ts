/**
 * The plain approach, for comparison (scripts/bench/plain.ts): one request per page of 100,
 * sequential, no pacing. It follows `Link rel="next"` and, having no pacer, can only wait out the
 * 429s it provokes (Retry-After, else 10 s); each record is written with a plain writeFile.
 *
 * `deno run --allow-net=127.0.0.1 --allow-write --allow-env scripts/plain_extract.ts ENTITY DIR`
 * with GREENHOUSE_BASE_URL and GREENHOUSE_API_KEY set; prints one JSON line of figures.
 */
import { join } from "node:path";
import { parseLinkHeader } from "../src/harvest/link.ts";

export interface PlainResult {
  records: number;
  /** Every request sent, 429s included. */
  requests: number;
  rateLimited: number;
  ms: number;
}

export async function plainExtract(
  opts: { baseUrl: string; apiKey: string; entity: string; dir: string; perPage?: number },
): Promise<PlainResult> {
  const started = performance.now();
  const auth = `Basic ${btoa(`${opts.apiKey}:`)}`;
  await Deno.mkdir(opts.dir, { recursive: true });
  let url: string | undefined = `${opts.baseUrl}/${opts.entity}?per_page=${opts.perPage ?? 100}`;
  let records = 0;
  let requests = 0;
  let rateLimited = 0;
  while (url) {
    requests++;
    const res: Response = await fetch(url, { headers: { Authorization: auth } });
    if (res.status === 429) {
      rateLimited++;
      await res.body?.cancel();
      const seconds = Number(res.headers.get("retry-after") ?? "10");
      await new Promise((resolve) => setTimeout(resolve, (seconds > 0 ? seconds : 10) * 1000));
      continue;
    }
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${await res.text()}`);
    const page = await res.json() as { id: number }[];
    for (const record of page) {
      await Deno.writeTextFile(join(opts.dir, `${record.id}.json`), JSON.stringify(record));
    }
    records += page.length;
    url = page.length === 0 ? undefined : parseLinkHeader(res.headers.get("link")).get("next");
  }
  return { records, requests, rateLimited, ms: performance.now() - started };
}

if (import.meta.main) {
  const [entity, dir] = Deno.args;
  const baseUrl = Deno.env.get("GREENHOUSE_BASE_URL");
  const apiKey = Deno.env.get("GREENHOUSE_API_KEY");
  if (!entity || !dir || !baseUrl || !apiKey) {
    console.error("usage: plain_extract.ts ENTITY DIR (GREENHOUSE_BASE_URL, GREENHOUSE_API_KEY)");
    Deno.exit(2);
  }
  console.log(JSON.stringify(await plainExtract({ baseUrl, apiKey, entity, dir })));
}
