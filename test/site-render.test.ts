/**
 * Renders the built status page (dist/site, built by test/global-setup.ts) from fixture snapshots
 * and checks what customers get: content, order, safety (no script, no inline style, no handlers,
 * hostile Markdown inert) and the home page's byte budget.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, test } from "vitest";
import { BUSY_INCIDENTS, HOSTILE_BODY, buildFixture, routeFor, type Fixture } from "../site/fixtures/snapshot.ts";
import { loadSiteRenderer, type SiteRenderer } from "../site/render.ts";
import { computeUptime, formatUptime } from "../domain/uptime.ts";

let site: SiteRenderer;
let fixture: Fixture;
const pages = new Map<string, string>();

async function page(pathname: string, f: Fixture = fixture): Promise<string> {
  if (f === fixture && pages.has(pathname)) return pages.get(pathname)!;
  const html = await site.render(pathname, routeFor(f, pathname));
  if (f === fixture) pages.set(pathname, html);
  return html;
}

/** Text between tags, entities left as they are. */
function text(html: string): string {
  return html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
}

function cssOf(html: string): { href: string; body: Buffer } {
  const href = /<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)">/.exec(html)?.[1];
  if (!href) throw new Error("no stylesheet link");
  return { href, body: readFileSync(join(site.assetsDir, href)) };
}

