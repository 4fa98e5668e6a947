/**
 * The console in Debian's Chromium: a member asks for a sign-in link, opens the one in the .eml,
 * presses Sign in, sees Now, declares with a preview, resolves, and signs out — with JavaScript off too; axe-core clean in light and dark; no console error.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { addMember, createSignInToken } from "../api/service/members.ts";
import type { WriteContext } from "../api/service/context.ts";
import { callServer, freePort, testServerConfig } from "./harness.ts";
import { createKey } from "../api/service/keys.ts";
import { CHROMIUM, CHROMIUM_ARGS, expectAxeClean } from "./axe.ts";
import { eventually } from "./fake-slack.ts";
import { parseHtml } from "./html.ts";
import { readMailDir } from "./mime.ts";

const OUTPUT = fileURLToPath(new URL("../test-output/", import.meta.url));
let dir: string;
let server: RunningServer;
let browser: Browser | undefined;

const setup = { id: null, name: "setup", role: "admin" as const };
const write = <T>(work: (ctx: WriteContext) => Promise<T>): Promise<T> =>
  server.deps!.db.write((tx) => work({ tx, actor: setup, now: new Date().toISOString(), hooks: {} }));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash bin/ensure-chromium.sh`);
  dir = mkdtempSync(join(tmpdir(), "herald-console-browser-"));
  const port = await freePort();
  const launched = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
  server = await startServer(testServerConfig(dir, { PORT: String(port), PAGE_URL: `http://127.0.0.1:${port}`, PAGE_NAME: "Example Status" }), {
    hostname: "127.0.0.1",
    log: () => {},
    env: { MAIL_DIR: join(dir, "mail") },
  });
  await server.ready;
  await server.publisher!.idle();
  browser = await launched;
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


/** A new member asks for a sign-in link on the sign-in page and opens the one in their mail (.eml, parsed as a reader sees it). */
async function signInByMail(page: Page, name: string, email: string, axe: string | null): Promise<void> {
  await write((ctx) => addMember(ctx, { name, email, role: "comms" }));
  await page.goto(`${server.url}/console/sign-in`);
  if (axe) await expectAxeClean(page, `ask for a link (${axe})`);
  await page.getByLabel("Your e-mail address").fill(email);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Mail me a sign-in link" }).click()]);
  expect(await page.locator("h1").innerText()).toBe("Check your mail");
  const mailed = async () => (existsSync(join(dir, "mail")) ? (await readMailDir(join(dir, "mail"))).find((m) => m.to.includes(email)) : undefined);
  expect(await eventually(async () => (await mailed()) !== undefined)).toBe(true);
  const link = parseHtml((await mailed())!.html).links().find((l) => l.text === "Sign in")!.href;
  expect(link.startsWith(`${server.url}/console/sign-in/`)).toBe(true);
  await page.goto(link);
}

