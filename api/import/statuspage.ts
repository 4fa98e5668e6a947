/**
 * `herald import statuspage`: a Statuspage page — components and groups, incidents and scheduled
 * maintenances with every update and the component changes they made, published postmortems, and
 * active email subscribers with their components — written into Herald's database.
 *
 * - Ids are kept where they fit Herald's format; times are kept. Every record imported is noted
 *   in `import_ids`, so a second run adds what is new and changes nothing else (resumable: an
 *   interrupted run is simply run again). Each incident is written in one transaction.
 * - Subscribers confirmed at Statuspage are active at once and are told nothing.
 * - Severity: Statuspage's impact read backwards through the seed's table (domain/statuspage-import.ts).
 * - The component changes of the imported updates become the components' status history, so the
 *   uptime bars show the imported past.
 * - When anything was added, the running Herald is asked for a full publish.
 */
import type { Database } from "../../db/database.ts";
import { nextIncidentNumber, insertIncident, insertUpdate, insertUpdateComponent, linkIncidentComponent } from "../../db/queries/incidents.ts";
import {
  countUnknownSubscribers,
  idTaken,
  importedIds,
  insertImportedComponent,
  insertImportedPostmortem,
  insertImportedStatusChange,
  insertImportedSubscribers,
  recordImport,
  requestFullPublish,
} from "../../db/queries/imports.ts";
import { setMaintenanceSchedule } from "../../db/queries/maintenance-schedule.ts";
import { normalizeEmail } from "../../domain/email.ts";
import { newId } from "../../domain/ids.ts";
import { numberYear } from "../../domain/incident-number.ts";
import { impactOf } from "../../domain/severity.ts";
import { componentStatusOf, incidentStatusOf, keptId, severityOfImpact, updateStatusOf } from "../../domain/statuspage-import.ts";
import type { StatuspageClient } from "./statuspage-client.ts";

const SOURCE = "statuspage";

type Json = Record<string, any>;

export interface ImportCounts {
  read: number;
  added: number;
}

export interface ImportSummary {
  page: { name: string; timeZone: string | null };
  components: ImportCounts;
  incidents: ImportCounts;
  maintenances: ImportCounts;
  updates: number;
  postmortems: number;
  subscribers: ImportCounts;
  dryRun: boolean;
  requests: number;
  rateLimitWaits: number;
}

export interface ImportOptions {
  db: Database;
  client: StatuspageClient;
  /** Only incidents and maintenances created on or after this instant (ISO); subscribers and components all. */
  since?: string | undefined;
  /** Read everything and count what would be added; write nothing. */
  dryRun?: boolean | undefined;
  /** The page's zone, for the year of incident numbers. */
  timeZone: string;
  now: () => Date;
  progress?: (line: string) => void;
}

const iso = (value: unknown, fallback: string): string => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : fallback);
const text = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value : null);

