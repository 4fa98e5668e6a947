/** What an import from another status page writes (api/import/statuspage.ts). Bound parameters only. */
import type { Executor } from "../database.ts";
import { str, componentChoiceValue } from "./rows.ts";

/** The Herald id a source record became, or null when it was never imported. */
export async function importedId(ex: Executor, source: string, kind: string, sourceId: string): Promise<string | null> {
  const result = await ex.execute({ sql: "SELECT herald_id FROM import_ids WHERE source = ? AND kind = ? AND source_id = ?", args: [source, kind, sourceId] });
  return result.rows[0] ? str(result.rows[0], "herald_id") : null;
}

/** Every import of one kind: source id → Herald id. */
export async function importedIds(ex: Executor, source: string, kind: string): Promise<Map<string, string>> {
  const result = await ex.execute({ sql: "SELECT source_id, herald_id FROM import_ids WHERE source = ? AND kind = ?", args: [source, kind] });
  return new Map(result.rows.map((row) => [str(row, "source_id"), str(row, "herald_id")]));
}

export async function recordImport(ex: Executor, source: string, kind: string, sourceId: string, heraldId: string, at: string): Promise<void> {
  await ex.execute({ sql: "INSERT INTO import_ids (source, kind, source_id, herald_id, imported_at) VALUES (?, ?, ?, ?, ?)", args: [source, kind, sourceId, heraldId, at] });
}

export async function insertImportedComponent(
  ex: Executor,
  c: { id: string; name: string; description: string | null; isGroup: boolean; groupId: string | null; position: number; status: string; showcase: boolean; onlyShowIfDegraded: boolean; startDate: string | null; createdAt: string; updatedAt: string },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO components (id, name, description, is_group, group_id, position, status, showcase, only_show_if_degraded, start_date, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [c.id, c.name, c.description, c.isGroup ? 1 : 0, c.groupId, c.position, c.status, c.showcase ? 1 : 0, c.onlyShowIfDegraded ? 1 : 0, c.startDate, c.createdAt, c.updatedAt],
  });
}

export async function insertImportedStatusChange(
  ex: Executor,
  c: { componentId: string; oldStatus: string | null; newStatus: string; at: string; updateId: string | null },
): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO component_status_changes (component_id, old_status, new_status, changed_at, incident_update_id, source) VALUES (?, ?, ?, ?, ?, 'person')",
    args: [c.componentId, c.oldStatus, c.newStatus, c.at, c.updateId],
  });
}

export async function insertImportedPostmortem(ex: Executor, p: { incidentId: string; body: string; updatedAt: string; publishedAt: string; notified: boolean }): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO postmortems (incident_id, body, author, created_at, updated_at, published_at, notified_at) VALUES (?, ?, 'Statuspage import', ?, ?, ?, ?)",
    args: [p.incidentId, p.body, p.updatedAt, p.updatedAt, p.publishedAt, p.notified ? p.publishedAt : null],
  });
}

/**
 * Subscribers who confirmed at Statuspage: active at once, told nothing. An address Herald knows
 * already is left as it is. Returns how many were added.
 */
export async function insertImportedSubscribers(ex: Executor, rows: readonly { id: string; email: string; componentIds: string[] | null; createdAt: string }[], now: string): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await ex.execute({
    sql: `INSERT INTO subscribers (id, email, state, component_ids, created_at, confirmed_at)
          SELECT json_extract(value, '$.id'), json_extract(value, '$.email'), 'active', json_extract(value, '$.components'), json_extract(value, '$.createdAt'), ?
            FROM json_each(?)
          WHERE 1
          ON CONFLICT (email) DO NOTHING`,
    args: [now, JSON.stringify(rows.map((r) => ({ id: r.id, email: r.email, components: componentChoiceValue(r.componentIds), createdAt: r.createdAt })))],
  });
  return result.rowsAffected;
}

/** Asks the running Herald for a full publish (it checks every minute; a starting one at once). */
export async function requestFullPublish(ex: Executor, at: string): Promise<void> {
  await ex.execute({ sql: "INSERT INTO settings (key, value, created_at) VALUES ('publish:full', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args: [at, at] });
}

/** Whether a full publish was asked for. */
export async function fullPublishRequested(ex: Executor): Promise<boolean> {
  return (await ex.execute("SELECT 1 FROM settings WHERE key = 'publish:full'")).rows.length > 0;
}

/** Takes a full-publish request, if there is one (once: the first to take it publishes). */
export async function takeFullPublishRequest(ex: Executor): Promise<boolean> {
  return (await ex.execute("DELETE FROM settings WHERE key = 'publish:full' RETURNING key")).rows.length > 0;
}

/** Whether a record with this id exists (an id kept from the source must not collide with one of ours). */
export async function idTaken(ex: Executor, table: "components" | "incidents" | "incident_updates", id: string): Promise<boolean> {
  const sql = { components: "SELECT 1 FROM components WHERE id = ?", incidents: "SELECT 1 FROM incidents WHERE id = ?", incident_updates: "SELECT 1 FROM incident_updates WHERE id = ?" }[table];
  return (await ex.execute({ sql, args: [id] })).rows.length > 0;
}

/** How many of these addresses are not subscribers yet. */
export async function countUnknownSubscribers(ex: Executor, emails: readonly string[]): Promise<number> {
  if (emails.length === 0) return 0;
  const result = await ex.execute({ sql: "SELECT COUNT(*) AS known FROM subscribers WHERE email IN (SELECT value FROM json_each(?))", args: [JSON.stringify(emails)] });
  return emails.length - Number(result.rows[0]?.known ?? 0);
}