for (const javaScriptEnabled of [true, false]) {
  test(`sign in from the link, see Now, sign out (JavaScript ${javaScriptEnabled ? "on" : "off"}), axe clean in light and dark`, async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser!.newContext({ javaScriptEnabled, colorScheme, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await signInByMail(page, `Member ${colorScheme} ${javaScriptEnabled}`, `m-${colorScheme}-${javaScriptEnabled}@example.com`, javaScriptEnabled ? colorScheme : null);
      if (javaScriptEnabled) await expectAxeClean(page, `sign-in (${colorScheme})`);
      await Promise.all([page.waitForURL(`${server.url}/console`), page.getByRole("button", { name: "Sign in" }).click()]);
      expect(await page.locator("h1").innerText()).toBe("Now");
      expect(await page.locator("main").innerText()).toContain("All Systems Operational");
      if (javaScriptEnabled) {
        await expectAxeClean(page, `now (${colorScheme})`);
        mkdirSync(OUTPUT, { recursive: true });
        await page.screenshot({ path: join(OUTPUT, `console-now-${colorScheme}.png`), fullPage: true });
      }
      // Declare a SEV1 through the form, then walk it to resolved.
      await page.getByRole("link", { name: "Declare an incident" }).click();
      if (javaScriptEnabled) await expectAxeClean(page, `declare (${colorScheme})`);
      await page.getByLabel("Title customers will read").fill(`Login errors ${colorScheme} ${javaScriptEnabled}`);
      await page.getByRole("radio", { name: /^SEV1 · Critical/ }).check();
      await page.getByLabel("First update (Markdown)").fill("We are investigating failed logins.");
      if (javaScriptEnabled) await page.screenshot({ path: join(OUTPUT, `console-declare-${colorScheme}.png`), fullPage: true });
      // Preview first: what the page, the mail, the feeds and the team will get; nothing is posted.
      await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Preview" }).click()]);
      expect(await page.locator(".preview").innerText()).toContain("[INVESTIGATING] Login errors");
      if (javaScriptEnabled) {
        await expectAxeClean(page, `preview (${colorScheme})`);
        await page.screenshot({ path: join(OUTPUT, `console-preview-${colorScheme}.png`), fullPage: true });
      }
      await Promise.all([page.waitForURL(/\/console\/incidents\/[0-9a-z]{12}$/), page.getByRole("button", { name: "Declare incident" }).click()]);
      expect(await page.locator("h1").innerText()).toBe(`Login errors ${colorScheme} ${javaScriptEnabled}`);
      if (javaScriptEnabled) await expectAxeClean(page, `incident (${colorScheme})`);
      const name = `Login errors ${colorScheme} ${javaScriptEnabled}`;
      const id = page.url().split("/").pop()!;
      for (const [status, words] of [["identified", "A bad deploy; rolling back."], ["monitoring", "Rolled back; watching."], ["resolved", "Logins work again."]] as const) {
        await page.getByLabel("Status").selectOption(status);
        await page.getByLabel("What customers will read (Markdown)").fill(words);
        await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Post update" }).click()]);
        expect(await page.locator("ol.updates li").first().innerText()).toContain(words);
      }
      expect(await page.locator("main").innerText()).toContain("Resolved");
      // What customers get: the public page, the feed and Statuspage's JSON.
      await server.publisher!.idle();
      await page.goto(`${server.url}/incidents/${id}`);
      expect(await page.locator("main").innerText()).toContain("Logins work again.");
      expect(await (await fetch(`${server.url}/history.rss`)).text()).toContain(name);
      const json = (await (await fetch(`${server.url}/api/v2/incidents.json`)).json()) as { incidents: { id: string; status: string; impact: string }[] };
      expect(json.incidents.find((i) => i.id === id)).toMatchObject({ status: "resolved", impact: "critical" });
      await page.goto(`${server.url}/console`);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForSelector("h1:text('Signed out')");
      await page.goto(`${server.url}/console`);
      expect(await page.locator("h1").innerText()).toBe("Sign in");
      expect(problems).toEqual([]);
      await context.close();
    }
  }, 40_000);
}

