/**
 * Email subscriptions end to end: a real server (startServer) sending through the real Resend
 * SDK to a fake Resend. Subscribe → confirmation mail → confirm (GET shows a button, POST
 * confirms) → an update → exactly one notification → RFC 8058 one-click unsubscribe → nothing more.
 */
import { callServer, waitFor } from "./harness.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseHtml } from "./html.ts";
import { readConfig } from "../api/config.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { unsubscribeToken } from "../api/mail/token.ts";
import { confirmationToken } from "../api/mail/confirmation.ts";
import { FakeResend, type Delivery } from "./fake-resend.ts";
import { addSubscriber } from "./mail-helpers.ts";

type Json = Record<string, any>;
const SECRET = "subscriptions-test-secret-0123456789";
const PAGE = "https://status.example.com";

let fake: FakeResend;
let dir: string;
let server: RunningServer;
let admin: string;
let comms: string;
let apiComponent: string;
let dashboardComponent: string;
let incidentId: string;

async function start(sub: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = readConfig({
    PORT: "0",
    DATABASE_URL: `file:${join(dir, sub, "herald.db")}`,
    PUBLIC_DIR: join(dir, sub, "public"),
    PAGE_URL: PAGE,
    PAGE_NAME: "Example",
  });
  const s = await startServer(config, {
    hostname: "127.0.0.1",
    log: () => {},
    env: { RESEND_API_KEY: "test", RESEND_BASE_URL: fake.url, HERALD_SECRET: SECRET, MAIL_RATE_LIMIT: "50", ...env },
  });
  await s.ready;
  // The pages link the published stylesheet: wait for the first publish, or answers made before
  // and after it differ (the "identical answers" test compares them byte for byte).
  await s.publisher?.idle();
  return s;
}

async function newKey(s: RunningServer, role: "admin" | "comms"): Promise<string> {
  return s.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, role, role)).token);
}

const api = (method: string, path: string, body?: unknown, token = admin): Promise<Json> => callServer(server.url, token, method, path, body);

function subscribeForm(email: string, componentIds: string[] = [], s = server): Promise<Response> {
  const body = new URLSearchParams({ email });
  for (const id of componentIds) body.append("component_ids", id);
  return fetch(`${s.url}/subscriptions`, { method: "POST", body });
}

function subscribeJson(body: unknown, s = server): Promise<Response> {
  return fetch(`${s.url}/subscriptions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

const mailsTo = (address: string): Delivery[] => fake.deliveries.filter((d) => d.email.to.includes(address));
const confirmationsTo = (address: string) => mailsTo(address).filter((d) => d.email.subject.startsWith("Confirm your subscription"));
const notificationsTo = (address: string) => mailsTo(address).filter((d) => !d.email.subject.startsWith("Confirm your subscription"));

/** The local path of the newest confirmation link mailed to `address`. */
async function confirmationPath(address: string, count = 1): Promise<string> {
  const mails = await waitFor(`confirmation mail #${count} to ${address}`, () => (confirmationsTo(address).length >= count ? confirmationsTo(address) : false));
  const text = mails[mails.length - 1]!.email.text!;
  const m = /https:\/\/status\.example\.com(\/subscriptions\/confirm\?token=[A-Za-z0-9_.%-]+)/.exec(text);
  expect(m, text).not.toBeNull();
  return m![1]!;
}

async function state(address: string, s = server): Promise<string | null> {
  const r = await s.deps!.db.client.execute({ sql: "SELECT state FROM subscribers WHERE email = ?", args: [address] });
  return r.rows[0] ? String(r.rows[0].state) : null;
}

async function subscriberId(address: string): Promise<string> {
  const r = await server.deps!.db.client.execute({ sql: "SELECT id FROM subscribers WHERE email = ?", args: [address] });
  return String(r.rows[0]!.id);
}

const tokenOf = (path: string) => decodeURIComponent(new URL(path, "http://x").searchParams.get("token")!);

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", body: new URLSearchParams(fields), headers });
}

