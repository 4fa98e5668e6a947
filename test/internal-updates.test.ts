import { mkdtempSync, rmSync } from "node:fs";
import { readMailDir } from "./mime.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createInternalChannel, drainInternalOutbox, internalUpdateHooks, loadInternalTemplate, parseInternalTemplate } from "../api/internal/index.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { internalOutboxCounts } from "../db/queries/internal.ts";
import { eventually, FakeSlack } from "./fake-slack.ts";
import { callServer, expectJson, expectProblem, snapshotDatabase, startTestHerald, type TestHerald, testServerConfig } from "./harness.ts";
import { addSubscriber } from "./mail-helpers.ts";
import { fetchPublicSurfaces, leaks } from "./public-surfaces.ts";

/**
 * Internal updates: every incident change queues the seed's internal update (templates/
 * internal-update.md) in its own transaction; drainInternalOutbox posts them to the webhook in
 * order per incident, with retries. Roles, bridge and channel are internal: never published.
 */

let h: TestHerald;
let slack: FakeSlack;
const page = { url: "https://status.example.com", timeZone: "Etc/UTC" };

beforeAll(async () => {
  h = await startTestHerald();
  h.deps.hooks = internalUpdateHooks({ page, template: loadInternalTemplate() });
  slack = new FakeSlack();
  await slack.start();
});
afterAll(async () => {
  await h.close();
  await slack.close();
});
beforeEach(async () => {
  // Earlier tests' messages are done with: each test looks at its own.
  await h.db.client.execute("UPDATE internal_outbox SET status = 'sent' WHERE status = 'pending'");
  slack.messages.length = 0;
});

const drain = () => drainInternalOutbox({ db: h.db, webhookUrl: slack.url, clock: h.clock, baseBackoffMs: 1000 });

async function declare(body: Record<string, unknown>): Promise<any> {
  return expectJson(await h.call("POST", "/api/v1/incidents", { token: h.tokens.comms, body: { name: "API Gateway Down", severity: "SEV1", body: "We're investigating API errors.", ...body } }), 201);
}

