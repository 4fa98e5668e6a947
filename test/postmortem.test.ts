/**
 * Postmortems end to end: a real Herald listening on 127.0.0.1 (api/server.ts, with its publisher
 * and mail sender), a fake Resend for the mail, a libSQL file, and the published page, feeds and
 * JSON read back over HTTP.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { FakeResend } from "./fake-resend.ts";
import { callServer, expectInert, expectJson, expectProblem, snapshotDatabase, TestClock, testServerConfig, mailDrained, deliveriesSettled } from "./harness.ts";
import { addSubscriber } from "./mail-helpers.ts";

type Json = Record<string, any>;

let dir: string;
let server: RunningServer;
let fake: FakeResend;
let token: string;
let pageId: string;
let incidentId: string;
let openIncidentId: string;
let maintenanceId: string;
let apiComponent: string;
let dbComponent: string;
const clock = new TestClock();
const MIN = 60_000;

const HOSTILE = [
  "<script>alert(1)</script>",
  "[click](javascript:alert(2))",
  "<img src=x onerror=alert(3)>",
  '<a href="javascript:alert(5)">y</a>',
].join("\n\n");

const BODY = `# Postmortem: API Gateway Down

## Incident Summary
**Root Cause:** Database connection pool exhaustion

## Root Cause Analysis
A marketing campaign drove 2x normal traffic.

${HOSTILE}

## Action Items

- [ ] this hand-written line is replaced by the tracked items
`;

const ACTION_ITEMS = [
  { description: "Implement connection pool auto-scaling", owner: "@alice", due_date: "2026-01-17", done: false },
  { description: "Implement circuit breakers", owner: "bob", due_date: "2026-01-25", done: true },
  { description: "Improve engineering/marketing coordination", owner: null, due_date: null },
];

// The seed's blameless postmortem template, section by section (shared/seed/incident-management.md).
const SEED_SECTIONS = [
  "## Incident Summary",
  "## Timeline",
  "## Root Cause Analysis",
  "### What Happened",
  "### Why It Happened",
  "### Contributing Factors",
  "## Impact",
  "## What Went Well",
  "## What Went Wrong",
  "## Action Items",
  "### Immediate (This Week)",
  "### Short-term (This Month)",
  "### Long-term (This Quarter)",
  "## Lessons Learned",
  "## Related Incidents",
  "## Appendix",
];

const api = (method: string, path: string, body?: unknown): Promise<Json> => callServer(server.url, token, method, `/api/v1${path}`, body);

function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const get = (path: string) => fetch(`${server.url}${path}`);

async function published(): Promise<void> {
  await server.publisher!.idle();
}

const postmortemMails = () => fake.deliveries.filter((d) => d.email.subject.startsWith("[POSTMORTEM]"));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-postmortem-"));
  fake = new FakeResend();
  await fake.start();
  clock.set("2026-01-15T19:05:00.000Z"); // 14:05 EST
  const config = testServerConfig(dir, { PAGE_NAME: "Example", PAGE_TIME_ZONE: "America/New_York" });
  server = await startServer(config, {
    hostname: "127.0.0.1",
    log: () => {},
    clock,
    env: { RESEND_API_KEY: "re_test", RESEND_BASE_URL: fake.url, HERALD_SECRET: "postmortem-secret-0123456789abcdefghij", MAIL_RATE_LIMIT: "50" },
  });
  await server.ready;
  const db = server.deps!.db;
  pageId = server.deps!.pageId;
  token = await db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: clock.now().toISOString(), hooks: {} }, "Ada", "admin")).token);

  apiComponent = (await api("POST", "/components", { name: "API", group: "Core" })).id;
  dbComponent = (await api("POST", "/components", { name: "Database", group: "Core" })).id;
  const elsewhere = (await api("POST", "/components", { name: "Billing" })).id;
  await addSubscriber(db, "everything@example.com");
  await addSubscriber(db, "api-only@example.com", "active", [apiComponent]);
  await addSubscriber(db, "billing-only@example.com", "active", [elsewhere]);
  await addSubscriber(db, "pending@example.com", "pending");
  await addSubscriber(db, "gone@example.com", "unsubscribed");

  // The seed's timeline: 14:05 investigating, 14:15 identified, 14:30 monitoring, 15:00 resolved (EST).
  incidentId = (await api("POST", "/incidents", { name: "API Gateway Down", severity: "SEV1", body: "We're investigating reports of API errors", components: { [apiComponent]: "major_outage" } })).id;
  clock.advance(10 * MIN);
  await api("POST", `/incidents/${incidentId}/updates`, { status: "identified", body: "Database connection issues **identified**", components: { [dbComponent]: "partial_outage" } });
  clock.advance(15 * MIN);
  await api("POST", `/incidents/${incidentId}/updates`, { status: "monitoring", body: "Failover completed, monitoring recovery" });
  openIncidentId = (await api("POST", "/incidents", { name: "Slow dashboard", severity: "SEV3", body: "Looking into it.", deliver_notifications: false })).id;
  maintenanceId = (await api("POST", "/maintenances", {
    name: "DB upgrade", body: "Brief read-only periods.", scheduled_for: "2026-02-01T10:00:00Z", scheduled_until: "2026-02-01T12:00:00Z", component_ids: [dbComponent], deliver_notifications: false,
  })).id;
  await mailDrained(server.deps!.db);
  await published();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("drafting", () => {
  test("the template is the seed's blameless postmortem, pre-filled with what Herald knows (page zone, with its label)", async () => {
    const { body } = await api("GET", `/incidents/${incidentId}/postmortem/template`);
    const headings = body.split("\n").filter((l: string) => /^#{2,3} /.test(l)).map((l: string) => l.replace(/^## Timeline \(.*\)$/, "## Timeline"));
    expect(headings).toEqual(SEED_SECTIONS);
    expect(body).toMatch(/^# Postmortem: INC-2026-\d{3} API Gateway Down - January 15, 2026\n/);
    expect(body).toContain("**Date:** 2026-01-15");
    expect(body).toContain("**Duration:** ongoing (from Jan 15, 14:05 EST)");
    expect(body).toContain("**Severity:** SEV1 (Critical)");
    expect(body).toContain("Affected components: API (major outage), Database (partial outage).");
    expect(body).toContain("**Time to identify:** 10 min");
    expect(body).toContain("**Time to monitor:** 25 min");
    expect(body).toContain("**Time to resolve:** not reached");
    expect(body).toContain("## Timeline (EST)");
    expect(body).toContain("- 14:05: Investigating - We're investigating reports of API errors (API: major outage)");
    expect(body).toContain("- 14:15: Identified - Database connection issues identified (Database: partial outage)");
    expect(body).toContain("- 14:30: Monitoring - Failover completed, monitoring recovery");
    expect(body).toContain(`- [Status page](https://status.example.com/incidents/${incidentId})`);
  });

  test("a draft can be written while the incident is open, and is not public", async () => {
    const saved = await expectJson(await send("PUT", `/incidents/${incidentId}/postmortem`, { body: "First thoughts." }), 200);
    expect(saved).toMatchObject({ incident_id: incidentId, status: "draft", body: "First thoughts.", action_items: [], published_at: null, notified_subscribers: false, author: "Ada" });
    expect(await api("GET", `/incidents/${incidentId}/postmortem`)).toEqual(saved);
    await published();
    expect(await (await get(`/incidents/${incidentId}`)).text()).not.toContain("First thoughts.");
    const json = await (await get("/api/v2/incidents.json")).json();
    expect(JSON.stringify(json)).not.toContain("First thoughts.");
  });

  test("publishing an unresolved incident's postmortem is a 409 and changes nothing", async () => {
    // The timeline's mail goes out in the background: only the refused request may change anything.
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const problem = await expectProblem(await send("POST", `/incidents/${incidentId}/postmortem/publish`, { notify_subscribers: true }, { "Idempotency-Key": "early" }), 409);
    expect(problem.detail).toBe("Only a resolved incident can have a published postmortem; this one is monitoring. Resolve it first.");
    expect(problem.incident_status).toBe("monitoring");
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
  });

  test("bad input is refused with a clear 4xx and changes nothing", async () => {
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const cases: [string, string, unknown, number][] = [
      ["PUT", `/incidents/${incidentId}/postmortem`, { body: "x", action_items: [{ description: "a", due: "2026-01-01" }] }, 422],
      ["PUT", `/incidents/${incidentId}/postmortem`, { body: "x", action_items: [{ description: "a", due_date: "2026-02-30" }] }, 422],
      ["PUT", `/incidents/${incidentId}/postmortem`, { body: "x", action_items: [{ description: "", done: true }] }, 422],
      ["PUT", `/incidents/${incidentId}/postmortem`, { body: "x", action_items: [{ description: "two\nlines" }] }, 422],
      ["PUT", `/incidents/${incidentId}/postmortem`, { body: "x", action_items: [{ description: "a", done: "yes" }] }, 422],
      ["PUT", `/incidents/${incidentId}/postmortem`, { body: "   " }, 422],
      ["PUT", `/incidents/${incidentId}/postmortem`, { action_items: [] }, 422],
      ["POST", `/incidents/${incidentId}/postmortem/publish`, { notify: true }, 422],
      ["POST", `/incidents/${openIncidentId}/postmortem/publish`, {}, 409], // no draft
      ["PUT", `/incidents/${maintenanceId}/postmortem`, { body: "x" }, 404],
      ["GET", `/incidents/${maintenanceId}/postmortem/template`, undefined, 404],
      ["GET", `/incidents/${openIncidentId}/postmortem`, undefined, 404],
      ["PUT", "/incidents/zzzzzzzzzzzz/postmortem", { body: "x" }, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const problem = await expectProblem(await send(method, path, body), status);
      if (status === 422) expect(problem.errors.length).toBeGreaterThan(0);
    }
    expect((await expectProblem(await send("PUT", `/incidents/${maintenanceId}/postmortem`, { body: "x" }), 404)).detail).toMatch(/maintenances do not have postmortems/);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
  });
});

describe("publishing a resolved incident's postmortem", () => {
  let first: Json;

  beforeAll(async () => {
    clock.advance(30 * MIN);
    await api("POST", `/incidents/${incidentId}/updates`, { status: "resolved", body: "All services restored" });
    await mailDrained(server.deps!.db);
    clock.set("2026-01-16T14:00:00.000Z"); // 09:00 EST the next day
    await expectJson(await send("PUT", `/incidents/${incidentId}/postmortem`, { body: BODY, action_items: ACTION_ITEMS }), 200);
    const publish = () => send("POST", `/incidents/${incidentId}/postmortem/publish`, { notify_subscribers: true }, { "Idempotency-Key": "publish-1" });
    first = await expectJson(await publish(), 200);
    // A retried request (lost answer): the stored answer, nothing written again.
    const retry = await publish();
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await expectJson(retry, 200)).toEqual(first);
    // Published again later, with another key and notify again: nobody is mailed twice.
    clock.advance(MIN);
    const again = await expectJson(await send("POST", `/incidents/${incidentId}/postmortem/publish`, { notify_subscribers: true }, { "Idempotency-Key": "publish-2" }), 200);
    expect(again.notifications_enqueued).toBe(0);
    expect(again.published_at).toBe(first.published_at);
    await mailDrained(server.deps!.db);
    await published();
  }, 60_000);

  test("the answer says it is published and notified", () => {
    expect(first).toMatchObject({
      status: "published",
      published_at: "2026-01-16T14:00:00.000Z",
      notified_subscribers: true,
      notifications_enqueued: 2,
      action_items: [
        { description: "Implement connection pool auto-scaling", owner: "@alice", due_date: "2026-01-17", done: false },
        { description: "Implement circuit breakers", owner: "bob", due_date: "2026-01-25", done: true },
        { description: "Improve engineering/marketing coordination", owner: null, due_date: null, done: false },
      ],
    });
  });

  test("one mail per active subscriber of its components, exactly once, through the outbox", async () => {
    const recipients = postmortemMails().map((d) => d.email.to[0]).sort();
    expect(recipients).toEqual(["api-only@example.com", "everything@example.com"]);
    const rows = await server.deps!.db.client.execute("SELECT kind, status, COUNT(*) AS n FROM outbox WHERE kind = 'postmortem' GROUP BY kind, status");
    expect(rows.rows.map((r) => [r.kind, r.status, Number(r.n)])).toEqual([["postmortem", "sent", 2]]);
    const mail = postmortemMails()[0]!.email;
    expect(mail.subject).toBe("[POSTMORTEM] API Gateway Down - Jan 15, 2026");
    expect(mail.text).toContain("Published: Jan 16, 2026 - 09:00 EST");
    expect(mail.text).toContain("A marketing campaign drove 2x normal traffic.");
    // Owners are team names: not shown to customers unless POSTMORTEM_SHOW_OWNERS is set.
    expect(mail.text).toContain("[x] Implement circuit breakers (2026-01-25)");
    expect(mail.text).not.toContain("@bob");
    expect(mail.text).toContain(`https://status.example.com/incidents/${incidentId}`);
    expect(mail.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expectInert(mail.html!);
    // The updates' own mails are still there, once each, untouched by the postmortem's.
    expect(fake.deliveries.filter((d) => d.email.subject.startsWith("[RESOLVED]") && d.email.to[0] === "everything@example.com")).toHaveLength(1);
  });

  test("the incident page shows it above the updates, safely, with the tracked action items", async () => {
    const html = await (await get(`/incidents/${incidentId}`)).text();
    const at = html.indexOf('<h2 id="postmortem">Postmortem</h2>');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(html.indexOf("<h2>Updates</h2>"));
    expect(html).toContain("A marketing campaign drove 2x normal traffic.");
    expect(html).toMatch(/Published <time datetime="2026-01-16T14:00:00.000Z">Jan 16, 2026 - 09:00 EST<\/time>/);
    expect(html).toContain("<h5>Immediate (This Week)</h5>");
    expect(html).toContain("☐ Implement connection pool auto-scaling (2026-01-17)");
    expect(html).toContain("☑ Implement circuit breakers (2026-01-25)");
    expect(html).not.toContain("@alice");
    expect(html).not.toContain("@bob");
    expect(html).not.toContain("this hand-written line");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expectInert(html);
  });

  test("the Statuspage JSON says postmortem, with its body and publication time", async () => {
    const { incidents } = await (await get("/api/v2/incidents.json")).json();
    const incident = incidents.find((i: Json) => i.id === incidentId);
    expect(incident.status).toBe("postmortem");
    expect(incident.postmortem_published_at).toBe("2026-01-16T14:00:00.000Z");
    expect(incident.postmortem_body).toContain("A marketing campaign drove 2x normal traffic.");
    expect(incident.postmortem_body).toContain("- [x] Implement circuit breakers (2026-01-25)");
    expect(incident.postmortem_body).not.toContain("@bob");
    // Incidents without one keep the reference's keys only.
    expect(Object.keys(incidents.find((i: Json) => i.id === openIncidentId))).not.toContain("postmortem_body");
    expect((await api("GET", `/incidents/${incidentId}`)).status).toBe("postmortem");
  });

  test("the RSS feed has an item for it", async () => {
    const feed = await new Parser().parseString(await (await get("/history.rss")).text());
    const item = feed.items.find((i) => i.guid === `${pageId}:postmortem:${incidentId}`)!;
    expect(item.title).toBe("API Gateway Down — Postmortem");
    expect(item.link).toBe(`https://status.example.com/incidents/${incidentId}`);
    expect(new Date(item.pubDate!).toISOString()).toBe("2026-01-16T14:00:00.000Z");
    expect(item.content).toContain("A marketing campaign drove 2x normal traffic.");
    expectInert(item.content!);
    expect(feed.items[0]!.guid).toBe(item.guid); // the newest item
  });

  test("the Atom feed: served like the RSS, well-formed Atom 1.0, advertised on every page", async () => {
    const res = await get("/history.atom");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
    const feed = await new Parser().parseString(xml); // strict XML: throws on anything malformed
    await expect(new Parser().parseString(xml.replace("</feed>", ""))).rejects.toThrow();
    const created = "2026-01-15";
    const ids = feed.items.map((i) => i.id);
    expect(ids).toContain(`tag:status.example.com,${created}:incident/${incidentId}/postmortem`);
    const updates = await api("GET", `/incidents/${incidentId}`);
    for (const u of updates.incident_updates) expect(ids).toContain(`tag:status.example.com,${created}:incident/${incidentId}/update/${u.id}`);
    const entry = feed.items.find((i) => i.id.endsWith("/postmortem"))!;
    expect(entry.title).toBe("API Gateway Down — Postmortem");
    expect(entry.link).toBe(`https://status.example.com/incidents/${incidentId}`);
    expect(entry.content).toContain("A marketing campaign drove 2x normal traffic.");
    expectInert(entry.content!);
    expect(xml).not.toContain("<script"); // the HTML is escaped inside the XML
    for (const path of ["/", `/incidents/${incidentId}`, "/history"]) {
      expect(await (await get(path)).text()).toContain('<link rel="alternate" type="application/atom+xml" title="Example Status - Incident History" href="https://status.example.com/history.atom">');
    }
  });

  test("editing after publishing changes the published text everywhere; ids stay, `updated` moves, nobody is mailed again", async () => {
    const atomBefore = await new Parser().parseString(await (await get("/history.atom")).text());
    const rawBefore = await (await get("/history.atom")).text();
    const feedUpdatedBefore = /<updated>([^<]+)<\/updated>/.exec(rawBefore)![1]!;
    const mailsBefore = fake.deliveries.length;

    clock.set("2026-01-17T15:30:00.000Z");
    const edited = await expectJson(await send("PUT", `/incidents/${incidentId}/postmortem`, { body: BODY.replace("2x normal traffic", "3x normal traffic") }), 200);
    expect(edited).toMatchObject({ status: "published", published_at: "2026-01-16T14:00:00.000Z", updated_at: "2026-01-17T15:30:00.000Z" });
    expect(edited.action_items).toHaveLength(3); // omitted: unchanged
    // A new update elsewhere adds an entry without touching the others.
    await api("POST", `/incidents/${openIncidentId}/updates`, { status: "identified", body: "A slow query.", deliver_notifications: false });
    await published();
    await mailDrained(server.deps!.db);

    const page = await (await get(`/incidents/${incidentId}`)).text();
    expect(page).toContain("3x normal traffic");
    expect(page).not.toContain("2x normal traffic");
    expect(page).toMatch(/last edited <time datetime="2026-01-17T15:30:00.000Z">/);
    const json = (await (await get("/api/v2/incidents.json")).json()).incidents.find((i: Json) => i.id === incidentId);
    expect(json.postmortem_body).toContain("3x normal traffic");
    expect(json.postmortem_body_last_updated_at).toBe("2026-01-17T15:30:00.000Z");

    const rawAfter = await (await get("/history.atom")).text();
    const atomAfter = await new Parser().parseString(rawAfter);
    const after = new Map(atomAfter.items.map((i) => [i.id, i]));
    for (const entry of atomBefore.items) expect(after.has(entry.id)).toBe(true);
    expect(atomAfter.items.length).toBe(atomBefore.items.length + 1);
    const pmId = `tag:status.example.com,2026-01-15:incident/${incidentId}/postmortem`;
    expect(rawAfter).toContain(`<id>${pmId}</id>`);
    expect(rawAfter).toMatch(new RegExp(`<id>${pmId}</id>[\\s\\S]*?<updated>2026-01-17T15:30:00.000Z</updated>`));
    expect(rawBefore).toMatch(new RegExp(`<id>${pmId}</id>[\\s\\S]*?<updated>2026-01-16T14:00:00.000Z</updated>`));
    const feedUpdatedAfter = /<updated>([^<]+)<\/updated>/.exec(rawAfter)![1]!;
    expect(feedUpdatedAfter > feedUpdatedBefore).toBe(true);
    expect(after.get(pmId)!.content).toContain("3x normal traffic");
    expect(fake.deliveries.length).toBe(mailsBefore);
  });

  test("reopening hides it until the incident is resolved again", async () => {
    clock.advance(MIN);
    await api("POST", `/incidents/${incidentId}/updates`, { status: "investigating", body: "Errors are back.", reopen: true, deliver_notifications: false });
    await published();
    expect(await (await get(`/incidents/${incidentId}`)).text()).not.toContain('id="postmortem"');
    const reopened = (await (await get("/api/v2/incidents/unresolved.json")).json()).incidents.find((i: Json) => i.id === incidentId);
    expect(reopened.status).toBe("investigating");
    expect(reopened.postmortem_body).toBeUndefined();
    expect((await api("GET", `/incidents/${incidentId}/postmortem`)).status).toBe("published");

    clock.advance(MIN);
    await api("POST", `/incidents/${incidentId}/updates`, { status: "resolved", body: "Fixed again.", deliver_notifications: false });
    await published();
    expect(await (await get(`/incidents/${incidentId}`)).text()).toContain('id="postmortem"');
    expect((await (await get("/api/v2/incidents.json")).json()).incidents.find((i: Json) => i.id === incidentId).status).toBe("postmortem");
    await mailDrained(server.deps!.db);
    expect(postmortemMails()).toHaveLength(2);
  });
});

describe("the template's prompts never reach customers", () => {
  test("publishing a postmortem that still holds them is a 422 naming them and changes nothing; force publishes it", async () => {
    const incident = await api("POST", "/incidents", { name: "Search outage", severity: "SEV2", body: "Looking." });
    await api("POST", `/incidents/${incident.id}/updates`, { status: "resolved", body: "Fixed." });
    const { body } = await api("GET", `/incidents/${incident.id}/postmortem/template`);
    await api("PUT", `/incidents/${incident.id}/postmortem`, { body });
    // The resolution's mail is sent in the background; let it finish so only the refused request could change anything.
    await mailDrained(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const problem = await expectProblem(await send("POST", `/incidents/${incident.id}/postmortem/publish`, { notify_subscribers: true }), 422);
    expect(problem.title).toBe("Template Prompts Left");
    expect(problem.prompts_left).toContain("_one sentence._");
    expect(problem.prompts_left).toContain("(@owner, YYYY-MM-DD)");
    expect(problem.errors).toContainEqual({ field: "body", message: "Still holds the template's prompt _one sentence._." });
    expect(problem.detail).toMatch(/publish anyway with "force": true/);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
    // Filled in, it publishes without force.
    const filled = (problem.prompts_left as string[]).reduce((text, p) => text.replaceAll(p, "Filled in."), body as string);
    await api("PUT", `/incidents/${incident.id}/postmortem`, { body: filled });
    expect((await expectJson(await send("POST", `/incidents/${incident.id}/postmortem/publish`, {}), 200)).status).toBe("published");
    // And force publishes one that still has them (the team decided so).
    const other = await api("POST", "/incidents", { name: "Cache misses", severity: "SEV4", body: "Looking." });
    await api("POST", `/incidents/${other.id}/updates`, { status: "resolved", body: "Fixed." });
    await api("PUT", `/incidents/${other.id}/postmortem`, { body: (await api("GET", `/incidents/${other.id}/postmortem/template`)).body });
    expect((await expectJson(await send("POST", `/incidents/${other.id}/postmortem/publish`, { force: true }), 200)).status).toBe("published");
  });
});
