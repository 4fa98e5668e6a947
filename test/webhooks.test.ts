/**
 * Webhook subscribers end to end, against receivers listening on 127.0.0.1 (loopback is allowed
 * by WEBHOOK_ALLOW_LOOPBACK=1, as in development):
 *  - a real server (startServer): registration with the challenge, hostile input, a signed
 *    incident envelope and a component_update envelope delivered by the server's own sender loop,
 *    unsubscribing;
 *  - the sender function itself (deliverDueWebhooks, as a cron calls it) on the real app and
 *    database, one run at a time: retries, 3xx and slow replies as failures, quarantine after
 *    10 failures within an hour with one mail to the contact, reactivation.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { readConfig } from "../api/config.ts";
import { ResendMailer } from "../api/mail/mailer.ts";
import { loadWebhookQuarantineNotice } from "../api/mail/template.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { webhookHooks } from "../api/webhooks/enqueue.ts";
import { deliverDueWebhooks, type WebhookSenderDeps } from "../api/webhooks/sender.ts";
import { signingSecret, standardWebhooksSecret, verifySignature } from "../api/webhooks/signature.ts";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { quarantineWebhook, upsertWebhookSubscription } from "../db/queries/webhooks.ts";
import { FakeResend } from "./fake-resend.ts";
import { FakeWebhookReceiver, type Received } from "./fake-webhook-receiver.ts";
import { callServer, deliveriesSettled, expectJson, expectProblem, runHerald, snapshotDatabase, startTestHerald, waitFor, type TestHerald } from "./harness.ts";
import { settings as mailSettings } from "./mail-helpers.ts";

const SECRET = "webhooks-test-secret-0123456789abcdefghij";
const PAGE = "https://status.example.com";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The README's verification snippet, run as written (so the documentation cannot drift from the signer). */
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const snippet = /### Verifying the signature[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1]!;
const verifyHerald = new Function(`${snippet}; return verifyHerald;`)() as (secret: string, body: string, header: string, now?: number) => Promise<boolean>;

/** What a receiver does with a delivery: the signature must verify with the subscription's secret, ours and the README's way. */
async function expectSigned(hook: Received, secret: string): Promise<void> {
  const header = hook.headers["x-herald-signature"] as string;
  expect(hook.headers["content-type"]).toBe("application/json");
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(await verifySignature(secret, hook.body, header, nowSeconds())).toBe(true);
  expect(await verifyHerald(secret, hook.body, header)).toBe(true);
  const tampered = hook.body.replace("}", " }");
  expect(await verifySignature(secret, tampered, header, nowSeconds())).toBe(false);
  expect(await verifyHerald(secret, tampered, header)).toBe(false);
  expect(await verifyHerald(`${secret}x`, hook.body, header)).toBe(false);
  expect(await verifyHerald(secret, hook.body, header, nowSeconds() + 301)).toBe(false);
  // The Standard Webhooks headers, verified by its own library with the same key in its encoding.
  const standard = new Webhook(`whsec_${Buffer.from(secret.slice("whsec_".length), "base64url").toString("base64")}`);
  const headers = { "webhook-id": String(hook.headers["webhook-id"]), "webhook-timestamp": String(hook.headers["webhook-timestamp"]), "webhook-signature": String(hook.headers["webhook-signature"]) };
  expect(headers["webhook-id"]).toBe(hook.headers["x-herald-delivery"]);
  expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  expect(standard.verify(hook.body, headers)).toEqual(JSON.parse(hook.body));
  expect(() => standard.verify(tampered, headers)).toThrow(WebhookVerificationError);
}