/** Posts an update and waits until the sender has delivered it to `witness` (an active subscriber for everything). */
async function postUpdateSeenBy(witness: string, status: string, body: string, components?: Record<string, string>): Promise<void> {
  const before = notificationsTo(witness).length;
  await api("POST", `/api/v1/incidents/${incidentId}/updates`, { status, body, ...(components ? { components } : {}) }, comms);
  await waitFor(`the ${status} update at ${witness}`, () => notificationsTo(witness).length > before);
}

function expectSafePage(res: Response, html: string): void {
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(html).toMatch(/^<!doctype html>\s*<html lang="en" dir="ltr">/);
  expect(html).toMatch(/<h1>/);
  expect(html).not.toMatch(/<script|\sstyle=|<style|\son[a-z]+=/i);
}

beforeAll(async () => {
  fake = new FakeResend();
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), "herald-subscriptions-"));
  server = await start("main", { SUBSCRIBE_LIMIT_PER_IP: "1000" });
  admin = await newKey(server, "admin");
  comms = await newKey(server, "comms");
  apiComponent = (await api("POST", "/api/v1/components", { name: "API" })).id;
  dashboardComponent = (await api("POST", "/api/v1/components", { name: "Dashboard" })).id;
  // Declared before anyone subscribes: its first update goes to nobody.
  incidentId = (await api("POST", "/api/v1/incidents", { name: "API Gateway Down", severity: "SEV1", body: "Investigating.", components: { [apiComponent]: "major_outage" } })).id;
  // A witness subscribed to everything: when it has a mail, the sender has handled that update.
  await addSubscriber(server.deps!.db, "witness@example.com", "active");
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the whole path", () => {
  test("subscribe → confirm → one notification → one-click unsubscribe → nothing more", async () => {
    const address = "Ada.Lovelace@Example.COM";
    const normalized = "Ada.Lovelace@example.com";
    const res = await subscribeForm(`  ${address} `);
    const html = await res.text();
    expect(res.status).toBe(200);
    expectSafePage(res, html);
    expect(html).toContain("Check your inbox");
    expect(html).toContain('href="/"');
    expect(await state(normalized)).toBe("pending");

    // The confirmation mail arrives, and only that.
    const path = await confirmationPath(normalized);
    expect(mailsTo(normalized)).toHaveLength(1);
    expect(confirmationsTo(normalized)[0]!.email.html).toContain("/subscriptions/confirm?token=");

    // GET (a mail scanner's prefetch) shows a button and changes nothing.
    const get = await fetch(`${server.url}${path}`);
    const getHtml = await get.text();
    expect(get.status).toBe(200);
    expectSafePage(get, getHtml);
    expect(getHtml).toContain('<form method="post" action="/subscriptions/confirm">');
    expect(getHtml).toContain("Confirm subscription</button>");
    expect(await state(normalized)).toBe("pending");

    // POST confirms; a second click says it already is.
    const confirm = await postForm("/subscriptions/confirm", { token: tokenOf(path) });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("Subscription confirmed");
    expect(await state(normalized)).toBe("active");
    const again = await postForm("/subscriptions/confirm", { token: tokenOf(path) });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("Already confirmed");

    // An update through the API: exactly one notification, with the template's tag and both headers.
    await postUpdateSeenBy("witness@example.com", "identified", "Database connection pool exhausted.");
    await waitFor("the notification", () => notificationsTo(normalized).length === 1);
    const mail = notificationsTo(normalized)[0]!.email;
    expect(mail.subject).toMatch(/^\[IDENTIFIED\] API Gateway Down - \w{3} \d{1,2}, \d{4}$/);
    const id = await subscriberId(normalized);
    expect(mail.headers!["List-Unsubscribe"]).toBe(`<${PAGE}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(SECRET, id))}>`);
    expect(mail.headers!["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");

    // One-click, the way a mail provider does it: POST to the header's URL, no Origin, no cookies.
    const url = mail.headers!["List-Unsubscribe"]!.slice(1, -1).replace(PAGE, server.url);
    const one = await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click", redirect: "manual" });
    expect(one.status).toBe(200);
    expect(await one.text()).toContain("You are unsubscribed");
    expect(await state(normalized)).toBe("unsubscribed");

    // Another update: the witness gets it, the unsubscribed address does not.
    await postUpdateSeenBy("witness@example.com", "monitoring", "Failover done.");
    await outboxDrained();
    expect(notificationsTo(normalized)).toHaveLength(1);
    expect(mailsTo(normalized)).toHaveLength(2);
  });
});

