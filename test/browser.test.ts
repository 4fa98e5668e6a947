/**
 * The status page in a real browser: Debian's Chromium (installed by bin/ensure-chromium.sh, the
 * `pretest` script) driven by playwright-core against a real Herald server on 127.0.0.1.
 *
 * Every page load is watched: console errors, page errors, failed or 4xx/5xx requests and any
 * request that leaves the test server's origin fail the test. axe-core checks light and dark
 * schemes. Screenshots of `/` go to test-output/ for a person to look at.
 */
import { callServer } from "./harness.ts";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import type { AxeResults, Result as AxeViolation } from "axe-core";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readConfig } from "../api/config.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { buildMessage } from "../api/mail/message.ts";

type Json = Record<string, any>;

const CHROMIUM = "/usr/bin/chromium";
const INSTALL_HINT =
  `${CHROMIUM} is missing: the browser tests need Debian's chromium. Run \`bash bin/ensure-chromium.sh\` as root ` +
  "(npm test runs it first, as `pretest`), or: apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core";
const LAUNCH_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
const OUTPUT = fileURLToPath(new URL("../test-output/", import.meta.url));
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };
const HOUR = 3_600_000;

const INCIDENT = "API Gateway Down";
const FIRST_BODY = "We are investigating elevated error rates on the public API.";
const SECOND_BODY = "The database connection pool is exhausted; we are failing over to the replica.";
const RESOLVED = "Delayed email notifications";
const MAINTENANCE = "CDN provider migration";

let dir: string;
let server: RunningServer;
let token: string;
let browser: Browser | undefined;
let origin: string;
let openId: string;
let resolvedId: string;
let bannerText: string;
/** Shifts the server's clock, so that one incident can be resolved on a previous day. */
let clockOffsetMs = 0;
let apiId: string;
const contexts = new Set<BrowserContext>();

const api = (method: string, path: string, body?: unknown): Promise<Json> => callServer(server.url, token, method, path, body);

beforeAll(async () => {
  // Never skip: a missing browser is a failure that says how to install it.
  if (!existsSync(CHROMIUM)) throw new Error(INSTALL_HINT);

  dir = mkdtempSync(join(tmpdir(), "herald-browser-"));
  const config = readConfig({
    PORT: "0",
    DATABASE_URL: `file:${join(dir, "herald.db")}`,
    PUBLIC_DIR: join(dir, "public"),
    PAGE_NAME: "Example Status",
    PAGE_TIME_ZONE: "America/New_York",
  });
  const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
  const launched = chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 20_000 });
  server = await startServer(config, { hostname: "127.0.0.1", log: () => {}, clock });
  await server.ready;
  origin = new URL(server.url).origin;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);

  // Components: one group that will be degraded (open), one that stays operational (collapsed), one alone.
  apiId = (await api("POST", "/api/v1/components", { name: "API", group: "Core", description: "Public REST API" })).id;
  await api("POST", "/api/v1/components", { name: "Database", group: "Core" });
  const cdnId = (await api("POST", "/api/v1/components", { name: "CDN", group: "Edge network" })).id;
  await api("POST", "/api/v1/components", { name: "DNS", group: "Edge network" });
  await api("POST", "/api/v1/components", { name: "Dashboard", description: "The customer dashboard" });

  // A resolved incident, 26 hours ago: on a previous calendar day in any zone, DST days included.
  clockOffsetMs = -26 * HOUR;
  resolvedId = (await api("POST", "/api/v1/incidents", { name: RESOLVED, severity: "SEV3", body: "Email notifications are delayed by up to 20 minutes." })).id;
  clockOffsetMs = -25 * HOUR;
  await api("POST", `/api/v1/incidents/${resolvedId}/updates`, {
    status: "resolved", body: "The mail queue has drained; notifications are on time.",
    // The seed's customer notice under the resolution.
    impact: "- Notifications were late by up to 20 minutes\n- No notification was lost",
    root_cause: "A slow mail provider region",
    prevention: "- Fail over to a second region automatically",
  });
  clockOffsetMs = 0;
  // Its postmortem, written as the practice asks, so the incident page shows one.
  await api("PUT", `/api/v1/incidents/${resolvedId}/postmortem`, {
    body: [
      "## Summary",
      "Notification mails were delayed by up to 20 minutes for an hour.",
      "## Root Cause",
      "A deploy halved the mail workers' concurrency.",
      "## Lessons Learned",
      "### What went well",
      "- The delay was noticed within five minutes.",
      "### What could be improved",
      "- The deploy's canary did not watch queue depth.",
    ].join("\n\n"),
    action_items: [
      { description: "Alert on mail queue depth", owner: "@alice", due_date: "2026-12-20" },
      { description: "Canary watches queue depth", done: true },
    ],
  });
  await api("POST", `/api/v1/incidents/${resolvedId}/postmortem/publish`, {});

  // The open SEV1 with two updates, the API in major outage for the last two hours (a coloured
  // day on its uptime bar: today, and yesterday too when midnight fell within them).
  clockOffsetMs = -2 * HOUR;
  openId = (await api("POST", "/api/v1/incidents", { name: INCIDENT, severity: "SEV1", body: FIRST_BODY, components: { [apiId]: "major_outage" } })).id;
  clockOffsetMs = -1 * HOUR;
  await api("POST", `/api/v1/incidents/${openId}/updates`, { status: "identified", body: SECOND_BODY });
  clockOffsetMs = 0;

  // An upcoming maintenance.
  const start = new Date(Date.now() + 24 * HOUR);
  await api("POST", "/api/v1/maintenances", {
    name: MAINTENANCE,
    body: "We are moving static assets to a new CDN provider. No downtime is expected.",
    scheduled_for: start.toISOString(),
    scheduled_until: new Date(start.getTime() + 2 * HOUR).toISOString(),
    component_ids: [cdnId],
  });
  await server.publisher!.idle();
  bannerText = ((await (await fetch(`${server.url}/api/v2/status.json`)).json()) as Json).status.description;
  expect(bannerText).toMatch(/Outage/);

  browser = await launched;
  mkdirSync(OUTPUT, { recursive: true });
}, 40_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What went wrong while a page was loaded and used. */
interface Watch {
  page: Page;
  problems: string[];
}

