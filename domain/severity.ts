/**
 * Severity levels, as defined in the incident-management guide (seed/incident-management.md),
 * and how each maps onto a Statuspage incident impact.
 */

export const SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Statuspage incident impacts, least to most severe. */
export const IMPACTS = ["none", "minor", "major", "critical"] as const;
export type Impact = (typeof IMPACTS)[number];

export interface SeverityLevel {
  level: Severity;
  name: "Critical" | "High" | "Medium" | "Low";
  impact: string;
  responseTime: string;
  /** Response target in minutes; null when it is not a fixed duration ("Next business day"). */
  responseMinutes: number | null;
  escalation: string;
  examples: readonly string[];
  statuspageImpact: Impact;
}

/** The severity table; texts are copied verbatim from the guide. */
export const SEVERITY_LEVELS: Readonly<Record<Severity, SeverityLevel>> = Object.freeze({
  SEV1: {
    level: "SEV1",
    name: "Critical",
    impact: "Complete service outage or data loss",
    responseTime: "Immediate (< 15 minutes)",
    responseMinutes: 15,
    escalation: "Page on-call + management",
    examples: Object.freeze(["Production database down", "Payment processing failed", "Security breach", "Data loss"]),
    statuspageImpact: "critical",
  },
  SEV2: {
    level: "SEV2",
    name: "High",
    impact: "Major functionality impaired",
    responseTime: "30 minutes",
    responseMinutes: 30,
    escalation: "Page on-call",
    examples: Object.freeze(["API latency severely degraded", "Single region outage", "Critical feature unavailable"]),
    statuspageImpact: "major",
  },
  SEV3: {
    level: "SEV3",
    name: "Medium",
    impact: "Minor functionality impaired",
    responseTime: "2 hours",
    responseMinutes: 120,
    escalation: "Notify on-call via Slack",
    examples: Object.freeze(["Non-critical feature degraded", "Elevated error rates", "Performance slowdown"]),
    statuspageImpact: "minor",
  },
  SEV4: {
    level: "SEV4",
    name: "Low",
    impact: "Minimal user impact",
    responseTime: "Next business day",
    responseMinutes: null,
    escalation: "Create ticket",
    examples: Object.freeze(["UI cosmetic issues", "Internal tool problems", "Low-priority bugs"]),
    statuspageImpact: "none",
  },
});

/** The Statuspage impact shown for an incident of this severity: SEV1 critical, SEV2 major, SEV3 minor, SEV4 none. */
export function impactOf(severity: Severity): Impact {
  return SEVERITY_LEVELS[severity].statuspageImpact;
}

/** True for exactly "SEV1".."SEV4" (case-sensitive). */
export function isSeverity(value: unknown): value is Severity {
  return (SEVERITIES as readonly unknown[]).includes(value);
}
