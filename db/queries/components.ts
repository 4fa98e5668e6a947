import type { Row } from "@libsql/client";
import type { StatusSource } from "../../domain/alerts.ts";
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
  change: {
    componentId: string; oldStatus: ComponentStatus | null; newStatus: ComponentStatus; at: string; updateId: string | null;
    /** Who set it (default a person) and their name (the actor, or the alert rule). */
    source?: StatusSource; sourceName?: string | null;
  },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO component_status_changes (component_id, old_status, new_status, changed_at, incident_update_id, source, source_name)
          VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [change.componentId, change.oldStatus, change.newStatus, change.at, change.updateId, change.source ?? "person", change.sourceName ?? null],
  });
}

/**
 * What automation needs to know of components before moving them: the newest real change of each
 * (not its first status at creation) and when automation last changed it.
 */
export async function automationStates(ex: Executor, componentIds: readonly string[]): Promise<Map<string, { lastChange: { source: StatusSource; at: string } | null; lastAutomatedAt: string | null }>> {
  const result = await ex.execute({
    sql: `SELECT k.value AS component_id,
            (SELECT source FROM component_status_changes c WHERE c.component_id = k.value AND c.old_status IS NOT NULL ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) AS last_source,
            (SELECT changed_at FROM component_status_changes c WHERE c.component_id = k.value AND c.old_status IS NOT NULL ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) AS last_at,
            (SELECT MAX(changed_at) FROM component_status_changes c WHERE c.component_id = k.value AND c.source = 'automation') AS automated_at
          FROM json_each(?) k`,
    args: [JSON.stringify(componentIds)],
  });
  return new Map(
    result.rows.map((row) => {
      const source = strOrNull(row, "last_source") as StatusSource | null;
      const at = strOrNull(row, "last_at");
      return [str(row, "component_id"), { lastChange: source && at ? { source, at } : null, lastAutomatedAt: strOrNull(row, "automated_at") }];
    }),
  );
}

export interface StatusHistoryEntry {
  oldStatus: ComponentStatus | null;
  newStatus: ComponentStatus;
  changedAt: string;
  source: StatusSource;
  sourceName: string | null;
  updateId: string | null;
}

/** A component's status history, newest first (who set each status, and from what). */
export async function componentStatusHistory(ex: Executor, componentId: string, limit: number): Promise<StatusHistoryEntry[]> {
  const result = await ex.execute({
    sql: `SELECT old_status, new_status, changed_at, source, source_name, incident_update_id FROM component_status_changes
          WHERE component_id = ? ORDER BY changed_at DESC, id DESC LIMIT ?`,
    args: [componentId, limit],
  });
  return result.rows.map((row) => ({
    oldStatus: strOrNull(row, "old_status") as ComponentStatus | null,
    newStatus: str(row, "new_status") as ComponentStatus,
    changedAt: str(row, "changed_at"),
    source: str(row, "source") as StatusSource,
    sourceName: strOrNull(row, "source_name"),
    updateId: strOrNull(row, "incident_update_id"),
  }));
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
