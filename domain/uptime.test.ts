import { describe, expect, test } from "vitest";
import type { ComponentStatus } from "./components.ts";
import { computeUptime, dayLevel, formatUptime, uptimeDays, type ComponentUptime, type StatusChange, type UptimeComponent } from "./uptime.ts";

function comp(over: Partial<UptimeComponent> & { id: string }): UptimeComponent {
  return { isGroup: false, childIds: [], status: "operational", startDate: null, createdAt: "2026-11-01T00:00:00.000Z", ...over };
}

function ch(componentId: string, changedAt: string, newStatus: ComponentStatus, oldStatus: ComponentStatus | null = "operational"): StatusChange {
  return { componentId, changedAt, newStatus, oldStatus };
}

const NOW = "2026-11-27T12:00:00.000Z";

function day(u: ComponentUptime | undefined, key: string) {
  const d = u?.days.find((x) => x.day === key);
  if (!d) throw new Error(`no day ${key}`);
  return d;
}

describe("uptimeDays", () => {
  test("90 days ending today in the page zone, oldest first", () => {
    const days = uptimeDays(NOW, "UTC");
    expect(days).toHaveLength(90);
    expect(days[0]).toBe("2026-08-30");
    expect(days[89]).toBe("2026-11-27");
  });
  test("today is the page zone's today", () => {
    expect(uptimeDays("2026-11-27T03:00:00Z", "America/New_York").at(-1)).toBe("2026-11-26");
  });
});

describe("a component's days (UTC page)", () => {
  const api = comp({ id: "api" });
  const changes = [
    ch("api", "2026-11-01T00:00:00Z", "operational", null),
    ch("api", "2026-11-20T10:00:00Z", "major_outage"),
    ch("api", "2026-11-20T10:30:00Z", "operational", "major_outage"),
    ch("api", "2026-11-21T00:00:00Z", "partial_outage"),
    ch("api", "2026-11-21T01:40:00Z", "operational", "partial_outage"),
    ch("api", "2026-11-22T08:00:00Z", "degraded_performance"),
    ch("api", "2026-11-22T20:00:00Z", "operational", "degraded_performance"),
    ch("api", "2026-11-23T01:00:00Z", "under_maintenance"),
    ch("api", "2026-11-23T05:00:00Z", "operational", "under_maintenance"),
  ];
  const u = computeUptime({ components: [api], statusChanges: changes, generatedAt: NOW, timeZone: "UTC" }).get("api");

  test("minutes per status per day", () => {
    expect(day(u, "2026-11-20")).toMatchObject({ minutes: 1440, major: 30, partial: 0, downtime: 30, level: "major" });
    expect(day(u, "2026-11-20").uptime).toBeCloseTo(1 - 30 / 1440, 10);
    expect(day(u, "2026-11-21")).toMatchObject({ minutes: 1440, partial: 100, level: "partial" });
    expect(day(u, "2026-11-21").downtime).toBeCloseTo(30, 10); // 100 min × 0.3
    expect(day(u, "2026-11-22")).toMatchObject({ degraded: 720, downtime: 0, uptime: 1, level: "minor" });
    expect(day(u, "2026-11-23")).toMatchObject({ maintenance: 240, downtime: 0, uptime: 1, level: "maint" });
  });

  test("days before the component existed have no data", () => {
    expect(day(u, "2026-10-31")).toMatchObject({ minutes: 0, uptime: null, level: "nodata" });
    expect(day(u, "2026-11-01")).toMatchObject({ minutes: 1440, uptime: 1, level: "none" });
    expect(u?.daysWithData).toBe(27);
  });

  test("today counts up to generatedAt only", () => {
    expect(day(u, "2026-11-27")).toMatchObject({ minutes: 720, uptime: 1 });
  });

  test("overall uptime is weighted over the minutes with data; outage days counted", () => {
    const minutes = 26 * 1440 + 720;
    expect(u?.uptime).toBeCloseTo(1 - 60 / minutes, 12);
    expect(formatUptime(u?.uptime ?? null)).toBe("99.84 %");
    expect(u?.outageDays).toBe(2);
  });
});

