import { describe, expect, test } from "vitest";
import { monthBounds, monthKey, monthsOf } from "./months.ts";

describe("archive months in the page's zone", () => {
  test("an instant belongs to the month of the page's wall clock", () => {
    expect(monthKey("2026-12-01T03:00:00.000Z", "Etc/UTC")).toBe("2026-12");
    expect(monthKey("2026-12-01T03:00:00.000Z", "America/New_York")).toBe("2026-11");
    expect(monthKey("2026-11-30T23:30:00.000Z", "Europe/Berlin")).toBe("2026-12");
  });

  test("bounds are local midnights, across DST changes", () => {
    expect(monthBounds("2026-11", "Etc/UTC")).toEqual({ from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" });
    // New York is on EST (-5) on March 1 and on EDT (-4) by April 1 (DST began March 8, 2026).
    expect(monthBounds("2026-03", "America/New_York")).toEqual({ from: "2026-03-01T05:00:00.000Z", to: "2026-04-01T04:00:00.000Z" });
    // Berlin is on CEST (+2) on October 1 and on CET (+1) by November 1 (DST ended October 25, 2026).
    expect(monthBounds("2026-10", "Europe/Berlin")).toEqual({ from: "2026-09-30T22:00:00.000Z", to: "2026-10-31T23:00:00.000Z" });
    expect(monthBounds("2026-12", "Asia/Kolkata")).toEqual({ from: "2026-11-30T18:30:00.000Z", to: "2026-12-31T18:30:00.000Z" });
  });

  test("months are distinct and newest first", () => {
    expect(monthsOf(["2026-01-05T00:00:00Z", "2026-03-01T00:00:00Z", "2026-01-20T00:00:00Z", "2025-12-31T23:00:00Z"], "Etc/UTC")).toEqual(["2026-03", "2026-01", "2025-12"]);
  });
});
