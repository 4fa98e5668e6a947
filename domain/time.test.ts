import { describe, expect, test } from "vitest";
import {
  HOUR,
  instantOfWallClock,
  wallClockInput,
  addDays,
  addMonths,
  dayKey,
  dayLengthMs,
  dayStart,
  formatDateTime,
  formatDay,
  formatDayShort,
  formatDuration,
  formatMonth,
  formatPosted,
  formatRange,
  formatTime,
  isMonthKey,
  isoUtc,
  monthKey,
  offsetMs,
  timeZoneLabel,
  wallClock,
} from "./time.ts";

// These run under TZ=UTC and TZ=America/New_York (npm test runs the suite twice): nothing below
// may depend on the process's zone.

describe("labels and formats", () => {
  test("UTC pages say UTC", () => {
    expect(formatTime("2026-11-27T14:05:00Z", "Etc/UTC")).toBe("14:05 UTC");
    expect(formatTime("2026-11-27T14:05:00Z", "UTC")).toBe("14:05 UTC");
    expect(formatDateTime("2026-11-27T14:05:00Z", "UTC")).toBe("Nov 27, 14:05 UTC");
    expect(formatPosted("2026-11-27T14:05:00Z", "UTC")).toBe("Nov 27, 2026 - 14:05 UTC");
  });

  test("New York: EST in winter, EDT in summer", () => {
    expect(formatDateTime("2026-11-27T19:05:00Z", "America/New_York")).toBe("Nov 27, 14:05 EST");
    expect(formatPosted("2026-07-04T16:00:00Z", "America/New_York")).toBe("Jul 4, 2026 - 12:00 EDT");
  });

  test("European zones get their own abbreviations, not GMT+1", () => {
    expect(timeZoneLabel("2026-01-15T12:00:00Z", "Europe/Berlin")).toBe("CET");
    expect(timeZoneLabel("2026-07-15T12:00:00Z", "Europe/Berlin")).toBe("CEST");
    expect(timeZoneLabel("2026-07-15T12:00:00Z", "Europe/London")).toBe("BST");
    expect(timeZoneLabel("2026-01-15T12:00:00Z", "Europe/London")).toBe("GMT");
  });

  test("zones without a common abbreviation show their offset", () => {
    expect(formatTime("2026-11-27T12:00:00Z", "Asia/Kolkata")).toBe("17:30 GMT+5:30");
  });

  test("24-hour clock, midnight is 00:00", () => {
    expect(formatTime("2026-11-27T00:05:00Z", "UTC")).toBe("00:05 UTC");
    expect(formatTime("2026-11-27T23:59:00Z", "UTC")).toBe("23:59 UTC");
  });

  test("a time and its day follow the page zone, not UTC", () => {
    // 03:00 UTC on the 28th is still the evening of the 27th in New York.
    expect(dayKey("2026-11-28T03:00:00Z", "America/New_York")).toBe("2026-11-27");
    expect(dayKey("2026-11-28T03:00:00Z", "UTC")).toBe("2026-11-28");
    expect(formatPosted("2026-11-28T03:00:00Z", "America/New_York")).toBe("Nov 27, 2026 - 22:00 EST");
    expect(monthKey("2026-12-01T03:00:00Z", "America/New_York")).toBe("2026-11");
    expect(monthKey("2026-12-01T03:00:00Z", "UTC")).toBe("2026-12");
  });

  test("days and months in words", () => {
    expect(formatDay("2026-11-07")).toBe("Nov 7, 2026");
    expect(formatDayShort("2026-01-31")).toBe("Jan 31");
    expect(formatMonth("2026-11")).toBe("November 2026");
    expect(formatMonth("2027-01")).toBe("January 2027");
    expect(() => formatMonth("2026-13")).toThrow(RangeError);
    expect(isMonthKey("2026-11")).toBe(true);
    expect(isMonthKey("2026-00")).toBe(false);
    expect(isMonthKey("2026-1")).toBe(false);
  });

  test("isoUtc normalises to the Z form", () => {
    expect(isoUtc("2026-11-27T14:05:00+01:00")).toBe("2026-11-27T13:05:00.000Z");
    expect(() => isoUtc("yesterday")).toThrow(RangeError);
  });
});

describe("ranges", () => {
  test("within a day", () => {
    expect(formatRange("2026-12-03T02:00:00Z", "2026-12-03T04:00:00Z", "UTC")).toBe("Dec 3, 02:00 – 04:00 UTC");
  });
  test("across days", () => {
    expect(formatRange("2026-12-03T22:00:00Z", "2026-12-04T02:30:00Z", "UTC")).toBe("Dec 3, 22:00 – Dec 4, 02:30 UTC");
  });
  test("across years", () => {
    expect(formatRange("2026-12-31T22:00:00Z", "2027-01-01T02:00:00Z", "UTC")).toBe("Dec 31, 2026, 22:00 – Jan 1, 2027, 02:00 UTC");
  });
  test("a DST change inside the window labels both ends", () => {
    // Berlin, Mar 29 2026: 02:00 CET becomes 03:00 CEST.
    expect(formatRange("2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z", "Europe/Berlin")).toBe("Mar 29, 01:30 CET – 03:30 CEST");
  });
  test("open-ended", () => {
    expect(formatRange("2026-12-03T02:00:00Z", null, "UTC")).toBe("from Dec 3, 02:00 UTC");
  });
});