describe("where the data starts", () => {
  test("the change before the window gives the opening status", () => {
    const db = comp({ id: "db", createdAt: "2026-01-01T00:00:00Z" });
    const u = computeUptime({
      components: [db],
      statusChanges: [ch("db", "2026-05-01T00:00:00Z", "partial_outage")],
      generatedAt: NOW,
      timeZone: "UTC",
    }).get("db");
    expect(u?.daysWithData).toBe(90);
    expect(u?.days.every((d) => d.level === "partial")).toBe(true); // its worst status all day
    expect(u?.uptime).toBeCloseTo(0.7, 12);
    expect(formatUptime(u?.uptime ?? null)).toBe("70.00 %");
  });

  test("start_date (a day in the page zone) sets the first day with data", () => {
    const c = comp({ id: "cdn", startDate: "2026-11-10", createdAt: "2026-11-15T09:00:00Z" });
    const u = computeUptime({
      components: [c],
      statusChanges: [ch("cdn", "2026-11-15T09:00:00Z", "operational", null)],
      generatedAt: NOW,
      timeZone: "America/New_York",
    }).get("cdn");
    expect(day(u, "2026-11-09").level).toBe("nodata");
    expect(day(u, "2026-11-10")).toMatchObject({ minutes: 1440, level: "none" });
    expect(u?.daysWithData).toBe(18);
  });

  test("no changes at all: the current status since the start of the day it was created", () => {
    const c = comp({ id: "x", createdAt: "2026-11-27T06:00:00Z", status: "major_outage" });
    const u = computeUptime({ components: [c], statusChanges: [], generatedAt: NOW, timeZone: "UTC" }).get("x");
    expect(u?.daysWithData).toBe(1);
    expect(day(u, "2026-11-27")).toMatchObject({ minutes: 720, major: 720, uptime: 0, level: "major" });
    expect(formatUptime(u?.uptime ?? null)).toBe("0.00 %");
  });

  test("a component added this afternoon with a minute of outage has a good day, not a few bad minutes", () => {
    const c = comp({ id: "n", createdAt: "2026-11-27T11:00:00Z" });
    const changes = [
      { componentId: "n", oldStatus: null, newStatus: "operational" as const, changedAt: "2026-11-27T11:00:00Z" },
      { componentId: "n", oldStatus: "operational" as const, newStatus: "major_outage" as const, changedAt: "2026-11-27T11:30:00Z" },
      { componentId: "n", oldStatus: "major_outage" as const, newStatus: "operational" as const, changedAt: "2026-11-27T11:31:00Z" },
    ];
    const u = computeUptime({ components: [c], statusChanges: changes, generatedAt: NOW, timeZone: "UTC" }).get("n");
    // Counted from midnight (operational before its first status, as nothing was down): 1 of 720 minutes down.
    expect(day(u, "2026-11-27")).toMatchObject({ minutes: 720, major: 1 });
    expect(formatUptime(u?.uptime ?? null)).toBe("99.86 %");
    expect(day(u, "2026-11-26")?.minutes ?? 0).toBe(0);
  });

  test("a component created in the future of the snapshot has no data", () => {
    const c = comp({ id: "y", createdAt: "2026-12-01T00:00:00Z" });
    const u = computeUptime({ components: [c], statusChanges: [], generatedAt: NOW, timeZone: "UTC" }).get("y");
    expect(u?.uptime).toBeNull();
    expect(formatUptime(null)).toBe("No data");
  });
});

