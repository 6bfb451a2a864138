/**
 * RFC 8288 `Link` header parsing. Knows nothing of Greenhouse: it returns every rel it finds.
 */

/**
 * Parses a `Link` header into rel → URL (the first link given for a rel wins, as RFC 8288 says).
 *
 * Tolerates entries joined by `,` with or without whitespace or newlines, any order, several rels
 * in one `rel="next last"`, unquoted rel values, other parameters, and commas or semicolons inside
 * `<...>` URLs or quoted parameter values. Rel names are lower-cased. URLs are returned exactly as
 * written (not resolved). A missing or empty header gives an empty map.
 */
export function parseLinkHeader(value: string | null | undefined): Map<string, string> {
  const links = new Map<string, string>();
  if (!value) return links;
  let i = 0;
  const n = value.length;
  while (i < n) {
    const open = value.indexOf("<", i);
    if (open < 0) break;
    const close = value.indexOf(">", open + 1);
    if (close < 0) break;
    const url = value.slice(open + 1, close).trim();
    i = close + 1;
    // Parameters run until a comma outside quotes (or the end).
    const params: string[] = [];
    let current = "";
    let quoted = false;
    for (; i < n; i++) {
      const ch = value[i];
      if (quoted) {
        if (ch === "\\" && i + 1 < n) {
          current += value[++i];
          continue;
        }
        if (ch === '"') quoted = false;
        current += ch;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        current += ch;
      } else if (ch === ";") {
        params.push(current);
        current = "";
      } else if (ch === ",") {
        i++;
        break;
      } else if (ch === "<" && current.trim() === "" && params.length === 0) {
        // A new link without a separating comma: be lenient and start over there.
        break;
      } else {
        current += ch;
      }
    }
    params.push(current);
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      if (name !== "rel") continue;
      let relValue = param.slice(eq + 1).trim();
      if (relValue.startsWith('"') && relValue.endsWith('"') && relValue.length >= 2) {
        relValue = relValue.slice(1, -1);
      }
      for (const rel of relValue.split(/\s+/)) {
        const key = rel.toLowerCase();
        if (key && !links.has(key)) links.set(key, url);
      }
      break; // only the first rel parameter counts
    }
  }
  return links;
}
