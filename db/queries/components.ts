import type { Row } from "@libsql/client";
import type { ComponentStatus } from "../../domain/components.ts";
import type { Executor } from "../database.ts";
import type { ComponentRecord } from "../records.ts";
import { bool, num, str, strOrNull } from "./rows.ts";

const COLUMNS =
  "id, name, description, is_group, group_id, position, status, showcase, only_show_if_degraded, start_date, created_at, updated_at";

function toRecord(row: Row): ComponentRecord {
  return {
    id: str(row, "id"),
    name: str(row, "name"),
    description: strOrNull(row, "description"),
    isGroup: bool(row, "is_group"),
    groupId: strOrNull(row, "group_id"),
    position: num(row, "position"),
    status: str(row, "status") as ComponentStatus,
    showcase: bool(row, "showcase"),
    onlyShowIfDegraded: bool(row, "only_show_if_degraded"),
    startDate: strOrNull(row, "start_date"),
    createdAt: str(row, "created_at"),
    updatedAt: str(row, "updated_at"),
  };
}

/** All components and groups, top level first by position, children by position within their group. */
export async function listComponents(ex: Executor): Promise<ComponentRecord[]> {
  const result = await ex.execute(`SELECT ${COLUMNS} FROM components ORDER BY position, created_at, id`);
  return result.rows.map(toRecord);
}

export async function getComponent(ex: Executor, id: string): Promise<ComponentRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM components WHERE id = ?`, args: [id] });
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function getComponentsByIds(ex: Executor, ids: readonly string[]): Promise<ComponentRecord[]> {
  if (ids.length === 0) return [];
  const result = await ex.execute({
    sql: `SELECT ${COLUMNS} FROM components WHERE id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(ids)],
  });
  return result.rows.map(toRecord);
}

export async function findGroupByName(ex: Executor, name: string): Promise<ComponentRecord | null> {
  const result = await ex.execute({
    sql: `SELECT ${COLUMNS} FROM components WHERE is_group = 1 AND name = ? ORDER BY created_at LIMIT 1`,
    args: [name],
  });
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** The next free position at one level (top level when groupId is null). */
export async function nextPosition(ex: Executor, groupId: string | null): Promise<number> {
  const result = await ex.execute({
    sql: "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM components WHERE group_id IS ?",
    args: [groupId],
  });
  return num(result.rows[0]!, "next");
}

export async function insertComponent(ex: Executor, c: ComponentRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO components (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      c.id, c.name, c.description, c.isGroup ? 1 : 0, c.groupId, c.position, c.status,
      c.showcase ? 1 : 0, c.onlyShowIfDegraded ? 1 : 0, c.startDate, c.createdAt, c.updatedAt,
    ],
  });
}

export async function saveComponent(ex: Executor, c: ComponentRecord): Promise<void> {
  await ex.execute({
    sql: `UPDATE components SET name = ?, description = ?, group_id = ?, position = ?, status = ?, showcase = ?,
            only_show_if_degraded = ?, start_date = ?, updated_at = ? WHERE id = ?`,
    args: [
      c.name, c.description, c.groupId, c.position, c.status, c.showcase ? 1 : 0,
      c.onlyShowIfDegraded ? 1 : 0, c.startDate, c.updatedAt, c.id,
    ],
  });
}

export async function recordStatusChange(
  ex: Executor,
  change: { componentId: string; oldStatus: ComponentStatus | null; newStatus: ComponentStatus; at: string; updateId: string | null },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO component_status_changes (component_id, old_status, new_status, changed_at, incident_update_id)
          VALUES (?, ?, ?, ?, ?)`,
    args: [change.componentId, change.oldStatus, change.newStatus, change.at, change.updateId],
  });
}

export interface StatusChangeRow {
  componentId: string;
  oldStatus: ComponentStatus | null;
  newStatus: ComponentStatus;
  changedAt: string;
}

/** Status history since a time, plus the last change before it (the status the window opens with). */
export async function listStatusChangesSince(ex: Executor, since: string): Promise<StatusChangeRow[]> {
  const result = await ex.execute({
    // The window's changes by time, and for each component the last change before it (its state
    // when the window opened): two index reads, not a pass over the whole history.
    sql: `SELECT component_id, old_status, new_status, changed_at FROM (
            SELECT component_id, old_status, new_status, changed_at, id FROM component_status_changes INDEXED BY component_status_changes_changed WHERE changed_at >= ?
            UNION ALL
            SELECT c.component_id, c.old_status, c.new_status, c.changed_at, c.id FROM components k
              JOIN component_status_changes c ON c.id = (SELECT p.id FROM component_status_changes p WHERE p.component_id = k.id
                                                          AND p.changed_at < ? ORDER BY p.changed_at DESC, p.id DESC LIMIT 1))
          ORDER BY component_id, changed_at, id`,
    args: [since, since],
  });
  return result.rows.map((row) => ({
    componentId: str(row, "component_id"),
    oldStatus: strOrNull(row, "old_status") as ComponentStatus | null,
    newStatus: str(row, "new_status") as ComponentStatus,
    changedAt: str(row, "changed_at"),
  }));
}
