/**
 * The page, feeds, badges, calendar, mails and subscription pages in every shipped locale: each
 * says everything in the locale's words (no phrase of en.json left outside what people wrote),
 * marks its language and direction, and the busy home page keeps its 14 KB in every locale.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Parser from "rss-parser";
import ICAL from "ical.js";
import { buildFixture, routeFor } from "../site/fixtures/snapshot.ts";
import { loadSiteRenderer, type SiteRenderer } from "../site/render.ts";
import type { RouteData, SiteSnapshot } from "../site/lib/snapshot.ts";
import { historyRss } from "../site/lib/feed.ts";
import { historyAtom } from "../site/lib/atom.ts";
import { badgeFiles } from "../site/lib/badges.ts";
import { maintenanceCalendar } from "../site/lib/calendar.ts";
import { componentRss } from "../site/lib/component-page.ts";
import { buildMessage, type MailSettings, type MessageInput } from "../api/mail/message.ts";
import { buildConfirmationMessage } from "../api/mail/confirmation.ts";
import { loadWebhookQuarantineNotice } from "../api/mail/template.ts";
import { buildQuarantineNotice } from "../api/webhooks/notice.ts";
import { unsubscribeToken } from "../api/mail/token.ts";
import { subscriptionRoutes } from "../api/subscriptions/index.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import type { Database } from "../db/database.ts";
import { SHIPPED_LOCALES } from "../locales/catalogues.ts";
import { directionOf, translator } from "../domain/locale.ts";
import { chatMessageOf, confirmationMessage as chatConfirmationMessage } from "../api/webhooks/chat.ts";
import { chatConfirmToken } from "../api/webhooks/signature.ts";
import { insertChatConfirmation } from "../db/queries/webhooks.ts";
import { catalogue, englishIn, englishPhrases, neutralSnapshot, readable } from "./locale-surfaces.ts";
import { addSubscriber } from "./mail-helpers.ts";

const LOCALES = SHIPPED_LOCALES.filter((l) => l !== "en");
let site: SiteRenderer;

beforeAll(async () => {
  site = await loadSiteRenderer();
});

test("the check can fail: English pages are full of the phrases", async () => {
  const fixture = buildFixture();
  const html = await site.render("/", routeFor(fixture, "/"));
  const found = englishIn(readable(html), englishPhrases("de"));
  expect(found).toContain("Past Incidents");
  expect(found).toContain("Get updates by email");
  expect(found.length).toBeGreaterThan(15);
});

describe.each(LOCALES)("%s", (locale) => {
  const phrases = englishPhrases(locale);
  const dir = directionOf(locale);
  let snapshot: SiteSnapshot;
  const routes: [string, RouteData][] = [];

  beforeAll(() => {
    const fixture = buildFixture();
    const neutral = neutralSnapshot(fixture.snapshot, locale, fixture.resolved.id);
    snapshot = neutral.snapshot;
    const component = snapshot.components.find((c) => !c.isGroup && c.showcase)!;
    const group = snapshot.components.find((c) => c.isGroup)!;
    const maintenance = fixture.all.find((i) => i.kind === "maintenance" && i.scheduledFor)!;
    routes.push(
      ["/", { route: "home", snapshot }],
      [`/incidents/${fixture.open!.id}`, { route: "incident", snapshot, incident: neutral.incident(fixture.open!) }],
      [`/incidents/${fixture.resolved.id}`, { route: "incident", snapshot, incident: neutral.incident(fixture.resolved) }],
      [`/incidents/${maintenance.id}`, { route: "incident", snapshot, incident: neutral.incident(maintenance) }],
      ["/history", { route: "history", snapshot, month: { month: fixture.months[0]!, incidents: fixture.history(fixture.months[0]!).incidents.map(neutral.incident) }, months: fixture.months }],
      [`/components/${component.id}`, { route: "component", snapshot, component, incidents: fixture.all.filter((i) => i.componentIds.includes(component.id)).map(neutral.incident) }],
      [`/components/${group.id}`, { route: "component", snapshot, component: group, incidents: [] }],
      ["/embed", { route: "embed", snapshot }],
      ["/not-found", { route: "notfound", snapshot }],
    );
  });

  test("every page is in its words, with <html lang dir>", async () => {
    for (const [path, locals] of routes) {
      const html = await site.render(path.startsWith("/components/") ? "/components/x" : path.startsWith("/incidents/") ? "/incidents/x" : path, locals);
      expect(html, path).toContain(`<html lang="${locale}" dir="${dir}">`);
      expect(englishIn(readable(html), phrases), `${locale} ${path}`).toEqual([]);
    }
    // The resolved incident shows its notice and postmortem headings, in the locale's words.
    const resolved = await site.render("/incidents/x", routes[2]![1]);
    const t = catalogue(locale);
    expect(resolved).toContain(`<dt>${t["notice.summary_heading"]}</dt>`);
    expect(resolved).toContain(`>${t["incident.postmortem"]}</h2>`);
  });

  test("the feeds, badges and calendar are in its words", async () => {
    const parser = new Parser({ customFields: { feed: ["language"] } });
    /** A feed as a reader gets it: decoded titles and descriptions (HTML made readable). */
    const feedText = async (xml: string) => {
      const feed = await parser.parseString(xml);
      return [feed.title, feed.description, ...feed.items.flatMap((i) => [i.title, readable(i.content ?? "")])].join("\n");
    };
    const rss = historyRss(snapshot);
    expect((await parser.parseString(rss)).language).toBe(locale);
    const atom = historyAtom(snapshot);
    expect(atom).toContain(`xml:lang="${locale}"`);
    const component = snapshot.components.find((c) => !c.isGroup)!;
    const badges = badgeFiles(snapshot).filter((f) => f.path.endsWith(".json")).map((f) => JSON.parse(String(f.body)) as { label: string; message: string });
    const calendar = maintenanceCalendar(snapshot);
    const vcalendar = new ICAL.Component(ICAL.parse(calendar));
    const events = vcalendar.getAllSubcomponents("vevent");
    expect(events.length).toBeGreaterThan(0);
    for (const [what, text] of [
      ["rss", await feedText(rss)],
      ["atom", await feedText(atom)],
      ["component rss", await feedText(componentRss(snapshot, component, snapshot.feedIncidents))],
      ["badges", badges.map((b) => `${b.label} ${b.message}`).join("\n")],
      ["calendar", [vcalendar.getFirstPropertyValue("x-wr-calname"), ...events.map((e) => `${e.getFirstPropertyValue("summary")} ${e.getFirstPropertyValue("description")}`)].join("\n")],
    ] as const) {
      expect(englishIn(text, phrases), `${locale} ${what}`).toEqual([]);
    }
  });

  test("every mail to a subscriber is in its words, with <html lang dir>", async () => {
    const settings: MailSettings = {
      pageName: "Ξ",
      pageUrl: "https://status.example.com",
      timeZone: "Europe/Berlin",
      from: "Ξ <status@example.com>",
      secret: "locale-test-secret-0123456789abcdef",
      supportEmail: "help@example.com",
      locale,
      messages: catalogue(locale),
    };
    const base: MessageInput = {
      subscriberId: "abcdefghij12",
      email: "ada@example.com",
      updateStatus: "resolved",
      updateBody: "ω",
      updateCreatedAt: "2026-11-27T15:00:00.000Z",
      incidentId: "kctbh9vrtdwd",
      incidentKind: "incident",
      incidentName: "Ω",
    };
    const resolved = buildMessage(settings, {
      ...base,
      details: {
        severity: "SEV2",
        impact: "major",
        components: [{ name: "Ψ", status: "operational" }],
        window: null,
        notice: {
          summary: { startedAt: "2026-11-27T14:05:00.000Z", resolvedAt: "2026-11-27T15:00:00.000Z", components: [{ name: "Ψ", worst: "major_outage" }] },
          sections: { impact: "ι", root_cause: "ρ", resolution: "σ", prevention: "φ" },
        },
      },
    });
    const maintenance = buildMessage(settings, {
      ...base,
      updateStatus: "scheduled",
      incidentKind: "maintenance",
      details: { severity: null, impact: "maintenance", components: [{ name: "Ψ", status: "under_maintenance" }], window: { start: "2026-12-01T02:00:00.000Z", end: "2026-12-01T04:00:00.000Z" } },
    });
    const cancelled = buildMessage(settings, { ...base, updateStatus: "completed", incidentKind: "maintenance", details: { severity: null, impact: "maintenance", components: [], window: null, cancelled: true } });
    const postmortem = buildMessage(settings, { ...base, kind: "postmortem", updateBody: "π", incidentStartedAt: "2026-11-27T14:05:00.000Z" });
    const confirmation = buildConfirmationMessage(settings, { subscriberId: "abcdefghij12", email: "ada@example.com", nonce: "AAAAAAAAAAAAAAAAAAAAAA", expiresAt: "2026-11-29T15:00:00.000Z" });
    const quarantine = await buildQuarantineNotice(settings, loadWebhookQuarantineNotice(locale), { id: 1, subscriptionId: "abcdefghij12", endpoint: "https://hooks.example.com/x", email: "ada@example.com", quarantinedAt: "2026-11-27T15:00:00.000Z", failures: 10, lastError: "HTTP 500", attempts: 0 }, 30_000);
    const t = catalogue(locale);
    expect(resolved.subject.startsWith(`[${String(t["status.resolved"]).toLocaleUpperCase(locale)}] Ω - `)).toBe(true);
    for (const [what, m] of [["resolved", resolved], ["maintenance", maintenance], ["cancelled", cancelled], ["postmortem", postmortem], ["confirmation", confirmation], ["quarantine", quarantine]] as const) {
      expect(m.html, what).toContain(`<html lang="${locale}" dir="${dir}">`);
      for (const [part, text] of [["subject", m.subject], ["text", m.text], ["html", readable(m.html)]] as const) {
        expect(englishIn(text, phrases), `${locale} ${what} ${part}`).toEqual([]);
      }
    }
    // The resolved notice: the summary sentence and every section, in the template's order.
    expect(resolved.text.indexOf("ι")).toBeLessThan(resolved.text.indexOf("ρ"));
    expect(resolved.text).toContain("help@example.com");
  });

  test("messages to a chat channel are in its words", () => {
    const w = { locale, timeZone: "UTC", dir, t: translator(locale, catalogue(locale)) };
    const incident = chatMessageOf(
      { meta: {}, page: {}, incident: { name: "Ω", status: "identified", impact: "major", shortlink: "https://status.example.com/incidents/x", components: [{ name: "Ψ" }], incident_updates: [{ status: "identified", body: "ω", display_at: "2026-11-27T15:00:00Z" }] } } as never,
      "Ξ", "https://status.example.com", w,
    );
    const maintenance = chatMessageOf(
      { meta: {}, page: {}, incident: { name: "Ω", status: "in_progress", impact: "maintenance", scheduled_for: "2026-11-27T15:00:00Z", shortlink: "https://status.example.com/incidents/y", components: [{ name: "Ψ" }], incident_updates: [{ status: "in_progress", body: "ω" }] } } as never,
      "Ξ", "https://status.example.com", w,
    );
    const component = chatMessageOf({ meta: {}, page: {}, component: { name: "Ψ" }, component_update: { old_status: "operational", new_status: "major_outage", created_at: "2026-11-27T15:00:00Z" } } as never, "Ξ", "https://status.example.com", w);
    const confirm = chatConfirmationMessage("Ξ", "https://status.example.com/subscriptions/webhooks/confirm?token=x", 7, w);
    for (const m of [incident, maintenance, component, confirm]) {
      const text = [m.title, m.text, ...m.facts.flatMap((f) => [f.name, f.value]), m.link.label].join("\n");
      expect(englishIn(text, phrases), `${locale} chat: ${m.title}`).toEqual([]);
    }
  });

  describe("the subscription pages", () => {
    let dirPath: string;
    let db: Database;
    let app: Hono;
    const settings = (): MailSettings => ({
      pageName: "Ξ",
      pageUrl: "https://status.example.com",
      timeZone: "UTC",
      from: "Ξ <status@example.com>",
      secret: "locale-test-secret-0123456789abcdef",
      locale,
      messages: catalogue(locale),
    });

    beforeAll(async () => {
      dirPath = mkdtempSync(join(tmpdir(), "herald-locale-"));
      ({ db } = await openNodeDatabase(`file:${join(dirPath, "herald.db")}`));
      app = new Hono();
      app.route("/subscriptions", subscriptionRoutes({ db, clock: { now: () => new Date() }, settings: settings(), log: () => {}, clientIp: () => "192.0.2.1", webhooks: { allowLoopback: false, timeoutMs: 1000 } }));
    });
    afterAll(() => {
      db?.close();
      if (dirPath) rmSync(dirPath, { recursive: true, force: true });
    });

    test("say everything in its words, with <html lang dir>", async () => {
      const form = (path: string, fields: Record<string, string>) =>
        app.request(path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
      const active = await addSubscriber(db, "ada@example.com");
      const pending = await addSubscriber(db, "bob@example.com", "pending");
      const token = unsubscribeToken(settings().secret, active);
      const chat = "chatconfirm1";
      const now = new Date();
      await db.write((tx) => insertChatConfirmation(tx, { id: chat, endpoint: "https://hooks.slack.com/services/T0/B0/x", email: "ops@example.com", format: "slack", componentIds: null, now: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString() }));
      const answers: [string, Response][] = [
        ["subscribe", await form("/subscriptions", { email: "new@example.com" })],
        ["bad address", await form("/subscriptions", { email: "not an address" })],
        ["invalid confirmation", await app.request("/subscriptions/confirm?token=nope")],
        ["manage", await app.request(`/subscriptions/manage?token=${encodeURIComponent(token)}`)],
        ["manage pending", await app.request(`/subscriptions/manage?token=${encodeURIComponent(unsubscribeToken(settings().secret, pending))}`)],
        ["save", await form(`/subscriptions/manage?token=${encodeURIComponent(token)}`, {})],
        ["unknown component", await form(`/subscriptions/manage?token=${encodeURIComponent(token)}`, { component_ids: "nope" })],
        ["unsubscribe", await app.request(`/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`)],
        ["unsubscribed", await form(`/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`, {})],
        ["already unsubscribed", await app.request(`/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`)],
        ["forged link", await app.request("/subscriptions/manage?token=forged")],
        ["chat confirmation", await app.request(`/subscriptions/webhooks/confirm?token=${encodeURIComponent(await chatConfirmToken(settings().secret, chat))}`)],
        ["chat confirmed", await form(`/subscriptions/webhooks/confirm?token=${encodeURIComponent(await chatConfirmToken(settings().secret, chat))}`, {})],
        ["chat already confirmed", await app.request(`/subscriptions/webhooks/confirm?token=${encodeURIComponent(await chatConfirmToken(settings().secret, chat))}`)],
        ["chat link not valid", await app.request("/subscriptions/webhooks/confirm?token=nope")],
      ];
      for (const [what, response] of answers) {
        const html = await response.text();
        expect(html, what).toContain(`<html lang="${locale}" dir="${dir}">`);
        expect(englishIn(readable(html), phrases), `${locale} ${what}`).toEqual([]);
      }
    });
  });

  test("the busy home page stays under 14 KB gzipped (HTML + CSS) with a year of history", async () => {
    const busy = buildFixture({ busy: true });
    const snapshot = { ...busy.snapshot, page: { ...busy.snapshot.page, locale, messages: catalogue(locale) } };
    const html = await site.render("/", { route: "home", snapshot });
    const css = /<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)">/.exec(html)![1]!;
    const bytes = gzipSync(html, { level: 9 }).length + gzipSync(readFileSync(join(site.assetsDir, css)), { level: 9 }).length;
    console.log(`busy home page (${locale}): ${bytes} B gzipped`);
    expect(bytes).toBeLessThan(14 * 1024);
  });
});

