import { describe, expect, it } from "vitest";
import {
  checkNextUpdateAt,
  firstUpdateDueAt,
  measureResponse,
  nextBusinessDayStart,
  promiseOutcomes,
  responseLapses,
  type ResponseUpdate,
} from "./response.ts";

const update = (seq: number, createdAt: string, status = "investigating", nextUpdateAt: string | null = null): ResponseUpdate => ({
  seq, createdAt, status, nextUpdateAt,
});

describe("firstUpdateDueAt", () => {
  it("adds the seed's response time for SEV1–SEV3", () => {
    expect(firstUpdateDueAt("SEV1", "2026-01-15T14:05:00.000Z", "Etc/UTC")).toBe("2026-01-15T14:20:00.000Z");
    expect(firstUpdateDueAt("SEV2", "2026-01-15T14:05:00.000Z", "Etc/UTC")).toBe("2026-01-15T14:35:00.000Z");
    expect(firstUpdateDueAt("SEV3", "2026-01-15T23:30:00.000Z", "Etc/UTC")).toBe("2026-01-16T01:30:00.000Z");
  });

  it("gives SEV4 until 09:00 of the next business day in the page's zone", () => {
    // Thursday 2026-01-15 → Friday 09:00 UTC.
    expect(firstUpdateDueAt("SEV4", "2026-01-15T14:05:00.000Z", "Etc/UTC")).toBe("2026-01-16T09:00:00.000Z");
  });
});

describe("nextBusinessDayStart", () => {
  it("skips the weekend: Friday afternoon, Saturday and Sunday all lead to Monday 09:00", () => {
    for (const at of ["2026-01-16T16:00:00.000Z", "2026-01-17T10:00:00.000Z", "2026-01-18T23:59:00.000Z"]) {
      expect(nextBusinessDayStart(at, "Etc/UTC")).toBe("2026-01-19T09:00:00.000Z");
    }
  });

  it("is the day AFTER, even when the incident starts before 09:00 on a weekday", () => {
    expect(nextBusinessDayStart("2026-01-19T02:00:00.000Z", "Etc/UTC")).toBe("2026-01-20T09:00:00.000Z");
  });

  it("counts days in the page's zone, not UTC's", () => {
    // Friday 2026-01-16 22:00 in New York is Saturday 03:00 UTC: still Friday on the page → Monday 09:00 EST.
    expect(nextBusinessDayStart("2026-01-17T03:00:00.000Z", "America/New_York")).toBe("2026-01-19T14:00:00.000Z");
    // Monday 00:30 in Berlin is Sunday 23:30 UTC: Monday on the page → Tuesday 09:00 CET.
    expect(nextBusinessDayStart("2026-01-18T23:30:00.000Z", "Europe/Berlin")).toBe("2026-01-20T08:00:00.000Z");
  });

  it("keeps 09:00 local across a DST change over the weekend", () => {
    // US clocks spring forward on Sunday 2026-03-08: Friday 16:00 EST → Monday 09:00 EDT (13:00 UTC).
    expect(nextBusinessDayStart("2026-03-06T21:00:00.000Z", "America/New_York")).toBe("2026-03-09T13:00:00.000Z");
    // …and fall back on Sunday 2026-11-01: Friday 16:00 EDT → Monday 09:00 EST (14:00 UTC).
    expect(nextBusinessDayStart("2026-10-30T20:00:00.000Z", "America/New_York")).toBe("2026-11-02T14:00:00.000Z");
    // Europe changes on Sunday 2026-03-29: Friday → Monday 09:00 CEST (07:00 UTC).
    expect(nextBusinessDayStart("2026-03-27T15:00:00.000Z", "Europe/Berlin")).toBe("2026-03-30T07:00:00.000Z");
  });
});

describe("promiseOutcomes", () => {
  const started = "2026-01-15T14:00:00.000Z";
  it("keeps a promise met by a later update at or before its time, and breaks one that is not", () => {
    const updates = [
      update(1, started, "investigating", "2026-01-15T14:30:00.000Z"),
      update(2, "2026-01-15T14:30:00.000Z", "identified", "2026-01-15T15:00:00.000Z"),
      update(3, "2026-01-15T15:10:00.000Z", "monitoring"),
    ];
    const outcomes = promiseOutcomes(updates, "2026-01-15T16:00:00.000Z");
    expect(outcomes.map((o) => [o.dueAt, o.kept, o.lateByMs])).toEqual([
      ["2026-01-15T14:30:00.000Z", true, null],
      ["2026-01-15T15:00:00.000Z", false, 10 * 60_000],
    ]);
  });

  it("leaves a promise not yet due undecided, and counts an overdue one as broken as of now", () => {
    const updates = [update(1, started, "investigating", "2026-01-15T14:30:00.000Z")];
    expect(promiseOutcomes(updates, "2026-01-15T14:29:00.000Z")[0]!.kept).toBeNull();
    expect(promiseOutcomes(updates, "2026-01-15T14:30:00.000Z")[0]!.kept).toBeNull();
    const late = promiseOutcomes(updates, "2026-01-15T14:31:00.000Z")[0]!;
    expect([late.kept, late.lateByMs, late.nextAt]).toEqual([false, 60_000, null]);
  });

  it("ignores a promise made by a resolving update", () => {
    expect(promiseOutcomes([update(1, started, "resolved", "2026-01-15T14:30:00.000Z")], "2026-01-16T00:00:00.000Z")).toEqual([]);
  });
});

