/**
 * Scheduled maintenances move on time by themselves (Statuspage's `scheduled_auto_in_progress` /
 * `scheduled_auto_completed`): when its window opens a scheduled maintenance goes in progress, and
 * when the window closes a maintenance in progress or verifying is completed. Each flag can be
 * turned off per maintenance, for work that must be started or signed off by a person.
 */
import type { MaintenanceStatus } from "./lifecycle.ts";

export interface ScheduledMaintenance {
  status: MaintenanceStatus;
  /** ISO UTC */
  scheduledFor: string;
  /** ISO UTC */
  scheduledUntil: string;
  autoStart: boolean;
  autoComplete: boolean;
}

export interface ScheduledMove {
  to: "in_progress" | "completed";
  /** The update's text, posted in Herald's name. */
  body: string;
}

export const AUTO_START_BODY = "Scheduled maintenance is now in progress. We will provide updates as necessary.";
export const AUTO_COMPLETE_BODY = "The scheduled maintenance has been completed.";

/**
 * The next move the schedule makes at `now`, or null. A window that has already closed while the
 * maintenance was still scheduled is first started, then completed (two calls), so the history
 * shows both steps.
 */
export function nextScheduledMove(m: ScheduledMaintenance, now: Date): ScheduledMove | null {
  const at = now.getTime();
  if (m.status === "scheduled" && m.autoStart && at >= Date.parse(m.scheduledFor)) return { to: "in_progress", body: AUTO_START_BODY };
  if ((m.status === "in_progress" || m.status === "verifying") && m.autoComplete && at >= Date.parse(m.scheduledUntil)) {
    return { to: "completed", body: AUTO_COMPLETE_BODY };
  }
  return null;
}