/** No executable or styling output anywhere: the CSP forbids it and the page needs none. */
function expectInert(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/<style/i);
  expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i); // an on…= attribute inside a tag
  expect(html).not.toMatch(/<(iframe|img|object|embed|base|meta http-equiv)/i);
  // The one form is the subscribe form (same origin, POST; the CSP's form-action 'self').
  for (const form of html.match(/<form\b[^>]*>/gi) ?? []) expect(form).toBe('<form method="post" action="/subscriptions">');
  expect(html).not.toMatch(/(href|src|action|xlink:href)\s*=\s*["']?\s*(javascript|vbscript):/i);
  // No data: URL at all; the tab's icon shows the page's status (one published SVG per indicator).
  expect(html.match(/=\s*["']?\s*data:/gi) ?? []).toEqual([]);
  expect(html).toMatch(/<link rel="icon" href="\/favicon-(none|minor|major|critical|maintenance)\.svg">/);
}

beforeAll(async () => {
  site = await loadSiteRenderer();
  fixture = buildFixture({ latestBody: HOSTILE_BODY });
});

describe("the renderer", () => {
  test("exposes the client assets and a build id", () => {
    expect(existsSync(join(site.assetsDir, "_astro"))).toBe(true);
    expect(site.buildId).toMatch(/^[0-9a-f]{16}$/);
  });

  test("an unknown route is a clear error", async () => {
    await expect(site.render("/nope", routeFor(fixture, "/"))).rejects.toThrow(/Rendering \/nope .*HTTP 404/);
  });

  test("locals for the wrong route are a clear error, with the page's reason", async () => {
    await expect(site.render("/", routeFor(fixture, "/history"))).rejects.toThrow(/Rendering \/ \(route "history"\) failed with HTTP 500: .*route "home"/);
  });

  test("paths must be absolute", async () => {
    await expect(site.render("history", routeFor(fixture, "/history"))).rejects.toThrow(/must start with "\/"/);
  });

  test("gives a page as UTF-8 bytes too (what the publisher stores), the same page and the same errors", async () => {
    const bytes = await site.renderBytes("/", routeFor(fixture, "/"));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toBe(await page("/"));
    await expect(site.renderBytes("/nope", routeFor(fixture, "/"))).rejects.toThrow(/Rendering \/nope .*HTTP 404/);
  });
});

describe("every page", () => {
  const paths = () => ["/", `/incidents/${fixture.open!.id}`, `/incidents/${fixture.resolved.id}`, "/history", `/history/${fixture.months[2]}`];

  test("is English, links the feed for autodiscovery and its stylesheet, and runs no code", async () => {
    for (const path of paths()) {
      const html = await page(path);
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      expect(html).toContain('<html lang="en" dir="ltr">');
      expect(html).toContain('<link rel="alternate" type="application/rss+xml" title="Acme Status - Incident History" href="https://status.example.com/history.rss">');
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(cssOf(html).body.length).toBeGreaterThan(1000);
      expect(html).toMatch(/<main id="main"/);
      expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">/);
      expectInert(html);
    }
  });

  test("has exactly one h1", async () => {
    for (const path of paths()) {
      expect((await page(path)).match(/<h1[\s>]/g)).toHaveLength(1);
    }
  });
});

describe("/", () => {
  test("the banner in words with an icon, and when it was last updated", async () => {
    const html = await page("/");
    expect(fixture.snapshot.status.description).toBe("Major System Outage");
    expect(html).toMatch(/<section class="banner t-major"[^>]*><h2 id="now"><span class="i" aria-hidden="true">✕<\/span> Major System Outage<\/h2>/);
    expect(text(html)).toContain("Last updated Nov 27, 10:20 EST");
  });

  test("the open incident with its updates newest first", async () => {
    const html = await page("/");
    expect(html).toContain(`<a href="/incidents/${fixture.open!.id}">API Gateway Down</a>`);
    // Severity said once (no "Critical impact" beside it), and the stage with its own icon.
    expect(text(html)).toContain("◑ Identified ✕ SEV1 · Critical");
    expect(text(html)).not.toContain("Critical impact");
    const newest = html.indexOf("We are investigating. &lt;script&gt;");
    const middle = html.indexOf("The database connection pool is exhausted.");
    const oldest = html.indexOf("<strong>elevated API errors</strong>");
    expect(newest).toBeGreaterThan(0);
    expect(newest).toBeLessThan(middle);
    expect(middle).toBeLessThan(oldest);
    expect(text(html)).toContain("Posted Nov 27, 2026 - 09:40 EST");
  });

  test("maintenance in progress and scheduled, with their windows", async () => {
    const t = text(await page("/"));
    expect(t).toContain("Scheduled maintenance");
    expect(t).toContain("Authentication provider upgrade");
    expect(t).toContain("In progress Nov 27, 10:10 – 11:10 EST");
    expect(t).toContain("Network upgrade in SA East");
    expect(t).toContain("Scheduled Nov 30, 10:30 – 13:30 EST");
  });

  test("groups with their derived status and children in order; hidden ones left out", async () => {
    const html = await page("/");
    expect(html).toContain('<details open><summary><span class="nm">Core Platform</span><span class="b t-major"><span class="i" aria-hidden="true">✕</span> Major Outage</span></summary>');
    expect(html).toContain('<details><summary><span class="nm">Web Apps</span><span class="b t-ok"><span class="i" aria-hidden="true">✓</span> Operational</span></summary>');
    expect(html).toContain('<summary><span class="nm">Regions</span><span class="b t-partial"><span class="i" aria-hidden="true">◆</span> Partial Outage</span></summary>');
    const t = text(html);
    expect(t).toContain("API ✕ Major Outage REST and GraphQL endpoints");
    expect(t).toContain("Authentication ◷ Under Maintenance");
    expect(t).toContain("EU West ◆ Partial Outage");
    const order = ["API", "Database", "Authentication", "Webhooks", "Dashboard", "Documentation", "Email Notifications", "US East", "EU West", "AP South", "SA East"]
      .map((name) => html.search(new RegExp(`<a class="nm" href="/components/\\w+">${name}</a>`)));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Only shown when degraded: not among the components (one may still subscribe to it).
    const listed = html.slice(html.indexOf('<h2 id="cmp">'), html.indexOf('<h2 id="past">'));
    expect(listed).not.toContain("Legacy Export");
  });

  test("uptime bars: 90 days each (30 on phones), the percentage in text, a text alternative, a legend in plain words", async () => {
    const html = await page("/");
    const uptime = computeUptime({
      components: fixture.snapshot.components,
      statusChanges: fixture.snapshot.statusChanges,
      generatedAt: fixture.snapshot.generatedAt,
      timeZone: fixture.snapshot.page.timeZone,
    });
    const api = fixture.components.find((c) => c.name === "API")!;
    const apiPercent = formatUptime(uptime.get(api.id)!.uptime);
    expect(apiPercent).toMatch(/^\d{2}\.\d\d %$/);
    expect(html).toContain(`<strong><span class="wide">${apiPercent} uptime</span><span class="phone">`);
    expect(html).toContain(`role="img" aria-label="API: ${apiPercent} uptime over the last 90 days, `);
    // 10 showcased leaves (Documentation is not; Legacy Export is hidden) and 3 groups.
    const bars = html.match(/<div class="up">[\s\S]*?<\/div>/g) ?? [];
    expect(bars).toHaveLength(13);
    for (const bar of bars) {
      // Every day drawn operational by one path, with what it means on hover…
      expect(bar).toContain('<path class="t-ok" d="M0 17h448"><title>No downtime</title></path>');
      // …and the days not fully operational as a list of one item a day (the others empty), toggled below the bar.
      const cells = /<ul class="cells">([\s\S]*?)<\/ul>[\s\S]*<details class="days"><summary><span class="wide">(\d+) days? not fully operational<\/span>/.exec(bar);
      if (!cells) {
        expect(bar).toMatch(/<p class="note">Operational on all \d+ days( with data)?<\/p>/);
        continue;
      }
      expect(cells[1]!.match(/<li[ >]/g)).toHaveLength(90);
      const notes = cells[1]!.match(/<li class="t-(minor|partial|major|maint)"><span>[A-Z][a-z]{2} \d{1,2}: [^<]+<\/span><\/li>/g) ?? [];
      expect(notes).toHaveLength(Number(cells[2]));
      expect(cells[1]!.replace(/<li class="t-\w+"><span>[^<]*<\/span><\/li>/g, "").replaceAll("<li></li>", "")).toBe("");
      // Each coloured day is drawn in the SVG too, so the bar tells the truth when the list is open.
      const coloured = [...bar.matchAll(/<path class="t-(?:minor|partial|major|maint)" d="((?:M\d+ 17h3)+)"><\/path>/g)].map((m) => m[1]!);
      expect(coloured.join("").match(/M\d+ 17h3/g) ?? []).toHaveLength(notes.length);
      // Never "100 %" beside a coloured day.
      if (notes.length > 0) expect(bar).not.toContain('<span class="wide">100 % uptime</span>');
      expect(bar).toContain('<span class="phone">30 days ago</span>');
    }
    // No developer text: the uptime formula is in the README, the legend says what a colour means.
    expect(text(html)).not.toContain("30 % down");
    expect(text(html)).toContain("Each day shows its worst status that lasted 5 minutes or more.");
    // A group's own bar says whose it is.
    expect(text(html)).toContain("Core Platform: all components");
    // A component added 40 days ago has days without data, not 100 %: one grey run, its dates on hover.
    expect(html).toMatch(/aria-label="AP South: [^"]*, 4\d days without data"/);
    expect(html).toMatch(/<path class="t-nodata" d="M0 17h2\d3"><title>Aug 30 – Oct \d\d: No data<\/title><\/path>/);
    // Per-day detail without hover: today's outage of the API, as the last day of its list.
    // On the home page a day says what happened and for how long (its percentage is on the component's page).
    expect(html).toMatch(/<li class="t-major"><span>Nov 27: Major outage \(50 min\)\. API Gateway Down<\/span><\/li><\/ul>/);
  });

  test("past incidents: 15 days in the page zone, newest first, quiet days collapsed, the open incident only above", async () => {
    const html = await page("/");
    const past = html.slice(html.indexOf('<h2 id="past">'));
    const days = [...past.matchAll(/<h3><time datetime="(\d{4}-\d\d-\d\d)">([^<]+)</g)].map((m) => [m[1], m[2]]);
    expect(days[0]![0]).toBe("2026-11-27");
    expect(days.length).toBeLessThan(15);
    expect(days.some(([, title]) => / – /.test(title!))).toBe(true); // a run of quiet days is one line
    expect(past).toContain("No incidents reported.");
    expect(past).not.toContain(`<a href="/incidents/${fixture.open!.id}">API Gateway Down</a>`);
    expect(past).toContain('<a href="/history">← Incident History</a>');
  });

  test("the subscribe form: labelled, its components grouped and in the page's order", async () => {
    const html = await page("/");
    const form = html.slice(html.indexOf('<form method="post" action="/subscriptions">'));
    expect(form).toContain('<label for="subscribe-email">Email address</label>');
    expect(form).toContain('<button type="submit">Subscribe</button>');
    // Core Platform's components under its name, in the same order as the component list above.
    expect(form).toMatch(/<li class="grp"><span class="nm">Core Platform<\/span><ul><li><label><input type="checkbox" name="component_ids" value="[^"]+"> API<\/label><\/li>/);
    const order = ["API", "Database", "Authentication", "Webhooks", "Dashboard", "Documentation", "Email Notifications", "US East", "EU West", "AP South", "SA East"].map((name) => form.indexOf(`> ${name}</label>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The header's call to action leads to it.
    expect(html).toContain('<a class="cta" href="/#subscribe">Subscribe to updates</a>');
  });

  test("an all-clear page", async () => {
    const quiet = buildFixture({ quiet: true, now: "2026-11-27T15:30:00Z" });
    const html = await page("/", quiet);
    expect(html).toMatch(/<section class="banner t-ok"[^>]*><h2 id="now"><span class="i" aria-hidden="true">✓<\/span> All Systems Operational<\/h2>/);
    expect(html).not.toContain("Active incidents");
    expect(html).not.toContain("Scheduled maintenance");
    expectInert(html);
  });

  test("stays under 14 KB gzipped (HTML + CSS) with a year of history and 12 components in 3 groups", async () => {
    const html = await page("/");
    expect(fixture.snapshot.components.filter((c) => c.isGroup)).toHaveLength(3);
    expect(fixture.months.length).toBeGreaterThanOrEqual(12);
    expect(homeBytes("home page", html)).toBeLessThan(14 * 1024);
  });
});

/** Gzipped bytes of a home page and its stylesheet, printed. */
function homeBytes(what: string, html: string): number {
  const css = cssOf(html).body;
  const htmlGz = gzipSync(html, { level: 9 }).length;
  const cssGz = gzipSync(css, { level: 9 }).length;
  console.log(`${what}: HTML ${html.length} B (${htmlGz} B gzipped) + CSS ${css.length} B (${cssGz} B gzipped) = ${htmlGz + cssGz} B gzipped`);
  return htmlGz + cssGz;
}

describe("/ on a busy page", () => {
  const DAY = 86_400_000;
  let busy: Fixture;
  let html: string;
  beforeAll(async () => {
    busy = buildFixture({ busy: true });
    html = await page("/", busy);
  });

  test("the fixture: about 3 incidents a day for a year, 2–4 updates each, 12 components in 3 groups with outages on about 20 of 90 days", () => {
    const now = Date.parse(busy.snapshot.generatedAt);
    const year = busy.all.filter((i) => i.kind === "incident" && now - Date.parse(i.createdAt) <= 365 * DAY);
    expect(year.length).toBeGreaterThanOrEqual(BUSY_INCIDENTS);
    const resolved = year.filter((i) => i.status === "resolved");
    expect(resolved.every((i) => i.updates.length >= 2 && i.updates.length <= 4)).toBe(true);
    expect(new Set(resolved.map((i) => i.updates.length)).size).toBe(3);
    // Every day of the last two weeks has incidents to list.
    expect(busy.snapshot.recentIncidents.length).toBeGreaterThanOrEqual(40);
    const leaves = busy.snapshot.components.filter((c) => !c.isGroup);
    expect(leaves).toHaveLength(12);
    expect(busy.snapshot.components.filter((c) => c.isGroup)).toHaveLength(3);
    expect(leaves.every((c) => c.showcase && !c.onlyShowIfDegraded)).toBe(true);
    const uptime = computeUptime({
      components: busy.snapshot.components,
      statusChanges: busy.snapshot.statusChanges,
      generatedAt: busy.snapshot.generatedAt,
      timeZone: busy.snapshot.page.timeZone,
    });
    const outageDays = leaves.map((c) => uptime.get(c.id)!.outageDays);
    const mean = outageDays.reduce((a, b) => a + b, 0) / outageDays.length;
    expect(mean).toBeGreaterThanOrEqual(15);
    expect(mean).toBeLessThanOrEqual(25);
  });

  test("shows all 15 bars (12 components and 3 groups), each day's detail once, and every past day's incidents", () => {
    expect(html.match(/<svg class="bar"/g)).toHaveLength(15);
    expect(html.match(/<ul class="cells">/g)).toHaveLength(15);
    const notes = html.match(/<li class="t-(minor|partial|major|maint)"><span>[A-Z][a-z]{2} \d{1,2}: /g) ?? [];
    const summaries = [...html.matchAll(/<summary><span class="wide">(\d+) days? not fully operational<\/span>/g)].map((m) => Number(m[1]));
    expect(notes.length).toBe(summaries.reduce((a, b) => a + b, 0));
    expect(notes.length).toBeGreaterThan(15 * 20);
    const past = html.slice(html.indexOf('<h2 id="past">'));
    expect(past).not.toContain("No incidents reported.");
    expectInert(html);
  });

  test("stays under 14 KB gzipped (HTML + CSS) with a busy year: 1,000 incidents, 15 uptime bars", () => {
    expect(homeBytes("busy home page", html)).toBeLessThan(14 * 1024);
  });
});

describe("/incidents/<id>", () => {
  test("a resolved incident: name, severity and impact, updates newest first, duration, affected components", async () => {
    const r = fixture.resolved;
    const html = await page(`/incidents/${r.id}`);
    const t = text(html);
    expect(html).toContain(`<h1>${r.name}</h1>`);
    expect(html).toContain(`<title>${r.name} - Acme</title>`);
    expect(t).toContain("Incident Report for Acme");
    expect(t).toMatch(/Resolved after (\d+ h )?\d+ min/);
    expect(t).toContain(`${r.severity} · `);
    const statuses = [...html.matchAll(/<li><strong>(\w+)<\/strong>/g)].map((m) => m[1]);
    expect(statuses).toEqual(["Resolved", "Monitoring", "Identified", "Investigating"]);
    expect(html).toMatch(/Posted <time datetime="[^"]+Z">[A-Z][a-z]{2} \d{1,2}, 2026 - \d\d:\d\d E[SD]T<\/time>/);
    const names = r.componentIds.map((id) => fixture.components.find((c) => c.id === id)!.name);
    // Each name links to the component's own page.
    expect(t.replace(/ ([,.])/g, "$1")).toContain(`This incident affected: ${names.join(", ")}.`);
    for (const id of r.componentIds) expect(html).toContain(`<a href="/components/${id}">`);
  });

  test("hostile Markdown is inert", async () => {
    const html = await page(`/incidents/${fixture.open!.id}`);
    expectInert(html);
    expect(html).toContain("We are investigating. &lt;script&gt;alert(1)&lt;/script&gt;");
    // The javascript: link lost its href and kept its words; the raw <a> the author typed is text.
    expect(html).toContain("details and &lt;img src=x onerror=alert(1)&gt;");
    expect(html.match(/javascript:/g)).toHaveLength(1);
    expect(html).toContain("&lt;a href=&quot;javascript:alert(2)&quot; onclick=&quot;alert(3)&quot;&gt;click&lt;/a&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;"); // shown as the text that was typed
    expect(html).not.toMatch(/<a [^>]*href="(?![/#]|https:\/\/status\.example\.com)/); // no link but the site's own
    expect(text(html).replace(/ ([,.])/g, "$1")).toContain("This incident affected: API, EU West.");
    expect(text(html)).toContain("Started Nov 27, 2026 - 09:40 EST");
    expect(text(html)).not.toContain("Resolved after");
  });

  test("a maintenance shows its window", async () => {
    const m = fixture.all.find((i) => i.kind === "maintenance" && i.status === "completed")!;
    const t = text(await page(`/incidents/${m.id}`));
    expect(t).toContain("Scheduled Maintenance Report for Acme");
    expect(t).toContain("Completed after 2 h");
    expect(t).toMatch(/Scheduled: [A-Z][a-z]{2} \d{1,2}, \d\d:\d\d – \d\d:\d\d E[SD]T/);
    expect(t).toContain("This maintenance affected:");
  });
});

describe("/history", () => {
  test("/history is the newest month, with a link to the older one", async () => {
    const html = await page("/history");
    expect(html).toContain("<h1>Incident History</h1>");
    expect(html).toContain("<h2>November 2026</h2>");
    expect(html).toContain('<a href="/history/2026-10" rel="next">Older: October 2026 →</a>');
    expect(html).not.toContain('rel="prev"');
    expect(html).toContain(`<a href="/incidents/${fixture.open!.id}">API Gateway Down</a>`);
    expect(html).toContain("Network upgrade in SA East");
  });

  test("a month page: incidents and maintenances newest first with dates and excerpts, and both neighbours", async () => {
    const month = fixture.months[2]!;
    const html = await page(`/history/${month}`);
    const data = fixture.history(month);
    expect(data.incidents.some((i) => i.kind === "maintenance")).toBe(true);
    expect(data.incidents.some((i) => i.kind === "incident")).toBe(true);
    expect(html).toContain(`<a href="/history/${fixture.months[1]}" rel="prev">`);
    expect(html).toContain(`<a href="/history/${fixture.months[3]}" rel="next">`);
    const starts = [...html.matchAll(/<span class="when">(?:from )?<time datetime="([^"]+)">/g)].map((m) => m[1]!);
    expect(starts).toHaveLength(data.incidents.length);
    expect([...starts].sort().reverse()).toEqual(starts);
    expect(text(html)).toMatch(/Resolved - (This incident has been resolved|All services restored)/);
    expect(text(html)).toContain("Completed - Maintenance is complete.");
  });
});

describe("time zones", () => {
  test("a Berlin page shows CET", async () => {
    const berlin = buildFixture({ timeZone: "Europe/Berlin" });
    const html = await page(`/incidents/${berlin.open!.id}`, berlin);
    expect(text(html)).toContain("Posted Nov 27, 2026 - 16:20 CET");
    expect(text(html)).toContain("Times in CET.");
    expect(text(html)).not.toContain("Europe/Berlin");
  });
});