test("an admin's members page: add a member from the form; axe clean in light and dark", async () => {
  const admin = await write((ctx) => addMember(ctx, { name: "Admin", email: "admin-browser@example.com", role: "admin" }));
  const token = (await write((ctx) => createSignInToken(ctx, admin.id))).token;
  const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/console/sign-in/${token}`);
  await Promise.all([page.waitForURL(`${server.url}/console`), page.getByRole("button", { name: "Sign in" }).click()]);
  await page.getByRole("link", { name: "Members" }).click();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAxeClean(page, `members (${scheme})`);
  }
  await page.getByLabel("Name").fill("Pat");
  await page.getByLabel("Address").fill("pat@example.com");
  await Promise.all([page.waitForURL(`${server.url}/console/members`), page.getByRole("button", { name: "Add member" }).click()]);
  expect(await page.locator("main table").innerText()).toContain("pat@example.com");
  // A phone shows it without sideways scrolling.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await context.close();
}, 40_000);

test("every console page is axe clean in light and dark, and fits a 360 px phone", async () => {
  const admin = await write((ctx) => addMember(ctx, { name: "Every Page", email: "every-page@example.com", role: "admin" }));
  const token = (await write((ctx) => createSignInToken(ctx, admin.id))).token;
  // Something on every page: a component in a group, a template, a maintenance, a resolved incident, a drill, a quarantined webhook.
  const apiToken = await write(async (ctx) => (await createKey(ctx, "Pages", "admin")).token);
  const call = (method: string, path: string, body?: unknown) => callServer(server.url, apiToken, method, path, body);
  const component = await call("POST", "/api/v1/components", { name: "Search", group: "Backend" });
  await call("POST", "/api/v1/templates", { slug: "search-down", name: "Search down", severity: "SEV2", body: "Search fails.", components: { [component.id]: "major_outage" } });
  const maintenance = await call("POST", "/api/v1/maintenances", { name: "Index rebuild", body: "Rebuilding.", scheduled_for: "2031-01-01T10:00:00Z", scheduled_until: "2031-01-01T12:00:00Z", component_ids: [component.id] });
  const incident = await call("POST", "/api/v1/incidents", { name: "Search errors", severity: "SEV2", body: "Looking." });
  await call("POST", `/api/v1/incidents/${incident.id}/updates`, { status: "resolved", body: "Fixed." });
  await call("PUT", `/api/v1/incidents/${incident.id}/postmortem`, { body: "What happened.", action_items: [{ description: "Alert on search errors", owner: "@pat", due_date: "2020-01-01" }, { description: "Load test search" }] });
  const drill = await call("POST", "/api/v1/incidents", { name: "Drill: search", severity: "SEV3", body: "Practice.", drill: true });
  // An alert rule, and a draft incident an alert opened from it.
  await call("POST", "/api/v1/alerts/rules", { name: "search-errors", matchers: [{ label: "alertname", op: "=~", value: "Search.*" }], components: [component.id], template: "search-down" });
  const fired = await call("POST", "/api/v1/alerts/alertmanager", { status: "firing", alerts: [{ status: "firing", labels: { alertname: "SearchErrors", severity: "critical" }, startsAt: new Date().toISOString(), fingerprint: "browser00000001" }] });
  const draftId: string = fired.drafts[0];
  const at = new Date().toISOString();
  await server.deps!.db.client.execute({ sql: "INSERT INTO webhook_subscriptions (id, endpoint, email, state, created_at, active_since, quarantined_at) VALUES ('wb0000000001', 'https://hooks.example.com/x', 'ops@example.com', 'quarantined', ?, ?, ?)", args: [at, at, at] });

  const pages = [
    "/console",
    "/console/incidents",
    "/console/incidents/new",
    `/console/incidents/${incident.id}`,
    "/console/maintenances",
    `/console/maintenances/${maintenance.id}`,
    `/console/postmortems/${incident.id}`,
    "/console/drills",
    `/console/drills/${drill.id}`,
    "/console/follow-through",
    "/console/templates",
    "/console/templates/search-down",
    "/console/alerts",
    `/console/incidents/${draftId}`,
    "/console/components",
    `/console/components/${component.id}`,
    "/console/members",
    "/console/keys",
    "/console/webhooks",
  ];
  const context = await browser!.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.goto(`${server.url}/console/sign-in/${token}`);
  await Promise.all([page.waitForURL(`${server.url}/console`), page.getByRole("button", { name: "Sign in" }).click()]);
  mkdirSync(OUTPUT, { recursive: true });
  for (const path of pages) {
    const res = await page.goto(`${server.url}${path}`);
    expect(res?.status(), path).toBe(200);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await expectAxeClean(page, `${path} (${scheme})`);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
    const shot = path.endsWith(draftId) ? "-incidents-draft" : path.replace(/^\/console/, "").replace(/\/[0-9a-z]{12}$/, "-one").replace(/\//g, "-") || "-now";
    await page.screenshot({ path: join(OUTPUT, `console${shot}.png`), fullPage: true });
  }
  expect(problems).toEqual([]);
  // An error beside its field is clean too (the 422 answer itself is the one expected "problem").
  await page.goto(`${server.url}/console/maintenances`);
  await page.getByLabel("Title customers will read").fill("Backwards");
  await page.getByLabel(/^Ends/).fill("2020-01-01T00:00");
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Schedule maintenance" }).click()]);
  expect(await page.locator("#err-ends").innerText()).toContain("Must be later");
  await expectAxeClean(page, "maintenance form with an error");
  await context.close();
}, 90_000);
