import { describe, expect, test } from "vitest";
import { fillFromTemplate, isSlug, missingComponents, type IncidentTemplate } from "./templates.ts";

const template: IncidentTemplate = {
  slug: "database-outage",
  name: "Database outage",
  title: "Primary database down",
  severity: "SEV1",
  body: "We are investigating a database outage.",
  components: { aaaaaaaaaaaa: "major_outage", bbbbbbbbbbbb: "degraded_performance" },
  builtin: true,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("isSlug", () => {
  test("accepts lowercase words joined by single hyphens", () => {
    for (const slug of ["database-outage", "api-latency", "a", "sev1-db-2", "x".repeat(64)]) expect(isSlug(slug)).toBe(true);
  });
  test("refuses anything else", () => {
    for (const slug of ["", "Database-Outage", "-db", "db-", "db--outage", "db_outage", "db outage", "db/outage", "x".repeat(65), "é", null, 12]) {
      expect(isSlug(slug)).toBe(false);
    }
  });
});

describe("fillFromTemplate", () => {
  test("takes everything from the template when the request gives nothing; the title beats the name", () => {
    expect(fillFromTemplate(template, {})).toEqual({
      name: "Primary database down",
      severity: "SEV1",
      body: "We are investigating a database outage.",
      components: { aaaaaaaaaaaa: "major_outage", bbbbbbbbbbbb: "degraded_performance" },
      fromTemplate: ["aaaaaaaaaaaa", "bbbbbbbbbbbb"],
    });
    expect(fillFromTemplate({ ...template, title: null }, {}).name).toBe("Database outage");
  });

  test("explicit fields win, and explicit components replace the template's whole", () => {
    const filled = fillFromTemplate(template, { name: "EU database down", severity: "SEV2", body: "Only EU.", components: { cccccccccccc: "partial_outage" } });
    expect(filled).toEqual({ name: "EU database down", severity: "SEV2", body: "Only EU.", components: { cccccccccccc: "partial_outage" }, fromTemplate: [] });
    // An explicit empty map means "no components", not "the template's".
    expect(fillFromTemplate(template, { components: {} }).components).toEqual({});
  });

  test("does not hand out the template's own map", () => {
    const filled = fillFromTemplate(template, {});
    filled.components.zzzzzzzzzzzz = "major_outage";
    expect(Object.keys(template.components)).toEqual(["aaaaaaaaaaaa", "bbbbbbbbbbbb"]);
  });
});

describe("missingComponents", () => {
  test("names the ids that are gone, in order", () => {
    expect(missingComponents(["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"], new Set(["bbbbbbbbbbbb"]))).toEqual(["aaaaaaaaaaaa", "cccccccccccc"]);
    expect(missingComponents([], new Set())).toEqual([]);
  });
});
