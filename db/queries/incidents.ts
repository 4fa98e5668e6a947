import type { Row } from "@libsql/client";
import type { ComponentStatus } from "../../domain/components.ts";
import type { IncidentNumber, NumberSeries } from "../../domain/incident-number.ts";
import { NOTICE_FIELDS } from "../../domain/notice.ts";
import { isRemote, type Executor } from "../database.ts";
import type { AffectedComponentRecord, IncidentKind, IncidentRecord, UpdateRecord } from "../records.ts";
import { publishedPostmortems } from "./postmortems.ts";
import { bool, idsIn, incidentNumberOf, num, str, strOrNull, type IdSelector } from "./rows.ts";
import { readUpdateRows, readUpdateRowsWhere } from "./update-rows.ts";

const INCIDENT_COLUMNS =
  "id, kind, name, status, severity, impact, created_at, updated_at, started_at, identified_at, monitoring_at, resolved_at, scheduled_for, scheduled_until, drill, preview_token, draft, number_series, number_year, number, schedule_sequence, cancelled_at";

/**
 * Drills (practice incidents) are left out of every public read unless a caller asks for them:
 * the publisher, feed and JSON use the defaults, the management API and the drill preview opt in.
 */
export type DrillFilter = "exclude" | "include" | "only" | "drafts";
// "+drill": nearly every incident is no drill, so an index on drill would only make SQLite read
// them all; the unary plus leaves the choice to the indexes that narrow the rows (drills are few: "only" uses it).
// A draft (api/service/alerts.ts) is as private as a drill until it is published: "exclude" leaves out both.
// "drafts": only the drafts (the team's list of what waits to be published).
const DRILL_WHERE: Record<DrillFilter, string> = { exclude: "+drill = 0 AND +draft = 0", include: "1 = 1", only: "drill = 1", drafts: "draft = 1" };

export type IncidentRow = Omit<IncidentRecord, "updates" | "componentIds">;

function toIncidentRow(row: Row): IncidentRow {
  return {
    id: str(row, "id"),
    kind: str(row, "kind") as IncidentKind,
    name: str(row, "name"),
    status: str(row, "status") as IncidentRecord["status"],
    severity: strOrNull(row, "severity") as IncidentRecord["severity"],
    impact: str(row, "impact") as IncidentRecord["impact"],
    createdAt: str(row, "created_at"),
    updatedAt: str(row, "updated_at"),
    startedAt: str(row, "started_at"),
    identifiedAt: strOrNull(row, "identified_at"),
    monitoringAt: strOrNull(row, "monitoring_at"),
    resolvedAt: strOrNull(row, "resolved_at"),
    scheduledFor: strOrNull(row, "scheduled_for"),
    scheduledUntil: strOrNull(row, "scheduled_until"),
    drill: bool(row, "drill"),
    previewToken: strOrNull(row, "preview_token"),
    draft: bool(row, "draft"),
    number: incidentNumberOf(row),
    scheduleSequence: num(row, "schedule_sequence"),
    cancelledAt: strOrNull(row, "cancelled_at"),
  };
}

export async function insertIncident(ex: Executor, i: IncidentRow): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO incidents (${INCIDENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      i.id, i.kind, i.name, i.status, i.severity, i.impact, i.createdAt, i.updatedAt, i.startedAt,
      i.identifiedAt, i.monitoringAt, i.resolvedAt, i.scheduledFor, i.scheduledUntil, i.drill ? 1 : 0, i.previewToken ?? null, i.draft ? 1 : 0,
      i.number?.series ?? null, i.number?.year ?? null, i.number?.number ?? null, i.scheduleSequence ?? 0, i.cancelledAt ?? null,
    ],
  });
}

/** The next number of a series in a year (inside the write that creates the incident: writes are serialized, and the unique index forbids a repeat). */
export async function nextIncidentNumber(ex: Executor, series: NumberSeries, year: number): Promise<number> {
  const result = await ex.execute({ sql: "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM incidents WHERE number_series = ? AND number_year = ?", args: [series, year] });
  return num(result.rows[0]!, "next");
}

