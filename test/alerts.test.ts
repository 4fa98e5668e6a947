/**
 * Detect, through the real Hono app on a real libSQL file: the documented payloads of Alertmanager,
 * Grafana and PagerDuty (test/fixtures/alerts, written from their public docs) move components;
 * the same state again changes nothing; two alerts on one component; a person's word survives an
 * alert; flapping is held down; automation keys are refused everywhere else; bad payloads change
 * nothing. Drafts and the team channel are tested on a full server in alerts-drafts.test.ts.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { pagerDutySignatureValid } from "../api/routes/alerts.ts";
import { settleAlerts } from "../api/service/alerts.ts";
import { hex, hmacSha256 } from "../api/encoding.ts";
import { expectJson, expectProblem, snapshotDatabase, startTestHerald, type TestHerald } from "./harness.ts";

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`./fixtures/alerts/${name}.json`, import.meta.url), "utf8"));

let h: TestHerald;
let automation: string;
let api: string;
let db: string;

beforeEach(async () => {
  h = await startTestHerald({ PAGERDUTY_WEBHOOK_SECRET: "pd-secret-for-tests" });
  h.clock.set("2026-12-04T10:00:00.000Z");
  automation = await h.newKey("automation", "Prometheus");
  api = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "API" } }), 201)).id;
  db = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "Database" } }), 201)).id;
  // Component creation is 10:00; alerts come after.
  h.clock.advance(1000);
});
afterEach(async () => h.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) => h.call("POST", `/api/v1/alerts/${path}`, { token: automation, body, headers });
const status = async (id: string): Promise<string> =>
  (await expectJson(await h.call("GET", "/api/v1/components"), 200)).find((c: { id: string }) => c.id === id).status;
const history = async (id: string) =>
  (await h.db.client.execute({ sql: "SELECT new_status, source, source_name FROM component_status_changes WHERE component_id = ? AND old_status IS NOT NULL ORDER BY id", args: [id] })).rows.map((r) => `${r.new_status} by ${r.source} (${r.source_name})`);
const settle = () => settleAlerts({ db: h.db, clock: h.clock, hooks: {}, onChange: (e) => h.changes.push(e) });

describe("Alertmanager", () => {
  test("fire → component degraded; resolve after the hold-down → operational; history and audit name automation", async () => {
    const fired = await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    expect(fired).toMatchObject({ received: 1, changed: 1, unmatched: 0, moves: [{ component_id: api, name: "API", from: "operational", to: "degraded_performance", by: "component label" }], drafts: [] });
    expect(await status(api)).toBe("degraded_performance");
    expect(h.changes).toContainEqual({ type: "component", id: api });

    h.clock.advance(3 * 60_000); // past the 2-minute hold-down
    const resolved = await expectJson(await post("alertmanager", fixture("alertmanager-resolved")), 200);
    expect(resolved.moves).toEqual([{ component_id: api, name: "API", from: "degraded_performance", to: "operational", by: "alerts resolved" }]);
    expect(await status(api)).toBe("operational");
    expect(await history(api)).toEqual(["degraded_performance by automation (component label)", "operational by automation (alerts resolved)"]);
    const audit = await h.db.client.execute("SELECT actor_name, action FROM audit_log WHERE action = 'component.automation' ORDER BY id");
    expect(audit.rows.map((r) => `${r.actor_name} ${r.action}`)).toEqual(["Prometheus component.automation", "Prometheus component.automation"]);
  });

  test("the same state twice changes nothing (Alertmanager re-sends its groups)", async () => {
    await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    const before = await snapshotDatabase(h.db);
    h.clock.advance(5 * 60_000);
    const again = await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    expect(again).toMatchObject({ received: 1, changed: 0, moves: [], held: [] });
    // Only the audit of the request itself may differ: no alert row, no status, no history changed.
    const tables = (s: string) => s.split("\n").filter((t) => /^(alerts|components|component_status_changes|incidents):/.test(t));
    expect(tables(await snapshotDatabase(h.db))).toEqual(tables(before));
  });

  test("two alerts on one component: the most degraded firing alert wins, and resolving it leaves the other's", async () => {
    const a = fixture("alertmanager-firing");
    const b = fixture("alertmanager-firing");
    b.alerts[0].fingerprint = "0b0b0b0b0b0b0b0b";
    b.alerts[0].labels = { ...b.alerts[0].labels, alertname: "ApiDown", severity: "critical" };
    await expectJson(await post("alertmanager", a), 200);
    h.clock.advance(3 * 60_000);
    await expectJson(await post("alertmanager", b), 200);
    expect(await status(api)).toBe("major_outage");
    h.clock.advance(3 * 60_000);
    b.alerts[0].status = "resolved";
    b.alerts[0].endsAt = h.clock.now().toISOString();
    await expectJson(await post("alertmanager", b), 200);
    expect(await status(api)).toBe("degraded_performance");
    h.clock.advance(3 * 60_000);
    await expectJson(await post("alertmanager", fixture("alertmanager-resolved")), 200);
    expect(await status(api)).toBe("operational");
  });

  test("a person's word survives an alert until the alert resolves and fires again", async () => {
    await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    h.clock.advance(30_000);
    // The comms lead knows it is worse.
    await expectJson(await h.call("PATCH", `/api/v1/components/${api}`, { body: { status: "major_outage" } }), 200);
    h.clock.advance(5 * 60_000);
    const resolved = await expectJson(await post("alertmanager", fixture("alertmanager-resolved")), 200);
    expect(resolved.moves).toEqual([]);
    expect(resolved.held).toEqual([{ component_id: api, name: "API", wanted: "operational", reason: "held by a person", retry_at: null }]);
    expect(await status(api)).toBe("major_outage");
    expect(await settle()).toBe(0);
    expect(await status(api)).toBe("major_outage");

    // It fires again later: a new firing after the person's change may move it.
    h.clock.advance(10 * 60_000);
    const refire = fixture("alertmanager-firing");
    refire.alerts[0].startsAt = h.clock.now().toISOString();
    const fired = await expectJson(await post("alertmanager", refire), 200);
    expect(fired.moves).toEqual([{ component_id: api, name: "API", from: "major_outage", to: "degraded_performance", by: "component label" }]);
    expect(await history(api)).toEqual([
      "degraded_performance by automation (component label)",
      "major_outage by person (Ada Admin)",
      "degraded_performance by automation (component label)",
    ]);
    // The same history through the API, newest first, the creation's first status last.
    const listed = await expectJson(await h.call("GET", `/api/v1/components/${api}/history`), 200);
    expect(listed.map((e: { new_status: string; source: string; source_name: string }) => `${e.new_status} ${e.source} ${e.source_name}`)).toEqual([
      "degraded_performance automation component label",
      "major_outage person Ada Admin",
      "degraded_performance automation component label",
      "operational person Ada Admin",
    ]);
  });

  test("no flapping: a resolve within the hold-down is made when it ends, by the background settle", async () => {
    await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    h.clock.advance(30_000);
    const resolved = await expectJson(await post("alertmanager", fixture("alertmanager-resolved")), 200);
    expect(resolved.held).toEqual([{ component_id: api, name: "API", wanted: "operational", reason: "hold-down", retry_at: "2026-12-04T10:02:01.000Z" }]);
    expect(await status(api)).toBe("degraded_performance");
    // Fires again within the window, resolves again: still no move.
    h.clock.advance(30_000);
    const refire = fixture("alertmanager-firing");
    refire.alerts[0].startsAt = h.clock.now().toISOString();
    await expectJson(await post("alertmanager", refire), 200);
    h.clock.advance(30_000);
    const again = fixture("alertmanager-resolved");
    again.alerts[0].startsAt = refire.alerts[0].startsAt;
    await expectJson(await post("alertmanager", again), 200);
    expect(await settle()).toBe(0);
    expect(await status(api)).toBe("degraded_performance");
    h.clock.set("2026-12-04T10:02:01.000Z");
    h.changes.length = 0;
    expect(await settle()).toBe(1);
    expect(await status(api)).toBe("operational");
    expect(h.changes).toEqual([{ type: "component", id: api }]);
    // One move down, one back up: the flapping in between never reached the history.
    expect(await history(api)).toEqual(["degraded_performance by automation (component label)", "operational by automation (alerts resolved)"]);
  });

  test("an alert that names no component changes nothing and says so", async () => {
    const unknown = fixture("alertmanager-firing");
    unknown.alerts[0].labels.component = "Billing";
    const res = await expectJson(await post("alertmanager", unknown), 200);
    expect(res).toMatchObject({ changed: 1, unmatched: 1, moves: [] });
    const noSeverity = fixture("alertmanager-firing");
    noSeverity.alerts[0].fingerprint = "feedfeedfeedfeed";
    noSeverity.alerts[0].labels.severity = "info";
    expect((await expectJson(await post("alertmanager", noSeverity), 200)).moves).toEqual([]);
    expect(await status(api)).toBe("operational");
  });
});

describe("rules", () => {
  test("a rule maps labels (equality, regex) to components and a status, with its own hold-down", async () => {
    const rule = await expectJson(
      await h.call("POST", "/api/v1/alerts/rules", {
        body: { name: "api-errors", matchers: [{ label: "alertname", op: "=~", value: "High.*Rate" }, { label: "job", value: "api" }], components: [api, db], status: "partial_outage", hold_down_seconds: 0 },
      }),
      201,
    );
    expect(rule).toMatchObject({ name: "api-errors", position: 1, matchers: [{ label: "alertname", op: "=~", value: "High.*Rate" }, { label: "job", op: "=", value: "api" }], components: [api, db], status: "partial_outage", template: null, hold_down_seconds: 0 });
    const fired = await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    expect(fired.moves.map((m: { name: string; to: string; by: string }) => `${m.name} ${m.to} ${m.by}`).sort()).toEqual(["API partial_outage api-errors", "Database partial_outage api-errors"]);
    // Hold-down 0: an immediate resolve moves back at once.
    h.clock.advance(1000);
    const resolved = await expectJson(await post("alertmanager", fixture("alertmanager-resolved")), 200);
    expect(resolved.moves).toHaveLength(2);
    expect([await status(api), await status(db)]).toEqual(["operational", "operational"]);

    const listed = await expectJson(await h.call("GET", "/api/v1/alerts/rules"), 200);
    expect(listed.map((r: { name: string }) => r.name)).toEqual(["api-errors"]);
    const patched = await expectJson(await h.call("PATCH", `/api/v1/alerts/rules/${rule.id}`, { body: { status: null, hold_down_seconds: 60 } }), 200);
    expect(patched).toMatchObject({ status: null, hold_down_seconds: 60 });
    const alerts = await expectJson(await h.call("GET", "/api/v1/alerts"), 200);
    expect(alerts[0]).toMatchObject({ source: "alertmanager", fingerprint: "5a7f1e2d3c4b6a9e", name: "HighErrorRate", status: "resolved", rule: "api-errors" });
    await expectJson(await h.call("DELETE", `/api/v1/alerts/rules/${rule.id}`), 200);
    expect(await expectJson(await h.call("GET", "/api/v1/alerts/rules"), 200)).toEqual([]);
  });

  test("a rule naming what does not exist, or with a broken regex, is a 422 naming the field, and nothing is stored", async () => {
    const before = await snapshotDatabase(h.db);
    const bad = await expectProblem(
      await h.call("POST", "/api/v1/alerts/rules", { body: { name: "broken", matchers: [{ label: "x", op: "=~", value: "(" }], components: [api], template: "no-such-template" } }),
      422,
    );
    expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(["matchers.0.value", "template"]);
    const group = await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "Storage", group: "Backends" } }), 201);
    const groupId = group.group_id;
    const afterGroup = await snapshotDatabase(h.db);
    const unknown = await expectProblem(await h.call("POST", "/api/v1/alerts/rules", { body: { name: "bad-components", matchers: [], components: ["zzzzzzzzzzzz", groupId] } }), 422);
    expect(unknown.errors.map((e: { field: string }) => e.field)).toEqual(["components.zzzzzzzzzzzz", `components.${groupId}`]);
    expect(await snapshotDatabase(h.db)).toBe(afterGroup);
    expect(before).not.toBe(afterGroup);
    await expectProblem(await h.call("POST", "/api/v1/alerts/rules", { body: { name: "Not A Slug", matchers: [], components: [api] } }), 422);
    await expectJson(await h.call("POST", "/api/v1/alerts/rules", { body: { name: "taken", matchers: [], components: [api] } }), 201);
    const taken = await expectProblem(await h.call("POST", "/api/v1/alerts/rules", { body: { name: "taken", matchers: [], components: [api] } }), 422);
    expect(taken.errors).toEqual([{ field: "name", message: '"taken" is taken.' }]);
  });
});

describe("Grafana and PagerDuty", () => {
  test("Grafana's contact point payload: a critical alert on Database is a major outage", async () => {
    const res = await expectJson(await post("grafana", fixture("grafana-firing")), 200);
    expect(res.moves).toEqual([{ component_id: db, name: "Database", from: "operational", to: "major_outage", by: "component label" }]);
  });

  test("PagerDuty V3: signed events; triggered (P1) → major outage, acknowledged changes nothing, resolved → operational", async () => {
    await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "Checkout" } }), 201);
    const sign = (body: string) => ({ "X-PagerDuty-Signature": `v1=0000,v1=${hex(hmacSha256("pd-secret-for-tests", body))}` });
    const send = (name: string) => {
      const body = JSON.stringify(fixture(name));
      return post("pagerduty", body, sign(body));
    };
    expect((await expectJson(await send("pagerduty-triggered"), 200)).moves).toMatchObject([{ name: "Checkout", to: "major_outage" }]);
    expect(await expectJson(await send("pagerduty-acknowledged"), 200)).toMatchObject({ changed: 0, moves: [] });
    h.clock.advance(3 * 60_000);
    expect((await expectJson(await send("pagerduty-resolved"), 200)).moves).toMatchObject([{ name: "Checkout", to: "operational" }]);

    // Unsigned or wrongly signed: refused, nothing stored.
    const before = await snapshotDatabase(h.db);
    const body = JSON.stringify(fixture("pagerduty-triggered"));
    await expectProblem(await post("pagerduty", body), 401);
    await expectProblem(await post("pagerduty", body, { "X-PagerDuty-Signature": `v1=${hex(hmacSha256("wrong", body))}` }), 401);
    expect(await snapshotDatabase(h.db)).toBe(before);
    expect(pagerDutySignatureValid("s", "{}", undefined)).toBe(false);
  });

  test("other PagerDuty events are accepted and ignored", async () => {
    const annotated = fixture("pagerduty-triggered");
    annotated.event.event_type = "incident.annotated";
    const body = JSON.stringify(annotated);
    expect(await expectJson(await post("pagerduty", body, { "X-PagerDuty-Signature": `v1=${hex(hmacSha256("pd-secret-for-tests", body))}` }), 200)).toMatchObject({ received: 0, moves: [] });
  });
});

describe("the automation role and bad input", () => {
  test("an automation key may report alerts and nothing else: every other route is a 403", async () => {
    for (const [method, path, body] of [
      ["GET", "/api/v1/components", undefined],
      ["GET", "/api/v1/incidents", undefined],
      ["POST", "/api/v1/incidents", { name: "x", severity: "SEV3", body: "y" }],
      ["PATCH", `/api/v1/components/${api}`, { status: "major_outage" }],
      ["POST", "/api/v1/keys", { name: "mine", role: "admin" }],
      ["GET", "/api/v1/alerts/rules", undefined],
      ["POST", "/api/v1/alerts/rules", { name: "x", matchers: [], components: [api] }],
      ["GET", "/api/v1/alerts", undefined],
    ] as const) {
      const problem = await expectProblem(await h.call(method, path, { token: automation, ...(body ? { body } : {}) }), 403);
      expect(problem.detail, `${method} ${path}`).toMatch(/automation key may only report alerts/);
    }
    // A comms key may not manage rules nor report alerts.
    await expectProblem(await h.call("POST", "/api/v1/alerts/alertmanager", { token: h.tokens.comms, body: fixture("alertmanager-firing") }), 403);
    await expectProblem(await h.call("POST", "/api/v1/alerts/rules", { token: h.tokens.comms, body: { name: "x", matchers: [], components: [api] } }), 403);
    // Keys can be made for automation.
    const key = await expectJson(await h.call("POST", "/api/v1/keys", { body: { name: "Alertmanager", role: "automation" } }), 201);
    expect(key.role).toBe("automation");
  });

  test("bad payloads are 4xx problems that change nothing", async () => {
    await expectProblem(await post("alertmanager", { version: "4", status: "firing" }), 422);
    // Taken after the key's first use (its last_used_at is bookkeeping, not a change the request made).
    const before = await snapshotDatabase(h.db);
    await expectProblem(await post("alertmanager", { version: "4", status: "firing" }), 422);
    await expectProblem(await post("alertmanager", { ...fixture("alertmanager-firing"), alerts: [{ status: "burning", labels: {}, startsAt: "2026-12-04T10:00:00Z" }] }), 422);
    await expectProblem(await post("alertmanager", { ...fixture("alertmanager-firing"), alerts: [{ status: "firing", labels: { a: 1 }, startsAt: "2026-12-04T10:00:00Z" }] }), 422);
    await expectProblem(await post("alertmanager", { ...fixture("alertmanager-firing"), alerts: [{ status: "firing", labels: {}, startsAt: "yesterday" }] }), 422);
    await expectProblem(await post("alertmanager", "{not json"), 400);
    await expectProblem(await h.call("POST", "/api/v1/alerts/grafana", { token: automation, body: "x", headers: { "Content-Type": "text/plain" } }), 415);
    await expectProblem(await post("pagerduty", { event: { id: "x" } }), 422);
    await expectProblem(await h.call("POST", "/api/v1/alerts/alertmanager", { token: null, body: fixture("alertmanager-firing") }), 401);
    await expectProblem(await h.call("POST", "/api/v1/alerts/alertmanager", { token: "herald_not-a-key", body: fixture("alertmanager-firing") }), 401);
    expect(await snapshotDatabase(h.db)).toBe(before);
    // The same payload, well formed and authorized, is accepted: the refusals above were for their faults.
    await expectJson(await post("alertmanager", fixture("alertmanager-firing")), 200);
    expect(await snapshotDatabase(h.db)).not.toBe(before);
  });

  test("a large Alertmanager group is accepted (beyond the API's usual 64 KB), a huge one refused with 413", async () => {
    const group = fixture("alertmanager-firing");
    const one = group.alerts[0];
    group.alerts = Array.from({ length: 1000 }, (_, i) => ({ ...one, fingerprint: `fp${i}`, labels: { ...one.labels, instance: `api-${i}:9090` } }));
    expect(JSON.stringify(group).length).toBeGreaterThan(64 * 1024);
    const res = await expectJson(await post("alertmanager", group), 200);
    expect(res).toMatchObject({ received: 1000, changed: 1000, moves: [{ name: "API", to: "degraded_performance" }] });
    const huge = { ...group, alerts: Array.from({ length: 5000 }, (_, i) => ({ ...one, fingerprint: `fp${i}`, annotations: { description: "x".repeat(1000) } })) };
    await expectProblem(await post("alertmanager", huge), 413);
  });
});
