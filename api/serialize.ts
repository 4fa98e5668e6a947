import type { IncidentRecord, PostmortemRecord, UpdateRecord } from "../db/records.ts";
import { isPostmortemShown, postmortemText } from "../domain/postmortem.ts";
import type { ComponentView } from "./service/components.ts";

/**
 * Records → Statuspage's JSON shapes (reference §1.4–1.7): snake_case keys, every key
 * present, `null` rather than omitted, updates newest first. Shared by the management API
 * and the published `/api/v2/*.json`.
 */
export interface PageRef {
  id: string;
  url: string;
  /** Published action items name their owners (POSTMORTEM_SHOW_OWNERS); off when absent. */
  showOwners?: boolean;
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

/** The published postmortem readers see: only while the incident is resolved (domain/postmortem.ts). */
export function shownPostmortem(i: IncidentRecord): PostmortemRecord | null {
  const p = i.postmortem ?? null;
  return p && isPostmortemShown(i.status, p.publishedAt) ? p : null;
}

/** The Markdown of a shown postmortem as published (action items included), or null. */
export function shownPostmortemText(i: IncidentRecord, page: { showOwners?: boolean }): string | null {
  const p = shownPostmortem(i);
  return p ? postmortemText(p, i, { showOwners: page.showOwners ?? false }) : null;
}

/**
 * One incident or maintenance; `components` are the full rows of the components it affects.
 * An incident with a shown postmortem has Statuspage's status "postmortem" and its
 * `postmortem_body` (the published Markdown), `postmortem_body_last_updated_at` and
 * `postmortem_published_at`; other incidents carry none of these keys.
 */
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
  const postmortem = shownPostmortem(i);
  if (postmortem) {
    json.status = "postmortem";
    json.postmortem_body = postmortemText(postmortem, i, { showOwners: page.showOwners ?? false });
    json.postmortem_body_last_updated_at = postmortem.updatedAt;
    json.postmortem_published_at = postmortem.publishedAt;
  }
  return json;
}

/** A postmortem in the management API (draft or published). */
export function postmortemJson(p: PostmortemRecord): Record<string, unknown> {
  return {
    incident_id: p.incidentId,
    status: p.publishedAt ? "published" : "draft",
    body: p.body,
    action_items: p.actionItems.map((a) => ({ description: a.description, owner: a.owner, due_date: a.dueDate, done: a.done })),
    author: p.author,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    published_at: p.publishedAt,
    notified_subscribers: p.notifiedAt !== null,
    notified_at: p.notifiedAt,
  };
}