/** The id of the incident with this number, or null. */
export async function incidentIdByNumber(ex: Executor, n: IncidentNumber): Promise<string | null> {
  const result = await ex.execute({ sql: "SELECT id FROM incidents WHERE number_series = ? AND number_year = ? AND number = ?", args: [n.series, n.year, n.number] });
  return result.rows[0] ? str(result.rows[0], "id") : null;
}

/** Public incidents declared before this one that were linked to any of its components, newest first. */
export async function relatedIncidents(ex: Executor, incident: Pick<IncidentRecord, "id" | "createdAt" | "componentIds">, limit: number): Promise<IncidentRow[]> {
  if (incident.componentIds.length === 0) return [];
  const result = await ex.execute({
    sql: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE kind = 'incident' AND ${DRILL_WHERE.exclude} AND id <> ? AND created_at < ?
            AND id IN (SELECT incident_id FROM incident_components WHERE component_id IN (SELECT value FROM json_each(?)))
          ORDER BY created_at DESC LIMIT ?`,
    args: [incident.id, incident.createdAt, JSON.stringify(incident.componentIds), limit],
  });
  return result.rows.map(toIncidentRow);
}

/** A draft becomes public (api/service/incidents.ts publishIncident). */
export async function markPublished(ex: Executor, id: string, at: string): Promise<void> {
  await ex.execute({ sql: "UPDATE incidents SET draft = 0, updated_at = ? WHERE id = ? AND draft = 1", args: [at, id] });
}

/**
 * A draft's update as approved: its words, and the time customers were told. The only change made
 * to an update in place, so it gives the row a new random revision (db/queries/update-rows.ts).
 */
export async function reviseDraftUpdate(ex: Executor, updateId: string, r: { body: string; at: string; deliverNotifications: boolean }): Promise<void> {
  await ex.execute({
    sql: "UPDATE incident_updates SET body = ?, created_at = ?, display_at = ?, deliver_notifications = ?, revision = random() & 1099511627775 WHERE id = ?",
    args: [r.body, r.at, r.at, r.deliverNotifications ? 1 : 0, updateId],
  });
}

export async function saveIncident(ex: Executor, i: IncidentRow): Promise<void> {
  await ex.execute({
    sql: `UPDATE incidents SET name = ?, status = ?, severity = ?, impact = ?, updated_at = ?, identified_at = ?,
            monitoring_at = ?, resolved_at = ?, scheduled_for = ?, scheduled_until = ?, schedule_sequence = ?, cancelled_at = ? WHERE id = ?`,
    args: [
      i.name, i.status, i.severity, i.impact, i.updatedAt, i.identifiedAt, i.monitoringAt, i.resolvedAt,
      i.scheduledFor, i.scheduledUntil, i.scheduleSequence ?? 0, i.cancelledAt ?? null, i.id,
    ],
  });
}

export async function getIncidentRow(ex: Executor, id: string, kind: IncidentKind): Promise<IncidentRow | null> {
  const result = await ex.execute({
    sql: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ? AND kind = ?`,
    args: [id, kind],
  });
  return result.rows[0] ? toIncidentRow(result.rows[0]) : null;
}

export async function nextUpdateSeq(ex: Executor, incidentId: string): Promise<number> {
  const result = await ex.execute({
    sql: "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM incident_updates WHERE incident_id = ?",
    args: [incidentId],
  });
  return num(result.rows[0]!, "next");
}

export async function insertUpdate(ex: Executor, u: Omit<UpdateRecord, "affected">): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO incident_updates (id, incident_id, seq, status, body, author, deliver_notifications, reopened, created_at, display_at, next_update_at,
                                        notice_impact, notice_root_cause, notice_resolution, notice_prevention)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      u.id, u.incidentId, u.seq, u.status, u.body, u.author, u.deliverNotifications ? 1 : 0, u.reopened ? 1 : 0,
      u.createdAt, u.displayAt, u.nextUpdateAt ?? null,
      ...NOTICE_FIELDS.map((f) => (u.notice?.[f]?.trim() ? u.notice[f]! : null)),
    ],
  });
}