describe("durations", () => {
  test.each([
    [0, "less than a minute"],
    [29_000, "less than a minute"],
    [31_000, "1 min"],
    [45 * 60_000, "45 min"],
    [60 * 60_000, "1 h"],
    [115 * 60_000, "1 h 55 min"],
    [(23 * 60 + 59) * 60_000, "23 h 59 min"],
    [24 * HOUR, "1 d"],
    [27 * HOUR + 10 * 60_000, "1 d 3 h"],
    [50 * HOUR, "2 d 2 h"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
  test("negative is an error", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
  });
});

describe("calendar arithmetic", () => {
  test("addDays crosses months, years and leap days", () => {
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-11-27", -89)).toBe("2026-08-30");
    expect(addDays("2026-03-08", 1)).toBe("2026-03-09"); // a 23-hour day is still one day
  });
  test("addMonths", () => {
    expect(addMonths("2026-11", 1)).toBe("2026-12");
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
  });
  test("bad keys are refused", () => {
    expect(() => addDays("2026-1-1", 1)).toThrow(RangeError);
  });
});

describe("day boundaries across DST", () => {
  test("an ordinary day is 24 hours and starts at local midnight", () => {
    expect(new Date(dayStart("2026-11-27", "UTC")).toISOString()).toBe("2026-11-27T00:00:00.000Z");
    expect(new Date(dayStart("2026-11-27", "America/New_York")).toISOString()).toBe("2026-11-27T05:00:00.000Z");
    expect(dayLengthMs("2026-11-27", "America/New_York")).toBe(24 * HOUR);
  });

  test("New York: Mar 8 2026 has 23 hours, Nov 1 2026 has 25", () => {
    expect(new Date(dayStart("2026-03-08", "America/New_York")).toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(new Date(dayStart("2026-03-09", "America/New_York")).toISOString()).toBe("2026-03-09T04:00:00.000Z");
    expect(dayLengthMs("2026-03-08", "America/New_York")).toBe(23 * HOUR);
    expect(dayLengthMs("2026-11-01", "America/New_York")).toBe(25 * HOUR);
    expect(new Date(dayStart("2026-11-02", "America/New_York")).toISOString()).toBe("2026-11-02T05:00:00.000Z");
  });

  test("Berlin: Mar 29 2026 has 23 hours, Oct 25 2026 has 25", () => {
    expect(new Date(dayStart("2026-03-29", "Europe/Berlin")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(dayLengthMs("2026-03-29", "Europe/Berlin")).toBe(23 * HOUR);
    expect(new Date(dayStart("2026-10-25", "Europe/Berlin")).toISOString()).toBe("2026-10-24T22:00:00.000Z");
    expect(dayLengthMs("2026-10-25", "Europe/Berlin")).toBe(25 * HOUR);
    expect(offsetMs("2026-10-25T00:30:00Z", "Europe/Berlin")).toBe(2 * HOUR);
    expect(offsetMs("2026-10-25T01:30:00Z", "Europe/Berlin")).toBe(1 * HOUR);
  });

  test("the repeated hour of a fall-back day keeps both labels apart", () => {
    // 02:30 happens twice in Berlin on Oct 25 2026.
    expect(formatTime("2026-10-25T00:30:00Z", "Europe/Berlin")).toBe("02:30 CEST");
    expect(formatTime("2026-10-25T01:30:00Z", "Europe/Berlin")).toBe("02:30 CET");
    expect(dayKey("2026-10-25T01:30:00Z", "Europe/Berlin")).toBe("2026-10-25");
  });

  test("a day whose midnight is skipped starts when the clocks jump (Santiago)", () => {
    // Chile springs forward at 24:00 on the first Saturday of September: 2026-09-06 begins at 01:00 -03.
    const start = dayStart("2026-09-06", "America/Santiago");
    expect(new Date(start).toISOString()).toBe("2026-09-06T04:00:00.000Z");
    expect(wallClock(start, "America/Santiago")).toMatchObject({ day: 6, hour: 1, minute: 0 });
    expect(dayKey(start - 1, "America/Santiago")).toBe("2026-09-05");
    expect(dayLengthMs("2026-09-06", "America/Santiago")).toBe(23 * HOUR);
  });
});

describe("instantOfWallClock and wallClockInput (the console's datetime-local fields)", () => {
  test("a wall-clock time in the page's zone is the instant it names there", () => {
    expect(instantOfWallClock("2026-07-01T09:30", "America/New_York")).toBe("2026-07-01T13:30:00.000Z");
    expect(instantOfWallClock("2026-01-15T09:30", "America/New_York")).toBe("2026-01-15T14:30:00.000Z");
    expect(instantOfWallClock("2026-01-15T09:30", "Etc/UTC")).toBe("2026-01-15T09:30:00.000Z");
    expect(instantOfWallClock("2026-01-15T09:30", "Asia/Kolkata")).toBe("2026-01-15T04:00:00.000Z");
    expect(wallClockInput("2026-07-01T13:30:00.000Z", "America/New_York")).toBe("2026-07-01T09:30");
  });
  test("a time skipped by the spring jump lands just after it; the doubled autumn hour is the first", () => {
    expect(instantOfWallClock("2026-03-08T02:30", "America/New_York")).toBe("2026-03-08T07:30:00.000Z"); // 03:30 EDT
    expect(instantOfWallClock("2026-11-01T01:30", "America/New_York")).toBe("2026-11-01T05:30:00.000Z"); // 01:30 EDT, not EST
  });
  test("anything else is no time", () => {
    for (const bad of ["", "2026-02-30T10:00", "2026-01-15 09:30", "2026-01-15T24:00", "2026-01-15T09:60", "tomorrow"]) expect(instantOfWallClock(bad, "Etc/UTC")).toBeNull();
  });
});
