import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestHerald, type TestHerald, expectJson as ok } from "./harness.ts";

type Json = Record<string, any>;
let h: TestHerald;
let api: string; // component ids
let db: string;
let web: string;
let core: string; // group id

beforeAll(async () => {
  h = await startTestHerald();
  h.clock.set("2026-03-29T00:30:00.000Z");
  api = (await ok(await h.call("POST", "/api/v1/components", { body: { name: "API", group: "Core", description: "REST and GraphQL" } }), 201)).id;
  db = (await ok(await h.call("POST", "/api/v1/components", { body: { name: "Database", group: "Core" } }), 201)).id;
  web = (await ok(await h.call("POST", "/api/v1/components", { body: { name: "Website" } }), 201)).id;
  const list = await ok(await h.call("GET", "/api/v1/components"), 200);
  core = list.find((c: Json) => c.name === "Core").id;
});
afterAll(async () => h.close());

describe("components", () => {
  test("groups are rows with their children's ids, children carry group_id, positions per level", async () => {
    const list: Json[] = await ok(await h.call("GET", "/api/v1/components"), 200);
    const group = list.find((c) => c.id === core)!;
    expect(group).toMatchObject({ group: true, components: [api, db], group_id: null, status: "operational" });
    expect(list.find((c) => c.id === api)).toMatchObject({ group_id: core, group: false, position: 1, description: "REST and GraphQL" });
    expect(list.find((c) => c.id === db)).toMatchObject({ group_id: core, position: 2 });
    expect(Object.keys(list.find((c) => c.id === web)!).sort()).toEqual(
      ["created_at", "description", "group", "group_id", "id", "name", "only_show_if_degraded", "page_id", "position", "showcase", "start_date", "status", "updated_at"].sort(),
    );
  });

  test("a group takes its most degraded child's status and cannot be set directly", async () => {
    await ok(await h.call("PATCH", `/api/v1/components/${db}`, { body: { status: "partial_outage" } }), 200);
    let list: Json[] = await ok(await h.call("GET", "/api/v1/components"), 200);
    expect(list.find((c) => c.id === core)!.status).toBe("partial_outage");
    const refused = await h.call("PATCH", `/api/v1/components/${core}`, { body: { status: "operational" } });
    expect(refused.status).toBe(422);
    await ok(await h.call("PATCH", `/api/v1/components/${db}`, { body: { status: "operational" } }), 200);
    list = await ok(await h.call("GET", "/api/v1/components"), 200);
    expect(list.find((c) => c.id === core)!.status).toBe("operational");
  });

  test("every status change is recorded with its time", async () => {
    const rows = await h.db.client.execute({ sql: "SELECT old_status, new_status, changed_at FROM component_status_changes WHERE component_id = ? ORDER BY id", args: [db] });
    expect(rows.rows.map((r) => [r.old_status, r.new_status])).toEqual([[null, "operational"], ["operational", "partial_outage"], ["partial_outage", "operational"]]);
    expect(rows.rows.every((r) => r.changed_at === "2026-03-29T00:30:00.000Z")).toBe(true);
  });
});

