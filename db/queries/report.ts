import type { ReportIncident } from "../../domain/report.ts";
import type { Severity } from "../../domain/severity.ts";
import type { Executor } from "../database.ts";
import { str } from "./rows.ts";

/**
 * The incidents (drills too, drafts not: nothing public yet) that started in [from, to), with what
 * the response report reads: one query, whatever the history's size. The rows come back as one
 * JSON array in one cell: reading 10,000 rows as the client's row objects cost more than the query
 * itself (bench/report.ts).
 */
export async function reportIncidents(ex: Executor, from: string, to: string, today: string): Promise<ReportIncident[]> {
  const result = await ex.execute({
    sql: `SELECT json_group_array(json_array(
            i.severity, i.drill, i.started_at, i.identified_at, i.resolved_at,
            (SELECT MIN(u.created_at) FROM incident_updates u WHERE u.incident_id = i.id),
            (SELECT COUNT(*) FROM response_lapses l WHERE l.incident_id = i.id),
            p.published_at,
            (SELECT COUNT(*) FROM postmortem_action_items a WHERE a.incident_id = i.id AND a.done = 0),
            (SELECT COUNT(*) FROM postmortem_action_items a WHERE a.incident_id = i.id AND a.done = 0 AND a.due_date < ?)
          )) AS incidents
          FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id
          WHERE i.kind = 'incident' AND i.draft = 0 AND i.started_at >= ? AND i.started_at < ?`,
    args: [today, from, to],
  });
  const rows = JSON.parse(str(result.rows[0]!, "incidents")) as ReportRow[];
  return rows.map(([severity, drill, startedAt, identifiedAt, resolvedAt, firstUpdateAt, lapses, postmortemPublishedAt, open, overdue]) => ({
    severity,
    drill: drill === 1,
    startedAt,
    firstUpdateAt,
    identifiedAt,
    resolvedAt,
    lapses,
    postmortemPublishedAt,
    actionItemsOpen: open,
    actionItemsOverdue: overdue,
  }));
}

/** One incident as the query's JSON writes it, in its column order. */
type ReportRow = [Severity, 0 | 1, string, string | null, string | null, string | null, number, string | null, number, number];
