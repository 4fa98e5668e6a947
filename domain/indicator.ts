/**
 * The page's overall status (status.json `status`): an indicator plus Statuspage's own description strings.
 */
import type { ComponentStatus } from "./components.ts";
import { IMPACTS } from "./severity.ts";
import type { Impact } from "./severity.ts";

export type Indicator = "none" | "minor" | "major" | "critical" | "maintenance";

export interface PageStatus {
  indicator: Indicator;
  description: string;
}

export interface IndicatorInput {
  openIncidentImpacts: readonly Impact[];
  /**
   * Maintenances in progress or verifying that affect at least one component. A maintenance of
   * nothing the page lists (a notice, a back-office window) does not put the page "Under
   * Maintenance" while every component is operational.
   */
  activeMaintenances: number;
  /** Leaf components only, not groups: a group's status is derived from its children and would count them twice. */
  componentStatuses: readonly ComponentStatus[];
}

/** Indicators from least to most severe. Maintenance ranks above none only: any real problem hides it. */
export const INDICATOR_ORDER: readonly Indicator[] = Object.freeze(["none", "maintenance", "minor", "major", "critical"]);

function worseImpact(a: Impact, b: Impact): Impact {
  return IMPACTS.indexOf(a) >= IMPACTS.indexOf(b) ? a : b;
}

/** What the leaf components alone say, on the incident impact scale. */
function impactFromComponents(statuses: readonly ComponentStatus[]): Impact {
  if (statuses.length > 0 && statuses.every((status) => status === "major_outage")) return "critical";
  if (statuses.includes("major_outage")) return "major";
  if (statuses.includes("partial_outage")) return "minor";
  if (statuses.includes("degraded_performance")) return "minor";
  return "none";
}

/**
 * The page's overall status.
 *
 * Indicator: the worse of
 *   (a) the worst impact among open incidents, and
 *   (b) the leaf components: all major_outage → critical; any major_outage → major;
 *       any partial_outage or degraded_performance → minor; otherwise none.
 * If that is none but a maintenance is active or a component is under_maintenance, the indicator is maintenance.
 * With no components, (b) is none ("all major_outage" needs at least one component).
 *
 * Description:
 *   critical    → "Major System Outage"
 *   major       → "Partial System Outage"
 *   minor       → "Minor Service Outage" when a component has a partial outage or an open incident is minor or worse;
 *                 otherwise only degraded performance is to blame: "Degraded System Service" when every leaf
 *                 component is degraded_performance, else "Partially Degraded Service"
 *   maintenance → "Service Under Maintenance"
 *   none        → "All Systems Operational"
 */
export function pageStatus(input: IndicatorInput): PageStatus {
  const statuses = input.componentStatuses;
  const incidentImpact = input.openIncidentImpacts.reduce<Impact>(worseImpact, "none");
  const indicator = worseImpact(incidentImpact, impactFromComponents(statuses));

  switch (indicator) {
    case "critical":
      return { indicator, description: "Major System Outage" };
    case "major":
      return { indicator, description: "Partial System Outage" };
    case "minor": {
      if (statuses.includes("partial_outage") || incidentImpact !== "none") {
        return { indicator, description: "Minor Service Outage" };
      }
      const allDegraded = statuses.every((status) => status === "degraded_performance");
      return { indicator, description: allDegraded ? "Degraded System Service" : "Partially Degraded Service" };
    }
    case "none": {
      if (input.activeMaintenances > 0 || statuses.includes("under_maintenance")) {
        return { indicator: "maintenance", description: "Service Under Maintenance" };
      }
      return { indicator, description: "All Systems Operational" };
    }
  }
}