describe("incident lifecycle", () => {
  let id: string;

  test("declaring a SEV1 stores severity, critical impact, the first update and component changes", async () => {
    const incident = await ok(
      await h.call("POST", "/api/v1/incidents", {
        token: h.tokens.comms,
        body: { name: "API Gateway Down", severity: "SEV1", body: "We're investigating API errors.", components: { [api]: "major_outage" } },
      }),
      201,
    );
    id = incident.id;
    expect(id).toMatch(/^[0-9a-z]{12}$/);
    expect(incident).toMatchObject({
      name: "API Gateway Down", status: "investigating", severity: "SEV1", impact: "critical",
      created_at: "2026-03-29T00:30:00.000Z", started_at: "2026-03-29T00:30:00.000Z", monitoring_at: null, resolved_at: null,
      shortlink: `https://status.example.com/incidents/${id}`, page_id: h.deps.pageId,
    });
    expect(incident.incident_updates).toHaveLength(1);
    expect(incident.incident_updates[0]).toMatchObject({
      status: "investigating", body: "We're investigating API errors.", author: "Cole Comms", deliver_notifications: true,
      affected_components: [{ code: api, name: "API", old_status: "operational", new_status: "major_outage" }],
    });
    expect(incident.components.map((c: Json) => [c.id, c.status])).toEqual([[api, "major_outage"]]);
    expect(h.changes.at(-1)).toEqual({ type: "incident", id });
  });

  test("walks identified → monitoring → resolved; updates come newest first; resolving restores components", async () => {
    h.clock.advance(10 * 60_000);
    await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { token: h.tokens.comms, body: { status: "identified", body: "Connection pool exhausted." } }), 201);
    h.clock.advance(15 * 60_000);
    const monitoring = await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { token: h.tokens.comms, body: { status: "monitoring", body: "Failover done.", components: { [api]: "degraded_performance" } } }), 201);
    expect(monitoring.monitoring_at).toBe("2026-03-29T00:55:00.000Z");
    h.clock.advance(30 * 60_000);
    const resolved = await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { token: h.tokens.comms, body: { status: "resolved", body: "All services restored." } }), 201);
    expect(resolved.status).toBe("resolved");
    expect(resolved.resolved_at).toBe("2026-03-29T01:25:00.000Z");
    expect(resolved.incident_updates.map((u: Json) => u.status)).toEqual(["resolved", "monitoring", "identified", "investigating"]);
    expect(resolved.incident_updates[0].affected_components).toEqual([{ code: api, name: "API", old_status: "degraded_performance", new_status: "operational" }]);
    const list: Json[] = await ok(await h.call("GET", "/api/v1/components"), 200);
    expect(list.find((c) => c.id === api)!.status).toBe("operational");
  });

  test("resolved is final: a plain move back is refused with what is allowed; a repeat resolved update is fine", async () => {
    const refused = await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "investigating", body: "It's back." } });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await refused.json()) as Json;
    expect(problem.detail).toMatch(/reopen/);
    expect(problem.allowed).toEqual(["resolved"]);
    await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "resolved", body: "Postscript: root cause was a config push." } }), 201);
  });

  test("an explicit reopen brings it back and clears resolved_at", async () => {
    h.clock.advance(60_000);
    const reopened = await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "investigating", body: "Errors are back.", reopen: true, components: { [api]: "partial_outage" } } }), 201);
    expect(reopened).toMatchObject({ status: "investigating", resolved_at: null });
    const audit = await h.db.client.execute({ sql: "SELECT action FROM audit_log WHERE entity_id = ? ORDER BY id", args: [id] });
    expect(audit.rows.map((r) => r.action)).toContain("incident.reopen");
  });

  test("monitoring may fall back; identified may not go back to investigating", async () => {
    await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "monitoring", body: "Watching." } }), 201);
    await ok(await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "identified", body: "Relapse: same cause." } }), 201);
    const refused = await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "investigating", body: "Not sure anymore." } });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).allowed).toEqual(["identified", "monitoring", "resolved"]);
  });

  test("PATCH renames and changes severity (and so impact); GET filters open/resolved", async () => {
    const patched = await ok(await h.call("PATCH", `/api/v1/incidents/${id}`, { token: h.tokens.comms, body: { severity: "SEV3", name: "API errors" } }), 200);
    expect(patched).toMatchObject({ severity: "SEV3", impact: "minor", name: "API errors" });
    const other = await ok(await h.call("POST", "/api/v1/incidents", { body: { name: "Old", severity: "SEV4", body: "Backfilled.", status: "resolved" } }), 201);
    expect(other).toMatchObject({ impact: "none", status: "resolved" });
    expect(other.resolved_at).not.toBeNull();
    const open: Json[] = await ok(await h.call("GET", "/api/v1/incidents?status=open"), 200);
    const resolved: Json[] = await ok(await h.call("GET", "/api/v1/incidents?status=resolved"), 200);
    expect(open.map((i) => i.id)).toEqual([id]);
    expect(resolved.map((i) => i.id)).toEqual([other.id]);
    const one = await ok(await h.call("GET", `/api/v1/incidents/${id}`), 200);
    expect(one.incident_updates).toHaveLength(8);
  });

  test("unknown incident → 404 problem", async () => {
    const res = await h.call("GET", "/api/v1/incidents/zzzzzzzzzzzz");
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).detail).toContain("zzzzzzzzzzzz");
  });
});