describe("no enumeration", () => {
  test("new, pending and active addresses get identical answers (form and JSON)", async () => {
    await addSubscriber(server.deps!.db, "active@example.com", "active");
    const forms: string[] = [];
    const statuses: number[] = [];
    for (const email of ["new@example.com", "new@example.com", "active@example.com"]) {
      const res = await subscribeForm(email);
      statuses.push(res.status);
      forms.push(`${res.headers.get("content-type")}|${await res.text()}`);
    }
    expect(statuses).toEqual([200, 200, 200]);
    expect(new Set(forms).size).toBe(1);
    const json: string[] = [];
    for (const email of ["json-new@example.com", "json-new@example.com", "active@example.com"]) {
      const res = await subscribeJson({ email });
      expect(res.status).toBe(202);
      json.push(`${res.headers.get("content-type")}|${await res.text()}`);
    }
    expect(new Set(json).size).toBe(1);
    // The active address was sent nothing; the pending one one link (the repeat came within minutes).
    await confirmationPath("new@example.com");
    await confirmationPath("json-new@example.com");
    await outboxDrained();
    expect(confirmationsTo("new@example.com")).toHaveLength(1);
    expect(confirmationsTo("json-new@example.com")).toHaveLength(1);
    expect(mailsTo("active@example.com")).toHaveLength(0);
    // Once the first mail is older than the resend window, asking again mails a new link (the first may be lost).
    await server.deps!.db.client.execute({
      sql: "UPDATE subscription_confirmations SET created_at = ? WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = ?)",
      args: [new Date(Date.now() - 11 * 60_000).toISOString(), "json-new@example.com"],
    });
    expect((await subscribeJson({ email: "json-new@example.com" })).status).toBe(202);
    await confirmationPath("json-new@example.com", 2);
    expect(await state("active@example.com")).toBe("active");
  });
});