/**
 * A fresh context (closed by `done`) whose pages may only talk to the test server: any other
 * request is aborted and recorded as a problem, as are console errors, page errors, failed
 * requests and error responses.
 */
async function open(options: BrowserContextOptions = {}): Promise<Watch & { context: BrowserContext; done: () => Promise<void> }> {
  if (!browser) throw new Error(INSTALL_HINT);
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: "light", ...options });
  contexts.add(context);
  const problems: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    problems.push(`third-party request blocked: ${route.request().method()} ${url}`);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const url = new URL(request.url());
    // A tab icon still loading when the test moves on is cancelled by the browser: not a failure of the page.
    if (/^\/favicon-\w+\.svg$/.test(url.pathname) && request.failure()?.errorText === "net::ERR_ABORTED") return;
    if (url.origin === origin) problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return {
    context,
    page,
    problems,
    done: async () => {
      contexts.delete(context);
      await context.close();
    },
  };
}

async function visit(watch: Watch, path: string): Promise<void> {
  const response = await watch.page.goto(`${origin}${path}`, { waitUntil: "load" });
  expect(response?.status(), path).toBe(200);
}

function expectNoProblems(watch: Watch, where: string): void {
  expect(watch.problems, `${where}: console errors, page errors, failed or third-party requests`).toEqual([]);
}

