import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import type { ActionItemRecord, PostmortemRecord } from "../records.ts";
import type { IncidentNumber } from "../../domain/incident-number.ts";
import { bool, idsIn, incidentNumberOf, str, strOrNull, type IdSelector } from "./rows.ts";

const COLUMNS = "incident_id, body, author, created_at, updated_at, published_at, notified_at";

function toPostmortem(row: Row, actionItems: ActionItemRecord[]): PostmortemRecord {
  return {
    incidentId: str(row, "incident_id"),
    body: str(row, "body"),
    actionItems,
    author: str(row, "author"),
    createdAt: str(row, "created_at"),
    updatedAt: str(row, "updated_at"),
    publishedAt: strOrNull(row, "published_at"),
    notifiedAt: strOrNull(row, "notified_at"),
  };
}

/** Action items of these postmortems, in their order, by incident id. */
/** Action items of the incidents an SQL selector names (`SELECT … id`), in their order. */
async function actionItemsOf(ex: Executor, incidents: IdSelector): Promise<Map<string, ActionItemRecord[]>> {
  const result = await ex.execute({
    sql: `SELECT incident_id, description, owner, due_date, done FROM postmortem_action_items
           WHERE incident_id IN (${incidents.sql}) ORDER BY incident_id, position`,
    args: incidents.args,
  });
  const byIncident = new Map<string, ActionItemRecord[]>();
  for (const row of result.rows) {
    const list = byIncident.get(str(row, "incident_id")) ?? [];
    list.push({ description: str(row, "description"), owner: strOrNull(row, "owner"), dueDate: strOrNull(row, "due_date"), done: bool(row, "done") });
    byIncident.set(str(row, "incident_id"), list);
  }
  return byIncident;
}

/** An incident's postmortem, draft or published, or null. */
export async function getPostmortem(ex: Executor, incidentId: string): Promise<PostmortemRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM postmortems WHERE incident_id = ?`, args: [incidentId] });
  const row = result.rows[0];
  if (!row) return null;
  return toPostmortem(row, (await actionItemsOf(ex, idsIn([incidentId]))).get(incidentId) ?? []);
}

/** The published postmortems of these incidents, by incident id (drafts are left out). */
export async function publishedPostmortems(ex: Executor, incidents: IdSelector): Promise<Map<string, PostmortemRecord>> {
  const published = `FROM postmortems WHERE incident_id IN (${incidents.sql}) AND published_at IS NOT NULL`;
  // Both reads at once (one round trip on the edge): the action items of exactly those postmortems.
  const [result, items] = await Promise.all([
    ex.execute({ sql: `SELECT ${COLUMNS} ${published}`, args: incidents.args }),
    actionItemsOf(ex, { sql: `SELECT incident_id ${published}`, args: incidents.args }),
  ]);
  return new Map(result.rows.map((row) => [str(row, "incident_id"), toPostmortem(row, items.get(str(row, "incident_id")) ?? [])]));
}

/** Creates or replaces the text (and, when given, the whole list of action items). */
export async function savePostmortem(
  ex: Executor,
  p: { incidentId: string; body: string; author: string; now: string; actionItems?: readonly ActionItemRecord[] | undefined },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO postmortems (incident_id, body, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (incident_id) DO UPDATE SET body = excluded.body, author = excluded.author, updated_at = excluded.updated_at`,
    args: [p.incidentId, p.body, p.author, p.now, p.now],
  });
  if (!p.actionItems) return;
  await ex.execute({ sql: "DELETE FROM postmortem_action_items WHERE incident_id = ?", args: [p.incidentId] });
  for (const [index, item] of p.actionItems.entries()) {
    await ex.execute({
      sql: "INSERT INTO postmortem_action_items (incident_id, position, description, owner, due_date, done) VALUES (?, ?, ?, ?, ?, ?)",
      args: [p.incidentId, index + 1, item.description, item.owner, item.dueDate, item.done ? 1 : 0],
    });
  }
}

/** Marks it published (the first publication time is kept) and, when told, notified. */
export async function markPostmortemPublished(ex: Executor, incidentId: string, now: string, notified: boolean): Promise<void> {
  await ex.execute({
    sql: `UPDATE postmortems SET published_at = COALESCE(published_at, ?),
            notified_at = CASE WHEN ? THEN COALESCE(notified_at, ?) ELSE notified_at END
          WHERE incident_id = ?`,
    args: [now, notified ? 1 : 0, now, incidentId],
  });
}

/** The incidents with the most recently published postmortems (for the feed). */
export function incidentsWithNewestPostmortems(limit: number): IdSelector {
  return { sql: "SELECT incident_id FROM postmortems WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT ?", args: [limit] };
}

export interface TrackedActionItem {
  incidentId: string;
  incidentName: string;
  incidentNumber: IncidentNumber | null;
  position: number;
  description: string;
  owner: string | null;
  dueDate: string | null;
  done: boolean;
}

/** Action items across postmortems (drafts' too: the team tracks them before publishing), by due date. */
export async function listActionItems(ex: Executor, which: "open" | "overdue" | "done" | "all", today: string): Promise<TrackedActionItem[]> {
  const where = { open: "a.done = 0", overdue: "a.done = 0 AND a.due_date < ?", done: "a.done = 1", all: "1 = 1" }[which];
  return trackedActionItems(ex, where, which === "overdue" ? [today] : []);
}

/** One action item, by its incident and its place in the list. */
export async function getActionItem(ex: Executor, incidentId: string, position: number): Promise<TrackedActionItem | null> {
  return (await trackedActionItems(ex, "a.incident_id = ? AND a.position = ?", [incidentId, position]))[0] ?? null;
}

async function trackedActionItems(ex: Executor, where: string, args: (string | number)[]): Promise<TrackedActionItem[]> {
  const result = await ex.execute({
    sql: `SELECT a.incident_id, i.name, i.number_series, i.number_year, i.number, a.position, a.description, a.owner, a.due_date, a.done
          FROM postmortem_action_items a JOIN incidents i ON i.id = a.incident_id
          WHERE ${where} AND i.drill = 0
          ORDER BY a.due_date IS NULL, a.due_date, a.owner, i.created_at, a.position`,
    args,
  });
  return result.rows.map((row) => ({
    incidentId: str(row, "incident_id"),
    incidentName: str(row, "name"),
    incidentNumber: incidentNumberOf(row),
    position: Number(row.position),
    description: str(row, "description"),
    owner: strOrNull(row, "owner"),
    dueDate: strOrNull(row, "due_date"),
    done: bool(row, "done"),
  }));
}

/** Marks one action item done or not; false when there is no such item. */
export async function setActionItemDone(ex: Executor, incidentId: string, position: number, done: boolean): Promise<boolean> {
  const result = await ex.execute({ sql: "UPDATE postmortem_action_items SET done = ? WHERE incident_id = ? AND position = ?", args: [done ? 1 : 0, incidentId, position] });
  return result.rowsAffected > 0;
}
