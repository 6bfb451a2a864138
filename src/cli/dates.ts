import { UsageError } from "../errors.ts";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO-8601 date (`2022-11-01`, midnight UTC) or date-time with a zone
 * (`2022-11-01T09:30:00Z`, `2022-11-01T09:30:00+02:00`) into a Date.
 * Throws a UsageError quoting the value when it is not one, or names an impossible day.
 */
export function parseIsoDate(value: string, flag: string): Date {
  const text = value.trim();
  const dateOnly = DATE_ONLY.exec(text);
  const dateTime = dateOnly ? null : DATE_TIME.exec(text);
  const parts = dateOnly ?? dateTime;
  if (!parts) {
    throw new UsageError(
      `${flag} "${value}" is not an ISO-8601 date: use 2022-11-01, 2022-11-01T09:30:00Z or 2022-11-01T09:30:00+02:00`,
    );
  }
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (
    probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day
  ) {
    throw new UsageError(`${flag} "${value}" is not a calendar date`);
  }
  if (dateOnly) return probe;

  const [hour, minute, second] = [Number(parts[4]), Number(parts[5]), Number(parts[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) {
    throw new UsageError(`${flag} "${value}" is not a valid time of day`);
  }
  const zone = parts[8];
  if (!zone) {
    throw new UsageError(
      `${flag} "${value}" has no time zone: add Z for UTC or an offset such as +02:00`,
    );
  }
  const millis = parts[7] ? Math.floor(Number(parts[7]) * 1000) : 0;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const sign = digits.startsWith("-") ? -1 : 1;
    const [offH, offM] = [Number(digits.slice(1, 3)), Number(digits.slice(3, 5))];
    if (offH > 23 || offM > 59) throw new UsageError(`${flag} "${value}" has an invalid offset`);
    offsetMinutes = sign * (offH * 60 + offM);
  }
  return new Date(
    Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000,
  );
}