function describeViolations(violations: AxeViolation[]): string {
  if (violations.length === 0) return "none";
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `      ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ") ?? ""}`).join("\n");
      return `  [${v.impact ?? "no impact"}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join("\n");
}

/** Every axe violation found, by scheme and path, whatever its impact (printed at the end). */
const axeFindings: string[] = [];

/**
 * Runs axe-core in the page. The page's CSP (default-src 'none', no script-src) forbids inline
 * script, so `addScriptTag` would be refused: the source is evaluated through the DevTools
 * protocol instead (`page.evaluate`), which CSP does not govern. The context keeps its CSP.
 */
async function expectAxeClean(page: Page, where: string): Promise<void> {
  await page.evaluate(axe.source);
  const results = (await page.evaluate(() => (window as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }).axe.run(document, { resultTypes: ["violations"] }))) as AxeResults;
  const all = results.violations;
  if (all.length > 0) axeFindings.push(`${where}:\n${describeViolations(all)}`);
  const severe = all.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(severe, `axe-core on ${where}; every violation (any impact):\n${describeViolations(all)}`).toEqual([]);
}

afterAll(() => {
  if (axeFindings.length > 0) console.log(`axe-core violations below serious (not failing):\n${axeFindings.join("\n")}`);
});

describe.each(["light", "dark"] as const)("in the %s colour scheme", (scheme) => {
  test("/ shows the banner, the open incident with both updates and the components; no errors; axe clean", async () => {
    const w = await open({ colorScheme: scheme });
    await visit(w, "/");
    const { page } = w;
    expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(scheme === "dark");

    const banner = page.locator("section.banner");
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.innerText()).toContain(bannerText);

    const active = page.locator("section[aria-labelledby=open]");
    const card = active.locator("article", { hasText: INCIDENT });
    expect(await card.count()).toBe(1);
    expect(await card.isVisible()).toBe(true);
    const cardText = await card.innerText();
    expect(cardText).toContain(INCIDENT);
    expect(cardText).toContain(FIRST_BODY);
    expect(cardText).toContain(SECOND_BODY);
    expect(cardText).toMatch(/Identified[\s\S]*Investigating/); // newest first
    expect(await card.locator("ol.updates > li").evaluateAll((items) => items.every((li) => (li as HTMLElement).offsetHeight > 0))).toBe(true);

    const components = await page.locator("section[aria-labelledby=cmp]").innerText();
    expect(components).toContain("Major Outage");
    expect(components).toContain("Operational");
    for (const name of ["Core", "API", "Database", "Edge network", "Dashboard"]) expect(components).toContain(name);

    expect(await page.locator("section[aria-labelledby=maint]").innerText()).toContain(MAINTENANCE);
    expect(await page.locator("section[aria-labelledby=past]").innerText()).toContain(RESOLVED);

    await expectAxeClean(page, `/ (${scheme})`);
    await page.screenshot({ path: join(OUTPUT, `home-desktop-${scheme}.png`), fullPage: true });
    expectNoProblems(w, `/ (${scheme})`);
    await w.done();
  });

  test("/incidents/<id> shows every update; no errors; axe clean", async () => {
    const w = await open({ colorScheme: scheme });
    await visit(w, `/incidents/${openId}`);
    const main = await w.page.locator("main").innerText();
    expect(await w.page.locator("h1").innerText()).toBe(INCIDENT);
    expect(main).toContain(FIRST_BODY);
    expect(main).toContain(SECOND_BODY);
    expect(main).toContain("SEV1");
    expect(main).toMatch(/E[SD]T/); // the page's zone, America/New_York
    await expectAxeClean(w.page, `/incidents/<open> (${scheme})`);
    expectNoProblems(w, `/incidents/<open> (${scheme})`);

    await visit(w, `/incidents/${resolvedId}`);
    expect(await w.page.locator("h1").innerText()).toBe(RESOLVED);
    expect(await w.page.locator("main").innerText()).toContain("The mail queue has drained; notifications are on time.");
    expect(await w.page.locator("dl.notice dt").allInnerTexts()).toEqual(["Summary", "Impact", "Root cause", "Prevention"]);
    await expectAxeClean(w.page, `/incidents/<resolved> (${scheme})`);
    expectNoProblems(w, `/incidents/<resolved> (${scheme})`);

    // A component's own page, reached from the incident that affected it.
    await visit(w, `/incidents/${openId}`);
    await w.page.locator("p.note a", { hasText: "API" }).first().click();
    await w.page.waitForURL(`**/components/${apiId}`);
    expect(await w.page.locator("h1").innerText()).toBe("API");
    expect(await w.page.locator("main").innerText()).toContain(INCIDENT);
    await expectAxeClean(w.page, `/components/<id> (${scheme})`);
    expectNoProblems(w, `/components/<id> (${scheme})`);
    await w.done();
  });

  test("/history lists the incidents; no errors; axe clean", async () => {
    const w = await open({ colorScheme: scheme });
    await visit(w, "/history");
    expect(await w.page.locator("h1").innerText()).toBe("Incident History");
    expect(await w.page.locator("main").innerText()).toContain(INCIDENT);
    await expectAxeClean(w.page, `/history (${scheme})`);
    expectNoProblems(w, `/history (${scheme})`);
    await w.done();
  });
});

describe("without JavaScript", () => {
  test("the incident is shown, and a collapsed group opens by its <summary>", async () => {
    const w = await open({ javaScriptEnabled: false });
    await visit(w, "/");
    const { page } = w;
    const card = page.locator("section[aria-labelledby=open] article", { hasText: INCIDENT });
    const text = await card.innerText();
    expect(text).toContain(FIRST_BODY);
    expect(text).toContain(SECOND_BODY);
    expect(await page.locator("section.banner").innerText()).toContain(bannerText);

    // The degraded group is open; the operational one is collapsed until its summary is clicked.
    const core = page.locator(".cmps details", { has: page.locator("summary", { hasText: "Core" }) });
    expect(await core.getAttribute("open")).not.toBeNull();
    expect(await core.locator(".kids").getByText("API", { exact: true }).isVisible()).toBe(true);

    const edge = page.locator(".cmps details", { has: page.locator("summary", { hasText: "Edge network" }) });
    const dns = edge.locator(".kids").getByText("DNS", { exact: true });
    expect(await edge.getAttribute("open")).toBeNull();
    expect(await dns.isVisible()).toBe(false);
    await edge.locator("summary").click();
    await dns.waitFor({ state: "visible", timeout: 2000 });
    expect(await edge.getAttribute("open")).not.toBeNull();

    await visit(w, `/incidents/${openId}`);
    const main = await page.locator("main").innerText();
    expect(main).toContain(FIRST_BODY);
    expect(main).toContain(SECOND_BODY);
    expectNoProblems(w, "without JavaScript");
    await w.done();
  });
});

describe("on a phone (360×740)", () => {
  test("no page scrolls sideways", async () => {
    const w = await open({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    for (const path of ["/", `/incidents/${openId}`, "/history", `/components/${apiId}`]) {
      await visit(w, path);
      const width = await w.page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} is ${width}px wide at 360px`).toBeLessThanOrEqual(PHONE.width);
      if (path === "/") await w.page.screenshot({ path: join(OUTPUT, "home-phone-light.png"), fullPage: true });
    }
    expectNoProblems(w, "phone");
    await w.done();
  });
});

