/**
 * The seed's review process: a SEV1 or SEV2 postmortem is due two business days after the
 * incident is resolved (domain/response.ts `postmortemDueAt`). Once it is overdue and still not
 * published, the team channel is reminded once per business day (Monday–Friday in the page's
 * zone), never twice for one day. Run with the response-time check (Node) or the cron (Workers).
 */
import type { Database } from "../../db/database.ts";
import { enqueueInternalMessage, postmortemsNotPublished, recordPostmortemReminder } from "../../db/queries/internal.ts";
import { formatIncidentNumber } from "../../domain/incident-number.ts";
import { isBusinessDay, postmortemDueAt } from "../../domain/response.ts";
import { dayKey, formatDateTime } from "../../domain/time.ts";
import { escapeSlack, type InternalPage } from "./message.ts";

/** What the team channel's periodic notices (overdue postmortems, a quarter without a drill) need. */
export interface TeamNoticeDeps {
  db: Database;
  clock: { now(): Date };
  page: InternalPage;
  /** Without an internal channel nothing is queued (and nothing recorded: it is told once one is set). */
  channel: boolean;
  log?: (line: string) => void;
}

/** Queues today's reminders; returns the incidents reminded. */
export async function remindOverduePostmortems(deps: TeamNoticeDeps): Promise<string[]> {
  if (!deps.channel) return [];
  const now = deps.clock.now().toISOString();
  const zone = deps.page.timeZone;
  const today = dayKey(now, zone);
  if (!isBusinessDay(today)) return [];
  const reminded: string[] = [];
  for (const due of await postmortemsNotPublished(deps.db.client, today)) {
    const dueAt = postmortemDueAt(due.resolvedAt, zone);
    if (now < dueAt) continue;
    const number = due.number ? formatIncidentNumber(due.number) : null;
    const text = [
      `:memo: *Postmortem overdue*: ${due.severity} ${number ? `${number} ` : ""}"${escapeSlack(due.name)}" was resolved ${formatDateTime(due.resolvedAt, zone)}; its postmortem was due by ${formatDateTime(dueAt, zone)} (two business days).`,
      due.hasDraft ? "A draft is saved: finish and publish it." : `Start it: herald postmortem init ${number ?? due.incidentId}`,
      escapeSlack(`${deps.page.url}/console/postmortems/${due.incidentId}`),
    ].join("\n");
    const queued = await deps.db.write(async (tx) => {
      if (!(await recordPostmortemReminder(tx, due.incidentId, today, now))) return false; // another process reminded today
      await enqueueInternalMessage(tx, { incidentId: due.incidentId, kind: "reminder", payload: { text }, now });
      return true;
    });
    if (queued) reminded.push(due.incidentId);
  }
  if (reminded.length > 0) deps.log?.(`postmortems: ${reminded.length} overdue reminder(s) queued`);
  return reminded;
}
