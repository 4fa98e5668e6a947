import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkResponseTimes, internalLapseNotifier } from "../api/internal/index.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { eventually, FakeSlack } from "./fake-slack.ts";
import { callServer, expectJson, expectProblem, snapshotDatabase, startTestHerald, type TestHerald, testServerConfig } from "./harness.ts";

/**
 * Response times: a first update later than started_at + the severity's target, or a promised
 * next update that does not come, is a lapse; the checker records each once and queues one
 * reminder for the internal channel, even across restarts and a second process. The API shows
 * the lapses; the page shows the promise.
 */

let h: TestHerald;
const page = { url: "https://status.example.com", timeZone: "Etc/UTC" };

beforeAll(async () => {
  h = await startTestHerald();
});
afterAll(async () => {
  await h.close();
});

const check = (db = h.db) => checkResponseTimes({ db, clock: h.clock, timeZone: "Etc/UTC", notifier: internalLapseNotifier(page) });
const reminders = async (incidentId: string): Promise<string[]> =>
  (await h.db.client.execute({ sql: "SELECT payload FROM internal_outbox WHERE incident_id = ? AND kind = 'reminder' ORDER BY id", args: [incidentId] })).rows.map(
    (r) => (JSON.parse(String(r.payload)) as { text: string }).text,
  );
const get = async (id: string) => expectJson(await h.call("GET", `/api/v1/incidents/${id}`), 200);

describe("response-time lapses", () => {
  it("reminds once of a first update posted later than the severity's response time", async () => {
    h.clock.set("2026-03-02T10:00:00.000Z");
    // Declared at 10:00 for a SEV1 that began at 09:30: due 09:45, 15 minutes late.
    const incident = await expectJson(await h.call("POST", "/api/v1/incidents", {
      body: { name: "Payments failing", severity: "SEV1", body: "Investigating.", started_at: "2026-03-02T09:30:00Z", communications_lead: "@cara" },
    }), 201);
    expect(incident.started_at).toBe("2026-03-02T09:30:00.000Z");
    expect(incident.first_update_due_at).toBe("2026-03-02T09:45:00.000Z");
    expect(incident.response_lapses).toEqual([{ kind: "first_update", due_at: "2026-03-02T09:45:00.000Z", noticed_at: null, resolved_at: "2026-03-02T10:00:00.000Z" }]);

    h.clock.set("2026-03-02T10:00:30.000Z");
    const first = await check();
    expect(first.noticed).toEqual([{ incidentId: incident.id, kind: "first_update", dueAt: "2026-03-02T09:45:00.000Z", noticedAt: "2026-03-02T10:00:30.000Z" }]);
    // Again, and from a second connection (another process): nothing new.
    expect((await check()).noticed).toEqual([]);
    const other = await openNodeDatabase(h.databaseUrl);
    try {
      expect((await check(other.db)).noticed).toEqual([]);
    } finally {
      other.db.close();
    }
    const texts = await reminders(incident.id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(`*Response time missed* @cara: the first public update of SEV1 "Payments failing" was due by Mar 2, 09:45 UTC`);
    expect(texts[0]).toContain("It was posted at Mar 2, 10:00 UTC.");
    expect((await get(incident.id)).response_lapses[0].noticed_at).toBe("2026-03-02T10:00:30.000Z");
  });

  it("reminds once of an overdue promised update, and shows when the late update came", async () => {
    h.clock.set("2026-03-03T14:05:00.000Z");
    const incident = await expectJson(await h.call("POST", "/api/v1/incidents", {
      body: { name: "Slow search", severity: "SEV2", body: "Looking.", next_update_at: "2026-03-03T14:30:00Z" },
    }), 201);
    expect(incident.next_update_at).toBe("2026-03-03T14:30:00.000Z");
    expect(incident.incident_updates[0].next_update_at).toBe("2026-03-03T14:30:00.000Z");
    h.clock.set("2026-03-03T14:30:00.000Z");
    expect((await check()).noticed).toEqual([]);
    h.clock.set("2026-03-03T14:31:00.000Z");
    expect((await check()).noticed.map((n) => [n.kind, n.dueAt])).toEqual([["next_update", "2026-03-03T14:30:00.000Z"]]);
    expect((await check()).noticed).toEqual([]);
    const texts = await reminders(incident.id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(`*Next update overdue* SEV2 "Slow search" promised its next update by Mar 3, 14:30 UTC.`);
    expect(texts[0]).toContain(`herald incident update ${incident.id}`);
    expect((await get(incident.id)).response_lapses).toEqual([
      { kind: "next_update", due_at: "2026-03-03T14:30:00.000Z", noticed_at: "2026-03-03T14:31:00.000Z", resolved_at: null },
    ]);

    h.clock.set("2026-03-03T14:40:00.000Z");
    const later = await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { body: { status: "identified", body: "Index rebuild.", next_update_at: "2026-03-03T15:00:00Z" } }), 201);
    expect(later.response_lapses).toEqual([
      { kind: "next_update", due_at: "2026-03-03T14:30:00.000Z", noticed_at: "2026-03-03T14:31:00.000Z", resolved_at: "2026-03-03T14:40:00.000Z" },
    ]);
    expect(later.next_update_at).toBe("2026-03-03T15:00:00.000Z");
    // The new promise is kept: no further lapse.
    h.clock.set("2026-03-03T14:55:00.000Z");
    await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { body: { status: "resolved", body: "Fast again." } }), 201);
    h.clock.set("2026-03-03T16:00:00.000Z");
    expect((await check()).noticed).toEqual([]);
    expect(await reminders(incident.id)).toHaveLength(1);
    expect((await get(incident.id)).next_update_at).toBeNull();
  });

  it("gives SEV4 until 09:00 of the next business day in the page's zone", async () => {
    h.clock.set("2026-03-06T16:00:00.000Z"); // a Friday
    const incident = await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name: "Typo", severity: "SEV4", body: "Cosmetic." } }), 201);
    expect(incident.first_update_due_at).toBe("2026-03-09T09:00:00.000Z");
    expect(incident.response_lapses).toEqual([]);
  });

  it("refuses a promise in the past, on a resolution, a start in the future, and changes nothing", async () => {
    h.clock.set("2026-03-04T12:00:00.000Z");
    const open = await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name: "Open", severity: "SEV3", body: "Hm." } }), 201);
    const before = await snapshotDatabase(h.db);
    const refused = [
      await h.call("POST", "/api/v1/incidents", { body: { name: "X", severity: "SEV1", body: "Y", next_update_at: "2026-03-04T11:59:00Z" } }),
      await h.call("POST", "/api/v1/incidents", { body: { name: "X", severity: "SEV1", body: "Y", next_update_at: "2026-03-20T12:00:00Z" } }),
      await h.call("POST", "/api/v1/incidents", { body: { name: "X", severity: "SEV1", body: "Y", next_update_at: "soon" } }),
      await h.call("POST", "/api/v1/incidents", { body: { name: "X", severity: "SEV1", body: "Y", started_at: "2026-03-04T12:01:00Z" } }),
      await h.call("POST", `/api/v1/incidents/${open.id}/updates`, { body: { status: "resolved", body: "Done.", next_update_at: "2026-03-04T13:00:00Z" } }),
    ];
    for (const res of refused) {
      const problem = await expectProblem(res, 422);
      expect(problem.errors.map((e: { field: string }) => e.field)).toEqual([expect.stringMatching(/^(next_update_at|started_at)$/)]);
    }
    expect(await snapshotDatabase(h.db)).toBe(before);
  });
});

