/** How the words of one update went out, for the console's Now: its mails, its webhooks, and the team message of its incident. */
import type { Executor } from "../database.ts";
import { num, str } from "./rows.ts";

export interface DeliveryCounts {
  pending: number;
  sent: number;
  failed: number;
}

/** The mails of one update by state (uses the outbox's unique (update_id, subscriber_id) index). */
export async function mailCountsForUpdate(ex: Executor, updateId: string): Promise<DeliveryCounts> {
  const result = await ex.execute({ sql: "SELECT status, COUNT(*) AS n FROM outbox WHERE update_id = ? GROUP BY status", args: [updateId] });
  const counts: DeliveryCounts = { pending: 0, sent: 0, failed: 0 };
  for (const row of result.rows) counts[str(row, "status") as keyof DeliveryCounts] = num(row, "n");
  return counts;
}

/** The webhook deliveries of one update by state (delivered counts as sent; cancelled ones are left out). */
export async function webhookCountsForUpdate(ex: Executor, updateId: string): Promise<DeliveryCounts> {
  const result = await ex.execute({
    sql: `SELECT d.status, COUNT(*) AS n FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
           WHERE e.update_id = ? GROUP BY d.status`,
    args: [updateId],
  });
  const counts: DeliveryCounts = { pending: 0, sent: 0, failed: 0 };
  for (const row of result.rows) {
    const status = str(row, "status");
    if (status === "delivered") counts.sent += num(row, "n");
    else if (status === "pending" || status === "failed") counts[status] += num(row, "n");
  }
  return counts;
}

/** The state of the newest team-channel message about an incident's updates, or null when none was queued. */
export async function latestTeamMessage(ex: Executor, incidentId: string): Promise<"pending" | "sent" | "failed" | null> {
  const result = await ex.execute({
    sql: "SELECT status FROM internal_outbox WHERE incident_id = ? AND kind = 'update' ORDER BY id DESC LIMIT 1",
    args: [incidentId],
  });
  return result.rows[0] ? (str(result.rows[0], "status") as "pending" | "sent" | "failed") : null;
}
