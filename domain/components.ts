/**
 * Component statuses: how degraded each one is, how groups roll up, and how incidents and maintenances
 * change them.
 */
import type { MaintenanceStatus } from "./lifecycle.ts";

export const COMPONENT_STATUSES = [
  "operational",
  "degraded_performance",
  "partial_outage",
  "major_outage",
  "under_maintenance",
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** Labels as Statuspage shows them. */
export const COMPONENT_STATUS_LABELS: Readonly<Record<ComponentStatus, string>> = Object.freeze({
  operational: "Operational",
  degraded_performance: "Degraded Performance",
  partial_outage: "Partial Outage",
  major_outage: "Major Outage",
  under_maintenance: "Under Maintenance",
});

const RANKS: Readonly<Record<ComponentStatus, number>> = Object.freeze({
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
});

/**
 * How degraded a status is, 0 (operational) to 4 (major_outage):
 * operational 0, under_maintenance 1, degraded_performance 2, partial_outage 3, major_outage 4.
 * Maintenance is planned, so any real degradation outranks it.
 */
export function statusRank(status: ComponentStatus): number {
  return RANKS[status];
}

/** The most degraded of `statuses` by statusRank; operational when there are none. */
export function worstStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst: ComponentStatus = "operational";
  for (const status of statuses) {
    if (statusRank(status) > statusRank(worst)) worst = status;
  }
  return worst;
}

/** A group shows its most degraded child's status (operational when it has no children). */
export function groupStatus(childStatuses: Iterable<ComponentStatus>): ComponentStatus {
  return worstStatus(childStatuses);
}

/**
 * Component statuses to apply when an incident is resolved, keyed by component id.
 * Each affected component returns to operational unless the resolving update names a status for it;
 * every component named in `requested` gets the requested status, including ones not affected before.
 */
export function statusesAfterResolve(
  affectedIds: Iterable<string>,
  requested: Readonly<Record<string, ComponentStatus>>,
): Record<string, ComponentStatus> {
  const result = new Map<string, ComponentStatus>();
  for (const id of affectedIds) result.set(id, "operational");
  for (const [id, status] of Object.entries(requested)) result.set(id, status);
  // fromEntries defines own properties, so an id such as "__proto__" cannot alter the prototype.
  return Object.fromEntries(result);
}

/**
 * The status a maintenance puts on its components: under_maintenance while in progress or verifying,
 * operational once completed, and null (leave them alone) while it is only scheduled.
 */
export function componentStatusForMaintenance(status: MaintenanceStatus): ComponentStatus | null {
  switch (status) {
    case "scheduled":
      return null;
    case "in_progress":
    case "verifying":
      return "under_maintenance";
    case "completed":
      return "operational";
  }
}

/** True for exactly one of the five component statuses. */
export function isComponentStatus(value: unknown): value is ComponentStatus {
  return (COMPONENT_STATUSES as readonly unknown[]).includes(value);
}
