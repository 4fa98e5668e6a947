/**
 * The seed's review process: a SEV1 or SEV2 postmortem is due two business days after the
 * incident is resolved (domain/response.ts `postmortemDueAt`). Once it is overdue and still not
 * published, the team channel is reminded once per business day (Monday–Friday in the page's
 * zone), never twice for one day. Run with the response-time check (Node) or the cron (Workers).
 */
import type { Database } from "../../db/database.ts";
import { enqueueInternalMessage } from "../../db/queries/internal.ts";
import { str, strOrNull } from "../../db/queries/rows.ts";
import { formatIncidentNumber, type NumberSeries } from "../../domain/incident-number.ts";
import { isBusinessDay, postmortemDueAt } from "../../domain/response.ts";
import { dayKey, formatDateTime } from "../../domain/time.ts";
import { escapeSlack, type InternalPage } from "./message.ts";

export interface PostmortemReminderDeps {
  db: Database;
  clock: { now(): Date };
  page: InternalPage;
  /** Without an internal channel nothing is queued (and nothing recorded: it is reminded once one is set). */
  channel: boolean;
  log?: (line: string) => void;
}

/** Queues today's reminders; returns the incidents reminded. */
export async function remindOverduePostmortems(deps: PostmortemReminderDeps): Promise<string[]> {
  if (!deps.channel) return [];
  const now = deps.clock.now().toISOString();
  const today = dayKey(now, deps.page.timeZone);
  if (!isBusinessDay(today)) return [];
  // Resolved SEV1/SEV2 incidents without a published postmortem, not yet reminded today (a short list: due dates are checked below).
  const candidates = await deps.db.client.execute({
    sql: `SELECT i.id, i.name, i.severity, i.resolved_at, i.number_series, i.number_year, i.number, p.incident_id AS has_draft
          FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id
          WHERE i.kind = 'incident' AND i.status = 'resolved' AND i.severity IN ('SEV1', 'SEV2') AND i.drill = 0 AND i.draft = 0
            AND (p.published_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM postmortem_reminders r WHERE r.incident_id = i.id AND r.day = ?)`,
    args: [today],
  });
  const reminded: string[] = [];
  for (const row of candidates.rows) {
    const resolvedAt = str(row, "resolved_at");
    const dueAt = postmortemDueAt(resolvedAt, deps.page.timeZone);
    if (now < dueAt) continue;
    const id = str(row, "id");
    const number = row.number === null ? null : formatIncidentNumber({ series: str(row, "number_series") as NumberSeries, year: Number(row.number_year), number: Number(row.number) });
    const text = [
      `:memo: *Postmortem overdue*: ${str(row, "severity")} ${number ? `${number} ` : ""}"${escapeSlack(str(row, "name"))}" was resolved ${formatDateTime(resolvedAt, deps.page.timeZone)}; its postmortem was due by ${formatDateTime(dueAt, deps.page.timeZone)} (two business days).`,
      strOrNull(row, "has_draft") ? "A draft is saved: finish and publish it." : `Start it: herald postmortem init ${number ?? id}`,
      escapeSlack(`${deps.page.url}/console/postmortems/${id}`),
    ].join("\n");
    const queued = await deps.db.write(async (tx) => {
      const inserted = await tx.execute({ sql: "INSERT INTO postmortem_reminders (incident_id, day, reminded_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", args: [id, today, now] });
      if (inserted.rowsAffected === 0) return false; // another process reminded today
      await enqueueInternalMessage(tx, { incidentId: id, kind: "reminder", payload: { text }, now });
      return true;
    });
    if (queued) reminded.push(id);
  }
  if (reminded.length > 0) deps.log?.(`postmortems: ${reminded.length} overdue reminder(s) queued`);
  return reminded;
}
