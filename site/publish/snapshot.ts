import type { Transaction } from "@libsql/client";
import { pageStatus } from "../../domain/indicator.ts";
import type { Impact } from "../../domain/severity.ts";
import { listComponentViews } from "../../api/service/components.ts";
import { isRemote, markRemote, type Database } from "../../db/database.ts";
import { listStatusChangesSince } from "../../db/queries/components.ts";
import {
  getIncidentsByIds,
  incidentsWithNewestUpdates,
  lastPublicChange,
  listHistoryDates,
  listIncidents,
} from "../../db/queries/incidents.ts";
import { incidentsWithNewestPostmortems } from "../../db/queries/postmortems.ts";
import { HISTORY_ITEM_LIMIT } from "../lib/feed.ts";
import type { HistoryMonth, PageInfo, SiteSnapshot } from "../lib/snapshot.ts";
import { monthBounds, monthsOf } from "./months.ts";

const DAY = 24 * 60 * 60 * 1000;
/** More than the 50 the JSON shows: the page lists every unresolved incident. */
const MAX_UNRESOLVED = 500;

/** Runs reads in one read transaction, so every part of a snapshot shows the same moment. */
export async function readConsistently<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const tx = markRemote(await db.client.transaction("read"), isRemote(db.client));
  try {
    return await work(tx);
  } finally {
    tx.close();
  }
}

/** Reads everything the public surfaces show, as of `now`. */
export async function loadSnapshot(tx: Transaction, page: Omit<PageInfo, "updatedAt">, now: Date): Promise<SiteSnapshot> {
  const generatedAt = now.toISOString();
  // Windows are taken a day wide on each side; the pages cut them to the page zone's days.
  const recentSince = new Date(now.getTime() - 16 * DAY).toISOString();
  const historySince = new Date(now.getTime() - 91 * DAY).toISOString();
  // Independent reads, issued together: over HTTP (Turso) they travel as one pipeline, not one round trip each.
  const updated = incidentsWithNewestUpdates(HISTORY_ITEM_LIMIT);
  const postmortems = incidentsWithNewestPostmortems(HISTORY_ITEM_LIMIT);
  const feedSelector = { sql: `SELECT * FROM (${updated.sql}) UNION SELECT * FROM (${postmortems.sql})`, args: [...updated.args, ...postmortems.args] };
  const [components, unresolvedIncidents, activeMaintenances, upcomingMaintenances, recentIncidents, latestIncidents, latestMaintenances, feedIncidents, statusChanges, lastChange] =
    await Promise.all([
      listComponentViews(tx),
      listIncidents(tx, { kind: "incident", state: "open", limit: MAX_UNRESOLVED }),
      listIncidents(tx, { kind: "maintenance", statuses: ["in_progress", "verifying"], limit: MAX_UNRESOLVED, order: "soonest" }),
      listIncidents(tx, { kind: "maintenance", statuses: ["scheduled"], limit: MAX_UNRESOLVED, order: "soonest" }),
      listIncidents(tx, { since: recentSince, limit: 1000, updates: "latest" }),
      listIncidents(tx, { kind: "incident", limit: 50 }),
      listIncidents(tx, { kind: "maintenance", limit: 50 }),
      // The feeds' newest items: updates and published postmortems (a postmortem comes days after its updates).
      getIncidentsByIds(tx, feedSelector),
      listStatusChangesSince(tx, historySince),
      lastPublicChange(tx),
    ]);
  const updatedAt = lastChange ?? generatedAt;
  const status = pageStatus({
    openIncidentImpacts: unresolvedIncidents.map((i) => i.impact as Impact),
    activeMaintenances: activeMaintenances.filter((m) => m.componentIds.length > 0).length,
    componentStatuses: components.filter((c) => !c.isGroup).map((c) => c.status),
  });
  return {
    page: { ...page, updatedAt },
    generatedAt,
    status,
    components,
    unresolvedIncidents,
    activeMaintenances,
    upcomingMaintenances,
    recentIncidents,
    latestIncidents,
    latestMaintenances,
    feedIncidents,
    statusChanges,
  };
}

/** All months of the archive that have anything in them, newest first. */
export async function loadHistoryMonths(tx: Transaction, timeZone: string): Promise<string[]> {
  return monthsOf(await listHistoryDates(tx), timeZone);
}

export async function loadHistoryMonth(tx: Transaction, month: string, timeZone: string): Promise<HistoryMonth> {
  const between = monthBounds(month, timeZone);
  return { month, incidents: await listIncidents(tx, { between, limit: 10_000, updates: "latest" }) };
}