describe("internal updates", () => {
  it("posts the seed's internal update for create, role change, update and resolve, in order", async () => {
    h.clock.set("2026-01-15T14:05:00.000Z");
    const incident = await declare({ incident_commander: "@alice", next_update_at: "2026-01-15T14:30:00Z" });
    h.clock.set("2026-01-15T14:07:00.000Z");
    await expectJson(await h.call("PATCH", `/api/v1/incidents/${incident.id}`, { token: h.tokens.comms, body: { bridge_url: "https://zoom.us/j/123456789", channel: "#incident-2024-001" } }), 200);
    h.clock.set("2026-01-15T14:15:00.000Z");
    await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { token: h.tokens.comms, body: { status: "identified", body: "Database connection issues identified." } }), 201);
    h.clock.set("2026-01-15T15:00:00.000Z");
    await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { token: h.tokens.comms, body: { status: "resolved", body: "All services restored." } }), 201);

    expect(await drain()).toMatchObject({ sent: 4, failed: 0, deferred: 0, nextDueAt: null });
    const [created, patched, identified, resolved] = slack.texts();
    expect(created).toContain(":rotating_light: *SEV1 INCIDENT* :rotating_light:");
    expect(created).toMatch(/\*INC-\d{4}-001 · API Gateway Down\* \(declared by Cole Comms\)/);
    // No channel given: the seed's name for it is suggested.
    expect(created).toMatch(/\*Channel:\* not set \(suggested: #incident-\d{4}-001\)/);
    expect(created).toContain("*Status:* Investigating");
    expect(created).toContain("*Started:* Jan 15, 14:05 UTC");
    expect(created).toContain("*Incident Commander:* @alice");
    expect(created).toContain("*Bridge:* not set");
    expect(created).toContain("14:05 UTC - Investigating: We're investigating API errors.");
    expect(created).toContain("*Next Update:* 14:30 UTC or sooner if status changes");
    expect(created).toContain(`https://status.example.com/incidents/${incident.id}`);
    expect(patched).toContain("(changed by Cole Comms: bridge, channel)");
    expect(patched).toContain("*Bridge:* https://zoom.us/j/123456789");
    expect(patched).toContain("*Channel:* #incident-2024-001");
    expect(identified).toContain("*Status:* Identified");
    expect(identified).toContain("14:15 UTC - Identified: Database connection issues identified.");
    expect(identified).toContain("*Next Update:* not promised");
    expect(resolved).toContain("(resolved by Cole Comms)");
    expect(resolved).toContain("*Next Update:* none (resolved)");
    expect(resolved).not.toContain("DRILL");
  });

  it("escapes what people type, so nothing becomes a mention or a link", async () => {
    await declare({ name: "Outage <!channel> & <https://evil.example|click>", incident_commander: "<@U123>" });
    await drain();
    const text = slack.texts()[0]!;
    expect(text).toContain("Outage &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    expect(text).toContain("*Incident Commander:* &lt;@U123&gt;");
    expect(text).not.toContain("<!channel>");
  });

  it("retries a 500 and a 429 with backoff, keeping one incident's messages in order; other incidents go on", async () => {
    h.clock.set("2026-02-01T10:00:00.000Z");
    const first = await declare({ name: "First" });
    await expectJson(await h.call("POST", `/api/v1/incidents/${first.id}/updates`, { body: { status: "identified", body: "Found it." } }), 201);
    const second = await declare({ name: "Second" });
    slack.fail(500);
    // First's declaration fails and waits; its update must wait behind it; Second goes out.
    const one = await drain();
    expect(one).toMatchObject({ sent: 1, deferred: 1 });
    expect(slack.texts()).toHaveLength(1);
    expect(slack.texts()[0]).toContain(" · Second*");
    // Before the retry time nothing more is sent.
    expect((await drain()).sent).toBe(0);
    slack.fail(429);
    h.clock.advance(2_000);
    expect(await drain()).toMatchObject({ sent: 0, deferred: 1 });
    h.clock.advance(5_000);
    expect(await drain()).toMatchObject({ sent: 2, deferred: 0, nextDueAt: null });
    expect(slack.texts().slice(1).map((t) => / · (First)\*.*\(([^)]*)\)/.exec(t)?.slice(1))).toEqual([
      ["First", "declared by Cole Comms"],
      ["First", "Identified, posted by Ada Admin"],
    ]);
    expect(second.id).not.toBe(first.id);
  });

  it("gives up on a message the webhook refuses (404: removed), without retrying it", async () => {
    await declare({ name: "Refused" });
    slack.fail(404);
    expect(await drain()).toMatchObject({ sent: 0, failed: 1, deferred: 0 });
    const row = await h.db.client.execute("SELECT status, last_error FROM internal_outbox ORDER BY id DESC LIMIT 1");
    expect(row.rows[0]).toMatchObject({ status: "failed", last_error: "HTTP 404: no_service" });
  });

  it("queues nothing for a refused change", async () => {
    const before = await snapshotDatabase(h.db);
    await expectProblem(await h.call("POST", "/api/v1/incidents", { body: { name: "X", severity: "SEV1", body: "Y", bridge_url: "javascript:alert(1)" } }), 422);
    await expectProblem(await h.call("PATCH", "/api/v1/incidents/zzzzzzzzzzzz", { body: { scribe: "@bob" } }), 404);
    expect(await snapshotDatabase(h.db)).toBe(before);
  });

  it("returns roles in the management API, and clears one with null", async () => {
    const incident = await declare({ technical_lead: "@tom", scribe: "@sam" });
    expect(incident).toMatchObject({ technical_lead: "@tom", scribe: "@sam", incident_commander: null, bridge_url: null, drill: false, preview_url: null });
    const patched = await expectJson(await h.call("PATCH", `/api/v1/incidents/${incident.id}`, { body: { scribe: null, communications_lead: "@cara" } }), 200);
    expect(patched).toMatchObject({ technical_lead: "@tom", scribe: null, communications_lead: "@cara" });
  });
});

