import type { Executor } from "../database.ts";
import type { ScheduledMaintenance } from "../../api/domain/maintenance-schedule.ts";
import type { MaintenanceStatus } from "../../api/domain/lifecycle.ts";

export async function setMaintenanceSchedule(ex: Executor, incidentId: string, autoStart: boolean, autoComplete: boolean): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO maintenance_schedule (incident_id, auto_start, auto_complete) VALUES (?, ?, ?)",
    args: [incidentId, autoStart ? 1 : 0, autoComplete ? 1 : 0],
  });
}

/** The flags of one maintenance (on by default: rows are absent for maintenances made before they existed). */
export async function getMaintenanceSchedule(ex: Executor, incidentId: string): Promise<{ autoStart: boolean; autoComplete: boolean }> {
  const result = await ex.execute({ sql: "SELECT auto_start, auto_complete FROM maintenance_schedule WHERE incident_id = ?", args: [incidentId] });
  const row = result.rows[0];
  return { autoStart: row ? Number(row.auto_start) === 1 : true, autoComplete: row ? Number(row.auto_complete) === 1 : true };
}

/** Maintenances the schedule must move at `now` (see api/domain/maintenance-schedule.ts), oldest window first. */
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