export async function insertUpdateComponent(ex: Executor, updateId: string, a: AffectedComponentRecord): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO incident_update_components (update_id, component_id, old_status, new_status) VALUES (?, ?, ?, ?)",
    args: [updateId, a.componentId, a.oldStatus, a.newStatus],
  });
}

export async function linkIncidentComponent(ex: Executor, incidentId: string, componentId: string): Promise<void> {
  await ex.execute({
    sql: "INSERT OR IGNORE INTO incident_components (incident_id, component_id) VALUES (?, ?)",
    args: [incidentId, componentId],
  });
}

export interface IncidentFilter {
  /** Incidents, maintenances, or both when omitted. */
  kind?: IncidentKind;
  /** Open = not resolved (incidents) / not completed (maintenances). */
  state?: "open" | "closed";
  /** Only these statuses. */
  statuses?: readonly string[];
  limit: number;
  offset?: number;
  /** Only incidents created or updated at or after this time. */
  since?: string;
  /** Only incidents whose history date (scheduled start, else creation) falls in [from, to). */
  between?: { from: string; to: string };
  /** newest: by history date, newest first (default); soonest: by history date, soonest first. */
  order?: "newest" | "soonest";
  /** Load only each incident's newest update (for lists that show just that). Default: all. */
  updates?: "all" | "latest";
  /** Default "exclude": public lists never see drills. */
  drills?: DrillFilter;
}

const CLOSED_STATUSES = JSON.stringify(["resolved", "completed"]);

/** Incidents and maintenances by history date (scheduled start, else creation), fully loaded. */
export async function listIncidents(ex: Executor, filter: IncidentFilter): Promise<IncidentRecord[]> {
  const where = [DRILL_WHERE[filter.drills ?? "exclude"]];
  const args: (string | number)[] = [];
  if (filter.kind) {
    where.push("kind = ?");
    args.push(filter.kind);
  }
  if (filter.state === "open") {
    // Spelled as the partial index incidents_open is (migration 0016), so SQLite reads only open ones.
    where.push("status NOT IN ('resolved', 'completed')");
  } else if (filter.state === "closed") {
    where.push("status IN (SELECT value FROM json_each(?))");
    args.push(CLOSED_STATUSES);
  }
  if (filter.statuses) {
    where.push("status IN (SELECT value FROM json_each(?))");
    args.push(JSON.stringify(filter.statuses));
  }
  if (filter.since) {
    // A union of two index lookups; an OR of the two columns would scan the whole table.
    where.push("id IN (SELECT id FROM incidents WHERE created_at >= ? UNION SELECT id FROM incidents WHERE updated_at >= ?)");
    args.push(filter.since, filter.since);
  }
  if (filter.between) {
    where.push("COALESCE(scheduled_for, created_at) >= ? AND COALESCE(scheduled_for, created_at) < ?");
    args.push(filter.between.from, filter.between.to);
  }
  const direction = filter.order === "soonest" ? "ASC" : "DESC";
  const order = `COALESCE(scheduled_for, created_at) ${direction}, id`;
  args.push(filter.limit, filter.offset ?? 0);
  const chosen = `FROM incidents WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ? OFFSET ?`;
  const latestOnly = filter.updates === "latest";
  if (!isRemote(ex)) {
    // Embedded: the rows, then their details by id (a repeated ordered subquery costs more than a step).
    const rows = (await ex.execute({ sql: `SELECT ${INCIDENT_COLUMNS} ${chosen}`, args })).rows.map(toIncidentRow);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    return (await detailsOf(ex, idsIn(ids), latestOnly, ids))(rows);
  }
  // Over the network: the details are read with the rows, selected by the same query (one round trip).
  const [result, attach] = await Promise.all([
    ex.execute({ sql: `SELECT ${INCIDENT_COLUMNS} ${chosen}`, args }),
    detailsOf(ex, { sql: `SELECT id ${chosen}`, args }, latestOnly),
  ]);
  return attach(result.rows.map(toIncidentRow));
}

export async function getIncident(ex: Executor, id: string, kind: IncidentKind): Promise<IncidentRecord | null> {
  const [row, attach] = await Promise.all([getIncidentRow(ex, id, kind), detailsOf(ex, idsIn([id]), false, [id])]);
  return row ? attach([row])[0]! : null;
}

