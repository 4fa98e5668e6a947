import type { Executor } from "../database.ts";
import type { ScheduledMaintenance } from "../../domain/maintenance-schedule.ts";
import type { MaintenanceStatus } from "../../domain/lifecycle.ts";

export async function setMaintenanceSchedule(ex: Executor, incidentId: string, autoStart: boolean, autoComplete: boolean): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO maintenance_schedule (incident_id, auto_start, auto_complete) VALUES (?, ?, ?)",
    args: [incidentId, autoStart ? 1 : 0, autoComplete ? 1 : 0],
  });
}

export interface ScheduleFlags {
  autoStart: boolean;
  autoComplete: boolean;
}

/** Maintenances made before the flags existed have no row: they move on time, as by default. */
export const DEFAULT_SCHEDULE_FLAGS: Readonly<ScheduleFlags> = Object.freeze({ autoStart: true, autoComplete: true });

/** The flags of these maintenances, by id (one query for a whole list). */
export async function getMaintenanceSchedules(ex: Executor, incidentIds: readonly string[]): Promise<Map<string, ScheduleFlags>> {
  const byId = new Map<string, ScheduleFlags>();
  if (incidentIds.length === 0) return byId;
  const result = await ex.execute({
    sql: "SELECT incident_id, auto_start, auto_complete FROM maintenance_schedule WHERE incident_id IN (SELECT value FROM json_each(?))",
    args: [JSON.stringify(incidentIds)],
  });
  for (const row of result.rows) {
    byId.set(String(row.incident_id), { autoStart: Number(row.auto_start) === 1, autoComplete: Number(row.auto_complete) === 1 });
  }
  return byId;
}

/** Maintenances the schedule must move at `now` (see domain/maintenance-schedule.ts), oldest window first. */
export async function maintenancesDue(ex: Executor, now: string): Promise<(ScheduledMaintenance & { id: string })[]> {
  const result = await ex.execute({
    sql: `SELECT i.id, i.status, i.scheduled_for, i.scheduled_until,
                 COALESCE(s.auto_start, 1) AS auto_start, COALESCE(s.auto_complete, 1) AS auto_complete
            FROM incidents i LEFT JOIN maintenance_schedule s ON s.incident_id = i.id
           WHERE i.kind = 'maintenance'
             AND ((i.status = 'scheduled' AND i.scheduled_for <= ? AND COALESCE(s.auto_start, 1) = 1)
               OR (i.status IN ('in_progress', 'verifying') AND i.scheduled_until <= ? AND COALESCE(s.auto_complete, 1) = 1))
           ORDER BY i.scheduled_for, i.id`,
    args: [now, now],
  });
  return result.rows.map((row) => ({
    id: String(row.id),
    status: String(row.status) as MaintenanceStatus,
    scheduledFor: String(row.scheduled_for),
    scheduledUntil: String(row.scheduled_until),
    autoStart: Number(row.auto_start) === 1,
    autoComplete: Number(row.auto_complete) === 1,
  }));
}