describe("uptime bars", () => {
  const apiBar = (page: Page) => page.locator(".kids > li", { has: page.locator(".nm", { hasText: /^API$/ }) }).locator(".up");

  test("a coloured day's detail opens from the keyboard, as a list below the bar, which stays", async () => {
    const w = await open();
    await visit(w, "/");
    const up = apiBar(w.page);
    const bar = up.locator("svg.bar");
    // Where it is on the page (not in the viewport: focusing may scroll).
    const place = () => bar.evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; });
    const before = await place();
    expect(before.height).toBeGreaterThan(20);
    // The outage is drawn in the bar itself, in red.
    expect(await up.locator("svg path.t-major").count()).toBeGreaterThan(0);
    const summary = up.locator(".days summary");
    expect(await summary.innerText()).toMatch(/^\d+ days? not fully operational$/);
    await summary.focus();
    await w.page.keyboard.press("Enter");
    const item = up.locator(".cells li.t-major span").last();
    await item.waitFor({ state: "visible", timeout: 2000 });
    // The date, the worst status first, and the incident that caused it.
    expect(await item.innerText()).toMatch(/^[A-Z][a-z]{2} \d{1,2}: Major outage \(.*\. API Gateway Down$/);
    // Opening it never hides the bar: same place, same size, and the list is below it.
    const after = await place();
    expect(after).toEqual(before);
    expect(await bar.isVisible()).toBe(true);
    const itemTop = await item.evaluate((el) => el.getBoundingClientRect().y + scrollY);
    expect(itemTop).toBeGreaterThan(after.y + after.height);
    await expectAxeClean(w.page, "/ with a day list open");
    expectNoProblems(w, "uptime bars");
    await w.done();
  });

  test("a phone shows the last 30 days, with their own words", async () => {
    const w = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await visit(w, "/");
    const up = apiBar(w.page);
    const box = (await up.boundingBox())!;
    const bar = (await up.locator("svg.bar").boundingBox())!;
    // Three times as wide, its right third (the last 30 of 90 days) in view.
    expect(bar.width).toBeCloseTo(box.width * 3, 0);
    expect(bar.x + bar.width).toBeCloseTo(box.x + box.width, 0);
    expect(await up.getByText("30 days ago").isVisible()).toBe(true);
    expect(await up.getByText("90 days ago").isVisible()).toBe(false);
    expectNoProblems(w, "uptime bars on a phone");
    await w.done();
  });
});