/**
 * Reads the details of the incidents a selector names — updates (newest first, with their
 * component changes), affected component ids, published postmortems — and returns what attaches
 * them to the rows. Needing only a selector, these reads travel with the rows' own (one round trip
 * on the edge, not two).
 */
async function detailsOf(ex: Executor, incidents: IdSelector, latestOnly = false, ids?: readonly string[]): Promise<(rows: IncidentRow[]) => IncidentRecord[]> {
  const args = incidents.args;
  // Either every update of the incidents, or only the newest of each.
  const which = latestOnly
    ? `u.incident_id IN (${incidents.sql}) AND u.seq = (SELECT MAX(seq) FROM incident_updates x WHERE x.incident_id = u.incident_id)`
    : `u.incident_id IN (${incidents.sql})`;
  const [updateRows, affected, links, postmortems] = await Promise.all([
    // Embedded, all updates, ids known: large incidents' rows may be kept from an earlier read.
    !latestOnly && ids !== undefined && !isRemote(ex)
      ? readUpdateRows(ex, ids)
      : readUpdateRowsWhere(ex, which, args),
    ex.execute({
      sql: `SELECT a.update_id, a.component_id, c.name, a.old_status, a.new_status
            FROM incident_update_components a JOIN incident_updates u ON u.id = a.update_id
            JOIN components c ON c.id = a.component_id
            WHERE ${which} ORDER BY c.position, c.name`,
      args,
    }),
    ex.execute({
      sql: `SELECT l.incident_id, l.component_id FROM incident_components l JOIN components c ON c.id = l.component_id
            WHERE l.incident_id IN (${incidents.sql}) ORDER BY c.position, c.name`,
      args,
    }),
    // Maintenances have no postmortems: asking for every id finds the incidents' only.
    publishedPostmortems(ex, incidents),
  ]);
  const affectedByUpdate = new Map<string, AffectedComponentRecord[]>();
  for (const row of affected.rows) {
    const list = affectedByUpdate.get(str(row, "update_id")) ?? [];
    list.push({
      componentId: str(row, "component_id"),
      name: str(row, "name"),
      oldStatus: str(row, "old_status") as ComponentStatus,
      newStatus: str(row, "new_status") as ComponentStatus,
    });
    affectedByUpdate.set(str(row, "update_id"), list);
  }
  // A record of its own for every reader (kept rows are shared), with this read's component changes.
  const updatesByIncident = new Map<string, UpdateRecord[]>();
  for (const [incidentId, rows] of updateRows) {
    updatesByIncident.set(
      incidentId,
      rows.map((u) => ({
        ...u,
        affected: affectedByUpdate.get(u.id) ?? [],
        nextUpdateAt: u.nextUpdateAt ?? null,
        notice: u.notice ? { ...u.notice } : null,
      })),
    );
  }
  const componentsByIncident = new Map<string, string[]>();
  for (const row of links.rows) {
    const list = componentsByIncident.get(str(row, "incident_id")) ?? [];
    list.push(str(row, "component_id"));
    componentsByIncident.set(str(row, "incident_id"), list);
  }
  return (rows) =>
    rows.map((row) => ({
      ...row,
      updates: updatesByIncident.get(row.id) ?? [],
      componentIds: componentsByIncident.get(row.id) ?? [],
      postmortem: row.kind === "incident" ? (postmortems.get(row.id) ?? null) : null,
    }));
}

/** The components an incident is linked to, without loading its updates. */
export async function linkedComponentIds(ex: Executor, incidentId: string): Promise<string[]> {
  const result = await ex.execute({
    sql: "SELECT component_id FROM incident_components WHERE incident_id = ? ORDER BY rowid",
    args: [incidentId],
  });
  return result.rows.map((row) => str(row, "component_id"));
}