export async function importStatuspage(o: ImportOptions): Promise<ImportSummary> {
  const now = o.now().toISOString();
  const dry = o.dryRun === true;
  const say = o.progress ?? (() => {});
  const pageInfo = (await o.client.get("")) as Json;
  const summary: ImportSummary = {
    page: { name: String(pageInfo.name ?? ""), timeZone: text(pageInfo.time_zone) },
    components: { read: 0, added: 0 },
    incidents: { read: 0, added: 0 },
    maintenances: { read: 0, added: 0 },
    updates: 0,
    postmortems: 0,
    subscribers: { read: 0, added: 0 },
    dryRun: dry,
    requests: 0,
    rateLimitWaits: 0,
  };

  // Components: groups first (their components point at them), in Statuspage's order.
  const rows: Json[] = [];
  for await (const page of o.client.paged("/components", "per_page")) rows.push(...page);
  summary.components.read = rows.length;
  const componentIds = await importedIds(o.db.client, SOURCE, "component");
  const groupOf = new Map<string, string>();
  for (const row of rows) for (const child of (row.group ? (row.components as string[]) ?? [] : [])) groupOf.set(child, String(row.id));
  const ordered = [...rows.filter((r) => r.group), ...rows.filter((r) => !r.group)];
  for (const row of ordered) {
    const sourceId = String(row.id);
    if (componentIds.has(sourceId)) continue;
    const id = keptId(sourceId) && !(await idTaken(o.db.client, "components", sourceId)) ? sourceId : newId();
    const groupSource = row.group ? null : (text(row.group_id) ?? groupOf.get(sourceId) ?? null);
    const groupId = groupSource ? (componentIds.get(groupSource) ?? null) : null;
    componentIds.set(sourceId, id);
    summary.components.added++;
    if (dry) continue;
    await o.db.write(async (tx) => {
      await insertImportedComponent(tx, {
        id, name: String(row.name ?? "Component"), description: text(row.description), isGroup: row.group === true, groupId,
        position: Number.isInteger(row.position) ? row.position : summary.components.added, status: row.group ? "operational" : componentStatusOf(row.status),
        showcase: row.showcase !== false, onlyShowIfDegraded: row.only_show_if_degraded === true, startDate: text(row.start_date),
        createdAt: iso(row.created_at, now), updatedAt: iso(row.updated_at, now),
      });
      await recordImport(tx, SOURCE, "component", sourceId, id, now);
    });
  }
  say(`components: ${summary.components.read} read, ${summary.components.added} ${dry ? "to add" : "added"}`);

  // Incidents and maintenances, newest first from Statuspage; written oldest first, so their numbers follow their dates.
  const incidents: Json[] = [];
  for await (const page of o.client.paged("/incidents", "limit")) {
    const wanted = o.since ? page.filter((i) => iso(i.created_at, now) >= o.since!) : page;
    incidents.push(...wanted);
    say(`incidents: ${incidents.length} read`);
    if (o.since && wanted.length < page.length) break;
  }
  const incidentIds = await importedIds(o.db.client, SOURCE, "incident");
  incidents.sort((a, b) => iso(a.created_at, now).localeCompare(iso(b.created_at, now)));
  for (const incident of incidents) {
    const maintenance = incident.scheduled_for != null;
    const counts = maintenance ? summary.maintenances : summary.incidents;
    counts.read++;
    const sourceId = String(incident.id);
    if (incidentIds.has(sourceId)) continue;
    counts.added++;
    const updates = [...((incident.incident_updates as Json[]) ?? [])].sort((a, b) => iso(a.created_at, now).localeCompare(iso(b.created_at, now)));
    summary.updates += updates.length;
    const published = text(incident.postmortem_body) && text(incident.postmortem_published_at) && !maintenance;
    if (published) summary.postmortems++;
    if (dry) continue;
    await o.db.write(async (tx) => {
      const id = keptId(sourceId) && !(await idTaken(tx, "incidents", sourceId)) ? sourceId : newId();
      const createdAt = iso(incident.created_at, now);
      const status = incidentStatusOf(incident.status, maintenance);
      const severity = maintenance ? null : severityOfImpact(incident.impact);
      const identified = updates.find((u) => u.status === "identified");
      const row = {
        id, kind: maintenance ? ("maintenance" as const) : ("incident" as const), name: String(incident.name ?? "Incident"),
        status: status as never, severity, impact: maintenance ? ("maintenance" as const) : impactOf(severity!),
        createdAt, updatedAt: iso(incident.updated_at, createdAt), startedAt: iso(incident.started_at, createdAt),
        identifiedAt: identified ? iso(identified.display_at ?? identified.created_at, createdAt) : null,
        monitoringAt: incident.monitoring_at ? iso(incident.monitoring_at, createdAt) : null,
        resolvedAt: incident.resolved_at ? iso(incident.resolved_at, createdAt) : null,
        scheduledFor: maintenance ? iso(incident.scheduled_for, createdAt) : null,
        scheduledUntil: maintenance ? iso(incident.scheduled_until ?? incident.scheduled_for, createdAt) : null,
        drill: false, previewToken: null, draft: false,
        number: maintenance ? null : { series: "INC" as const, year: numberYear(createdAt, o.timeZone), number: 0 },
      };
      if (row.number) row.number.number = await nextIncidentNumber(tx, "INC", row.number.year);
      await insertIncident(tx, row);
      if (maintenance) await setMaintenanceSchedule(tx, id, incident.scheduled_auto_in_progress === true, incident.scheduled_auto_completed === true);
      const linked = new Set<string>();
      const link = async (sourceComponent: unknown) => {
        const componentId = componentIds.get(String(sourceComponent));
        if (componentId && !linked.has(componentId)) {
          linked.add(componentId);
          await linkIncidentComponent(tx, id, componentId);
        }
        return componentId;
      };
      for (const c of (incident.components as Json[]) ?? []) await link(c.id);
      let seq = 0;
      let last = status;
      for (const u of updates) {
        const updateId = keptId(u.id) && !(await idTaken(tx, "incident_updates", String(u.id))) ? String(u.id) : newId();
        last = updateStatusOf(u.status, maintenance, last);
        const at = iso(u.display_at ?? u.created_at, createdAt);
        await insertUpdate(tx, {
          id: updateId, incidentId: id, seq: ++seq, status: last as never, body: typeof u.body === "string" && u.body.trim() ? u.body : "(no text)",
          author: "Statuspage import", deliverNotifications: u.deliver_notifications !== false, reopened: false,
          createdAt: iso(u.created_at, createdAt), displayAt: at,
        });
        for (const a of (u.affected_components as Json[] | null) ?? []) {
          const componentId = await link(a.code);
          if (!componentId) continue;
          const change = { componentId, oldStatus: componentStatusOf(a.old_status), newStatus: componentStatusOf(a.new_status) };
          await insertUpdateComponent(tx, updateId, { componentId, name: String(a.name ?? ""), oldStatus: change.oldStatus, newStatus: change.newStatus });
          await insertImportedStatusChange(tx, { ...change, at, updateId });
        }
      }
      if (published) {
        const publishedAt = iso(incident.postmortem_published_at, createdAt);
        await insertImportedPostmortem(tx, { incidentId: id, body: String(incident.postmortem_body), updatedAt: iso(incident.postmortem_body_last_updated_at, publishedAt), publishedAt, notified: incident.postmortem_notified_subscribers === true });
      }
      await recordImport(tx, SOURCE, "incident", sourceId, id, now);
    });
    incidentIds.set(sourceId, "");
    if ((summary.incidents.added + summary.maintenances.added) % 100 === 0) say(`incidents: ${summary.incidents.added + summary.maintenances.added} written`);
  }
  say(`incidents: ${summary.incidents.read} read, ${summary.incidents.added} ${dry ? "to add" : "added"}; maintenances: ${summary.maintenances.read} read, ${summary.maintenances.added} ${dry ? "to add" : "added"}`);

  // Email subscribers who confirmed at Statuspage, a page (100) per transaction.
  for await (const page of o.client.paged("/subscribers", "limit", { type: "email", state: "active" })) {
    const rows = page.flatMap((s) => {
      const email = typeof s.email === "string" ? normalizeEmail(s.email) : null;
      if (!email) return [];
      const components = ((s.components as unknown[]) ?? []).map((c) => componentIds.get(String(typeof c === "object" && c ? (c as Json).id : c))).filter((c): c is string => !!c);
      return [{ id: newId(), email, componentIds: components.length > 0 ? components : null, createdAt: iso(s.created_at, now) }];
    });
    summary.subscribers.read += page.length;
    summary.subscribers.added += dry ? await countUnknownSubscribers(o.db.client, rows.map((r) => r.email)) : await o.db.write((tx) => insertImportedSubscribers(tx, rows, now));
    if (summary.subscribers.read % 5000 < page.length) say(`subscribers: ${summary.subscribers.read} read, ${summary.subscribers.added} ${dry ? "to add" : "added"}`);
  }
  say(`subscribers: ${summary.subscribers.read} read, ${summary.subscribers.added} ${dry ? "to add" : "added"}`);

  const added = summary.components.added + summary.incidents.added + summary.maintenances.added + summary.subscribers.added;
  if (!dry && added > 0) await o.db.write((tx) => requestFullPublish(tx, now));
  summary.requests = o.client.requests;
  summary.rateLimitWaits = o.client.waits;
  return summary;
}