describe("refused input", () => {
  test.each([
    ["CRLF header injection", "eve@example.com\r\nBcc: victim@example.org"],
    ["LF only", "eve@example.com\nSubject: hi"],
    ["a 300-character address", `${"a".repeat(60)}@${"b".repeat(235)}.com`],
    ["no domain", "eve@"],
    ["no @", "eve.example.com"],
    ["an undotted domain", "eve@localhost"],
    ["two addresses", "a@example.com, b@example.com"],
  ])("%s is refused: 422 problem for JSON, 400 page for the form, nothing stored or sent", async (_name, email) => {
    const before = await server.deps!.db.client.execute("SELECT (SELECT COUNT(*) FROM subscribers) || '/' || (SELECT COUNT(*) FROM subscription_confirmations) AS n");
    const json = await subscribeJson({ email });
    expect(json.status).toBe(422);
    expect(json.headers.get("content-type")).toContain("application/problem+json");
    expect(((await json.json()) as Json).errors[0].field).toBe("email");
    const form = await subscribeForm(email);
    expect(form.status).toBe(400);
    const html = await form.text();
    expectSafePage(form, html);
    expect(html).not.toContain("Bcc");
    const after = await server.deps!.db.client.execute("SELECT (SELECT COUNT(*) FROM subscribers) || '/' || (SELECT COUNT(*) FROM subscription_confirmations) AS n");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  test("a non-string email, bad JSON and unknown component ids are refused", async () => {
    expect((await subscribeJson({ email: 42 })).status).toBe(422);
    expect((await subscribeJson([1])).status).toBe(400);
    const bad = await fetch(`${server.url}/subscriptions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    expect(bad.status).toBe(400);
    const unknown = await subscribeJson({ email: "zed@example.com", component_ids: [apiComponent, "zzzzzzzzzzzz"] });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as Json).errors[0].field).toBe("component_ids");
    expect((await subscribeForm("zed@example.com", ["<script>"])).status).toBe(422);
    expect(await state("zed@example.com")).toBeNull();
  });
});

describe("rate limits", () => {
  test("per address: the 4th request within the hour is a 429 with Retry-After", async () => {
    for (let i = 0; i < 3; i++) expect((await subscribeJson({ email: "flood@example.com" })).status).toBe(202);
    const res = await subscribeJson({ email: "flood@example.com" });
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const form = await subscribeForm("flood@example.com");
    expect(form.status).toBe(429);
    expect(form.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(Number(form.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await form.text()).toContain("Too many requests");
  });

  test("per client IP (default 5 per 10 minutes): the 6th is a 429", async () => {
    const second = await start("limits");
    try {
      for (let i = 0; i < 5; i++) expect((await subscribeForm(`ip${i}@example.com`, [], second)).status).toBe(200);
      const res = await subscribeForm("ip5@example.com", [], second);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(500);
      expect(await state("ip5@example.com", second)).toBeNull();
      const json = await subscribeJson({ email: "ip6@example.com" }, second);
      expect(json.status).toBe(429);
      expect(((await json.json()) as Json).status).toBe(429);
    } finally {
      await second.close();
    }
  });
});

describe("tokens", () => {
  test("forged confirmation tokens: 400 page, nothing changes", async () => {
    await subscribeForm("forge@example.com");
    const path = await confirmationPath("forge@example.com");
    const real = tokenOf(path);
    const [nonce] = real.split(".");
    const forged = [
      "garbage",
      `${nonce}.${"A".repeat(43)}`,
      confirmationToken("another-secret", nonce!),
      `${real}x`,
      "",
    ];
    for (const token of forged) {
      const get = await fetch(`${server.url}/subscriptions/confirm?token=${encodeURIComponent(token)}`);
      expect(get.status, token).toBe(400);
      const post = await postForm("/subscriptions/confirm", { token });
      expect(post.status, token).toBe(400);
      expectSafePage(post, await post.text());
    }
    expect(await state("forge@example.com")).toBe("pending");
  });

  test("expired confirmation tokens: 410 page, nothing changes", async () => {
    await subscribeForm("late@example.com");
    const path = await confirmationPath("late@example.com");
    await server.deps!.db.write((tx) =>
      tx.execute({ sql: "UPDATE subscription_confirmations SET expires_at = ? WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = ?)", args: [new Date(Date.now() - 1000).toISOString(), "late@example.com"] }),
    );
    const get = await fetch(`${server.url}${path}`);
    expect(get.status).toBe(410);
    expect(await get.text()).not.toContain("<button");
    const post = await postForm("/subscriptions/confirm", { token: tokenOf(path) });
    expect(post.status).toBe(410);
    expect(await post.text()).toContain("expired");
    expect(await state("late@example.com")).toBe("pending");
  });

  test("GET unsubscribe shows a button and never unsubscribes; forged unsubscribe tokens change nothing", async () => {
    const id = await addSubscriber(server.deps!.db, "stay@example.com", "active");
    const token = unsubscribeToken(SECRET, id);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`);
      const html = await res.text();
      expect(res.status).toBe(200);
      expectSafePage(res, html);
      expect(html).toContain(`<form method="post" action="/subscriptions/unsubscribe?token=${encodeURIComponent(token)}">`);
      expect(html).toContain("Unsubscribe</button>");
    }
    expect(await state("stay@example.com")).toBe("active");
    const forged = [unsubscribeToken("another-secret", id), `${id}.AAAA`, "garbage", `${id}`];
    for (const t of forged) {
      const res = await fetch(`${server.url}/subscriptions/unsubscribe?token=${encodeURIComponent(t)}`, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      expect(res.status, t).toBe(400);
      expect((await fetch(`${server.url}/subscriptions/unsubscribe?token=${encodeURIComponent(t)}`)).status).toBe(400);
    }
    expect((await fetch(`${server.url}/subscriptions/unsubscribe`, { method: "POST" })).status).toBe(400);
    expect(await state("stay@example.com")).toBe("active");
    // The page's own form (an empty POST to the same URL) unsubscribes.
    const page = await fetch(`${server.url}/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "" });
    expect(page.status).toBe(200);
    expect(await state("stay@example.com")).toBe("unsubscribed");
  });
});

describe("who gets what", () => {
  test("pending addresses never get notifications; a component filter is respected; manage saves the choice", async () => {
    // pending: subscribed, never confirmed.
    await subscribeForm("waiting@example.com");
    await confirmationPath("waiting@example.com");
    // dash: subscribes (form) to Dashboard only, confirms.
    await subscribeForm("dash@example.com", [dashboardComponent]);
    const path = await confirmationPath("dash@example.com");
    expect((await postForm("/subscriptions/confirm", { token: tokenOf(path) })).status).toBe(200);
    expect(await state("dash@example.com")).toBe("active");
    // api: active, then chooses API only on the manage page.
    const apiId = await addSubscriber(server.deps!.db, "api-only@example.com", "active");
    const token = unsubscribeToken(SECRET, apiId);
    const manage = await fetch(`${server.url}/subscriptions/manage?token=${encodeURIComponent(token)}`);
    const manageHtml = await manage.text();
    expectSafePage(manage, manageHtml);
    expect(manageHtml).toContain(`<input type="checkbox" id="c-${apiComponent}" name="component_ids" value="${apiComponent}">`);
    expect(manageHtml).toContain(`<label for="c-${apiComponent}">API</label>`);
    const body = new URLSearchParams({ component_ids: apiComponent });
    const saved = await fetch(`${server.url}/subscriptions/manage?token=${encodeURIComponent(token)}`, { method: "POST", body });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain(`value="${apiComponent}" checked`);
    expect((await fetch(`${server.url}/subscriptions/manage?token=garbage`)).status).toBe(400);

    // An update about the API component only.
    await postUpdateSeenBy("witness@example.com", "identified", "Still on it.", { [apiComponent]: "partial_outage" });
    await waitFor("api-only's mail", () => notificationsTo("api-only@example.com").length === 1);
    // The mail shows the component the update changed, with the status it set, in words and in its text part too.
    const mail = notificationsTo("api-only@example.com")[0]!.email;
    expect(parseHtml(mail.html!).text).toContain("Affected components API Partial Outage");
    expect(mail.text).toContain("- API: Partial Outage");
    await outboxDrained();
    expect(notificationsTo("waiting@example.com")).toHaveLength(0);
    expect(notificationsTo("dash@example.com")).toHaveLength(0);
    const counts = await server.deps!.db.client.execute(
      "SELECT s.email FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE s.email IN ('waiting@example.com','dash@example.com') AND o.kind <> 'confirmation'",
    );
    expect(counts.rows).toHaveLength(0);
  });
});

/** Every mail the server queued has been sent (or given up on): nothing more can arrive. */
async function outboxDrained(s = server): Promise<void> {
  await waitFor("the outbox to drain", async () => {
    const r = await s.deps!.db.client.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
    return Number(r.rows[0]!.n) === 0;
  });
}

describe("a settled subscription gets no more confirmation mail", () => {
  test("a double click mails one confirmation; after confirm and one-click unsubscribe nothing else arrives", async () => {
    const s = await start("double-click", { SUBSCRIBE_LIMIT_PER_IP: "100" });
    const before = fake.deliveries.length;
    try {
      const address = "double-click@example.com";
      expect((await subscribeJson({ email: address }, s)).status).toBe(202);
      expect((await subscribeJson({ email: address }, s)).status).toBe(202); // the double click: same answer
      const mails = await waitFor("the confirmation", () => (confirmationsTo(address).length > 0 ? confirmationsTo(address) : false));
      const path = /https:\/\/status\.example\.com(\/subscriptions\/confirm\?token=[A-Za-z0-9_.%-]+)/.exec(mails[0]!.email.text!)![1]!;
      const confirmed = await fetch(`${s.url}/subscriptions/confirm`, { method: "POST", body: new URLSearchParams({ token: tokenOf(path) }) });
      expect(confirmed.status).toBe(200);
      const id = String((await s.deps!.db.client.execute({ sql: "SELECT id FROM subscribers WHERE email = ?", args: [address] })).rows[0]!.id);
      const one = await fetch(`${s.url}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(SECRET, id))}`, {
        method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click",
      });
      expect(one.status).toBe(200);
      expect(await state(address, s)).toBe("unsubscribed");
      await outboxDrained(s);
      expect(confirmationsTo(address)).toHaveLength(1);
      expect(fake.deliveries.length - before).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe("delivery of the confirmation mail", () => {
  test("a provider 500 is retried and the confirmation arrives exactly once; JSON stores the component choice", async () => {
    fake.fail({ kind: "500" });
    const res = await subscribeJson({ email: "retry@example.com", component_ids: [dashboardComponent, dashboardComponent] });
    expect(res.status).toBe(202);
    await confirmationPath("retry@example.com");
    await outboxDrained();
    expect(confirmationsTo("retry@example.com")).toHaveLength(1);
    expect(fake.requests.some((r) => r.answer === 500)).toBe(true);
    const row = await server.deps!.db.client.execute({ sql: "SELECT component_ids FROM subscribers WHERE email = ?", args: ["retry@example.com"] });
    expect(JSON.parse(String(row.rows[0]!.component_ids))).toEqual([dashboardComponent]);
  });
});

describe("admin", () => {
  test("GET /api/v1/mail: counts for admins, 403 for comms, 401 without a key", async () => {
    const counts = await api("GET", "/api/v1/mail");
    expect(counts).toMatchObject({ pending: expect.any(Number), sent: expect.any(Number), failed: expect.any(Number) });
    expect(counts.sent).toBeGreaterThan(0);
    expect(counts.confirmations.sent).toBeGreaterThan(0);
    const forbidden = await fetch(`${server.url}/api/v1/mail`, { headers: { Authorization: `Bearer ${comms}` } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("content-type")).toContain("application/problem+json");
    expect((await fetch(`${server.url}/api/v1/mail`)).status).toBe(401);
  });

  test("the status page has the subscribe form", async () => {
    await server.publisher!.idle();
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toContain('<form method="post" action="/subscriptions">');
    expect(html).toMatch(/<label for="subscribe-email">/);
    expect(html).toContain(`value="${dashboardComponent}"`);
    // The subscription pages link the site's published stylesheet (allowed by style-src 'self').
    const css = /<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)">/.exec(html)![1]!;
    const pageHtml = await (await fetch(`${server.url}/subscriptions/unsubscribe?token=garbage`)).text();
    expect(pageHtml).toContain(`<link rel="stylesheet" href="${css}">`);
  });
});

describe("oversized requests", () => {
  test("a huge subscribe request is refused with 413 and stores nothing", async () => {
    const before = await server.deps!.db.client.execute("SELECT COUNT(*) AS n FROM subscribers");
    const huge = `email=${"a".repeat(100_000)}%40example.com`;
    const res = await fetch(`${server.url}/subscriptions`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: huge });
    expect(res.status).toBe(413);
    const json = await subscribeJson({ email: `${"b".repeat(100_000)}@example.com` });
    expect(json.status).toBe(413);
    const after = await server.deps!.db.client.execute("SELECT COUNT(*) AS n FROM subscribers");
    expect(Number(after.rows[0]!.n)).toBe(Number(before.rows[0]!.n));
  });
});

describe("refusing from the confirmation mail", () => {
  test("one click on the confirmation mail's List-Unsubscribe ends a pending subscription", async () => {
    const res = await subscribeJson({ email: "pending-refuser@example.com" });
    expect(res.status).toBe(202);
    const row = await server.deps!.db.client.execute({ sql: "SELECT id, state FROM subscribers WHERE email = ?", args: ["pending-refuser@example.com"] });
    expect(row.rows[0]!.state).toBe("pending");
    const url = `${server.url}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(SECRET, String(row.rows[0]!.id)))}`;
    const click = await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(click.status).toBe(200);
    const after = await server.deps!.db.client.execute({ sql: "SELECT state FROM subscribers WHERE email = ?", args: ["pending-refuser@example.com"] });
    expect(after.rows[0]!.state).toBe("unsubscribed");
  });
});
