import { describe, expect, it } from "vitest";
import { responseReport, reportGroup, type ReportIncident } from "./report.ts";

const row = (over: Partial<ReportIncident>): ReportIncident => ({
  severity: "SEV2", drill: false, startedAt: "2026-11-02T10:00:00.000Z", firstUpdateAt: "2026-11-02T10:10:00.000Z", identifiedAt: "2026-11-02T10:30:00.000Z",
  resolvedAt: "2026-11-02T12:00:00.000Z", lapses: 0, postmortemPublishedAt: null, actionItemsOpen: 0, actionItemsOverdue: 0, ...over,
});
const NOW = "2026-12-01T00:00:00.000Z";

describe("reportGroup", () => {
  it("medians and p90 of time to first update, identified and resolved; met against the severity's target", () => {
    const g = reportGroup("SEV2", [
      row({ firstUpdateAt: "2026-11-02T10:10:00.000Z" }), // 10 min: met (target 30 min)
      row({ firstUpdateAt: "2026-11-02T10:20:00.000Z" }), // 20 min: met
      row({ firstUpdateAt: "2026-11-02T11:00:00.000Z", lapses: 1 }), // 60 min: missed
    ], NOW, "Etc/UTC");
    expect(g.incidents).toBe(3);
    expect(g.first_update).toEqual({ count: 3, median_seconds: 1200, p90_seconds: 3600, target: "30 minutes", met: 2, missed: 1 });
    expect(g.identified).toEqual({ count: 3, median_seconds: 1800, p90_seconds: 1800 });
    expect(g.resolved).toEqual({ count: 3, median_seconds: 7200, p90_seconds: 7200 });
    expect(g.lapses).toBe(1);
  });

  it("an incident still without a first update is missed once its target has passed, not before", () => {
    const open = row({ firstUpdateAt: null, identifiedAt: null, resolvedAt: null, startedAt: "2026-11-30T23:50:00.000Z" });
    expect(reportGroup("SEV2", [open], NOW, "Etc/UTC").first_update).toMatchObject({ met: 0, missed: 0, count: 0, median_seconds: null });
    expect(reportGroup("SEV2", [open], "2026-12-01T00:30:00.000Z", "Etc/UTC").first_update).toMatchObject({ met: 0, missed: 1 });
  });

  it("postmortems of SEV1 and SEV2 are due two business days after resolution: on time, late, missing, not yet due", () => {
    const friday = "2026-11-06T15:00:00.000Z"; // due by the end of Tuesday, November 10
    const g = reportGroup("SEV1", [
      row({ severity: "SEV1", resolvedAt: friday, postmortemPublishedAt: "2026-11-10T20:00:00.000Z" }),
      row({ severity: "SEV1", resolvedAt: friday, postmortemPublishedAt: "2026-11-11T09:00:00.000Z" }),
      row({ severity: "SEV1", resolvedAt: friday }),
      row({ severity: "SEV1", resolvedAt: "2026-11-30T10:00:00.000Z" }),
      row({ severity: "SEV1", resolvedAt: null }),
    ], NOW, "Etc/UTC");
    expect(g.postmortems).toEqual({ required: 4, on_time: 1, late: 1, missing: 1, not_yet_due: 1 });
    expect(reportGroup("SEV3", [row({ severity: "SEV3" })], NOW, "Etc/UTC").postmortems.required).toBe(0);
  });
});

describe("responseReport", () => {
  it("groups real incidents by severity and by month in the page's zone; drills apart", () => {
    const report = responseReport([
      row({ severity: "SEV1", startedAt: "2026-10-31T23:30:00.000Z", actionItemsOpen: 2, actionItemsOverdue: 1 }), // November 1 in Tokyo
      row({ severity: "SEV3", startedAt: "2026-11-15T10:00:00.000Z" }),
      row({ severity: "SEV2", startedAt: "2026-11-20T10:00:00.000Z", drill: true }),
    ], { from: "2026-10-01", to: "2026-12-01", now: NOW, timeZone: "Asia/Tokyo" });
    expect(Object.keys(report.by_severity)).toEqual(["SEV1", "SEV2", "SEV3", "SEV4"]);
    expect([report.by_severity.SEV1.incidents, report.by_severity.SEV2.incidents, report.by_severity.SEV3.incidents]).toEqual([1, 0, 1]);
    expect(report.by_severity.SEV1.action_items).toEqual({ open: 2, overdue: 1 });
    expect(report.by_month.map((m) => [m.month, m.incidents, Object.keys(m.by_severity)])).toEqual([["2026-11", 2, ["SEV1", "SEV3"]]]);
    expect(report.drills.count).toBe(1);
    expect(Object.keys(report.drills.by_severity)).toEqual(["SEV2"]);
  });
});
