import { describe, expect, it } from "vitest";
import { DEFAULT_DIGEST, dueDigest, formatDigestSchedule, groupByOwner, parseDigestSchedule } from "./action-digest.ts";

describe("ACTION_DIGEST", () => {
  it("reads a weekday and a time, or off", () => {
    expect(parseDigestSchedule("Monday 09:00")).toEqual(DEFAULT_DIGEST);
    expect(parseDigestSchedule(" fri 16:30 ")).toEqual({ weekday: 5, hour: 16, minute: 30 });
    expect(parseDigestSchedule("Sunday 0:05")).toEqual({ weekday: 0, hour: 0, minute: 5 });
    expect(parseDigestSchedule("off")).toBeNull();
    for (const bad of ["Monday", "Mo 09:00", "Monday 24:00", "Monday 09:60", "Funday 09:00", "09:00 Monday"]) expect(parseDigestSchedule(bad)).toBeUndefined();
    expect(formatDigestSchedule({ weekday: 5, hour: 16, minute: 30 })).toBe("Friday 16:30");
  });
});

describe("the week's slot", () => {
  const monday9 = DEFAULT_DIGEST;
  it("is due from the hour for a day, in the page's zone", () => {
    // Monday Dec 7, 2026, 09:00 in New York is 14:00Z.
    expect(dueDigest("2026-12-07T13:59:00Z", "America/New_York", monday9)).toBeNull();
    expect(dueDigest("2026-12-07T14:00:00Z", "America/New_York", monday9)).toEqual({ day: "2026-12-07", at: "2026-12-07T14:00:00.000Z" });
    expect(dueDigest("2026-12-08T13:59:00Z", "America/New_York", monday9)).toEqual({ day: "2026-12-07", at: "2026-12-07T14:00:00.000Z" });
    expect(dueDigest("2026-12-08T14:00:00Z", "America/New_York", monday9)).toBeNull();
    // Sunday evening before: last week's slot is long past, this week's not yet come.
    expect(dueDigest("2026-12-06T23:00:00Z", "America/New_York", monday9)).toBeNull();
  });

  it("follows the zone across a DST change", () => {
    // Monday Mar 9, 2026: New York is on EDT since Sunday, so 09:00 is 13:00Z (not 14:00Z).
    expect(dueDigest("2026-03-09T13:00:00Z", "America/New_York", monday9)).toEqual({ day: "2026-03-09", at: "2026-03-09T13:00:00.000Z" });
    // Monday Nov 2, 2026: back on EST.
    expect(dueDigest("2026-11-02T13:30:00Z", "America/New_York", monday9)).toBeNull();
    expect(dueDigest("2026-11-02T14:00:00Z", "America/New_York", monday9)?.day).toBe("2026-11-02");
  });
});

describe("grouping by owner", () => {
  it("owners alphabetically, the unassigned last; overdue first, then by due date, undated last", () => {
    const items = [
      { id: "a", owner: "@bob", dueDate: "2026-12-20" },
      { id: "b", owner: null, dueDate: null },
      { id: "c", owner: "@alice", dueDate: null },
      { id: "d", owner: "@bob", dueDate: "2026-12-01" },
      { id: "e", owner: "Alice", dueDate: "2026-12-10" },
      { id: "f", owner: "@alice", dueDate: "2026-12-02" },
      { id: "g", owner: " ", dueDate: "2026-12-30" },
    ];
    const groups = groupByOwner(items, "2026-12-07");
    expect(groups.map((g) => [g.owner, g.items.map((i) => `${i.id}${i.overdue ? "!" : ""}`)])).toEqual([
      ["@alice", ["f!", "c"]],
      ["Alice", ["e"]],
      ["@bob", ["d!", "a"]],
      [null, ["g", "b"]],
    ]);
  });
});
