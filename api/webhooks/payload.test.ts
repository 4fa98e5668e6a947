import { describe, expect, test } from "vitest";
import type { ComponentRecord, IncidentRecord } from "../../db/records.ts";
import { componentEnvelope, eventName, incidentEnvelope, webhookBody, type WebhookPage } from "./payload.ts";

// The reference payloads (shared/reference/statuspage.md §4.4, Zulip's Statuspage fixtures), with
// the elided times filled in. Herald's envelopes must have exactly these keys, in this order.
const T = "2017-12-26T07:37:20.785Z";
const REFERENCE_INCIDENT = {
  meta: { unsubscribe: "http://mycompany24.statuspage.io/?unsubscribe=zjcdb6727vmj", documentation: "http://doers.statuspage.io/customer-notifications/webhooks/", generated_at: "2017-12-26T07:37:21.000Z" },
  page: { id: "jb7j80lkgqvb", status_indicator: "none", status_description: "All Systems Operational" },
  incident: {
    name: "Database query delays", status: "resolved", created_at: T, updated_at: T, monitoring_at: null, resolved_at: T, impact: "none",
    shortlink: "http://stspg.io/646947c1e", postmortem_ignored: false, postmortem_body: null, postmortem_body_last_updated_at: null,
    postmortem_published_at: null, postmortem_notified_subscribers: false, postmortem_notified_twitter: false, backfilled: false,
    scheduled_for: null, scheduled_until: null, scheduled_remind_prior: false, scheduled_reminded_at: null, impact_override: null,
    scheduled_auto_in_progress: false, scheduled_auto_completed: false, id: "z3lct0r596n4", page_id: "jb7j80lkgqvb",
    incident_updates: [{
      status: "resolved", body: "The database issue is resolved.", created_at: T, wants_twitter_update: false, twitter_updated_at: null,
      updated_at: T, display_at: T, affected_components: [{ code: "zvdm6f7gf76j", name: "Management Portal (example)", old_status: "operational", new_status: "operational" }],
      custom_tweet: null, deliver_notifications: true, id: "cdwfdrjlp53y", incident_id: "z3lct0r596n4",
    }],
    components: [{
      status: "operational", name: "Management Portal (example)", created_at: T, updated_at: T, position: 2, description: null,
      showcase: true, id: "zvdm6f7gf76j", page_id: "jb7j80lkgqvb", group_id: null,
    }],
  },
};
const REFERENCE_COMPONENT = {
  meta: { unsubscribe: "…", documentation: "…", generated_at: "2017-12-26T07:59:09.498Z" },
  page: { id: "jb7j80lkgqvb", status_indicator: "maintenance", status_description: "Service Under Maintenance" },
  component: { status: "under_maintenance", name: "Database component", created_at: T, updated_at: T, position: 3, description: null, showcase: true, id: "sqm6pl84wzjc", page_id: "jb7j80lkgqvb", group_id: null },
  component_update: { old_status: "operational", new_status: "under_maintenance", created_at: "2017-12-26T07:59:09.379Z", component_type: "Component", id: "nd963wv4j30b", component_id: "sqm6pl84wzjc" },
};

