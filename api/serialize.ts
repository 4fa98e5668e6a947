import type { IncidentRecord, UpdateRecord } from "../db/records.ts";
import type { ComponentView } from "./service/components.ts";

/**
 * Records → Statuspage's JSON shapes (reference §1.4–1.7): snake_case keys, every key
 * present, `null` rather than omitted, updates newest first. Shared by the management API
 * and the published `/api/v2/*.json`.
 */
export interface PageRef {
  id: string;
  url: string;
}

export function componentJson(c: ComponentView, page: PageRef): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.startDate,
    group_id: c.groupId,
    page_id: page.id,
    group: c.isGroup,
    only_show_if_degraded: c.onlyShowIfDegraded,
  };
  if (c.isGroup) json.components = [...c.childIds];
  return json;
}

export function updateJson(u: UpdateRecord): Record<string, unknown> {
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: u.incidentId,
    created_at: u.createdAt,
    updated_at: u.createdAt,
    display_at: u.displayAt,
    affected_components:
      u.affected.length === 0
        ? null
        : u.affected.map((a) => ({ code: a.componentId, name: a.name, old_status: a.oldStatus, new_status: a.newStatus })),
    deliver_notifications: u.deliverNotifications,
    custom_tweet: null,
    tweet_id: null,
  };
}

export function incidentUrl(page: PageRef, incident: Pick<IncidentRecord, "id">): string {
  return `${page.url}/incidents/${incident.id}`;
}

/** One incident or maintenance; `components` are the full rows of the components it affects. */
export function incidentJson(
  i: IncidentRecord,
  componentsById: ReadonlyMap<string, ComponentView>,
  page: PageRef,
  options: { withSeverity?: boolean; withAuthor?: boolean } = {},
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    monitoring_at: i.monitoringAt,
    resolved_at: i.resolvedAt,
    impact: i.impact,
    shortlink: incidentUrl(page, i),
    started_at: i.startedAt,
    page_id: page.id,
    incident_updates: i.updates.map((u) => (options.withAuthor ? { ...updateJson(u), author: u.author } : updateJson(u))),
    components: i.componentIds.flatMap((id) => {
      const c = componentsById.get(id);
      return c ? [componentJson(c, page)] : [];
    }),
  };
  if (i.kind === "maintenance") {
    json.scheduled_for = i.scheduledFor;
    json.scheduled_until = i.scheduledUntil;
  }
  if (options.withSeverity && i.kind === "incident") json.severity = i.severity;
  return json;
}
