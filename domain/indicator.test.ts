import { describe, expect, test } from "vitest";
import { INDICATOR_ORDER, pageStatus } from "./indicator.ts";
import type { ComponentStatus } from "./components.ts";
import type { IndicatorInput } from "./indicator.ts";

function input(overrides: Partial<IndicatorInput>): IndicatorInput {
  return { openIncidentImpacts: [], activeMaintenances: 0, componentStatuses: [], ...overrides };
}

describe("pageStatus: all clear", () => {
  test("no incidents, no maintenance, all operational", () => {
    expect(pageStatus(input({ componentStatuses: ["operational", "operational"] }))).toEqual({
      indicator: "none",
      description: "All Systems Operational",
    });
  });

  test("an empty page is operational", () => {
    expect(pageStatus(input({}))).toEqual({ indicator: "none", description: "All Systems Operational" });
  });

  test("an open incident of impact none does not raise the indicator", () => {
    expect(pageStatus(input({ openIncidentImpacts: ["none"], componentStatuses: ["operational"] }))).toEqual({
      indicator: "none",
      description: "All Systems Operational",
    });
  });
});

describe("pageStatus: components", () => {
  test("every leaf in major outage is critical", () => {
    expect(pageStatus(input({ componentStatuses: ["major_outage", "major_outage"] }))).toEqual({
      indicator: "critical",
      description: "Major System Outage",
    });
  });

  test("some leaves in major outage is major", () => {
    expect(pageStatus(input({ componentStatuses: ["major_outage", "operational"] }))).toEqual({
      indicator: "major",
      description: "Partial System Outage",
    });
    // Chargebee sample: one partial + one major outage.
    expect(pageStatus(input({ componentStatuses: ["partial_outage", "major_outage"] }))).toEqual({
      indicator: "major",
      description: "Partial System Outage",
    });
  });

  test("a major outage next to a maintenance is major, not critical", () => {
    expect(pageStatus(input({ componentStatuses: ["major_outage", "under_maintenance"] })).indicator).toBe("major");
  });

  test("a partial outage is a minor service outage", () => {
    // GitHub 2022-11-25: 1 of 11 components in partial outage.
    const statuses: ComponentStatus[] = ["partial_outage", ...Array.from({ length: 10 }, (): ComponentStatus => "operational")];
    expect(pageStatus(input({ componentStatuses: statuses }))).toEqual({
      indicator: "minor",
      description: "Minor Service Outage",
    });
  });

  test("a partial outage among degraded components is still a minor service outage", () => {
    expect(pageStatus(input({ componentStatuses: ["partial_outage", "degraded_performance"] }))).toEqual({
      indicator: "minor",
      description: "Minor Service Outage",
    });
  });

  test("some degraded components is partially degraded service", () => {
    expect(pageStatus(input({ componentStatuses: ["degraded_performance", "operational"] }))).toEqual({
      indicator: "minor",
      description: "Partially Degraded Service",
    });
  });

  test("every leaf degraded is degraded system service", () => {
    expect(pageStatus(input({ componentStatuses: ["degraded_performance", "degraded_performance"] }))).toEqual({
      indicator: "minor",
      description: "Degraded System Service",
    });
  });

  test("degraded plus under maintenance is partially degraded, not maintenance", () => {
    expect(
      pageStatus(input({ componentStatuses: ["degraded_performance", "under_maintenance"], activeMaintenances: 1 })),
    ).toEqual({ indicator: "minor", description: "Partially Degraded Service" });
  });
});

describe("pageStatus: incidents", () => {
  test("the worst open incident impact sets the indicator", () => {
    const statuses = ["operational" as const];
    expect(pageStatus(input({ openIncidentImpacts: ["minor", "critical", "none"], componentStatuses: statuses }))).toEqual({
      indicator: "critical",
      description: "Major System Outage",
    });
    expect(pageStatus(input({ openIncidentImpacts: ["major"], componentStatuses: statuses }))).toEqual({
      indicator: "major",
      description: "Partial System Outage",
    });
    expect(pageStatus(input({ openIncidentImpacts: ["minor"], componentStatuses: statuses }))).toEqual({
      indicator: "minor",
      description: "Minor Service Outage",
    });
  });

  test("a minor incident over degraded components says minor service outage", () => {
    expect(
      pageStatus(input({ openIncidentImpacts: ["minor"], componentStatuses: ["degraded_performance", "degraded_performance"] })),
    ).toEqual({ indicator: "minor", description: "Minor Service Outage" });
  });

  test("an impact-none incident over degraded components keeps the degraded description", () => {
    expect(pageStatus(input({ openIncidentImpacts: ["none"], componentStatuses: ["degraded_performance"] }))).toEqual({
      indicator: "minor",
      description: "Degraded System Service",
    });
  });

  test("components worse than the incident win", () => {
    expect(pageStatus(input({ openIncidentImpacts: ["minor"], componentStatuses: ["major_outage"] }))).toEqual({
      indicator: "critical",
      description: "Major System Outage",
    });
  });

  test("an incident worse than the components wins", () => {
    expect(pageStatus(input({ openIncidentImpacts: ["major"], componentStatuses: ["degraded_performance"] }))).toEqual({
      indicator: "major",
      description: "Partial System Outage",
    });
  });

  test("an incident outranks maintenance", () => {
    expect(pageStatus(input({ openIncidentImpacts: ["minor"], activeMaintenances: 2, componentStatuses: ["under_maintenance"] })))
      .toEqual({ indicator: "minor", description: "Minor Service Outage" });
  });
});

describe("pageStatus: maintenance", () => {
  test("an active maintenance with nothing else wrong", () => {
    expect(pageStatus(input({ activeMaintenances: 1, componentStatuses: ["operational"] }))).toEqual({
      indicator: "maintenance",
      description: "Service Under Maintenance",
    });
  });

  test("a component under maintenance without an active maintenance record", () => {
    expect(pageStatus(input({ componentStatuses: ["under_maintenance", "operational"] }))).toEqual({
      indicator: "maintenance",
      description: "Service Under Maintenance",
    });
  });

  test("an open incident of impact none during maintenance shows maintenance", () => {
    expect(pageStatus(input({ openIncidentImpacts: ["none"], activeMaintenances: 1 })).indicator).toBe("maintenance");
  });

  test("zero active maintenances and no component under maintenance is not maintenance", () => {
    expect(pageStatus(input({ activeMaintenances: 0, componentStatuses: ["operational"] })).indicator).toBe("none");
  });
});

describe("INDICATOR_ORDER", () => {
  test("orders maintenance just above none", () => {
    expect(INDICATOR_ORDER).toEqual(["none", "maintenance", "minor", "major", "critical"]);
  });
});