describe("scheduled maintenance", () => {
  test("scheduled → in_progress puts components under maintenance → completed returns them", async () => {
    const m = await ok(
      await h.call("POST", "/api/v1/maintenances", {
        token: h.tokens.comms,
        body: { name: "DB upgrade", body: "Upgrading Postgres.", scheduled_for: "2026-04-01T02:00:00+02:00", scheduled_until: "2026-04-01T04:00:00+02:00", component_ids: [db] },
      }),
      201,
    );
    expect(m).toMatchObject({ status: "scheduled", impact: "maintenance", scheduled_for: "2026-04-01T00:00:00.000Z", scheduled_until: "2026-04-01T02:00:00.000Z" });
    expect(m.components.map((c: Json) => c.id)).toEqual([db]);
    const started = await ok(await h.call("POST", `/api/v1/maintenances/${m.id}/updates`, { token: h.tokens.comms, body: { status: "in_progress", body: "Started." } }), 201);
    expect(started.incident_updates[0].affected_components).toEqual([{ code: db, name: "Database", old_status: "operational", new_status: "under_maintenance" }]);
    const done = await ok(await h.call("POST", `/api/v1/maintenances/${m.id}/updates`, { token: h.tokens.comms, body: { status: "completed", body: "Done." } }), 201);
    expect(done.resolved_at).not.toBeNull();
    expect(done.incident_updates[0].affected_components[0]).toMatchObject({ old_status: "under_maintenance", new_status: "operational" });
    const again = await h.call("POST", `/api/v1/maintenances/${m.id}/updates`, { body: { status: "in_progress", body: "Again?" } });
    expect(again.status).toBe(409);
    const list: Json[] = await ok(await h.call("GET", "/api/v1/maintenances"), 200);
    expect(list.map((x) => x.id)).toContain(m.id);
  });
});

describe("openapi", () => {
  test("is generated from the validating schemas and lists every route", async () => {
    const doc = await ok(await h.call("GET", "/api/v1/openapi.json", { token: null }), 200);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/components", "/components/{id}", "/drills", "/drills/{id}/report", "/incidents", "/incidents/{id}", "/incidents/{id}/updates", "/keys", "/keys/{id}", "/mail", "/maintenances", "/maintenances/{id}", "/maintenances/{id}/updates",
        "/incidents/{id}/postmortem", "/incidents/{id}/postmortem/template", "/incidents/{id}/postmortem/publish",
        "/templates", "/templates/{slug}", "/webhooks", "/webhooks/{id}/reactivate", "/incidents/{id}/publish",
        "/components/{id}/history", "/reports/response", "/action-items", "/incidents/{id}/action-items/{position}", "/alerts", "/alerts/alertmanager", "/alerts/grafana", "/alerts/pagerduty", "/alerts/rules", "/alerts/rules/{id}",
        "/maintenances/{id}/cancel",
      ].sort(),
    );
    const postmortem = doc.paths["/incidents/{id}/postmortem"].put.requestBody.content["application/json"].schema;
    expect(postmortem.required).toEqual(["body"]);
    expect(postmortem.properties.action_items.items.additionalProperties).toBe(false);
    const create = doc.paths["/incidents"].post.requestBody.content["application/json"].schema;
    // Name, severity and body are required unless the incident is declared from a template.
    expect(create.anyOf).toEqual([{ required: ["template"] }, { required: ["name", "severity", "body"] }]);
    expect(create.properties.severity.enum).toEqual(["SEV1", "SEV2", "SEV3", "SEV4"]);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.name.maxLength).toBe(255);
  });
});
