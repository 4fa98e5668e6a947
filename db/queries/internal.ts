import type { Row } from "@libsql/client";
import type { LapseKind } from "../../domain/response.ts";
import type { Executor } from "../database.ts";
import type { IncidentNumber } from "../../domain/incident-number.ts";
import { incidentNumberOf, num, str, strOrNull } from "./rows.ts";

// ---------------------------------------------------------------------------------------------
// Incident roles (internal; never read by the publisher)

export const ROLE_FIELDS = ["incident_commander", "technical_lead", "communications_lead", "scribe", "bridge_url", "channel"] as const;
export type RoleField = (typeof ROLE_FIELDS)[number];
export type IncidentRoles = Record<RoleField, string | null>;

export const NO_ROLES: IncidentRoles = Object.freeze({
  incident_commander: null, technical_lead: null, communications_lead: null, scribe: null, bridge_url: null, channel: null,
});

export async function getIncidentRoles(ex: Executor, incidentId: string): Promise<IncidentRoles> {
  return (await getRolesByIncident(ex, [incidentId])).get(incidentId) ?? { ...NO_ROLES };
}

export async function getRolesByIncident(ex: Executor, incidentIds: readonly string[]): Promise<Map<string, IncidentRoles>> {
  const byId = new Map<string, IncidentRoles>();
  if (incidentIds.length === 0) return byId;
  const result = await ex.execute({
    sql: `SELECT incident_id, ${ROLE_FIELDS.join(", ")} FROM incident_roles WHERE incident_id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(incidentIds)],
  });
  for (const row of result.rows) {
    byId.set(str(row, "incident_id"), Object.fromEntries(ROLE_FIELDS.map((f) => [f, strOrNull(row, f)])) as IncidentRoles);
  }
  return byId;
}

export async function saveIncidentRoles(ex: Executor, incidentId: string, roles: IncidentRoles, now: string): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO incident_roles (incident_id, ${ROLE_FIELDS.join(", ")}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (incident_id) DO UPDATE SET ${ROLE_FIELDS.map((f) => `${f} = excluded.${f}`).join(", ")}, updated_at = excluded.updated_at`,
    args: [incidentId, ...ROLE_FIELDS.map((f) => roles[f]), now],
  });
}

// ---------------------------------------------------------------------------------------------
// Response lapses

export interface NoticedLapse {
  incidentId: string;
  kind: LapseKind;
  dueAt: string;
  noticedAt: string;
}

/** Records a lapse once; true when this call noticed it first (so it alone reminds). */
export async function noticeLapse(ex: Executor, lapse: NoticedLapse): Promise<boolean> {
  const result = await ex.execute({
    sql: "INSERT INTO response_lapses (incident_id, kind, due_at, noticed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    args: [lapse.incidentId, lapse.kind, lapse.dueAt, lapse.noticedAt],
  });
  return result.rowsAffected === 1;
}

export async function noticedLapses(ex: Executor, incidentIds: readonly string[]): Promise<NoticedLapse[]> {
  if (incidentIds.length === 0) return [];
  const result = await ex.execute({
    sql: "SELECT incident_id, kind, due_at, noticed_at FROM response_lapses WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY due_at",
    args: [JSON.stringify(incidentIds)],
  });
  return result.rows.map((row) => ({
    incidentId: str(row, "incident_id"),
    kind: str(row, "kind") as LapseKind,
    dueAt: str(row, "due_at"),
    noticedAt: str(row, "noticed_at"),
  }));
}

/** Incidents the reminder checker looks at: open ones, and any changed since `since` (a lapse may have come and gone). */
export async function incidentIdsToCheck(ex: Executor, since: string): Promise<string[]> {
  const result = await ex.execute({
    sql: `SELECT id FROM incidents WHERE kind = 'incident' AND (status <> 'resolved' OR updated_at >= ?) ORDER BY created_at LIMIT 1000`,
    args: [since],
  });
  return result.rows.map((row) => str(row, "id"));
}

// ---------------------------------------------------------------------------------------------
// Internal outbox

export type InternalMessageKind = "update" | "reminder" | "alert";

export async function enqueueInternalMessage(
  ex: Executor,
  message: { incidentId: string | null; kind: InternalMessageKind; payload: unknown; now: string },
): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO internal_outbox (incident_id, kind, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)",
    args: [message.incidentId, message.kind, JSON.stringify(message.payload), message.now, message.now],
  });
}

export interface InternalMessage {
  id: number;
  /** null: a message about no incident (an automated component change). */
  incidentId: string | null;
  kind: InternalMessageKind;
  payload: string;
  attempts: number;
}

