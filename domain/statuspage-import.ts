/**
 * How Statuspage's records become Herald's (`herald import statuspage`): pure rules, no I/O.
 * Statuspage has an impact where Herald has a severity: the seed's mapping, read backwards
 * (critical → SEV1, major → SEV2, minor → SEV3, none → SEV4).
 */
import { COMPONENT_STATUSES, type ComponentStatus } from "./components.ts";
import type { Severity } from "./severity.ts";

const SEVERITY_OF_IMPACT: Readonly<Record<string, Severity>> = { critical: "SEV1", major: "SEV2", minor: "SEV3", none: "SEV4" };

export function severityOfImpact(impact: unknown): Severity {
  return SEVERITY_OF_IMPACT[String(impact)] ?? "SEV3";
}

/** A Statuspage id kept as Herald's when it fits Herald's format (12 of [0-9a-z]), else null (a new one is made). */
export function keptId(id: unknown): string | null {
  return typeof id === "string" && /^[0-9a-z]{12}$/.test(id) ? id : null;
}

export function componentStatusOf(status: unknown): ComponentStatus {
  return (COMPONENT_STATUSES as readonly unknown[]).includes(status) ? (status as ComponentStatus) : "operational";
}

const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"];
const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "verifying", "completed"];

/** An update's status as Herald's lifecycle knows it (Statuspage also writes "postmortem" entries: kept as the incident's last stage). */
export function updateStatusOf(status: unknown, maintenance: boolean, fallback: string): string {
  const allowed = maintenance ? MAINTENANCE_STATUSES : INCIDENT_STATUSES;
  return allowed.includes(String(status)) ? String(status) : fallback;
}

/** The incident's status as Herald stores it. */
export function incidentStatusOf(status: unknown, maintenance: boolean): string {
  return updateStatusOf(status, maintenance, maintenance ? "completed" : "resolved");
}
