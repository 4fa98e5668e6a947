/**
 * Detect, on a real server with a confirmed subscriber, a webhook subscriber and a fake Slack: an
 * Alertmanager alert matching a rule with a template opens a draft incident that the team sees
 * (API, console, team channel with its link) and customers never do — not the page, the archive,
 * the feeds, the Statuspage JSON, webhooks or mail — until a comms lead publishes it from the
 * console with edited words. Its response clock runs from the alert's start.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRAFT_BANNER } from "../api/internal/message.ts";
import type { RunningServer } from "../api/server.ts";
import { startWithAudience, type Audience } from "./audience.ts";
import type { WriteContext } from "../api/service/context.ts";
import { createKey } from "../api/service/keys.ts";
import { addMember, createSignInToken } from "../api/service/members.ts";
import { consoleClient } from "./console-client.ts";
import { eventually, FakeSlack } from "./fake-slack.ts";
import { FakeWebhookReceiver } from "./fake-webhook-receiver.ts";
import { callServer } from "./harness.ts";
import { readMailDir } from "./mime.ts";
import { fetchPublicSurfaces, leaks } from "./public-surfaces.ts";

let dir: string;
let server: RunningServer;
let slack: FakeSlack;
let webhooks: FakeWebhookReceiver;
let admin: string;
let automation: string;
let apiId: string;
const browser = consoleClient(() => server.url, "https://status.example.com");

const count = async (sql: string, args: string[] = []): Promise<number> => Number((await server.deps!.db.client.execute({ sql, args })).rows[0]!.n);
const setup = { id: null, name: "setup", role: "admin" as const };
const write = <T>(work: (ctx: WriteContext) => Promise<T>): Promise<T> => server.deps!.db.write((tx) => work({ tx, actor: setup, now: new Date().toISOString(), hooks: {} }));

/** The documented Alertmanager payload, firing (or resolved) now, with these labels added. */
function alertmanager(status: "firing" | "resolved", fingerprint: string, labels: Record<string, string>, startsAt: string): unknown {
  const payload = JSON.parse(readFileSync(new URL("./fixtures/alerts/alertmanager-firing.json", import.meta.url), "utf8"));
  const alert = payload.alerts[0];
  Object.assign(alert, { status, fingerprint, startsAt, endsAt: status === "resolved" ? new Date().toISOString() : "0001-01-01T00:00:00Z" });
  alert.labels = { ...alert.labels, ...labels };
  delete alert.labels.component;
  payload.status = status;
  return payload;
}

let audience: Audience;

beforeAll(async () => {
  audience = await startWithAudience("alert-drafts");
  ({ dir, server, slack, webhooks, adminToken: admin } = audience);
  automation = await write(async (ctx) => (await createKey(ctx, "Alertmanager", "automation")).token);
  apiId = (await callServer(server.url, admin, "POST", "/api/v1/components", { name: "API" })).id;
  await callServer(server.url, admin, "POST", "/api/v1/templates", {
    slug: "api-errors", name: "API errors", title: "Elevated API errors draftprobe7", severity: "SEV2", body: "Machine words draftprobe7: errors are elevated.",
  });
  await callServer(server.url, admin, "POST", "/api/v1/alerts/rules", { name: "api-errors", matchers: [{ label: "alertname", op: "=", value: "HighErrorRate" }], components: [apiId], template: "api-errors" });
}, 60_000);

afterAll(async () => {
  await audience?.close();
});

