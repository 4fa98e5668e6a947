/**
 * Incidents' update rows as records read them, and large incidents' kept between reads in this thread.
 *
 * Every update posted to an incident is answered with the incident and all its updates, and every
 * publish renders it again: at 250 updates, reading them was 0.7 ms of a ~2 ms write, and an
 * incident that lasts an afternoon is read with every update posted to it. Rows are immutable but
 * for one change made in place (a draft's words when it is published, `reviseDraftUpdate`, which
 * gives the row a new random `revision`), and new rows only ever come after the newest. So a kept
 * copy, newest sequence number S, is still right when the incident's rows up to S are as many, the
 * one at S has the same id, and their revisions add up the same — three index lookups — and then
 * only the rows after S are read. This holds for changes made by another process too, and for rows
 * a read saw inside a transaction that was then rolled back: whatever replaced them has another id
 * at S (ids are random and never reused), or fewer rows, or another revision.
 *
 * Only embedded database files (a read over the network is a round trip either way; rows are kept
 * by file and incident, so two databases with the same ids never share them), only incidents with
 * at least `KEEP_FROM` updates (small ones cost less to read than to check), and at most
 * `KEEP_AT_MOST` rows in all, the least recently read incident given up first.
 */
import type { InArgs, Row } from "@libsql/client";
import { NOTICE_FIELDS, type NoticeSections } from "../../domain/notice.ts";
import { embeddedFileOf, type Executor } from "../database.ts";
import type { UpdateRecord } from "../records.ts";
import { bool, num, str, strOrNull } from "./rows.ts";

/** An update as its row stores it: everything but the component changes, which are read each time. */
export type UpdateRow = Omit<UpdateRecord, "affected">;

const UPDATE_COLUMNS = `u.id, u.incident_id, u.seq, u.status, u.body, u.author, u.deliver_notifications, u.reopened, u.created_at, u.display_at,
  u.next_update_at, u.notice_impact, u.notice_root_cause, u.notice_resolution, u.notice_prevention, u.revision`;

function toUpdateRow(row: Row): UpdateRow {
  return {
    id: str(row, "id"),
    incidentId: str(row, "incident_id"),
    seq: num(row, "seq"),
    status: str(row, "status") as UpdateRecord["status"],
    body: str(row, "body"),
    author: str(row, "author"),
    deliverNotifications: bool(row, "deliver_notifications"),
    reopened: bool(row, "reopened"),
    createdAt: str(row, "created_at"),
    displayAt: str(row, "display_at"),
    nextUpdateAt: strOrNull(row, "next_update_at"),
    notice: noticeOf(row),
  };
}

/** A resolving update's customer-notice sections, or null when it carries none. */
function noticeOf(row: Row): NoticeSections | null {
  let notice: NoticeSections | null = null;
  for (const field of NOTICE_FIELDS) {
    const value = strOrNull(row, `notice_${field}`);
    if (value !== null) (notice ??= {})[field] = value;
  }
  return notice;
}

export const KEEP_FROM = 16;
export const KEEP_AT_MOST = 20_000;

interface Kept {
  /** Newest first, as an incident's updates are ordered. */
  rows: readonly UpdateRow[];
  revisions: number;
}

const kept = new Map<string, Kept>();
let keptRows = 0;
const keyOf = (file: string, incidentId: string) => `${file}\n${incidentId}`;

/**
 * Every update row of the incidents `ids` names, newest first by incident, read through `ex` (in
 * the caller's transaction when it has one): kept rows that are still right and the rows after
 * them, and all the rows of the others. `ex` must be embedded (see `embeddedFileOf`) for rows to be
 * kept; otherwise this is one plain read. The rows may be shared with later reads: never change them.
 */
