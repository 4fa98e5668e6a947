/**
 * Which status changes incidents and maintenances may make, with messages that say why a change is refused.
 */

/** Incident statuses, in their forward order. */
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Maintenance statuses, in their forward order. */
export const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "verifying", "completed"] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

export type TransitionCheck =
  | { ok: true; reopened: boolean }
  | { ok: false; message: string; allowed: readonly string[] };

/** Human labels for every incident and maintenance status. */
export const STATUS_LABELS: Readonly<Record<IncidentStatus | MaintenanceStatus, string>> = Object.freeze({
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  verifying: "Verifying",
  completed: "Completed",
});

/** A status in words; a maintenance cancelled before it began reads "Cancelled", not "Completed". */
export function statusLabelOf(status: IncidentStatus | MaintenanceStatus, record?: { cancelledAt?: string | null }): string {
  return status === "completed" && record?.cancelledAt ? "Cancelled" : STATUS_LABELS[status];
}

/**
 * Incident moves allowed without reopening:
 * - the same status again (a further update; also a further "resolved" update),
 * - any forward move in investigating → identified → monitoring → resolved, skipping steps if need be,
 * - monitoring back to identified or investigating (the fix did not hold).
 * Nothing leaves "resolved" without reopening.
 */
function incidentMoveAllowed(from: IncidentStatus, to: IncidentStatus): boolean {
  const fromIndex = INCIDENT_STATUSES.indexOf(from);
  const toIndex = INCIDENT_STATUSES.indexOf(to);
  if (toIndex >= fromIndex) return true;
  return from === "monitoring";
}

/** Maintenance moves: same status, any forward move (skips allowed), or verifying back to in_progress. */
function maintenanceMoveAllowed(from: MaintenanceStatus, to: MaintenanceStatus): boolean {
  const fromIndex = MAINTENANCE_STATUSES.indexOf(from);
  const toIndex = MAINTENANCE_STATUSES.indexOf(to);
  if (toIndex >= fromIndex) return true;
  return from === "verifying" && to === "in_progress";
}

/** The statuses an incident may move to from `from` without reopening (the same one included). */
export function incidentTargets(from: IncidentStatus): IncidentStatus[] {
  return INCIDENT_STATUSES.filter((to) => incidentMoveAllowed(from, to));
}

/** The statuses a maintenance may move to from `from` (the same one included). */
export function maintenanceTargets(from: MaintenanceStatus): MaintenanceStatus[] {
  return MAINTENANCE_STATUSES.filter((to) => maintenanceMoveAllowed(from, to));
}

/**
 * May an incident move from `from` to `to`?
 *
 * Besides the moves above, a resolved incident can be reopened: with `reopen: true` it may move to any status
 * other than "resolved", and the result says `reopened: true`. `reopen: true` on an incident that is not resolved
 * is refused, as is `reopen: true` without leaving "resolved". A refusal lists the statuses allowed from `from`
 * without reopening.
 */
export function checkIncidentTransition(
  from: IncidentStatus,
  to: IncidentStatus,
  options?: { reopen?: boolean },
): TransitionCheck {
  const allowed = incidentTargets(from);
  const allowedList = allowed.join(", ");

  if (options?.reopen === true) {
    if (from !== "resolved") {
      return {
        ok: false,
        message: `Cannot reopen an incident that is "${from}"; reopen applies only to resolved incidents. Allowed: ${allowedList}.`,
        allowed,
      };
    }
    if (to === "resolved") {
      return {
        ok: false,
        message: `Cannot reopen an incident into "resolved"; choose one of: ${INCIDENT_STATUSES.filter((s) => s !== "resolved").join(", ")}.`,
        allowed,
      };
    }
    return { ok: true, reopened: true };
  }

  if (incidentMoveAllowed(from, to)) return { ok: true, reopened: false };

  if (from === "resolved") {
    return {
      ok: false,
      message: `Cannot move an incident from "resolved" to "${to}"; allowed: ${allowedList}. Send "reopen": true to reopen it.`,
      allowed,
    };
  }
  return {
    ok: false,
    message: `Cannot move an incident from "${from}" to "${to}"; allowed: ${allowedList}.`,
    allowed,
  };
}

/**
 * May a maintenance move from `from` to `to`? Forward scheduled → in_progress → verifying → completed
 * (skips allowed), the same status again, or verifying back to in_progress. "completed" is final; there is no
 * reopening a maintenance, so `reopened` is always false.
 */
export function checkMaintenanceTransition(from: MaintenanceStatus, to: MaintenanceStatus): TransitionCheck {
  if (maintenanceMoveAllowed(from, to)) return { ok: true, reopened: false };
  const allowed = maintenanceTargets(from);
  return {
    ok: false,
    message: `Cannot move a maintenance from "${from}" to "${to}"; allowed: ${allowed.join(", ")}.`,
    allowed,
  };
}

/** An incident is open until it is resolved. */
export function isIncidentOpen(status: IncidentStatus): boolean {
  return status !== "resolved";
}

/** A maintenance is active while it is in progress or being verified (not while scheduled or once completed). */
export function isMaintenanceActive(status: MaintenanceStatus): boolean {
  return status === "in_progress" || status === "verifying";
}
