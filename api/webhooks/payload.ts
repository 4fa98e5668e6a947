/**
 * Webhook payloads in Statuspage's envelopes (shared/reference/statuspage.md §4.4), key for key
 * and in the same order, so receivers written for Statuspage (Zulip, Instatus-style parsers)
 * work unchanged: `meta` + `page` + `incident` for incident and maintenance updates, `meta` +
 * `page` + `component` + `component_update` for component status changes. Receivers tell them
 * apart by the `incident` or `component` key; Herald adds the event name as a header only.
 *
 * Pure: records in, JSON out. The envelope without `meta` is frozen when the event is written
 * (what the incident said then); `meta` is per subscriber and added when the delivery is sent.
 */
import type { PageStatus } from "../../domain/indicator.ts";
import type { ComponentRecord, IncidentRecord, UpdateRecord } from "../../db/records.ts";
import type { ComponentStatus } from "../../domain/components.ts";

export interface WebhookPage {
  id: string;
  /** PAGE_URL, without a trailing slash. */
  url: string;
  status: PageStatus;
}

export interface ComponentChange {
  /** The component_update id (12 characters, like every Statuspage id). */
  id: string;
  oldStatus: ComponentStatus;
  newStatus: ComponentStatus;
  createdAt: string;
}

export type IncidentEnvelope = { page: Record<string, unknown>; incident: Record<string, unknown> };
export type ComponentEnvelope = { page: Record<string, unknown>; component: Record<string, unknown>; component_update: Record<string, unknown> };
export type Envelope = IncidentEnvelope | ComponentEnvelope;

/** What Statuspage's own documentation link is for its envelopes; Herald's explains the signature too. */
export function documentationUrl(pageUrl: string): string {
  return `${pageUrl}/subscriptions/webhooks`;
}

function pageJson(page: WebhookPage): Record<string, unknown> {
  return { id: page.id, status_indicator: page.status.indicator, status_description: page.status.description };
}

function componentJson(c: ComponentRecord, page: WebhookPage): Record<string, unknown> {
  return {
    status: c.status,
    name: c.name,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    id: c.id,
    page_id: page.id,
    group_id: c.groupId,
  };
}

function updateJson(u: UpdateRecord): Record<string, unknown> {
  return {
    status: u.status,
    body: u.body,
    created_at: u.createdAt,
    wants_twitter_update: false,
    twitter_updated_at: null,
    updated_at: u.createdAt,
    display_at: u.displayAt,
    // As in the public API v2 (api/serialize.ts): null when the update changed no component.
    affected_components:
      u.affected.length === 0 ? null : u.affected.map((a) => ({ code: a.componentId, name: a.name, old_status: a.oldStatus, new_status: a.newStatus })),
    custom_tweet: null,
    deliver_notifications: u.deliverNotifications,
    id: u.id,
    incident_id: u.incidentId,
  };
}

/** `page` + `incident` (updates newest first, the components it affects as they are now). */
export function incidentEnvelope(page: WebhookPage, incident: IncidentRecord, components: readonly ComponentRecord[]): IncidentEnvelope {
  const byId = new Map(components.map((c) => [c.id, c]));
  return {
    page: pageJson(page),
    incident: {
      name: incident.name,
      status: incident.status,
      created_at: incident.createdAt,
      updated_at: incident.updatedAt,
      monitoring_at: incident.monitoringAt,
      resolved_at: incident.resolvedAt,
      impact: incident.impact,
      shortlink: `${page.url}/incidents/${incident.id}`,
      // Postmortems are not part of these events (yet): Statuspage's keys, with their "none" values.
      postmortem_ignored: false,
      postmortem_body: null,
      postmortem_body_last_updated_at: null,
      postmortem_published_at: null,
      postmortem_notified_subscribers: false,
      postmortem_notified_twitter: false,
      backfilled: false,
      scheduled_for: incident.scheduledFor,
      scheduled_until: incident.scheduledUntil,
      scheduled_remind_prior: false,
      scheduled_reminded_at: null,
      impact_override: null,
      scheduled_auto_in_progress: false,
      scheduled_auto_completed: false,
      id: incident.id,
      page_id: page.id,
      incident_updates: incident.updates.map(updateJson),
      components: incident.componentIds.flatMap((id) => {
        const c = byId.get(id);
        return c ? [componentJson(c, page)] : [];
      }),
    },
  };
}

/** `page` + `component` (as it is after the change) + `component_update`. */
export function componentEnvelope(page: WebhookPage, component: ComponentRecord, change: ComponentChange): ComponentEnvelope {
  return {
    page: pageJson(page),
    component: componentJson(component, page),
    component_update: {
      old_status: change.oldStatus,
      new_status: change.newStatus,
      created_at: change.createdAt,
      component_type: "Component",
      id: change.id,
      component_id: component.id,
    },
  };
}

/** The bytes one subscriber receives: `meta` first, then the frozen envelope. Same inputs, same bytes. */
export function webhookBody(meta: { unsubscribe: string; documentation: string; generatedAt: string }, envelope: Envelope): string {
  return JSON.stringify({ meta: { unsubscribe: meta.unsubscribe, documentation: meta.documentation, generated_at: meta.generatedAt }, ...envelope });
}

/** `incident.update` or `component.update`: the X-Herald-Event header. */
export function eventName(envelope: Envelope): "incident.update" | "component.update" {
  return "incident" in envelope ? "incident.update" : "component.update";
}
