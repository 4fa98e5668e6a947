import { readFileSync } from "node:fs";
import { DRILL_MARKER } from "../api/internal/message.ts";
import { readMailDir } from "./mime.ts";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../api/server.ts";
import { startWithAudience, type Audience } from "./audience.ts";
import { eventually, FakeSlack } from "./fake-slack.ts";
import { FakeWebhookReceiver } from "./fake-webhook-receiver.ts";
import { callServer } from "./harness.ts";
import { fetchPublicSurfaces, leaks } from "./public-surfaces.ts";

/**
 * A full drill on a real server with a confirmed subscriber and a fake Slack webhook: the drill
 * reaches the internal channel and its unlisted preview page, and nothing else — not the home
 * page, the archive, any incident page, the feed, the Statuspage JSON, the uptime history,
 * a component's status or the mail outbox.
 */

let dir: string;
let server: RunningServer;
let slack: FakeSlack;
let webhooks: FakeWebhookReceiver;
let token: string;
let apiId: string;
let audience: Audience;

const count = async (sql: string, args: string[] = []): Promise<number> =>
  Number((await server.deps!.db.client.execute({ sql, args })).rows[0]!.n);

beforeAll(async () => {
  audience = await startWithAudience("drill");
  ({ dir, server, slack, webhooks, adminToken: token } = audience);
  apiId = (await callServer(server.url, token, "POST", "/api/v1/components", { name: "API" })).id;
}, 60_000);

afterAll(async () => {
  await audience?.close();
});