/** Every object's keys, in order, with arrays described by their first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return value === null ? "null" : typeof value;
}

const page: WebhookPage = { id: "jb7j80lkgqvb", url: "https://status.example.com", status: { indicator: "none", description: "All Systems Operational" } };
const component: ComponentRecord = {
  id: "zvdm6f7gf76j", name: "Management Portal (example)", description: null, isGroup: false, groupId: null, position: 2, status: "operational",
  showcase: true, onlyShowIfDegraded: false, startDate: null, createdAt: T, updatedAt: T,
};
const incident: IncidentRecord = {
  id: "z3lct0r596n4", kind: "incident", name: "Database query delays", status: "resolved", severity: "SEV4", impact: "none",
  createdAt: T, updatedAt: T, startedAt: T, identifiedAt: null, monitoringAt: null, resolvedAt: T, scheduledFor: null, scheduledUntil: null,
  componentIds: ["zvdm6f7gf76j"],
  updates: [{
    id: "cdwfdrjlp53y", incidentId: "z3lct0r596n4", seq: 1, status: "resolved", body: "The database issue is resolved.", author: "ada",
    deliverNotifications: true, reopened: false, createdAt: T, displayAt: T,
    affected: [{ componentId: "zvdm6f7gf76j", name: "Management Portal (example)", oldStatus: "operational", newStatus: "operational" }],
  }],
};
const meta = { unsubscribe: "https://status.example.com/subscriptions/webhooks/unsubscribe?token=x", documentation: "https://status.example.com/subscriptions/webhooks", generatedAt: "2017-12-26T07:37:21.000Z" };

describe("incident envelope", () => {
  test("has exactly the reference's keys in the reference's order, at every level", () => {
    const body = JSON.parse(webhookBody(meta, incidentEnvelope(page, incident, [component])));
    expect(shape(body)).toEqual(shape(REFERENCE_INCIDENT));
  });

  test("carries the incident's values", () => {
    const body = JSON.parse(webhookBody(meta, incidentEnvelope(page, incident, [component])));
    expect(body).toEqual({
      ...REFERENCE_INCIDENT,
      meta: { unsubscribe: meta.unsubscribe, documentation: meta.documentation, generated_at: meta.generatedAt },
      incident: { ...REFERENCE_INCIDENT.incident, shortlink: "https://status.example.com/incidents/z3lct0r596n4" },
    });
  });

  test("a maintenance carries its schedule; an update without component changes has affected_components null; unknown components are left out", () => {
    const maintenance: IncidentRecord = {
      ...incident, kind: "maintenance", status: "in_progress", impact: "maintenance", severity: null,
      scheduledFor: "2026-01-01T10:00:00.000Z", scheduledUntil: "2026-01-01T12:00:00.000Z", componentIds: ["zvdm6f7gf76j", "gonegonegone"],
      updates: [{ ...incident.updates[0]!, status: "in_progress", affected: [] }],
    };
    const { incident: json } = incidentEnvelope(page, maintenance, [component]);
    expect(json).toMatchObject({ impact: "maintenance", scheduled_for: "2026-01-01T10:00:00.000Z", scheduled_until: "2026-01-01T12:00:00.000Z" });
    expect((json.incident_updates as any[])[0].affected_components).toBeNull();
    expect((json.components as any[]).map((c) => c.id)).toEqual(["zvdm6f7gf76j"]);
  });
});

describe("component envelope", () => {
  test("has exactly the reference's keys in order and the change's values", () => {
    const changed: ComponentRecord = { ...component, id: "sqm6pl84wzjc", name: "Database component", position: 3, status: "under_maintenance" };
    const envelope = componentEnvelope(
      { ...page, status: { indicator: "maintenance", description: "Service Under Maintenance" } },
      changed,
      { id: "nd963wv4j30b", oldStatus: "operational", newStatus: "under_maintenance", createdAt: "2017-12-26T07:59:09.379Z" },
    );
    const body = JSON.parse(webhookBody({ ...meta, unsubscribe: "…", documentation: "…", generatedAt: "2017-12-26T07:59:09.498Z" }, envelope));
    expect(shape(body)).toEqual(shape(REFERENCE_COMPONENT));
    expect(body).toEqual(REFERENCE_COMPONENT);
  });

  test("receivers tell the two apart by their keys; the event header says the same", () => {
    const inc = incidentEnvelope(page, incident, []);
    const comp = componentEnvelope(page, component, { id: "x", oldStatus: "operational", newStatus: "major_outage", createdAt: T });
    expect(eventName(inc)).toBe("incident.update");
    expect(eventName(comp)).toBe("component.update");
    expect("component" in inc).toBe(false);
    expect("incident" in comp).toBe(false);
    // Same inputs, same bytes: a retried delivery is byte-identical.
    expect(webhookBody(meta, inc)).toBe(webhookBody(meta, incidentEnvelope(page, incident, [])));
  });
});
