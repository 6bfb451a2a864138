/** ISO-8601 helpers for the sandbox: output with milliseconds, lenient parsing of filter values. */

export const DAY_MS = 86_400_000;

/** `2020-11-24T23:27:11.699Z` */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2020-11-24` */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parse an ISO-8601 filter value: date-only (`2024-01-01`, midnight UTC), date-time with or
 * without seconds and fractional seconds, `Z` or a numeric offset (`+02:00`, `+0200`, `+02`).
 * A date-time without a zone is read as UTC. Returns undefined when the value is not ISO-8601.
 */
export function parseIsoFilter(value: string): number | undefined {
  const m = ISO_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}
