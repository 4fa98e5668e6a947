import { describe, expect, it } from "vitest";
import { noticeSectionsRefusal, summarySentence, windowWords, worstByComponent, writtenSections } from "./notice.ts";
import { translator } from "./locale.ts";

/** The sentences this module writes, as locales/en.json has them (domain/ reads no file of another folder). */
const EN_NOTICE = {
  "component_status.operational": "Operational",
  "component_status.degraded_performance": "Degraded Performance",
  "component_status.partial_outage": "Partial Outage",
  "component_status.major_outage": "Major Outage",
  "component_status.under_maintenance": "Under Maintenance",
  "notice.window_today": "Between {start} and {end} today",
  "notice.window_day": "Between {start} and {end} on {day}",
  "notice.window_days": "Between {start_day}, {start} and {end_day}, {end}",
  "notice.component_worst": "{name} ({status})",
  "notice.summary": {
    "one": "{window} ({duration}), {names} was affected.",
    "other": "{window} ({duration}), {names} were affected."
  },
  "notice.summary_service": "{window} ({duration}), our service was affected."
};
const words = (timeZone: string) => ({ locale: "en", timeZone, t: translator("en", EN_NOTICE) });

describe("the customer notice's sections", () => {
  it("keeps the written ones in the seed's order and leaves blank ones out", () => {
    expect(writtenSections({ prevention: "Alerts on pool usage", impact: "- 10% of requests failed", root_cause: "  ", resolution: null })).toEqual([
      { field: "impact", heading: "Impact", markdown: "- 10% of requests failed" },
      { field: "prevention", heading: "Prevention", markdown: "Alerts on pool usage" },
    ]);
    expect(writtenSections(null)).toEqual([]);
  });

  it("belong on an incident's resolving update only", () => {
    expect(noticeSectionsRefusal({}, "incident", "identified")).toBeNull();
    expect(noticeSectionsRefusal({ impact: "x" }, "incident", "resolved")).toBeNull();
    expect(noticeSectionsRefusal({ impact: "x", root_cause: "y" }, "incident", "monitoring")).toMatch(/^impact, root_cause: only the resolving update/);
    expect(noticeSectionsRefusal({ prevention: "x" }, "maintenance", "completed")).toMatch(/only an incident's resolving update/);
  });
});

describe("the summary", () => {
  it("names the window in the page's zone: today, another day, across days", () => {
    expect(windowWords("2024-01-15T14:05:00Z", "2024-01-15T15:00:00Z", words("UTC"), "2024-01-15")).toBe("Between 14:05 and 15:00 UTC today");
    expect(windowWords("2024-01-15T14:05:00Z", "2024-01-15T15:00:00Z", words("UTC"))).toBe("Between 14:05 and 15:00 UTC on Jan 15, 2024");
    expect(windowWords("2024-01-15T23:40:00Z", "2024-01-16T01:10:00Z", words("UTC"), "2024-01-16")).toBe("Between Jan 15, 2024, 23:40 and Jan 16, 2024, 01:10 UTC");
    // 23:40 UTC is 18:40 in New York: the same day there.
    expect(windowWords("2024-01-15T23:40:00Z", "2024-01-16T01:10:00Z", words("America/New_York"), "2024-01-15")).toBe("Between 18:40 and 20:10 EST today");
  });

  it("keeps each end's label across a DST change", () => {
    // Nov 1, 2026: New York falls back at 02:00 EDT → 01:00 EST.
    expect(windowWords("2026-11-01T05:30:00Z", "2026-11-01T07:15:00Z", words("America/New_York"))).toBe("Between 01:30 EDT and 02:15 EST on Nov 1, 2026");
  });

  it("names the affected components with the worst status each reached", () => {
    const components = worstByComponent([
      { name: "API", newStatus: "degraded_performance" },
      { name: "Website", newStatus: "partial_outage" },
      { name: "API", newStatus: "major_outage" },
      { name: "API", newStatus: "operational" },
      { name: "Mail", newStatus: "operational" },
    ]);
    expect(components).toEqual([{ name: "API", worst: "major_outage" }, { name: "Website", worst: "partial_outage" }]);
    expect(summarySentence({ startedAt: "2024-01-15T14:05:00Z", resolvedAt: "2024-01-15T15:00:00Z", components }, words("UTC"), "2024-01-15")).toBe(
      "Between 14:05 and 15:00 UTC today (55 min), API (Major Outage) and Website (Partial Outage) were affected.",
    );
    expect(summarySentence({ startedAt: "2024-01-15T14:05:00Z", resolvedAt: "2024-01-15T16:00:00Z", components: [{ name: "API", worst: null }] }, words("UTC"))).toBe(
      "Between 14:05 and 16:00 UTC on Jan 15, 2024 (1 h 55 min), API was affected.",
    );
    expect(summarySentence({ startedAt: "2024-01-15T14:05:00Z", resolvedAt: "2024-01-15T14:35:00Z", components: [] }, words("UTC"))).toMatch(/\(30 min\), our service was affected\.$/);
  });
});