test("a real server with PAGE_LOCALE=fr publishes in French from its publishing thread, and changing the locale republishes every page", async () => {
  const { readConfig } = await import("../api/config.ts");
  const { startServer } = await import("../api/server.ts");
  const { createKey } = await import("../api/service/keys.ts");
  const { callServer } = await import("./harness.ts");
  const dir = mkdtempSync(join(tmpdir(), "herald-locale-server-"));
  const start = async (locale: string) => {
    const config = readConfig({ PORT: "0", DATABASE_URL: `file:${join(dir, "herald.db")}`, PUBLIC_DIR: join(dir, "public"), PAGE_NAME: "Exemple", PAGE_LOCALE: locale, PAGE_TIME_ZONE: "Europe/Paris" });
    const server = await startServer(config, { hostname: "127.0.0.1", log: () => {} });
    await server.ready;
    return server;
  };
  try {
    const fr = catalogue("fr");
    let server = await start("fr");
    const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
    const incident = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Panne de l’API", severity: "SEV2", body: "Nous enquêtons." });
    await server.publisher!.idle();
    const home = await (await fetch(`${server.url}/`)).text();
    expect(home).toContain('<html lang="fr" dir="ltr">');
    expect(home).toContain(`<h2 id="open">${fr["home.active"]}</h2>`);
    expect(englishIn(readable(home), englishPhrases("fr"))).toEqual([]);
    const feed = await (await fetch(`${server.url}/history.rss`)).text();
    expect(feed).toContain("<language><![CDATA[fr]]></language>");
    // The API keeps its English data.
    expect(incident.status).toBe("investigating");
    await server.close();

    server = await start("de");
    await server.publisher!.idle();
    const page = await (await fetch(`${server.url}/incidents/${incident.id}`)).text();
    expect(page).toContain('<html lang="de" dir="ltr">');
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