describe("a real server", () => {
  let dir: string;
  let server: RunningServer;
  let fake: FakeResend;
  let receiver: FakeWebhookReceiver;
  let admin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-webhooks-"));
    fake = new FakeResend();
    await fake.start();
    receiver = new FakeWebhookReceiver();
    await receiver.start();
    const config = readConfig({
      PORT: "0", DATABASE_URL: `file:${join(dir, "herald.db")}`, PUBLIC_DIR: join(dir, "public"), PAGE_URL: PAGE, PAGE_NAME: "Example",
      WEBHOOK_ALLOW_LOOPBACK: "1", WEBHOOK_TIMEOUT_MS: "2000",
    });
    server = await startServer(config, {
      hostname: "127.0.0.1",
      log: () => {},
      env: { RESEND_API_KEY: "test", RESEND_BASE_URL: fake.url, HERALD_SECRET: SECRET, MAIL_RATE_LIMIT: "50", SUBSCRIBE_LIMIT_PER_IP: "1000", SUBSCRIBE_LIMIT_PER_ADDRESS: "1000" },
    });
    await server.ready;
    admin = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: string, path: string, body?: unknown) => callServer(server.url, admin, method, path, body);
  const register = (body: unknown) =>
    fetch(`${server.url}/subscriptions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const herald = (args: string[]) => runHerald(args, { PATH: process.env.PATH ?? "", HERALD_URL: server.url, HERALD_TOKEN: admin });
  const eventsFor = (path: string, event: string) => receiver.received.filter((r) => r.path === path && r.headers["x-herald-event"] === event);

  test("registration: the endpoint answers the challenge, then is stored active and its secret shown once", async () => {
    const res = await register({ endpoint: `${receiver.url}/register`, email: "Ops@Example.com" });
    const body = await expectJson(res, 201);
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{12}$/),
      endpoint: `${receiver.url}/register`,
      email: "Ops@example.com",
      status: "active",
      component_ids: null,
      secret: await signingSecret(SECRET, body.id),
      signature_header: "X-Herald-Signature",
      standard_webhooks_secret: await standardWebhooksSecret(SECRET, body.id),
      unsubscribe_url: expect.stringMatching(new RegExp(`^${PAGE}/subscriptions/webhooks/unsubscribe\\?token=${body.id}\\.`)),
      documentation: `${PAGE}/subscriptions/webhooks`,
      detail: expect.any(String),
    });
    const challenge = receiver.challenges.find((c) => c.path === "/register")!;
    expect(challenge.json).toEqual({ type: "webhook.challenge", challenge: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // The secret is derived, never stored.
    const rows = JSON.stringify((await server.deps!.db.client.execute("SELECT * FROM webhook_subscriptions")).rows);
    expect(rows).not.toContain(body.secret);
    const list = await api("GET", "/api/v1/webhooks");
    expect(list).toEqual([expect.objectContaining({ id: body.id, status: "active", failures_last_hour: 0, pending_deliveries: 0, email: "Ops@example.com" })]);
    expect(JSON.stringify(list)).not.toContain(body.secret);
    // The list is an admin's.
    const comms = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Cole", "comms")).token);
    expect((await fetch(`${server.url}/api/v1/webhooks`, { headers: { Authorization: `Bearer ${comms}` } })).status).toBe(403);
  });

  test("hostile input gets a 4xx problem and stores nothing", async () => {
    const db = server.deps!.db;
    await deliveriesSettled(db);
    const before = await snapshotDatabase(db);
    const ok = { endpoint: `${receiver.url}/hostile`, email: "ops@example.com" };
    const cases: Array<[unknown, string]> = [
      [{ ...ok, endpoint: "not a url" }, "endpoint"],
      [{ ...ok, endpoint: "ftp://hooks.example.com/x" }, "endpoint"],
      [{ ...ok, endpoint: "http://hooks.example.com/x" }, "endpoint"],
      [{ ...ok, endpoint: "https://10.0.0.7/x" }, "endpoint"],
      [{ ...ok, endpoint: "https://169.254.169.254/latest/meta-data" }, "endpoint"],
      [{ ...ok, endpoint: "https://[fd00::1]/x" }, "endpoint"],
      [{ ...ok, endpoint: "https://192.168.1.1/x" }, "endpoint"],
      [{ ...ok, endpoint: "https://admin:pw@hooks.example.com/x" }, "endpoint"],
      [{ ...ok, endpoint: 42 }, "endpoint"],
      [{ ...ok, email: "not-an-address" }, "email"],
      [{ endpoint: ok.endpoint }, "email"],
      [{ ...ok, component_ids: ["nope"] }, "component_ids"],
    ];
    for (const [body, field] of cases) {
      const problem = await expectProblem(await register(body), 422);
      expect(problem.errors.map((e: any) => e.field), JSON.stringify(body)).toContain(field);
    }
    // An endpoint that does not answer the challenge (an error, a redirect, the wrong answer) is not stored either.
    for (const reply of [{ status: 500 }, { status: 301, headers: { Location: `${receiver.url}/register` } }, { status: 200 }]) {
      receiver.challengeReply = reply;
      const problem = await expectProblem(await register(ok), 422);
      expect(problem.detail).toMatch(/did not pass the verification challenge/);
    }
    receiver.challengeReply = "echo";
    await expectProblem(await fetch(`${server.url}/subscriptions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{oops" }), 400);
    expect(await snapshotDatabase(db), "the database changed").toBe(before);
  });

  test("an incident update arrives as a signed incident envelope; a component change as a component_update envelope", async () => {
    const { id, secret } = await expectJson(await register({ endpoint: `${receiver.url}/events`, email: "ops@example.com" }), 201);
    const component = await api("POST", "/api/v1/components", { name: "Database" });
    const incident = await api("POST", "/api/v1/incidents", { name: "Database down", severity: "SEV1", body: "Investigating.", components: { [component.id]: "major_outage" } });

    const [hook] = await waitFor("the incident envelope", () => eventsFor("/events", "incident.update").length > 0 && eventsFor("/events", "incident.update"));
    await expectSigned(hook!, secret);
    expect(Object.keys(hook!.json)).toEqual(["meta", "page", "incident"]);
    expect(hook!.json.meta).toEqual({
      unsubscribe: expect.stringMatching(new RegExp(`^${PAGE}/subscriptions/webhooks/unsubscribe\\?token=${id}\\.`)),
      documentation: `${PAGE}/subscriptions/webhooks`,
      generated_at: incident.incident_updates[0].created_at,
    });
    expect(hook!.json.page).toEqual({ id: server.deps!.pageId, status_indicator: "critical", status_description: "Major System Outage" });
    expect(hook!.json.incident).toMatchObject({ id: incident.id, name: "Database down", status: "investigating", impact: "critical", shortlink: `${PAGE}/incidents/${incident.id}`, postmortem_body: null });
    expect(hook!.json.incident.incident_updates[0]).toMatchObject({ body: "Investigating.", affected_components: [{ code: component.id, name: "Database", old_status: "operational", new_status: "major_outage" }] });
    expect(hook!.headers["x-herald-delivery"]).toMatch(new RegExp(`^[0-9a-z]{12}\\.${id}$`));

    // The update moved the component too: that is a component_update of its own.
    const [fromIncident] = await waitFor("the component envelope", () => eventsFor("/events", "component.update").length > 0 && eventsFor("/events", "component.update"));
    expect(fromIncident!.json.component_update).toMatchObject({ old_status: "operational", new_status: "major_outage", component_type: "Component", component_id: component.id });

    await api("PATCH", `/api/v1/components/${component.id}`, { status: "degraded_performance" });
    const change = await waitFor("the admin's change", () => eventsFor("/events", "component.update").find((r) => r.json.component_update.new_status === "degraded_performance"));
    await expectSigned(change, secret);
    expect(Object.keys(change.json)).toEqual(["meta", "page", "component", "component_update"]);
    expect(change.json.component).toMatchObject({ id: component.id, name: "Database", status: "degraded_performance", page_id: server.deps!.pageId, group_id: null });
    expect(change.json.component_update).toEqual({
      old_status: "major_outage", new_status: "degraded_performance", created_at: change.json.meta.generated_at, component_type: "Component",
      id: expect.stringMatching(/^[0-9a-z]{12}$/), component_id: component.id,
    });
    // Each delivery went out once.
    const ids = eventsFor("/events", "component.update").concat(eventsFor("/events", "incident.update")).map((r) => r.headers["x-herald-delivery"]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("herald webhooks add, list and reactivate", async () => {
    const challengesBefore = receiver.challenges.length;
    const added = await herald(["webhooks", "add", `${receiver.url}/cli`, "--email", "cli@example.com"]);
    expect(added.code, added.stderr).toBe(0);
    expect(receiver.challenges.length).toBe(challengesBefore + 1); // the endpoint was challenged
    const id = /^Registered webhook ([0-9a-z]{12}) → /.exec(added.stdout)![1]!;
    expect(added.stdout).toContain(`\n${await signingSecret(SECRET, id)}\n`);
    // --component takes names, as every other command does.
    await callServer(server.url, admin, "POST", "/api/v1/components", { name: "Checkout API" });
    const component = (await callServer(server.url, admin, "GET", "/api/v1/components")).find((c: { name: string }) => c.name === "Checkout API");
    const named = await herald(["webhooks", "add", `${receiver.url}/cli-named`, "--email", "cli@example.com", "--component", "checkout api"]);
    expect(named.code, named.stderr).toBe(0);
    const namedId = /^Registered webhook ([0-9a-z]{12}) → /.exec(named.stdout)![1]!;
    const stored = await server.deps!.db.client.execute({ sql: "SELECT component_ids FROM webhook_subscriptions WHERE id = ?", args: [namedId] });
    expect(JSON.parse(String(stored.rows[0]!.component_ids))).toEqual([component.id]);
    const unknownComponent = await herald(["webhooks", "add", `${receiver.url}/cli-unknown`, "--email", "cli@example.com", "--component", "No Such Thing"]);
    expect(unknownComponent).toMatchObject({ code: 1, stderr: 'herald: no component "No Such Thing" (see: herald component list)\n' });
    const refused = await herald(["webhooks", "add", "http://10.0.0.1/hook", "--email", "cli@example.com"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("endpoint");
    expect((await herald(["webhooks", "add", `${receiver.url}/cli`])).code).toBe(2); // no --email
    await server.deps!.db.write((tx) => quarantineWebhook(tx, id, new Date().toISOString(), 10, "HTTP 500"));
    const list = await herald(["webhooks", "list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+STATUS\s+FAILURES\/H\s+PENDING\s+DELIVERED\s+CONTACT\s+ENDPOINT\n/);
    expect(list.stdout).toMatch(new RegExp(`\\n${id}  quarantined\\s+0\\s+0\\s+0\\s+cli@example\\.com\\s+${receiver.url}/cli\\n`));
    const reactivated = await herald(["webhooks", "reactivate", id]);
    expect(reactivated).toEqual({ code: 0, stdout: `Webhook ${id} (${receiver.url}/cli) is active\n`, stderr: "" });
    const unknown = await herald(["webhooks", "reactivate", "zzzzzzzzzzzz"]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: 'herald: No webhook subscription with id "zzzzzzzzzzzz".\n' });
  }, 60_000);

  test("the subscriber unsubscribes with its secret (DELETE) or the meta.unsubscribe link; nothing more is sent", async () => {
    const first = await expectJson(await register({ endpoint: `${receiver.url}/bye-delete`, email: "ops@example.com" }), 201);
    const second = await expectJson(await register({ endpoint: `${receiver.url}/bye-link`, email: "ops@example.com" }), 201);
    const del = (id: string, token: string) => fetch(`${server.url}/subscriptions/webhooks/${id}`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
    await expectProblem(await del(first.id, second.secret), 404);
    await expectProblem(await del("zzzzzzzzzzzz", first.secret), 404);
    expect(await expectJson(await del(first.id, first.secret), 200)).toEqual({ id: first.id, endpoint: `${receiver.url}/bye-delete`, status: "unsubscribed" });

    const link = new URL(second.unsubscribe_url);
    const page = await fetch(`${server.url}${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Unsubscribe");
    expect((await fetch(`${server.url}${link.pathname}${link.search.slice(0, -2)}xx`, { method: "POST" })).status).toBe(400);
    expect((await fetch(`${server.url}${link.pathname}${link.search}`, { method: "POST" })).status).toBe(200);

    const component = await api("POST", "/api/v1/components", { name: "Queue" });
    await api("PATCH", `/api/v1/components/${component.id}`, { status: "partial_outage" });
    const rows = await server.deps!.db.client.execute({
      sql: "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE subscription_id IN (?, ?)",
      args: [first.id, second.id],
    });
    expect(Number(rows.rows[0]!.n)).toBe(0);
    const list = await api("GET", "/api/v1/webhooks");
    expect(list.filter((w: any) => w.id === first.id || w.id === second.id).map((w: any) => w.status)).toEqual(["unsubscribed", "unsubscribed"]);
  });
});

describe("the sender, one run at a time", () => {
  let h: TestHerald;
  let receiver: FakeWebhookReceiver;
  let fake: FakeResend;
  let subscriptionId: string;
  let secret: string;
  let componentId: string;

  beforeAll(async () => {
    h = await startTestHerald();
    h.deps.hooks = webhookHooks({ id: h.deps.pageId, url: PAGE });
    receiver = new FakeWebhookReceiver();
    await receiver.start();
    fake = new FakeResend();
    await fake.start();
    componentId = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "API" } }), 201)).id;
  });
  afterAll(async () => {
    await receiver.close();
    await fake.close();
    await h.close();
  });

  beforeEach(async () => {
    for (const table of ["webhook_attempts", "webhook_notices", "webhook_deliveries", "webhook_events", "webhook_subscriptions"]) {
      await h.db.client.execute(`DELETE FROM ${table}`);
    }
    receiver.received.length = 0;
    receiver.defaultReply = { status: 200 };
    const subscription = await h.db.write((tx) =>
      upsertWebhookSubscription(tx, { id: "sub000000001", endpoint: `${receiver.url}/hook`, email: "ops@example.com", componentIds: null, now: h.clock.now().toISOString() }),
    );
    subscriptionId = subscription.id;
    secret = await signingSecret(SECRET, subscriptionId);
  });

  const deps = (): WebhookSenderDeps => ({
    db: h.db, clock: h.clock, secret: SECRET, pageUrl: PAGE, timeoutMs: 300, retry: { baseBackoffMs: 0 }, log: () => {},
    notices: { mailer: new ResendMailer({ apiKey: "test", baseUrl: fake.url }), settings: { ...mailSettings, secret: SECRET }, template: loadWebhookQuarantineNotice() },
  });
  const run = () => deliverDueWebhooks(deps());
  const declare = async () =>
    expectJson(await h.call("POST", "/api/v1/incidents", { body: { name: "API slow", severity: "SEV2", body: "Investigating." } }), 201);
  const deliveries = async () =>
    (await h.db.client.execute("SELECT status, attempts, last_error FROM webhook_deliveries ORDER BY id")).rows.map((r) => ({ status: r.status, attempts: Number(r.attempts), last_error: r.last_error }));

  test("500, then 200: retried with the same delivery id and bytes, delivered once", async () => {
    await declare();
    receiver.reply({ status: 500 });
    expect(await run()).toMatchObject({ attempted: 1, delivered: 0, retrying: 1 });
    expect(await run()).toMatchObject({ attempted: 1, delivered: 1, retrying: 0 });
    expect(await run()).toMatchObject({ attempted: 0 });
    expect(receiver.received.map((r) => r.reply.status)).toEqual([500, 200]);
    const [first, second] = receiver.received;
    expect(second!.headers["x-herald-delivery"]).toBe(first!.headers["x-herald-delivery"]);
    // Standard Webhooks: the same message id on a retry, so receivers can drop duplicates.
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(second!.body).toBe(first!.body);
    await expectSigned(second!, secret);
    expect(await deliveries()).toEqual([{ status: "delivered", attempts: 2, last_error: null }]);
  });

  test("a redirect is a failure and is not followed", async () => {
    await declare();
    receiver.reply({ status: 302, headers: { Location: `${receiver.url}/elsewhere` } });
    expect(await run()).toMatchObject({ attempted: 1, delivered: 0, retrying: 1 });
    expect(receiver.received.map((r) => r.path)).toEqual(["/hook"]);
    expect((await deliveries())[0]).toMatchObject({ status: "pending", attempts: 1, last_error: "HTTP 302 (redirects are not followed)" });
    expect(await run()).toMatchObject({ delivered: 1 });
  });

  test("a reply slower than the timeout is a failure", async () => {
    await declare();
    receiver.reply({ status: 200, delayMs: 3_000 });
    expect(await run()).toMatchObject({ attempted: 1, delivered: 0, retrying: 1 });
    expect((await deliveries())[0]).toMatchObject({ status: "pending", attempts: 1, last_error: "no answer within 300 ms" });
    expect(await run()).toMatchObject({ attempted: 1, delivered: 1 });
    expect(receiver.received).toHaveLength(2);
  });

  test("an update sent without notifications enqueues nothing; a component filter is honoured", async () => {
    await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name: "Quiet", severity: "SEV4", body: "x", deliver_notifications: false } }), 201);
    expect(await deliveries()).toEqual([]);
    await h.db.client.execute({ sql: "UPDATE webhook_subscriptions SET component_ids = ? WHERE id = ?", args: [JSON.stringify(["other0000000"]), subscriptionId] });
    await declare();
    await expectJson(await h.call("PATCH", `/api/v1/components/${componentId}`, { body: { status: "partial_outage" } }), 200);
    expect(await deliveries()).toEqual([]);
    await h.db.client.execute({ sql: "UPDATE webhook_subscriptions SET component_ids = ? WHERE id = ?", args: [JSON.stringify([componentId]), subscriptionId] });
    await expectJson(await h.call("PATCH", `/api/v1/components/${componentId}`, { body: { status: "operational" } }), 200);
    expect(await deliveries()).toHaveLength(1);
  });

  test("10 failures within an hour quarantine the subscription and mail its contact once; an admin reactivates it", async () => {
    h.clock.set("2026-03-01T10:00:00.000Z");
    await h.db.client.execute({ sql: "UPDATE webhook_subscriptions SET active_since = ? WHERE id = ?", args: [h.clock.now().toISOString(), subscriptionId] });
    receiver.defaultReply = { status: 503 };
    await declare();
    // Nine failures, then an hour passes: they no longer count.
    for (let i = 0; i < 9; i++) expect(await run()).toMatchObject({ attempted: 1, retrying: 1, quarantined: 0 });
    h.clock.advance(61 * 60_000);
    for (let i = 0; i < 9; i++) expect(await run()).toMatchObject({ attempted: 1, quarantined: 0 });
    const tenth = await run();
    expect(tenth).toMatchObject({ attempted: 1, quarantined: 1, noticesSent: 1 });
    // No more requests, no second mail.
    await declare();
    expect(await run()).toMatchObject({ attempted: 0, quarantined: 0, noticesSent: 0 });
    expect(receiver.received).toHaveLength(19);
    const mails = fake.deliveries.filter((d) => d.email.to.includes("ops@example.com"));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.email.subject).toBe("Example: webhook deliveries to your endpoint are paused");
    expect(mails[0]!.email.text).toContain(`${receiver.url}/hook`);
    expect(mails[0]!.email.text).toContain("Last error: HTTP 503");
    expect(mails[0]!.email.text).toMatch(/Remove the subscription: https:\/\/status\.example\.com\/subscriptions\/webhooks\/unsubscribe\?token=sub000000001\./);
    expect((await deliveries()).map((d) => d.status)).toEqual(["cancelled"]);

    const listed = (await expectJson(await h.call("GET", "/api/v1/webhooks"), 200))[0];
    expect(listed).toMatchObject({ id: subscriptionId, status: "quarantined", failures_last_hour: 10, pending_deliveries: 0, last_error: "HTTP 503", quarantined_at: h.clock.now().toISOString() });
    await expectProblem(await h.call("POST", `/api/v1/webhooks/${subscriptionId}/reactivate`, { token: h.tokens.comms }), 403);
    await expectProblem(await h.call("POST", "/api/v1/webhooks/zzzzzzzzzzzz/reactivate"), 404);
    h.clock.advance(60_000);
    const reactivated = await expectJson(await h.call("POST", `/api/v1/webhooks/${subscriptionId}/reactivate`), 200);
    expect(reactivated).toMatchObject({ status: "active", failures_last_hour: 0, quarantined_at: null });

    // Deliveries resume with the next event; the old failures do not count against it.
    receiver.defaultReply = { status: 200 };
    await declare();
    expect(await run()).toMatchObject({ attempted: 1, delivered: 1 });
  });
});