describe("the internal template", () => {
  it("is checked: an unknown placeholder is refused", () => {
    expect(() => parseInternalTemplate("*Status:* {{stauts}}")).toThrow(/unknown placeholder \{\{stauts\}\}/);
    expect(() => parseInternalTemplate("   ")).toThrow(/empty/);
    expect(loadInternalTemplate().source).toContain("{{incident_commander}}");
  });

  it("is queued only with SLACK_WEBHOOK_URL, which must be an http(s) URL", () => {
    const template = loadInternalTemplate();
    expect(createInternalChannel({ db: h.db, page, template, env: {} })).toBeNull();
    expect(() => createInternalChannel({ db: h.db, page, template, env: { SLACK_WEBHOOK_URL: "ftp://x" } })).toThrow(/http/);
    expect(createInternalChannel({ db: h.db, page, template, env: { SLACK_WEBHOOK_URL: slack.url } })).not.toBeNull();
  });
});

describe("on a real server", () => {
  let dir: string;
  let server: RunningServer;
  let token: string;
  let fake: FakeSlack;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-internal-"));
    fake = new FakeSlack();
    await fake.start();
    const env = { SLACK_WEBHOOK_URL: fake.url, MAIL_DIR: join(dir, "mail"), HERALD_SECRET: "internal-updates-secret-0123456789abcdefghij" };
    server = await startServer(testServerConfig(dir), {
      hostname: "127.0.0.1", log: () => {}, env, responseCheckMs: 0,
    });
    const db = server.deps!.db;
    const { createKey } = await import("../api/service/keys.ts");
    token = await db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
    await addSubscriber(db, "ada@example.com");
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the internal update in the background and never publishes roles, bridge or channel", async () => {
    const roles = {
      incident_commander: "@commander-leakprobe1", technical_lead: "@techlead-leakprobe2", communications_lead: "@commslead-leakprobe3",
      scribe: "@scribe-leakprobe4", bridge_url: "https://zoom.example/j/leakprobe5-bridge", channel: "#incident-leakprobe6",
    };
    const incident = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Queue backlog", severity: "SEV2", body: "Messages are delayed.", ...roles });
    await callServer(server.url, token, "PATCH", `/api/v1/incidents/${incident.id}`, { scribe: "@scribe-leakprobe7" });
    await callServer(server.url, token, "POST", `/api/v1/incidents/${incident.id}/updates`, { status: "resolved", body: "Caught up." });
    expect(await eventually(() => fake.messages.length >= 3)).toBe(true);
    expect(fake.texts()[0]).toContain("*Incident Commander:* @commander-leakprobe1");
    expect(fake.texts()[1]).toContain("*Scribe:* @scribe-leakprobe7");
    // The fake has the third message a moment before the sender records it as sent.
    expect(await eventually(async () => (await internalOutboxCounts(server.deps!.db.client)).sent === 3)).toBe(true);
    expect(await internalOutboxCounts(server.deps!.db.client)).toEqual({ pending: 0, sent: 3, failed: 0 });

    // The management API has them; no public surface or mail does.
    const managed = await callServer(server.url, token, "GET", `/api/v1/incidents/${incident.id}`);
    expect(managed).toMatchObject({ ...roles, scribe: "@scribe-leakprobe7" });
    await server.publisher!.idle();
    const surfaces = await fetchPublicSurfaces(server.url);
    expect(surfaces.has(`/incidents/${incident.id}`)).toBe(true);
    expect([...surfaces.values()].some((body) => body.includes("Queue backlog"))).toBe(true);
    // Needles that cannot occur by chance (ten letters and a digit), searched in decoded text only.
    const needles = [1, 2, 3, 4, 5, 6, 7].map((n) => `leakprobe${n}`).concat(["incident_commander", "bridge_url"]);
    expect(leaks(surfaces, needles)).toEqual([]);
    expect(await eventually(async () => (await server.deps!.db.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'")).rows[0]!.n === 2)).toBe(true);
    const mails = await readMailDir(join(dir, "mail"));
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.some((m) => m.everything.includes("Queue backlog"))).toBe(true); // the search does see the words
    expect(mails.flatMap((m) => needles.filter((n) => m.everything.includes(n)).map((n) => `${m.file}: ${n}`))).toEqual([]);
  });
});
