/**
 * The Statuspage-compatible public JSON (reference §1): one SiteSnapshot in, the eight
 * `/api/v2/*.json` documents out. Pure: no I/O, no clock; the same snapshot always gives the
 * same documents.
 *
 * Shapes come from api/serialize.ts (shared with the management API) with its default options,
 * which emit exactly the reference's keys:
 *   - page      §1.2  id, name, url, time_zone, updated_at
 *   - status    §1.3  indicator, description (indicator may be "maintenance", as the reference asks)
 *   - component §1.4  the 13 keys, plus `components` (child ids) on group rows only
 *   - incident  §1.5  the 13 keys; maintenances (§1.7) add scheduled_for / scheduled_until
 *   - update    §1.6  the 12 keys; affected_components is null or [{code, name, old_status, new_status}]
 * Deliberately NOT published: our internal `severity` (SEV1–SEV4) and the update `author` — neither
 * is a Statuspage key, and the author is a staff name. The public impact is already carried by
 * `impact`. Nothing here is HTML: update bodies are the raw Markdown strings (JSON carries data).
 *
 * Timestamps pass through as the records store them: ISO-8601 UTC with `Z`, which the reference
 * allows (§1.2); `page.time_zone` tells consumers which zone the page shows times in.
 */
import { componentJson, incidentJson } from "../../api/serialize.ts";
import type { ComponentView } from "../../api/service/components.ts";
import type { IncidentRecord } from "../../db/records.ts";
import type { SiteSnapshot } from "./snapshot.ts";

/** Every document this module writes, relative to the site root. */
export const STATUSPAGE_PATHS = [
  "api/v2/summary.json",
  "api/v2/status.json",
  "api/v2/components.json",
  "api/v2/incidents.json",
  "api/v2/incidents/unresolved.json",
  "api/v2/scheduled-maintenances.json",
  "api/v2/scheduled-maintenances/upcoming.json",
  "api/v2/scheduled-maintenances/active.json",
] as const;
export type StatuspagePath = (typeof STATUSPAGE_PATHS)[number];

/** incidents.json and scheduled-maintenances.json hold the 50 most recent (reference §1.1). */
export const STATUSPAGE_LIST_LIMIT = 50;

function time(iso: string | null): number {
  return iso === null ? Number.NEGATIVE_INFINITY : Date.parse(iso);
}

function byIdAsc(a: IncidentRecord, b: IncidentRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Incidents: newest created first (the store's order: created_at DESC, id). */
function newestCreatedFirst(a: IncidentRecord, b: IncidentRecord): number {
  return time(b.createdAt) - time(a.createdAt) || byIdAsc(a, b);
}

/** Maintenance history: latest scheduled start first, unscheduled last (the store's order: scheduled_for DESC, id). */
function latestScheduledFirst(a: IncidentRecord, b: IncidentRecord): number {
  const ta = time(a.scheduledFor);
  const tb = time(b.scheduledFor);
  if (ta !== tb) return tb > ta ? 1 : -1;
  return byIdAsc(a, b);
}

/** Active and upcoming maintenances: soonest first, as the snapshot documents them. */
function soonestFirst(a: IncidentRecord, b: IncidentRecord): number {
  const ta = a.scheduledFor === null ? Number.POSITIVE_INFINITY : Date.parse(a.scheduledFor);
  const tb = b.scheduledFor === null ? Number.POSITIVE_INFINITY : Date.parse(b.scheduledFor);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return byIdAsc(a, b);
}

/**
 * `incident_updates` newest first by display_at, the user-visible time that may be backdated
 * (reference §1.6: "sort by it"); equal times fall back to the posting order (seq).
 */
function withUpdatesNewestFirst(i: IncidentRecord): IncidentRecord {
  const updates = [...i.updates].sort((a, b) => time(b.displayAt) - time(a.displayAt) || b.seq - a.seq);
  return { ...i, updates };
}

export function statuspageDocuments(snapshot: SiteSnapshot): Record<string, unknown> {
  const { page: info } = snapshot;
  const page = { id: info.id, name: info.name, url: info.url, time_zone: info.timeZone, updated_at: info.updatedAt };
  const ref = { id: info.id, url: info.url, showOwners: info.showOwners ?? false };
  const status = { indicator: snapshot.status.indicator, description: snapshot.status.description };

  const componentsById = new Map<string, ComponentView>(snapshot.components.map((c) => [c.id, c]));
  // Components in the snapshot's order (the store's: position, created_at, id); groups are rows
  // of the same array, so `position` repeats across levels (reference §1.4).
  const components = () => snapshot.components.map((c) => componentJson(c, ref));
  const incidents = (list: readonly IncidentRecord[], order: (a: IncidentRecord, b: IncidentRecord) => number, limit = Infinity) =>
    [...list]
      .sort(order)
      .slice(0, limit)
      .map((i) => incidentJson(withUpdatesNewestFirst(i), componentsById, ref));

  const unresolved = () => incidents(snapshot.unresolvedIncidents, newestCreatedFirst);
  const active = () => incidents(snapshot.activeMaintenances, soonestFirst);
  const upcoming = () => incidents(snapshot.upcomingMaintenances, soonestFirst);

  // Each document gets its own objects (no sharing between documents), so a caller may mutate one safely.
  const documents: Record<StatuspagePath, unknown> = {
    // Key order as in the reference's table (§1.1).
    "api/v2/summary.json": {
      page: { ...page },
      components: components(),
      incidents: unresolved(),
      // "upcoming or in-progress": in progress / verifying first, then scheduled, each soonest first.
      scheduled_maintenances: [...active(), ...upcoming()],
      status: { ...status },
    },
    "api/v2/status.json": { page: { ...page }, status: { ...status } },
    "api/v2/components.json": { page: { ...page }, components: components() },
    "api/v2/incidents.json": {
      page: { ...page },
      incidents: incidents(snapshot.latestIncidents, newestCreatedFirst, STATUSPAGE_LIST_LIMIT),
    },
    "api/v2/incidents/unresolved.json": { page: { ...page }, incidents: unresolved() },
    "api/v2/scheduled-maintenances.json": {
      page: { ...page },
      scheduled_maintenances: incidents(snapshot.latestMaintenances, latestScheduledFirst, STATUSPAGE_LIST_LIMIT),
    },
    "api/v2/scheduled-maintenances/upcoming.json": { page: { ...page }, scheduled_maintenances: upcoming() },
    "api/v2/scheduled-maintenances/active.json": { page: { ...page }, scheduled_maintenances: active() },
  };
  return documents;
}