export async function readUpdateRows(ex: Executor, incidentIds: readonly string[]): Promise<ReadonlyMap<string, readonly UpdateRow[]>> {
  const ids = [...new Set(incidentIds)];
  const file = embeddedFileOf(ex);
  // Per incident: the kept rows still right, and the sequence number after which to read.
  const reuse = new Map<string, Kept>();
  const candidates = file === null ? [] : ids.flatMap((id) => {
    const copy = kept.get(keyOf(file, id));
    return copy ? [[id, copy] as const] : [];
  });
  if (candidates.length > 0) {
    // Three index lookups per incident: the count and the id at S from the (incident_id, seq) key,
    // the revisions from the index of revised rows only (migration 0024).
    const check = await ex.execute({
      sql: `SELECT w.incident_id,
              (SELECT COUNT(*) FROM incident_updates u WHERE u.incident_id = w.incident_id AND u.seq <= w.newest) AS n,
              (SELECT u.id FROM incident_updates u WHERE u.incident_id = w.incident_id AND u.seq = w.newest) AS newest_id,
              (SELECT TOTAL(u.revision) FROM incident_updates u WHERE u.incident_id = w.incident_id AND u.seq <= w.newest AND u.revision != 0) AS revisions
            FROM (SELECT json_extract(value, '$[0]') AS incident_id, json_extract(value, '$[1]') AS newest FROM json_each(?)) w`,
      args: [JSON.stringify(candidates.map(([id, copy]) => [id, copy.rows[0]!.seq]))],
    });
    const byId = new Map(candidates);
    for (const row of check.rows) {
      const id = str(row, "incident_id");
      const copy = byId.get(id)!;
      if (num(row, "n") === copy.rows.length && num(row, "revisions") === copy.revisions && row.newest_id === copy.rows[0]!.id) reuse.set(id, copy);
    }
    for (const [id] of candidates) if (!reuse.has(id)) forget(keyOf(file!, id));
  }
  const wanted = ids.map((id) => [id, reuse.get(id)?.rows[0]!.seq ?? 0]);
  const result = await ex.execute({
    sql: `SELECT ${UPDATE_COLUMNS}
          FROM (SELECT json_extract(value, '$[0]') AS incident_id, json_extract(value, '$[1]') AS after FROM json_each(?)) w
          JOIN incident_updates u ON u.incident_id = w.incident_id AND u.seq > w.after
          ORDER BY u.incident_id, u.seq DESC`,
    args: [JSON.stringify(wanted)],
  });
  const read = byIncident(result.rows);
  const all = new Map<string, readonly UpdateRow[]>();
  for (const id of ids) {
    const fresh = read.get(id);
    const copy = reuse.get(id);
    if (!fresh && !copy) continue;
    const rows = copy ? [...(fresh?.rows ?? []), ...copy.rows] : fresh!.rows;
    all.set(id, rows);
    if (file !== null) keep(keyOf(file, id), { rows, revisions: (fresh?.revisions ?? 0) + (copy?.revisions ?? 0) });
  }
  return all;
}

/**
 * The update rows `u` for which `where` holds (the caller's selector; `args` its parameters), by
 * incident, newest first: a plain read, nothing kept — for reads over the network, where the
 * selector travels with the rows' own query, and for lists of each incident's newest update only.
 */
export async function readUpdateRowsWhere(ex: Executor, where: string, args: InArgs): Promise<ReadonlyMap<string, readonly UpdateRow[]>> {
  const result = await ex.execute({ sql: `SELECT ${UPDATE_COLUMNS} FROM incident_updates u WHERE ${where} ORDER BY u.incident_id, u.seq DESC`, args });
  return new Map([...byIncident(result.rows)].map(([id, read]) => [id, read.rows]));
}

/** Rows read ordered by incident, newest first: each incident's updates and the sum of their revisions. */
function byIncident(rows: readonly Row[]): Map<string, { rows: UpdateRow[]; revisions: number }> {
  const read = new Map<string, { rows: UpdateRow[]; revisions: number }>();
  for (const row of rows) {
    const id = str(row, "incident_id");
    let entry = read.get(id);
    if (!entry) read.set(id, (entry = { rows: [], revisions: 0 }));
    entry.rows.push(toUpdateRow(row));
    entry.revisions += num(row, "revision");
  }
  return read;
}

function keep(key: string, copy: Kept): void {
  forget(key);
  if (copy.rows.length < KEEP_FROM || copy.rows.length > KEEP_AT_MOST) return;
  kept.set(key, copy);
  keptRows += copy.rows.length;
  for (const [oldest, given] of kept) {
    if (keptRows <= KEEP_AT_MOST) break;
    kept.delete(oldest);
    keptRows -= given.rows.length;
  }
}

function forget(key: string): void {
  const copy = kept.get(key);
  if (!copy) return;
  kept.delete(key);
  keptRows -= copy.rows.length;
}

/** Keeps rows as a read would (for tests of the bound). */
export function keepUpdateRows(ex: Executor, incidentId: string, rows: readonly UpdateRow[], revisions: number): void {
  const file = embeddedFileOf(ex);
  if (file !== null) keep(keyOf(file, incidentId), { rows, revisions });
}

/** How many rows are kept (for tests). */
export function keptRowCount(): number {
  return keptRows;
}

/** Gives up every kept row (for tests). */
export function forgetUpdateRows(): void {
  kept.clear();
  keptRows = 0;
}
