/**
 * The subscription flow in a real browser (Debian's Chromium via playwright-core, as in
 * test/browser.test.ts): the form on `/`, the "check your inbox" page, the confirm, manage and
 * unsubscribe pages. The pages' CSP is in force: any violation is a console error and fails; axe-core
 * must find nothing serious or critical.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { testServerConfig } from "./harness.ts";
import { CHROMIUM, CHROMIUM_ARGS, expectAxeClean } from "./axe.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { FakeResend } from "./fake-resend.ts";

let dir: string;
let server: RunningServer;
let fake: FakeResend;
let browser: Browser | undefined;
let componentId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash bin/ensure-chromium.sh`);
  fake = new FakeResend();
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), "herald-sub-browser-"));
  const launched = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
  // PAGE_URL is filled in below once the port is known; links in mail are rewritten to the server.
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example Status" }), {
    hostname: "127.0.0.1", log: () => {},
    env: { RESEND_API_KEY: "test", RESEND_BASE_URL: fake.url, HERALD_SECRET: "browser-secret-0123456789abcdefghij", MAIL_RATE_LIMIT: "50" },
  });
  await server.ready;
  const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
  const res = await fetch(`${server.url}/api/v1/components`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "API" }) });
  componentId = ((await res.json()) as { id: string }).id;
  await server.publisher!.idle();
  browser = await launched;
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


const OUTPUT = fileURLToPath(new URL("../test-output/", import.meta.url));

/** Screenshots for people (test-output/), at the width of a laptop and of a phone. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: join(OUTPUT, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(OUTPUT, `${name}-phone.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

test("subscribe on /, confirm, manage and unsubscribe through the pages, with no CSP violations and axe clean", async () => {
  const context = await browser!.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  const origin = server.url;

  await page.goto(`${origin}/`);
  await page.getByLabel("Email address").fill("grace@example.com");
  await page.getByRole("checkbox", { name: "API" }).check();
  await Promise.all([page.waitForURL(`${origin}/subscriptions`), page.getByRole("button", { name: "Subscribe" }).click()]);
  expect(await page.locator("h1").innerText()).toBe("Check your inbox");
  await expectAxeClean(page, "check your inbox");
  await shoot(page, "subscribe-check-inbox");

  const deadline = Date.now() + 10_000;
  while (fake.deliveredTo("grace@example.com") === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  const text = fake.deliveries.find((d) => d.email.to.includes("grace@example.com"))!.email.text!;
  const link = /https:\/\/status\.example\.com(\/subscriptions\/confirm\?token=\S+)/.exec(text)![1]!;

  await page.goto(`${origin}${link}`);
  expect(await page.locator("h1").innerText()).toBe("Confirm your subscription");
  await expectAxeClean(page, "confirm");
  await shoot(page, "subscribe-confirm");
  await Promise.all([page.waitForURL(`${origin}/subscriptions/confirm`), page.getByRole("button", { name: "Confirm subscription" }).click()]);
  expect(await page.locator("h1").innerText()).toBe("Subscription confirmed");

  await page.getByRole("link", { name: "Choose components" }).click();
  expect(await page.locator("h1").innerText()).toBe("Your subscription");
  expect(await page.getByRole("checkbox", { name: "API" }).isChecked()).toBe(true);
  await expectAxeClean(page, "manage");
  await shoot(page, "subscribe-manage");
  await page.getByRole("checkbox", { name: "API" }).uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForSelector("text=Saved.");
  const row = await server.deps!.db.client.execute({ sql: "SELECT state, component_ids FROM subscribers WHERE email = ?", args: ["grace@example.com"] });
  expect(row.rows[0]!.state).toBe("active");
  expect(row.rows[0]!.component_ids).toBeNull();

  await page.getByRole("link", { name: "Unsubscribe" }).click();
  expect(await page.locator("h1").innerText()).toBe("Unsubscribe");
  await expectAxeClean(page, "unsubscribe");
  await shoot(page, "subscribe-unsubscribe");
  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await page.waitForSelector("h1:text('You are unsubscribed')");
  const after = await server.deps!.db.client.execute({ sql: "SELECT state FROM subscribers WHERE email = ?", args: ["grace@example.com"] });
  expect(after.rows[0]!.state).toBe("unsubscribed");
  expect(componentId).toBeTruthy();
  expect(problems).toEqual([]);
  await context.close();
}, 40_000);
