import type { ReportIncident } from "../../domain/report.ts";
import type { Severity } from "../../domain/severity.ts";
import type { Executor } from "../database.ts";
import { bool, num, str, strOrNull } from "./rows.ts";

/**
 * The incidents (drills too, drafts not: nothing public yet) that started in [from, to), one row
 * each with what the response report reads: one query, whatever the history's size.
 */
export async function reportIncidents(ex: Executor, from: string, to: string, today: string): Promise<ReportIncident[]> {
  const result = await ex.execute({
    sql: `SELECT i.severity, i.drill, i.started_at, i.identified_at, i.resolved_at,
            (SELECT MIN(u.created_at) FROM incident_updates u WHERE u.incident_id = i.id) AS first_update_at,
            (SELECT COUNT(*) FROM response_lapses l WHERE l.incident_id = i.id) AS lapses,
            p.published_at AS postmortem_published_at,
            (SELECT COUNT(*) FROM postmortem_action_items a WHERE a.incident_id = i.id AND a.done = 0) AS items_open,
            (SELECT COUNT(*) FROM postmortem_action_items a WHERE a.incident_id = i.id AND a.done = 0 AND a.due_date < ?) AS items_overdue
          FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id
          WHERE i.kind = 'incident' AND i.draft = 0 AND i.started_at >= ? AND i.started_at < ?`,
    args: [today, from, to],
  });
  return result.rows.map((row) => ({
    severity: str(row, "severity") as Severity,
    drill: bool(row, "drill"),
    startedAt: str(row, "started_at"),
    firstUpdateAt: strOrNull(row, "first_update_at"),
    identifiedAt: strOrNull(row, "identified_at"),
    resolvedAt: strOrNull(row, "resolved_at"),
    lapses: num(row, "lapses"),
    postmortemPublishedAt: strOrNull(row, "postmortem_published_at"),
    actionItemsOpen: num(row, "items_open"),
    actionItemsOverdue: num(row, "items_overdue"),
  }));
}
