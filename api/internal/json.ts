/**
 * The internal part of an incident in the management API: roles, drill, the promised next update,
 * response-time lapses, and the drill report. Kept apart from api/serialize.ts (shared with the
 * public Statuspage JSON) so nothing internal can reach a public document by accident.
 */
import { NOTICE_FIELDS } from "../../domain/notice.ts";
import { formatIncidentNumber } from "../../domain/incident-number.ts";
import { firstUpdateDueAt, measureResponse, responseLapses } from "../../domain/response.ts";
import type { IncidentRoles, NoticedLapse } from "../../db/queries/internal.ts";
import { NO_ROLES } from "../../db/queries/internal.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { currentPromise, internalLink, type InternalPage } from "./message.ts";
import { responseInputOf } from "./reminders.ts";

/**
 * `json` (the incident in Statuspage's shape, updates in the record's order) plus the internal
 * fields of an incident; a maintenance is returned as it is.
 */
export function withInternalFields(
  json: Record<string, unknown>,
  incident: IncidentRecord,
  roles: IncidentRoles | undefined,
  noticed: readonly NoticedLapse[],
  page: InternalPage,
  now: string,
): Record<string, unknown> {
  if (incident.kind !== "incident" || !incident.severity) return json;
  const seen = new Map(noticed.filter((n) => n.incidentId === incident.id).map((n) => [`${n.kind} ${n.dueAt}`, n.noticedAt]));
  const updates = json.incident_updates as Record<string, unknown>[];
  return {
    ...json,
    incident_updates: updates.map((u, k) => {
      // Assigned rather than spread: an answer carries every update of the incident, each time.
      const update = incident.updates[k];
      const withFields: Record<string, unknown> = { ...u, next_update_at: update?.nextUpdateAt ?? null };
      for (const field of NOTICE_FIELDS) withFields[field] = update?.notice?.[field] ?? null;
      return withFields;
    }),
    number: incident.number ? formatIncidentNumber(incident.number) : null,
    drill: incident.drill === true,
    draft: incident.draft === true,
    preview_url: incident.drill ? internalLink(page, incident) : null,
    ...(roles ?? NO_ROLES),
    next_update_at: currentPromise(incident),
    first_update_due_at: firstUpdateDueAt(incident.severity, incident.startedAt, page.timeZone),
    response_lapses: responseLapses(responseInputOf(incident), now, page.timeZone).map((l) => ({
      kind: l.kind,
      due_at: l.dueAt,
      noticed_at: seen.get(`${l.kind} ${l.dueAt}`) ?? null,
      resolved_at: l.resolvedAt,
    })),
  };
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));
const milestone = (m: { at: string; afterMs: number } | null) => (m ? { at: m.at, after_seconds: seconds(m.afterMs) } : null);

/** GET /api/v1/drills/:id/report: the response measured against the severity's targets. */
export function responseReportJson(incident: IncidentRecord, page: InternalPage, now: string): Record<string, unknown> {
  const r = measureResponse(responseInputOf(incident), now, page.timeZone);
  return {
    incident_id: incident.id,
    number: incident.number ? formatIncidentNumber(incident.number) : null,
    name: incident.name,
    drill: incident.drill === true,
    status: incident.status,
    complete: incident.status === "resolved",
    severity: r.severity,
    target: r.target,
    started_at: r.startedAt,
    first_update: { due_at: r.firstUpdate.dueAt, at: r.firstUpdate.at, after_seconds: seconds(r.firstUpdate.afterMs), met: r.firstUpdate.met },
    identified: milestone(r.identified),
    monitoring: milestone(r.monitoring),
    resolved: milestone(r.resolved),
    next_updates: r.promises.map((p) => ({ promised_at: p.promisedAt, due_at: p.dueAt, next_at: p.nextAt, kept: p.kept, late_seconds: seconds(p.lateByMs) })),
    lapses: r.lapses.map((l) => ({ kind: l.kind, due_at: l.dueAt, resolved_at: l.resolvedAt })),
  };
}