describe("responseLapses", () => {
  it("finds a first update later than started_at + target", () => {
    const input = { severity: "SEV1" as const, startedAt: "2026-01-15T14:00:00.000Z", resolvedAt: null, updates: [update(1, "2026-01-15T14:25:00.000Z")] };
    expect(responseLapses(input, "2026-01-15T14:26:00.000Z", "Etc/UTC")).toEqual([
      { kind: "first_update", dueAt: "2026-01-15T14:15:00.000Z", resolvedAt: "2026-01-15T14:25:00.000Z" },
    ]);
    const onTime = { ...input, updates: [update(1, "2026-01-15T14:15:00.000Z")] };
    expect(responseLapses(onTime, "2026-01-15T18:00:00.000Z", "Etc/UTC")).toEqual([]);
  });

  it("lists an overdue promise as unresolved, then resolved by the late update", () => {
    const promise = update(1, "2026-01-15T14:00:00.000Z", "investigating", "2026-01-15T14:30:00.000Z");
    const input = { severity: "SEV2" as const, startedAt: "2026-01-15T14:00:00.000Z", resolvedAt: null, updates: [promise] };
    expect(responseLapses(input, "2026-01-15T14:40:00.000Z", "Etc/UTC")).toEqual([
      { kind: "next_update", dueAt: "2026-01-15T14:30:00.000Z", resolvedAt: null },
    ]);
    const later = { ...input, updates: [promise, update(2, "2026-01-15T14:45:00.000Z", "identified")] };
    expect(responseLapses(later, "2026-01-15T15:00:00.000Z", "Etc/UTC")).toEqual([
      { kind: "next_update", dueAt: "2026-01-15T14:30:00.000Z", resolvedAt: "2026-01-15T14:45:00.000Z" },
    ]);
  });
});

describe("measureResponse", () => {
  it("measures time to first update, identify, monitor and resolve against the target", () => {
    const report = measureResponse(
      {
        severity: "SEV1",
        startedAt: "2026-01-15T14:00:00.000Z",
        resolvedAt: "2026-01-15T15:00:00.000Z",
        updates: [
          update(4, "2026-01-15T15:00:00.000Z", "resolved"),
          update(1, "2026-01-15T14:05:00.000Z", "investigating", "2026-01-15T14:15:00.000Z"),
          update(2, "2026-01-15T14:20:00.000Z", "identified"),
          update(3, "2026-01-15T14:30:00.000Z", "monitoring"),
        ],
      },
      "2026-01-15T16:00:00.000Z",
      "Etc/UTC",
    );
    expect(report.target).toBe("Immediate (< 15 minutes)");
    expect(report.firstUpdate).toEqual({ dueAt: "2026-01-15T14:15:00.000Z", at: "2026-01-15T14:05:00.000Z", afterMs: 5 * 60_000, met: true });
    expect(report.identified?.afterMs).toBe(20 * 60_000);
    expect(report.monitoring?.afterMs).toBe(30 * 60_000);
    expect(report.resolved?.afterMs).toBe(60 * 60_000);
    expect(report.promises).toHaveLength(1);
    expect(report.promises[0]!.kept).toBe(false);
    expect(report.lapses).toEqual([{ kind: "next_update", dueAt: "2026-01-15T14:15:00.000Z", resolvedAt: "2026-01-15T14:20:00.000Z" }]);
  });

  it("counts a skipped identified step as identified by the first later status, and leaves monitoring empty", () => {
    const report = measureResponse(
      { severity: "SEV3", startedAt: "2026-01-15T14:00:00.000Z", resolvedAt: "2026-01-15T14:50:00.000Z", updates: [update(1, "2026-01-15T14:00:00.000Z"), update(2, "2026-01-15T14:50:00.000Z", "resolved")] },
      "2026-01-15T16:00:00.000Z",
      "Etc/UTC",
    );
    expect(report.identified?.at).toBe("2026-01-15T14:50:00.000Z");
    expect(report.monitoring).toBeNull();
    expect(report.firstUpdate.met).toBe(true);
  });
});

describe("checkNextUpdateAt", () => {
  it("accepts the future within a week and refuses the past and far future", () => {
    const now = "2026-01-15T14:00:00.000Z";
    expect(checkNextUpdateAt("2026-01-15T14:30:00.000Z", now)).toBeNull();
    expect(checkNextUpdateAt(now, now)).toMatch(/future/);
    expect(checkNextUpdateAt("2026-01-30T14:00:00.000Z", now)).toMatch(/7 days/);
  });
});

describe("postmortemDueAt", () => {
  it("two business days after the day of resolution, to its end, in the page's zone", async () => {
    const { postmortemDueAt, needsPostmortem } = await import("./response.ts");
    // Resolved on a Wednesday: due by the end of Friday.
    expect(postmortemDueAt("2026-11-04T15:00:00.000Z", "Etc/UTC")).toBe("2026-11-07T00:00:00.000Z");
    // Resolved on a Friday: the weekend does not count; due by the end of Tuesday.
    expect(postmortemDueAt("2026-11-06T15:00:00.000Z", "Etc/UTC")).toBe("2026-11-11T00:00:00.000Z");
    // Across the DST change in New York (Sunday, March 8, 2026): midnight there is 04:00Z afterwards, 05:00Z before.
    expect(postmortemDueAt("2026-03-06T20:00:00.000Z", "America/New_York")).toBe("2026-03-11T04:00:00.000Z");
    // Late Friday evening in New York is already Saturday in UTC: the page's zone decides the day.
    expect(postmortemDueAt("2026-11-07T02:00:00.000Z", "America/New_York")).toBe("2026-11-11T05:00:00.000Z");
    expect([needsPostmortem("SEV1"), needsPostmortem("SEV2"), needsPostmortem("SEV3"), needsPostmortem("SEV4")]).toEqual([true, true, false, false]);
  });
});
