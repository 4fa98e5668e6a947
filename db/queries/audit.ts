import type { Executor } from "../database.ts";
import type { Actor } from "../records.ts";

export async function insertAudit(
  ex: Executor,
  entry: { at: string; actor: Actor; action: string; entityType: string; entityId: string | null; details?: unknown },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO audit_log (at, actor_id, actor_name, action, entity_type, entity_id, details)
          VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [
      entry.at, entry.actor.id, entry.actor.name, entry.action, entry.entityType, entry.entityId,
      JSON.stringify(entry.details ?? {}),
    ],
  });
}

export interface AuditRow {
  at: string;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string | null;
  details: unknown;
}

export async function listAudit(ex: Executor, limit = 100): Promise<AuditRow[]> {
  const result = await ex.execute({
    sql: "SELECT at, actor_name, action, entity_type, entity_id, details FROM audit_log ORDER BY id DESC LIMIT ?",
    args: [limit],
  });
  return result.rows.map((row) => ({
    at: String(row.at),
    actorName: String(row.actor_name),
    action: String(row.action),
    entityType: String(row.entity_type),
    entityId: row.entity_id === null ? null : String(row.entity_id),
    details: JSON.parse(String(row.details)),
  }));
}
