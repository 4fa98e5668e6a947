/**
 * The page in the company's colours and logo: PAGE_ACCENT (checked for WCAG AA in both schemes at
 * start), PAGE_LOGO from a file (copied into the site) or an https URL, PAGE_FAVICON; without one,
 * the tab's icon shows the page's status. Read back from the published site and in Chromium.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ConfigError, readConfig } from "../api/config.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { CHROMIUM, CHROMIUM_ARGS, expectAxeClean } from "./axe.ts";
import { callServer, testServerConfig } from "./harness.ts";
import { parseHtml } from "./html.ts";

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#6f42c1"/></svg>`;

describe("configuration", () => {
  test("an accent that fails WCAG AA, or a logo that is no image, stops the start naming the variable", () => {
    expect(() => readConfig({ PAGE_ACCENT: "#ffd33d" })).toThrow(ConfigError);
    expect(() => readConfig({ PAGE_ACCENT: "#ffd33d" })).toThrow(/^PAGE_ACCENT #ffd33d has a contrast of 1\.\d\d:1 on the page's light background; WCAG AA needs 4\.5:1/);
    expect(() => readConfig({ PAGE_ACCENT: "#6f42c1", PAGE_ACCENT_DARK: "#24292f" })).toThrow(/^PAGE_ACCENT_DARK #24292f has a contrast of/);
    expect(() => readConfig({ PAGE_ACCENT_DARK: "#58a6ff" })).toThrow(/^PAGE_ACCENT_DARK needs PAGE_ACCENT/);
    expect(() => readConfig({ PAGE_LOGO: "ftp://example.com/logo.png" })).toThrow(/^PAGE_LOGO must be an https URL of an image or a file path/);
    expect(() => readConfig({ PAGE_LOGO: "brand/logo.pdf" })).toThrow(/^PAGE_LOGO must name an image file/);
    expect(readConfig({ PAGE_ACCENT: "#6F42C1" }).page.brand?.accent).toMatchObject({ light: "#6f42c1", dark: expect.stringMatching(/^#[0-9a-f]{6}$/) });
  });

  test("a logo file that cannot be read stops the start naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "herald-brand-missing-"));
    try {
      await expect(startServer(testServerConfig(dir, { PAGE_LOGO: join(dir, "nope.svg") }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } }))
        .rejects.toThrow(/^PAGE_LOGO names a file that cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a branded page", () => {
  let dir: string;
  let server: RunningServer;
  let logoPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-brand-"));
    writeFileSync(join(dir, "logo.svg"), LOGO);
    server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example", PAGE_ACCENT: "#6f42c1", PAGE_LOGO: join(dir, "logo.svg") }), {
      hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") },
    });
    await server.ready;
    const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
    await callServer(server.url, token, "POST", "/api/v1/components", { name: "API" });
    await server.publisher!.idle();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the logo is copied into the site under a content-hashed path; the accent is a stylesheet after the site's; the favicon shows the status", async () => {
    const home = parseHtml(await (await fetch(`${server.url}/`)).text());
    const logo = home.all("img")[0]!;
    expect(logo.attrs).toMatchObject({ alt: "", height: "28", src: expect.stringMatching(/^\/brand\/logo-[0-9a-f]{12}\.svg$/) });
    logoPath = logo.attrs.src!;
    const served = await fetch(`${server.url}${logoPath}`);
    expect(served.headers.get("content-type")).toBe("image/svg+xml");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await served.text()).toBe(LOGO);

    const sheets = home.all("link").filter((l) => l.attrs.rel === "stylesheet").map((l) => l.attrs.href!);
    expect(sheets).toHaveLength(2);
    const brandSheet = sheets.find((href) => /^\/brand-[0-9a-f]{8}\.css$/.test(href))!;
    expect(brandSheet).toBeDefined();
    const css = await (await fetch(`${server.url}${brandSheet}`)).text();
    expect(css).toContain("--link:#6f42c1");
    expect(css).toMatch(/prefers-color-scheme:dark\)\{html:root\{--link:#[0-9a-f]{6}/);

    const icon = home.all("link").find((l) => l.attrs.rel === "icon")!.attrs.href!;
    expect(icon).toBe("/favicon-none.svg");
    const favicon = await fetch(`${server.url}${icon}`);
    expect(favicon.headers.get("content-type")).toBe("image/svg+xml");
    expect(parseHtml(await favicon.text()).all("circle")[0]!.attrs.fill).toBe("#2da44e");
    // Every status has its icon.
    for (const indicator of ["minor", "major", "critical", "maintenance"]) expect((await fetch(`${server.url}/favicon-${indicator}.svg`)).status).toBe(200);
  });

  test("in Chromium, links and buttons take the accent in light and a readable partner in dark; axe clean", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
    try {
      const colours: Record<string, string> = {};
      for (const scheme of ["light", "dark"] as const) {
        const context = await browser.newContext({ colorScheme: scheme });
        const page = await context.newPage();
        await page.goto(`${server.url}/`);
        colours[scheme] = await page.locator("a.cta").evaluate((el) => getComputedStyle(el).backgroundColor);
        expect(await page.locator("header img").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
        await expectAxeClean(page, `branded / (${scheme})`);
        await context.close();
      }
      expect(colours.light).toBe("rgb(111, 66, 193)");
      expect(colours.dark).not.toBe(colours.light);
    } finally {
      await browser.close();
    }
  });
});

test("an https logo and favicon are referenced as they are", async () => {
  const config = readConfig({ PAGE_LOGO: "https://cdn.example.com/logo.png", PAGE_FAVICON: "https://cdn.example.com/icon.png" });
  expect(config.page.brand).toMatchObject({ logo: { src: "https://cdn.example.com/logo.png" }, favicon: { src: "https://cdn.example.com/icon.png" } });
  const { layoutView } = await import("../site/lib/view.ts");
  const { buildFixture } = await import("../site/fixtures/snapshot.ts");
  const snapshot = buildFixture().snapshot;
  const layout = layoutView({ ...snapshot, page: { ...snapshot.page, brand: config.page.brand } }, null);
  expect(layout).toMatchObject({ logo: "https://cdn.example.com/logo.png", favicon: "https://cdn.example.com/icon.png", brandCss: null });
});