/** The incidents that own the newest public updates (for the feed); never a drill's. */
export function incidentsWithNewestUpdates(limit: number): IdSelector {
  return {
    // NOT EXISTS probes each update's incident by its key while walking updates newest first, and
    // stops at the limit; NOT IN (subquery) scanned every incident first (20 ms at 100,000, 0.2 ms now).
    sql: `SELECT u.incident_id FROM incident_updates u
            WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = u.incident_id AND (i.drill = 1 OR i.draft = 1))
            ORDER BY u.created_at DESC, u.seq DESC LIMIT ?`,
    args: [limit],
  };
}

/**
 * Incidents by id, in the order given — or those a selector names, in no particular order; drills
 * are left out unless asked for.
 */
export async function getIncidentsByIds(ex: Executor, ids: readonly string[] | IdSelector, drills: DrillFilter = "exclude"): Promise<IncidentRecord[]> {
  let list = "sql" in ids ? null : ids;
  // Embedded: a selector is resolved to ids first (one cheap statement instead of a subquery in five).
  if (!list && !isRemote(ex)) list = (await ex.execute(ids as IdSelector)).rows.map((row) => String(row[0]));
  if (list?.length === 0) return [];
  const selector = list ? idsIn(list) : (ids as IdSelector);
  const [result, attach] = await Promise.all([
    ex.execute({ sql: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id IN (${selector.sql}) AND ${DRILL_WHERE[drills]}`, args: selector.args }),
    detailsOf(ex, selector, false, list ?? undefined),
  ]);
  const rows = result.rows.map(toIncidentRow);
  if (!list) return attach(rows);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return attach(list.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])));
}

/** Every incident's history date (scheduled start, else creation): enough to list the archive's months. */
export async function listHistoryDates(ex: Executor): Promise<string[]> {
  const result = await ex.execute("SELECT COALESCE(scheduled_for, created_at) AS at FROM incidents WHERE drill = 0 AND +draft = 0 ORDER BY at DESC");
  return result.rows.map((row) => str(row, "at"));
}

/** The incidents named, and those linked to any of the components (their pages show its name). */
export function incidentsOrLinked(incidentIds: readonly string[], componentIds: readonly string[]): IdSelector {
  return {
    sql: "SELECT value FROM json_each(?) UNION SELECT incident_id FROM incident_components WHERE component_id IN (SELECT value FROM json_each(?))",
    args: [JSON.stringify(incidentIds), JSON.stringify(componentIds)],
  };
}

/**
 * The incidents and maintenances of one component (a group: of its components too) whose history
 * date is at or after `since`, or that are still open, newest first: its own page and feed.
 */
export function incidentsOfComponent(componentId: string, since: string, limit: number): IdSelector {
  return {
    // From the window (three index lookups) to each incident's links, not from the component's
    // links (every incident it ever had) to the window: 60 ms a page at 100,000 incidents, now 3.
    sql: `SELECT id FROM incidents
           WHERE id IN (SELECT id FROM incidents WHERE COALESCE(scheduled_for, created_at) >= ?
                        UNION SELECT id FROM incidents WHERE updated_at >= ?
                        UNION SELECT id FROM incidents WHERE status NOT IN ('resolved', 'completed'))
             AND EXISTS (SELECT 1 FROM incident_components l
                          WHERE l.incident_id = incidents.id AND (l.component_id = ? OR l.component_id IN (SELECT id FROM components WHERE group_id = ?)))
           ORDER BY COALESCE(scheduled_for, created_at) DESC LIMIT ?`,
    args: [since, since, componentId, componentId, limit],
  };
}

/** Every public incident id, for a full publish (drills: `drills` "only" for their previews). */
export async function listAllIncidentIds(ex: Executor, drills: DrillFilter = "exclude"): Promise<string[]> {
  const result = await ex.execute(`SELECT id FROM incidents WHERE ${DRILL_WHERE[drills]} ORDER BY created_at DESC`);
  return result.rows.map((row) => str(row, "id"));
}

/** When anything public last changed. */
export async function lastPublicChange(ex: Executor): Promise<string | null> {
  const result = await ex.execute(
    "SELECT MAX(at) AS at FROM (SELECT MAX(updated_at) AS at FROM incidents WHERE drill = 0 AND +draft = 0 UNION ALL SELECT MAX(updated_at) AS at FROM components)",
  );
  return strOrNull(result.rows[0]!, "at");
}