describe("days follow the page zone, including DST", () => {
  test("an outage at 03:00 UTC belongs to the previous day in New York", () => {
    const c = comp({ id: "a", createdAt: "2026-10-01T00:00:00Z" });
    const u = computeUptime({
      components: [c],
      statusChanges: [ch("a", "2026-11-27T03:00:00Z", "major_outage"), ch("a", "2026-11-27T04:00:00Z", "operational", "major_outage")],
      generatedAt: NOW,
      timeZone: "America/New_York",
    }).get("a");
    expect(day(u, "2026-11-26")).toMatchObject({ major: 60, level: "major" });
    expect(day(u, "2026-11-27").major).toBe(0);
  });

  test("Berlin: a whole-day outage on a 23-hour and a 25-hour day", () => {
    const c = comp({ id: "b", createdAt: "2026-01-01T00:00:00Z" });
    const changes = [
      ch("b", "2026-03-28T23:00:00Z", "major_outage"), // Mar 29 00:00 CET
      ch("b", "2026-03-29T22:00:00Z", "operational", "major_outage"), // Mar 30 00:00 CEST
      ch("b", "2026-10-24T22:00:00Z", "major_outage"), // Oct 25 00:00 CEST
      ch("b", "2026-10-25T23:00:00Z", "operational", "major_outage"), // Oct 26 00:00 CET
    ];
    const u = computeUptime({ components: [c], statusChanges: changes, generatedAt: "2026-11-10T12:00:00Z", timeZone: "Europe/Berlin", days: 240 }).get("b");
    expect(day(u, "2026-03-29")).toMatchObject({ minutes: 23 * 60, major: 23 * 60, uptime: 0 });
    expect(day(u, "2026-03-28").major).toBe(0);
    expect(day(u, "2026-03-30").major).toBe(0);
    expect(day(u, "2026-10-25")).toMatchObject({ minutes: 25 * 60, major: 25 * 60, uptime: 0 });
    expect(day(u, "2026-10-26")).toMatchObject({ minutes: 24 * 60, major: 0 });
  });
});

describe("groups", () => {
  test("a group averages its children", () => {
    const g = comp({ id: "g", isGroup: true, childIds: ["a", "b"] });
    const a = comp({ id: "a" });
    const b = comp({ id: "b", createdAt: "2026-11-27T00:00:00Z" });
    const changes = [ch("a", "2026-11-27T00:00:00Z", "major_outage"), ch("a", "2026-11-27T06:00:00Z", "operational", "major_outage")];
    const all = computeUptime({ components: [g, a, b], statusChanges: changes, generatedAt: NOW, timeZone: "UTC" });
    const ua = all.get("a")!;
    const ub = all.get("b")!;
    const ug = all.get("g")!;
    expect(ub.uptime).toBe(1);
    expect(ug.uptime).toBeCloseTo(((ua.uptime ?? 0) + 1) / 2, 12);
    // Today: a is down 6 of 12 hours (50 %), b is fine: the group's day is 75 %, coloured as a's.
    expect(day(ug, "2026-11-27").uptime).toBeCloseTo(0.75, 12);
    expect(day(ug, "2026-11-27").level).toBe("major");
    expect(day(ug, "2026-11-26").uptime).toBe(1); // only a has data
    expect(day(ug, "2026-10-01").level).toBe("nodata");
    expect(ug.outageDays).toBe(1);
  });

  test("an empty group has no data", () => {
    const g = comp({ id: "g", isGroup: true });
    expect(computeUptime({ components: [g], statusChanges: [], generatedAt: NOW, timeZone: "UTC" }).get("g")?.uptime).toBeNull();
  });
});

describe("levels and percentages", () => {
  const base = { minutes: 1440, degraded: 0, partial: 0, major: 0, maintenance: 0 };
  test.each([
    [base, "none"],
    // A day's colour is its worst status that lasted five minutes: a blip does not paint it.
    [{ ...base, major: 0.5 }, "none"],
    [{ ...base, major: 4.9 }, "none"],
    [{ ...base, major: 5 }, "major"],
    [{ ...base, major: 10, partial: 600 }, "major"],
    [{ ...base, partial: 180 }, "partial"],
    [{ ...base, major: 3, partial: 2 }, "partial"],
    [{ ...base, degraded: 5 }, "minor"],
    [{ ...base, degraded: 3, partial: 2 }, "minor"],
    [{ ...base, maintenance: 240 }, "maint"],
    [{ ...base, maintenance: 240, degraded: 30 }, "minor"],
    [{ ...base, maintenance: 4 }, "none"],
    [{ ...base, minutes: 0 }, "nodata"],
  ] as const)("%o → %s", (d, level) => {
    expect(dayLevel(d)).toBe(level);
  });

  test.each([
    [1, "100 %"],
    [0.9995, "99.95 %"],
    [0.99999, "99.99 %"],
    [0.9, "90.00 %"],
    [0.123456, "12.34 %"],
    [0, "0.00 %"],
  ])("%d → %s", (u, text) => {
    expect(formatUptime(u)).toBe(text);
  });
});