describe("a drill", () => {
  it("runs its whole lifecycle without reaching any public surface, mail or component status", async () => {
    // A real incident alongside: it must be published and mailed (so the checks below can fail).
    const real = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Real slowness", severity: "SEV3", body: "Real words." });
    await callServer(server.url, token, "POST", `/api/v1/incidents/${real.id}/updates`, { status: "resolved", body: "Real fix." });

    const inFifteen = new Date(Date.now() + 15 * 60_000).toISOString();
    const drill = await callServer(server.url, token, "POST", "/api/v1/incidents", {
      name: "Simulated database failure drillprobe9", severity: "SEV1", body: "Drill body drillprobe9: the primary is down.", drill: true,
      components: { [apiId]: "major_outage" }, next_update_at: inFifteen, incident_commander: "@alice",
    });
    expect(drill).toMatchObject({ drill: true, incident_commander: "@alice", next_update_at: inFifteen });
    expect(drill.preview_url).toMatch(/^https:\/\/status\.example\.com\/preview\/[0-9a-f]{32}$/);
    const previewPath = new URL(drill.preview_url).pathname;
    const token32 = previewPath.split("/").pop()!;
    await callServer(server.url, token, "POST", `/api/v1/incidents/${drill.id}/updates`, { status: "identified", body: "Identified drillprobe9-2.", components: { [apiId]: "partial_outage" } });
    await callServer(server.url, token, "POST", `/api/v1/incidents/${drill.id}/updates`, { status: "monitoring", body: "Monitoring drillprobe9-3." });
    const resolved = await callServer(server.url, token, "POST", `/api/v1/incidents/${drill.id}/updates`, { status: "resolved", body: "Resolved drillprobe9-4." });
    expect(resolved.status).toBe("resolved");
    // The drill's updates record what was rehearsed…
    expect(resolved.incident_updates.at(-1).affected_components).toEqual([{ code: apiId, name: "API", old_status: "operational", new_status: "major_outage" }]);

    // …but the real component never moved, and nothing was written to its uptime history.
    const components = await callServer(server.url, token, "GET", "/api/v1/components");
    expect(components.find((c: { id: string }) => c.id === apiId).status).toBe("operational");
    expect(await count("SELECT COUNT(*) AS n FROM component_status_changes WHERE incident_update_id IN (SELECT id FROM incident_updates WHERE incident_id = ?)", [drill.id])).toBe(0);

    // Public surfaces: the real incident is there, the drill nowhere.
    await server.publisher!.idle();
    const surfaces = await fetchPublicSurfaces(server.url);
    expect(surfaces.has(`/incidents/${real.id}`)).toBe(true);
    expect(surfaces.get("/history.rss")).toContain("Real slowness");
    expect(JSON.parse(surfaces.get("/api/v2/incidents.json")!).incidents.map((i: { id: string }) => i.id)).toEqual([real.id]);
    expect(JSON.parse(surfaces.get("/api/v2/summary.json")!).status.indicator).toBe("none");
    expect(surfaces.get("/")).toContain("All Systems Operational");
    expect([...surfaces.keys()].filter((p) => p.startsWith("/history/")).length).toBeGreaterThan(0);
    expect(leaks(surfaces, ["drillprobe9", drill.id, token32, "preview"])).toEqual([]);
    expect((await fetch(`${server.url}/incidents/${drill.id}`)).status).toBe(404);

    // Mail: the real incident's two updates were queued for the subscriber, the drill's none.
    expect(await count("SELECT COUNT(*) AS n FROM outbox o JOIN incident_updates u ON u.id = o.update_id WHERE u.incident_id = ?", [real.id])).toBe(2);
    expect(await count("SELECT COUNT(*) AS n FROM outbox o JOIN incident_updates u ON u.id = o.update_id WHERE u.incident_id = ?", [drill.id])).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_updates WHERE incident_id = ?", [drill.id])).toBe(0);
    expect(await eventually(async () => (await count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'")) === 2)).toBe(true);
    const mails = await readMailDir(join(dir, "mail"));
    expect(mails.some((m) => m.everything.includes("Real slowness"))).toBe(true);
    expect(mails.filter((m) => m.everything.includes("drillprobe9") || m.everything.includes(drill.id)).map((m) => m.file)).toEqual([]);

    // Webhooks: the real incident's envelopes arrived; nothing of the drill, not even its component.
    expect(await eventually(() => webhooks.received.filter((r) => r.body.includes("Real slowness")).length === 2)).toBe(true);
    expect(webhooks.received.filter((r) => r.body.includes("drillprobe9") || r.body.includes(drill.id) || r.body.includes("major_outage"))).toEqual([]);

    // The internal channel got every drill message, each marked as a drill, linking the preview.
    expect(await eventually(() => slack.texts().filter((t) => t.includes("drillprobe9")).length === 4)).toBe(true);
    const drillMessages = slack.texts().filter((t) => t.includes("drillprobe9"));
    // The marker exactly as the README promises it, so a filter written from the README matches.
    const documented = /every message there starting with\s+`([^`]+)`/.exec(readFileSync(new URL("../README.md", import.meta.url), "utf8"))![1]!;
    expect(documented).toBe(DRILL_MARKER);
    for (const text of drillMessages) {
      expect(text.startsWith(documented)).toBe(true);
      expect(text).toContain(drill.preview_url);
    }
    expect(drillMessages[0]).toContain("(drill started by Ada)");
    expect(drillMessages[0]).toContain("*Impact:* API: Major Outage");
    expect(slack.texts().filter((t) => t.includes("Real slowness")).every((t) => !t.includes("DRILL"))).toBe(true);

    // The unlisted preview shows it, marked, kept from search engines.
    const preview = await fetch(`${server.url}${previewPath}`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    const html = await preview.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain("DRILL: this is a practice incident");
    expect(html).toContain("Simulated database failure drillprobe9");
    expect(html).toContain("Resolved drillprobe9-4.");

    // The management API lists it as a drill and measures the response.
    expect((await callServer(server.url, token, "GET", "/api/v1/drills")).map((d: { id: string }) => d.id)).toEqual([drill.id]);
    const all = await callServer(server.url, token, "GET", "/api/v1/incidents");
    expect(all.find((i: { id: string }) => i.id === drill.id).drill).toBe(true);
    const report = await callServer(server.url, token, "GET", `/api/v1/drills/${drill.id}/report`);
    expect(report).toMatchObject({ incident_id: drill.id, complete: true, severity: "SEV1", target: "Immediate (< 15 minutes)" });
    expect(report.first_update).toMatchObject({ met: true, after_seconds: 0 });
    expect(report.identified.after_seconds).toBeGreaterThanOrEqual(0);
    expect(report.monitoring).not.toBeNull();
    expect(report.resolved).not.toBeNull();
    expect(report.next_updates).toEqual([{ promised_at: drill.created_at, due_at: inFifteen, next_at: expect.any(String), kept: true, late_seconds: null }]);
    expect(report.lapses).toEqual([]);

    // Its postmortem can be drafted (practice that too), but never published or mailed.
    await callServer(server.url, token, "PUT", `/api/v1/incidents/${drill.id}/postmortem`, { body: "What we learned from drillprobe9." });
    const refused = await fetch(`${server.url}/api/v1/incidents/${drill.id}/postmortem/publish`, {
      method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ notify_subscribers: true }),
    });
    expect(refused.status).toBe(409);
    expect((await refused.json()).detail).toContain("drill");
    expect(await count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")).toBe(0);
  });

  it("has no report for a real incident, and refuses a bad preview path", async () => {
    const real = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Not a drill", severity: "SEV4", body: "Minor." });
    const res = await fetch(`${server.url}/api/v1/drills/${real.id}/report`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect((await fetch(`${server.url}/preview/${"0".repeat(32)}`)).status).toBe(404);
    // A drill stays a drill and a real incident stays real: `drill` is not a field PATCH knows.
    const patch = await fetch(`${server.url}/api/v1/incidents/${real.id}`, {
      method: "PATCH", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ drill: true }),
    });
    expect(patch.status).toBe(422);
  });
});
