import assert from "node:assert/strict";
import { parseIsoDate } from "../../src/cli/dates.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("a date-only value means midnight UTC", () => {
  assert.equal(parseIsoDate("2022-11-01", "-a").toISOString(), "2022-11-01T00:00:00.000Z");
});

Deno.test("date-times with Z, offsets and fractions convert to UTC", () => {
  assert.equal(
    parseIsoDate("2022-11-01T09:30:00Z", "-a").toISOString(),
    "2022-11-01T09:30:00.000Z",
  );
  assert.equal(
    parseIsoDate("2022-11-01T09:30:00+02:00", "-a").toISOString(),
    "2022-11-01T07:30:00.000Z",
  );
  assert.equal(
    parseIsoDate("2022-11-01T00:15:00-0130", "-a").toISOString(),
    "2022-11-01T01:45:00.000Z",
  );
  assert.equal(
    parseIsoDate("2022-11-01T09:30:00.25Z", "-a").toISOString(),
    "2022-11-01T09:30:00.250Z",
  );
  assert.equal(parseIsoDate("2022-11-01T09:30Z", "-a").toISOString(), "2022-11-01T09:30:00.000Z");
});

Deno.test("invalid dates are usage errors that quote the value", () => {
  for (
    const bad of ["yesterday", "2022-13-01", "2022-02-30", "2022-11-01T25:00:00Z", "11/01/2022", ""]
  ) {
    assert.throws(
      () => parseIsoDate(bad, "--created_after"),
      (error: unknown) => error instanceof UsageError && error.message.includes(`"${bad}"`),
      bad,
    );
  }
});

Deno.test("a date-time without a zone is refused rather than guessed", () => {
  assert.throws(() => parseIsoDate("2022-11-01T09:30:00", "-a"), /no time zone/);
});