function toMessage(row: Row): InternalMessage {
  return {
    id: num(row, "id"),
    incidentId: strOrNull(row, "incident_id"),
    kind: str(row, "kind") as InternalMessageKind,
    payload: str(row, "payload"),
    attempts: num(row, "attempts"),
  };
}

/**
 * The next message to send: the oldest pending one that is due and has no older pending message
 * of the same incident (so one incident's messages arrive in order while another's retry waits).
 * Call inside a write transaction: the row is leased (its next attempt pushed to `leaseUntil`),
 * so a second process does not send it too while this one is at it.
 */
export async function claimInternalMessage(ex: Executor, now: string, leaseUntil: string): Promise<InternalMessage | null> {
  const result = await ex.execute({
    sql: `SELECT id, incident_id, kind, payload, attempts FROM internal_outbox o
           WHERE status = 'pending' AND next_attempt_at <= ?
             AND NOT EXISTS (SELECT 1 FROM internal_outbox p WHERE p.incident_id IS o.incident_id AND p.status = 'pending' AND p.id < o.id)
           ORDER BY id LIMIT 1`,
    args: [now],
  });
  const row = result.rows[0];
  if (!row) return null;
  await ex.execute({ sql: "UPDATE internal_outbox SET next_attempt_at = ? WHERE id = ?", args: [leaseUntil, num(row, "id")] });
  return toMessage(row);
}

export async function markInternalSent(ex: Executor, id: number, now: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE internal_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'",
    args: [now, id],
  });
}

export async function markInternalFailed(ex: Executor, id: number, error: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE internal_outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
    args: [error, id],
  });
}

export async function deferInternalMessage(ex: Executor, id: number, error: string, nextAttemptAt: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE internal_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'",
    args: [error, nextAttemptAt, id],
  });
}

/** When the next pending message is due (ISO), or null when nothing is pending. */
export async function nextInternalDueAt(ex: Executor): Promise<string | null> {
  const result = await ex.execute("SELECT MIN(next_attempt_at) AS at FROM internal_outbox WHERE status = 'pending'");
  return result.rows[0] ? strOrNull(result.rows[0], "at") : null;
}

export async function internalOutboxCounts(ex: Executor): Promise<{ pending: number; sent: number; failed: number }> {
  const result = await ex.execute("SELECT status, COUNT(*) AS n FROM internal_outbox GROUP BY status");
  const counts = { pending: 0, sent: 0, failed: 0 };
  for (const row of result.rows) counts[str(row, "status") as keyof typeof counts] = num(row, "n");
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Postmortem follow-through

export interface PostmortemDue {
  incidentId: string;
  name: string;
  severity: string;
  resolvedAt: string;
  number: IncidentNumber | null;
  /** A draft is saved (not yet published). */
  hasDraft: boolean;
}

/**
 * Resolved SEV1/SEV2 incidents (not drills, not drafts) whose postmortem is not published, oldest
 * resolution first; with `day`, only those not reminded of that day (the reminder's candidates;
 * their due dates are checked by the caller). Without it, all of them (the console's list).
 */
export async function postmortemsNotPublished(ex: Executor, day: string | null): Promise<PostmortemDue[]> {
  const result = await ex.execute({
    sql: `SELECT i.id, i.name, i.severity, i.resolved_at, i.number_series, i.number_year, i.number, p.incident_id AS has_draft
          FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id
          WHERE i.kind = 'incident' AND i.status = 'resolved' AND i.severity IN ('SEV1', 'SEV2') AND i.drill = 0 AND i.draft = 0
            AND p.published_at IS NULL
            AND (?1 IS NULL OR NOT EXISTS (SELECT 1 FROM postmortem_reminders r WHERE r.incident_id = i.id AND r.day = ?1))
          ORDER BY i.resolved_at`,
    args: [day],
  });
  return result.rows.map((row) => ({
    incidentId: str(row, "id"),
    name: str(row, "name"),
    severity: str(row, "severity"),
    resolvedAt: str(row, "resolved_at"),
    number: incidentNumberOf(row),
    hasDraft: strOrNull(row, "has_draft") !== null,
  }));
}

/** Records the day's reminder of an incident's postmortem; false when one was recorded already (another process). */
export async function recordPostmortemReminder(ex: Executor, incidentId: string, day: string, at: string): Promise<boolean> {
  const result = await ex.execute({ sql: "INSERT INTO postmortem_reminders (incident_id, day, reminded_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", args: [incidentId, day, at] });
  return result.rowsAffected > 0;
}

/** Drills that started in [from, to). */
export async function countDrillsBetween(ex: Executor, from: string, to: string): Promise<number> {
  const result = await ex.execute({ sql: "SELECT COUNT(*) AS n FROM incidents WHERE drill = 1 AND started_at >= ? AND started_at < ?", args: [from, to] });
  return num(result.rows[0]!, "n");
}