describe("a draft incident opened by an alert", () => {
  it("is seen by the team only, until a comms lead publishes it from the console", async () => {
    const startsAt = new Date(Date.now() - 90_000).toISOString();
    const res = await fetch(`${server.url}/api/v1/alerts/alertmanager`, {
      method: "POST", headers: { Authorization: `Bearer ${automation}`, "Content-Type": "application/json" }, body: JSON.stringify(alertmanager("firing", "aaaa000000000001", {}, startsAt)),
    });
    const report = await res.json();
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report.moves).toEqual([{ component_id: apiId, name: "API", from: "operational", to: "degraded_performance", by: "api-errors" }]);
    expect(report.drafts).toHaveLength(1);
    const draftId: string = report.drafts[0];

    // A second alert of the same rule while the draft is open: no second draft.
    const second = await callServer(server.url, admin, "POST", "/api/v1/alerts/alertmanager", alertmanager("firing", "aaaa000000000002", { instance: "api-2:9090" }, startsAt));
    expect(second.drafts).toEqual([]);

    // The team sees it: the API marks it a draft whose response clock started at the alert.
    const draft = await callServer(server.url, admin, "GET", `/api/v1/incidents/${draftId}`);
    expect(draft).toMatchObject({ draft: true, name: "Elevated API errors draftprobe7", status: "investigating", started_at: new Date(startsAt).toISOString() });
    expect(draft.incident_updates[0].affected_components).toEqual([{ code: apiId, name: "API", old_status: "operational", new_status: "degraded_performance" }]);
    // No public word yet: the first update is still due.
    expect(draft.response_lapses).toEqual([]);
    expect(draft.first_update_due_at).toBe(new Date(Date.parse(startsAt) + 30 * 60_000).toISOString());

    // The team channel: one note naming the alert, the move and the draft's console link.
    const link = `https://status.example.com/console/incidents/${draftId}`;
    expect(await eventually(() => slack.texts().some((t) => t.includes(link)))).toBe(true);
    const note = slack.texts().find((t) => t.includes(link))!;
    expect(note).toContain("HighErrorRate firing");
    expect(note).toContain("→ API: degraded performance (was operational; rule api-errors)");
    expect(note).toContain(`Draft incident ready — review and publish: ${link}`);

    // Customers: the component moved (that is the alert's, not words), the draft appears nowhere.
    await server.publisher!.idle();
    let surfaces = await fetchPublicSurfaces(server.url);
    expect(JSON.parse(surfaces.get("/api/v2/components.json")!).components.find((c: { id: string }) => c.id === apiId).status).toBe("degraded_performance");
    expect(leaks(surfaces, ["draftprobe7", draftId])).toEqual([]);
    expect((await fetch(`${server.url}/incidents/${draftId}`)).status).toBe(404);
    expect(await count("SELECT COUNT(*) AS n FROM outbox o JOIN incident_updates u ON u.id = o.update_id WHERE u.incident_id = ?", [draftId])).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events WHERE payload LIKE ?", [`%${draftId}%`])).toBe(0);
    // Nor may its postmortem be published first.
    await callServer(server.url, admin, "PUT", `/api/v1/incidents/${draftId}/postmortem`, { body: "Notes." });
    const early = await fetch(`${server.url}/api/v1/incidents/${draftId}/postmortem/publish`, { method: "POST", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: "{}" });
    expect(early.status).toBe(409);
    // An automation key may not publish it.
    const refused = await fetch(`${server.url}/api/v1/incidents/${draftId}/publish`, { method: "POST", headers: { Authorization: `Bearer ${automation}`, "Content-Type": "application/json" }, body: "{}" });
    expect(refused.status).toBe(403);

    // The console: Now lists it first; its page offers to publish it, with the template's words.
    const m = await write((ctx) => addMember(ctx, { name: "Cole", email: "cole@example.com", role: "comms" }));
    const cookie = await browser.signIn(`/console/sign-in/${(await write((ctx) => createSignInToken(ctx, m.id))).token}`);
    const now = await browser.page("/console", cookie);
    expect(now.text).toContain("Drafts waiting to be published Elevated API errors draftprobe7 — opened by an alert");
    // "What customers see" is what the page says: the draft's severity moves nothing.
    const description = JSON.parse(surfaces.get("/api/v2/summary.json")!).status.description;
    expect(description).toBe("Degraded System Service");
    expect(now.text).toContain(`What customers see ${description}`);
    expect(now.links().some((l) => l.href === `/console/incidents/${draftId}`)).toBe(true);
    const page = await browser.page(`/console/incidents/${draftId}`, cookie);
    expect(page.all("h2").map((h) => h.text)).toContain("A draft: customers see nothing yet");
    expect(page.all("textarea").find((t) => t.attrs.id === "draft-body")!.text).toBe("Machine words draftprobe7: errors are elevated.");
    expect(page.all("input").find((t) => t.attrs.id === "draft-name")!.attrs.value).toBe("Elevated API errors draftprobe7");
    const published = await browser.post(`/console/incidents/${draftId}`, cookie, `/console/incidents/${draftId}/publish`, {
      name: "Errors on the API",
      body: "Some API requests fail. We are rolling back the last deploy. approvedprobe3",
      notify: "on",
      action: "publish",
    });
    expect(published.status).toBe(303);

    // Now it is public, in the comms lead's words, stamped when customers were told; mailed and sent.
    const incident = await callServer(server.url, admin, "GET", `/api/v1/incidents/${draftId}`);
    expect(incident).toMatchObject({ draft: false, name: "Errors on the API" });
    expect(incident.incident_updates[0].body).toBe("Some API requests fail. We are rolling back the last deploy. approvedprobe3");
    expect(Date.parse(incident.incident_updates[0].created_at)).toBeGreaterThan(Date.parse(startsAt));
    await server.publisher!.idle();
    surfaces = await fetchPublicSurfaces(server.url);
    expect(surfaces.get(`/incidents/${draftId}`)).toContain("approvedprobe3");
    expect(surfaces.get("/history.rss")).toContain("Errors on the API");
    expect(leaks(surfaces, ["draftprobe7"])).toEqual([]);
    expect(await eventually(async () => (await readMailDir(join(dir, "mail"))).some((m) => m.everything.includes("approvedprobe3")))).toBe(true);
    expect((await readMailDir(join(dir, "mail"))).filter((m) => m.everything.includes("draftprobe7")).map((m) => m.file)).toEqual([]);
    expect(await eventually(() => webhooks.received.some((r) => r.body.includes("approvedprobe3")))).toBe(true);
    expect(webhooks.received.filter((r) => r.body.includes("draftprobe7"))).toEqual([]);
    expect(await eventually(() => slack.texts().some((t) => t.includes("published by Cole")))).toBe(true);
    // Publishing twice is refused, and changes nothing.
    const twice = await fetch(`${server.url}/api/v1/incidents/${draftId}/publish`, { method: "POST", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: "{}" });
    expect(twice.status).toBe(409);
  }, 60_000);

  it("marks every team message about a draft", async () => {
    expect(DRAFT_BANNER).toMatch(/^:memo: \*DRAFT/);
  });
});