describe("on a real server", () => {
  let dir: string;
  let server: RunningServer;
  let slack: FakeSlack;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-response-"));
    slack = new FakeSlack();
    await slack.start();
    server = await startServer(
      testServerConfig(dir),
      { hostname: "127.0.0.1", log: () => {}, responseCheckMs: 50, env: { SLACK_WEBHOOK_URL: slack.url, MAIL_DIR: join(dir, "mail"), HERALD_SECRET: "response-secret-0123456789abcdefghijklm" } },
    );
    token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("checks response times in the background and reminds through the internal channel", async () => {
    const startedAt = new Date(Date.now() - 60 * 60_000).toISOString();
    const incident = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Late declaration", severity: "SEV2", body: "Sorry.", started_at: startedAt });
    expect(await eventually(() => slack.texts().some((t) => t.includes("*Response time missed*") && t.includes("Late declaration")))).toBe(true);
    expect(slack.texts().filter((t) => t.includes("*Response time missed*"))).toHaveLength(1);
    const record = await callServer(server.url, token, "GET", `/api/v1/incidents/${incident.id}`);
    expect(record.response_lapses[0]).toMatchObject({ kind: "first_update", noticed_at: expect.any(String) });
  });

  it("shows the promised next update beside the latest update on the home and incident pages", async () => {
    const at = new Date(Date.now() + 45 * 60_000);
    at.setUTCSeconds(0, 0);
    const incident = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Promise on the page", severity: "SEV3", body: "Looking.", next_update_at: at.toISOString() });
    await server.publisher!.idle();
    const hhmm = at.toISOString().slice(11, 16);
    const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");
    const sameDay = new Date().toISOString().slice(0, 10) === at.toISOString().slice(0, 10);
    const expected = sameDay ? `Next update: ${hhmm} UTC or sooner` : `${hhmm} UTC or sooner`;
    for (const path of ["/", `/incidents/${incident.id}`]) {
      const html = await (await fetch(`${server.url}${path}`)).text();
      expect(text(html)).toContain(expected);
      expect(html).toContain(`<time datetime="${at.toISOString()}"`);
    }
    await callServer(server.url, token, "POST", `/api/v1/incidents/${incident.id}/updates`, { status: "resolved", body: "Done." });
    await server.publisher!.idle();
    expect(await (await fetch(`${server.url}/incidents/${incident.id}`)).text()).not.toContain("Next update:");
  });
});
