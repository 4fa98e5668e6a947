import { describe, expect, test } from "vitest";
import { IMPACTS, SEVERITIES, SEVERITY_LEVELS, impactOf, isSeverity } from "./severity.ts";

describe("SEVERITY_LEVELS", () => {
  test("SEV1 is copied from the guide", () => {
    expect(SEVERITY_LEVELS.SEV1).toEqual({
      level: "SEV1",
      name: "Critical",
      impact: "Complete service outage or data loss",
      responseTime: "Immediate (< 15 minutes)",
      responseMinutes: 15,
      escalation: "Page on-call + management",
      examples: ["Production database down", "Payment processing failed", "Security breach", "Data loss"],
      statuspageImpact: "critical",
    });
  });

  test("SEV2 is copied from the guide", () => {
    expect(SEVERITY_LEVELS.SEV2).toEqual({
      level: "SEV2",
      name: "High",
      impact: "Major functionality impaired",
      responseTime: "30 minutes",
      responseMinutes: 30,
      escalation: "Page on-call",
      examples: ["API latency severely degraded", "Single region outage", "Critical feature unavailable"],
      statuspageImpact: "major",
    });
  });

  test("SEV3 is copied from the guide", () => {
    expect(SEVERITY_LEVELS.SEV3).toEqual({
      level: "SEV3",
      name: "Medium",
      impact: "Minor functionality impaired",
      responseTime: "2 hours",
      responseMinutes: 120,
      escalation: "Notify on-call via Slack",
      examples: ["Non-critical feature degraded", "Elevated error rates", "Performance slowdown"],
      statuspageImpact: "minor",
    });
  });

  test("SEV4 has no fixed response time in minutes", () => {
    expect(SEVERITY_LEVELS.SEV4).toEqual({
      level: "SEV4",
      name: "Low",
      impact: "Minimal user impact",
      responseTime: "Next business day",
      responseMinutes: null,
      escalation: "Create ticket",
      examples: ["UI cosmetic issues", "Internal tool problems", "Low-priority bugs"],
      statuspageImpact: "none",
    });
  });

  test("every severity has an entry keyed by its own level", () => {
    expect(Object.keys(SEVERITY_LEVELS)).toEqual([...SEVERITIES]);
    for (const severity of SEVERITIES) expect(SEVERITY_LEVELS[severity].level).toBe(severity);
  });

  test("is frozen so callers cannot change the shared table", () => {
    expect(Object.isFrozen(SEVERITY_LEVELS)).toBe(true);
    expect(Object.isFrozen(SEVERITY_LEVELS.SEV1.examples)).toBe(true);
  });
});

describe("impactOf", () => {
  test("maps each severity to a Statuspage impact", () => {
    expect(impactOf("SEV1")).toBe("critical");
    expect(impactOf("SEV2")).toBe("major");
    expect(impactOf("SEV3")).toBe("minor");
    expect(impactOf("SEV4")).toBe("none");
  });

  test("more severe levels never get a lesser impact", () => {
    const ranks = SEVERITIES.map((severity) => IMPACTS.indexOf(impactOf(severity)));
    expect(ranks).toEqual([3, 2, 1, 0]);
  });
});

describe("isSeverity", () => {
  test("accepts the four levels", () => {
    for (const severity of ["SEV1", "SEV2", "SEV3", "SEV4"]) expect(isSeverity(severity)).toBe(true);
  });

  test("refuses anything else", () => {
    expect(isSeverity("SEV0")).toBe(false);
    expect(isSeverity("SEV5")).toBe(false);
    expect(isSeverity("sev1")).toBe(false);
    expect(isSeverity(" SEV1")).toBe(false);
    expect(isSeverity("critical")).toBe(false);
    expect(isSeverity(1)).toBe(false);
    expect(isSeverity(null)).toBe(false);
    expect(isSeverity(undefined)).toBe(false);
    expect(isSeverity(["SEV1"])).toBe(false);
  });
});