describe("screenshots for people", () => {
  // Every page a customer sees, light and dark, 1280 and 390 px wide, into test-output/.
  test("every page, both schemes, desktop and phone", async () => {
    const pages: [string, string, number][] = [
      ["home", "/", 200],
      ["incident-open", `/incidents/${openId}`, 200],
      ["incident-resolved", `/incidents/${resolvedId}`, 200],
      ["history", "/history", 200],
      ["component", `/components/${apiId}`, 200],
      ["not-found", "/no/such/page", 404],
    ];
    for (const scheme of ["light", "dark"] as const) {
      for (const [device, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
        const w = await open({ viewport, colorScheme: scheme, ...(device === "phone" ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
        for (const [name, path, status] of pages) {
          const response = await w.page.goto(`${origin}${path}`, { waitUntil: "load" });
          expect(response?.status(), path).toBe(status);
          await w.page.screenshot({ path: join(OUTPUT, `${name}-${device}-${scheme}.png`), fullPage: true });
        }
        // The 404 itself is expected; nothing else may go wrong.
        expect(w.problems.filter((p) => !p.includes("/no/such/page"))).toEqual([]);
        await w.done();
      }
    }
  }, 60_000);
});

describe("the mail, as a mail client shows it", () => {
  test("an update mail and a maintenance mail, light and dark, 600 and 390 px: nothing wider than the screen", async () => {
    const settings = { pageName: "Example Status", pageUrl: origin, timeZone: "America/New_York", from: "Example Status <status@example.com>", secret: "s".repeat(32) };
    const base = { subscriberId: "abcdefghij12", email: "ada@example.com", updateCreatedAt: new Date().toISOString(), incidentId: openId } as const;
    const mails = {
      "mail-update": buildMessage(settings, { ...base, updateStatus: "identified", updateBody: SECOND_BODY, incidentKind: "incident", incidentName: INCIDENT, details: { severity: "SEV1", impact: "critical", window: null, components: [{ name: "API", status: "major_outage" }, { name: "Database", status: "operational" }] } }),
      "mail-maintenance": buildMessage(settings, { ...base, updateStatus: "scheduled", updateBody: "We are moving static assets to a new CDN provider. No downtime is expected.", incidentKind: "maintenance", incidentName: MAINTENANCE, details: { severity: null, impact: "maintenance", window: { start: new Date(Date.now() + 24 * HOUR).toISOString(), end: new Date(Date.now() + 26 * HOUR).toISOString() }, components: [{ name: "CDN", status: "operational" }] } }),
    };
    for (const scheme of ["light", "dark"] as const) {
      for (const [device, viewport] of [["desktop", { width: 600, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
        const w = await open({ viewport, colorScheme: scheme });
        for (const [name, mail] of Object.entries(mails)) {
          await w.page.setContent(mail.html, { waitUntil: "load" });
          const width = await w.page.evaluate(() => document.documentElement.scrollWidth);
          expect(width, `${name} at ${viewport.width}px`).toBeLessThanOrEqual(viewport.width);
          await w.page.screenshot({ path: join(OUTPUT, `${name}-${device}-${scheme}.png`), fullPage: true });
        }
        await w.done();
      }
    }
  });
});

describe("the request guard", () => {
  // The page's CSP would stop a fetch() before the guard sees it; a navigation is not governed by it.
  test("a request to another origin is aborted before it leaves the browser, and reported", async () => {
    const w = await open();
    await expect(w.page.goto("http://third-party.invalid/x")).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    expect(w.problems).toContain("third-party request blocked: GET http://third-party.invalid/x");
    await w.done();
  });
});
